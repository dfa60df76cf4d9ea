import { parseFinding } from '../../../lambda/core/finding';
import { readEvent, readEventLines, withObservable } from './support';

function rejectionOf(input: unknown) {
  const parsed = parseFinding(input);
  if (parsed.ok) throw new Error('expected a rejection');
  return parsed.error;
}

describe('parseFinding: the findings the detector emits', () => {
  it('reads every field of the ssh finding from its observables', () => {
    // Arrange
    const input = readEvent('findings/ssh-open.ipv4.json');

    // Act
    const parsed = parseFinding(input);

    // Assert
    expect(parsed).toEqual({
      ok: true,
      value: {
        findingUid: 'asg-11f2f83f01e65ee8',
        sgId: 'sg-0a1b2c3d4e5f60001',
        sgName: 'web-tier',
        region: 'us-east-1',
        accountUid: '111122223333',
        actor: 'alice',
        rule: 'open-security-group-ingress',
        permission: { protocol: 'tcp', fromPort: 22, toPort: 22, cidrs: ['0.0.0.0/0'], ports: [22] },
        timeMs: 1776600001000,
      },
    });
  });

  it('keeps every CIDR of a dual-stack finding, in input order', () => {
    const parsed = parseFinding(readEvent('findings/dual-stack.json'));

    expect(parsed.ok && parsed.value.permission.cidrs).toEqual(['0.0.0.0/0', '::/0']);
  });

  it('reads protocol -1 with no port range', () => {
    const parsed = parseFinding(readEvent('findings/protocol-all.json'));

    expect(parsed.ok && parsed.value.permission).toMatchObject({
      protocol: '-1',
      fromPort: null,
      toPort: null,
    });
  });

  it('normalises protocol 6 to tcp', () => {
    const parsed = parseFinding(readEvent('findings/protocol-6.json'));

    expect(parsed.ok && parsed.value.permission.protocol).toBe('tcp');
  });

  it('takes metadata.uid when finding_info.uid is absent', () => {
    const parsed = parseFinding(readEvent('findings/metadata-uid-only.json'));

    expect(parsed.ok && parsed.value.findingUid).toBe('asg-5e7d000000000117');
  });

  it('parses all 8 findings of the sample, two of them under one uid', () => {
    const uids = readEventLines('findings.ocsf.jsonl').map((f) => {
      const parsed = parseFinding(f);
      return parsed.ok ? parsed.value.findingUid : parsed.error.kind;
    });

    expect(uids).toEqual([
      'asg-11f2f83f01e65ee8',
      'asg-fc0dff4a251305ae',
      'asg-fd9fe6d62ec2cc3e',
      'asg-88a2dfae24dba65c',
      'asg-84d2e0862a9d8f5b',
      'asg-00d3a95bcf9a5eb5',
      'asg-00d3a95bcf9a5eb5',
      'invalid',
    ]);
  });

  it('uses the first non-empty value of a single-valued observable, trimmed', () => {
    const input = withObservable(readEvent('findings/ssh-open.ipv4.json'), 'region', [
      '',
      '  eu-west-1 ',
      'us-east-2',
    ]);

    const parsed = parseFinding(input);

    expect(parsed.ok && parsed.value.region).toBe('eu-west-1');
  });

  it('accepts numeric observable values and removes duplicate ports and CIDRs', () => {
    let input = withObservable(readEvent('findings/ssh-open.ipv4.json'), 'permission.port', [22, '22', 22]);
    input = withObservable(input, 'permission.cidr', ['0.0.0.0/0', '0.0.0.0/0']);

    const parsed = parseFinding(input);

    expect(parsed.ok && parsed.value.permission).toMatchObject({ ports: [22], cidrs: ['0.0.0.0/0'] });
  });

  it('ignores observables that are not {name, value} objects', () => {
    const input = readEvent('findings/ssh-open.ipv4.json') as { observables: unknown[] };
    input.observables.unshift(null, 42, ['region', 'eu-west-1'], { name: 7, value: 'x' }, { value: 'y' });

    const parsed = parseFinding(input);

    expect(parsed.ok && parsed.value.region).toBe('us-east-1');
  });
});

describe('parseFinding: every rejection of DESIGN §4, from a whole finding of events/', () => {
  it.each([
    ['not-an-object.json', 'not-object', 'finding is not a JSON object of the OCSF shape'],
    ['wrong-class.json', 'wrong-source', 'class_uid is 2003, expected 2004'],
    [
      'wrong-producer.json',
      'wrong-source',
      'producer is "detect-aws-open-s3-bucket", expected detect-aws-open-security-group',
    ],
    ['no-sg.json', 'no-sg-pointer', 'finding did not carry a target.uid (sg id) observable'],
    ['bad-sg-id.json', 'invalid', 'target.uid `sg-12345` is not sg- followed by 8 or 17 hex digits'],
    ['bad-cidr.json', 'invalid', 'unparsable CIDR `0.0.0.0/33`'],
    ['bad-port.json', 'invalid', 'port range 22-70000 is outside 0-65535'],
    ['from-gt-to.json', 'invalid', 'from_port 443 is greater than to_port 22'],
    ['unknown-protocol.json', 'invalid', 'unknown protocol `sctp`'],
    ['missing-protocol.json', 'invalid', 'finding has no permission.protocol observable'],
    ['missing-account.json', 'invalid', 'finding has no account.uid observable'],
    ['missing-region.json', 'invalid', 'finding has no region observable'],
    ['missing-uid.json', 'invalid', 'finding has neither finding_info.uid nor metadata.uid'],
  ])('%s → %s', (file, kind, reason) => {
    // Arrange
    const input = readEvent(`findings/${file}`);

    // Act
    const rejection = rejectionOf(input);

    // Assert
    expect(rejection).toMatchObject({ kind, reason });
  });

  it('refuses the ICMP false positive: the permission reaches none of the flagged ports (DESIGN §5)', () => {
    const rejection = rejectionOf(readEvent('findings/icmp-false-positive.json'));

    expect(rejection.kind).toBe('invalid');
    expect(rejection.reason).toMatch(
      /^permission is icmp, which reaches none of the flagged ports \[22, 23, /,
    );
  });

  it('keeps the raw fields of a rejected finding for its skip record', () => {
    const rejection = rejectionOf(readEvent('findings/bad-cidr.json'));

    expect(rejection.raw).toMatchObject({
      sgId: 'sg-0a1b2c3d4e5f60109',
      cidrs: ['0.0.0.0/33'],
      protocol: 'tcp',
    });
  });
});

describe('parseFinding: edge cases of the contract', () => {
  const ssh = () => readEvent('findings/ssh-open.ipv4.json');

  it.each([null, 42, 'text', true, [], [ssh()]])('rejects the non-object %j as not-object', (input) => {
    expect(rejectionOf(input).kind).toBe('not-object');
  });

  it('treats an object without class_uid as the wrong source, not as malformed', () => {
    const input = ssh() as Record<string, unknown>;
    delete input.class_uid;

    expect(rejectionOf(input)).toMatchObject({
      kind: 'wrong-source',
      reason: 'class_uid is missing, expected 2004',
    });
  });

  it('rejects class_uid "2004" as a string', () => {
    const input = { ...(ssh() as object), class_uid: '2004' };

    expect(rejectionOf(input).kind).toBe('wrong-source');
  });

  it('rejects a finding whose metadata is not an object', () => {
    const input = { ...(ssh() as object), metadata: 'detect-aws-open-security-group' };

    expect(rejectionOf(input).kind).toBe('not-object');
  });

  it.each([
    ['account.uid', ['11112222333'], 'account.uid `11112222333` is not 12 digits'],
    ['region', ['US East'], 'region `US East` is not an AWS region name'],
    ['permission.cidr', [], 'finding has no permission.cidr observable'],
    ['permission.cidr', ['0.0.0.0'], 'CIDR `0.0.0.0` has no prefix length'],
    ['permission.port', ['ssh'], 'permission.port `ssh` is not an integer'],
    ['permission.port', ['65536'], 'permission.port 65536 is outside 0-65535'],
    ['permission.from_port', ['-1'], 'port range -1-22 is outside 0-65535'],
    ['permission.to_port', [], 'protocol tcp needs both permission.from_port and permission.to_port'],
    ['permission.protocol', ['256'], 'unknown protocol `256`'],
  ])('rejects %s = %j', (name, values, reason) => {
    expect(rejectionOf(withObservable(ssh(), name, values))).toMatchObject({ kind: 'invalid', reason });
  });

  it('rejects a TCP range that excludes every flagged port (a detector false positive)', () => {
    let input = withObservable(ssh(), 'permission.from_port', ['80']);
    input = withObservable(input, 'permission.to_port', ['443']);

    expect(rejectionOf(input).reason).toBe('port range 80-443 reaches none of the flagged ports [22]');
  });

  it('accepts a 17-hex-digit and an 8-hex-digit SG id', () => {
    const long = parseFinding(withObservable(ssh(), 'target.uid', ['sg-0123456789abcdef0']));
    const short = parseFinding(withObservable(ssh(), 'target.uid', ['sg-0123abcd']));

    expect([long.ok, short.ok]).toEqual([true, true]);
  });

  it('rejects an upper-case SG id', () => {
    expect(rejectionOf(withObservable(ssh(), 'target.uid', ['sg-0A1B2C3D'])).kind).toBe('invalid');
  });

  it('gives an ICMP finding without flagged ports type/code -1 when the range is absent', () => {
    let input = withObservable(ssh(), 'permission.protocol', ['icmp']);
    for (const name of ['permission.from_port', 'permission.to_port', 'permission.port']) {
      input = withObservable(input, name, []);
    }

    const parsed = parseFinding(input);

    expect(parsed.ok && parsed.value.permission).toMatchObject({
      protocol: 'icmp',
      fromPort: -1,
      toPort: -1,
    });
  });

  it('reads time only when it is a finite number', () => {
    const parsed = parseFinding({ ...(ssh() as object), time: '1776600001000' });

    expect(parsed.ok && parsed.value.timeMs).toBeNull();
  });
});

describe('parseFinding: a very large finding', () => {
  it('de-duplicates 240k CIDR observables (120k distinct) in input order, in linear time', () => {
    // Quadratic de-duplication took minutes of CPU on a 7.7 MiB line of 120k CIDRs: it would
    // time this test out. No timing assertion: the result is checked, the test timeout is the bound.
    const distinct = Array.from(
      { length: 120_000 },
      (_, i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}/32`,
    );
    const input = withObservable(readEvent('findings/ssh-open.ipv4.json'), 'permission.cidr', [
      '0.0.0.0/0',
      ...distinct,
      ...distinct,
      '0.0.0.0/0',
    ]);

    const parsed = parseFinding(input);

    expect(parsed.ok).toBe(true);
    const cidrs = parsed.ok ? parsed.value.permission.cidrs : [];
    expect(cidrs).toHaveLength(120_001);
    expect(cidrs.slice(0, 3)).toEqual(['0.0.0.0/0', '10.0.0.0/32', '10.0.0.1/32']);
    expect(cidrs.at(-1)).toBe('10.1.212.191/32');
  });
});
