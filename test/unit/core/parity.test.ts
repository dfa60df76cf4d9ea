import type { DecideContext } from '../../../lambda/core/decide';
import { dryRunRecord } from '../../../lambda/core/dry-run';
import { parseFinding } from '../../../lambda/core/finding';
import type { LiveGroup } from '../../../lambda/core/model';
import { group, offline, readEvent, readEventLines, rule, withObservable } from './support';

/**
 * The original skill's own cases, with its expected values (issue 9 §2): where sg-revoke and the
 * original must agree, because the original's users and consumers rely on it.
 */
const NOW = 1_795_626_043_221;
const ssh = readEvent('findings/ssh-open.ipv4.json');
const live = (overrides: Partial<LiveGroup>): DecideContext => ({
  ...offline,
  live: { kind: 'found', group: group(overrides) },
});
const open22 = [rule('sgr-0000000000000000a', '0.0.0.0/0', 'tcp', 22, 22)];

describe('parity: the `default` name is compared lower-cased, as the original does', () => {
  it.each(['Default-Legacy', 'DEFAULT', 'default-web'])(
    'a finding naming %j is would-violate-protected-sg',
    (name) => {
      const record = dryRunRecord(withObservable(ssh, 'target.name', [name]), offline, NOW);

      expect(record.status).toBe('would-violate-protected-sg');
      expect(record.status_detail).toBe('target is protected: sg-name prefix `default`');
      expect(record.actions).toEqual([]);
    },
  );

  it('a live group named Default-Legacy is protected even when the finding names it otherwise', () => {
    const record = dryRunRecord(ssh, live({ groupName: 'Default-Legacy', ingress: open22 }), NOW);

    expect(record.status).toBe('would-violate-protected-sg');
  });
});

describe('parity: protocol numbers with leading zeros are integers, as the original int() reads them', () => {
  it.each([
    ['06', 'tcp'],
    ['6', 'tcp'],
    ['017', 'udp'],
  ])('permission.protocol %j is %s', (raw, protocol) => {
    const parsed = parseFinding(withObservable(ssh, 'permission.protocol', [raw]));

    expect(parsed.ok && parsed.value.permission.protocol).toBe(protocol);
  });

  it('a tcp/22 finding written with `06` is planned against the open rule, not already_absent', () => {
    const record = dryRunRecord(
      withObservable(ssh, 'permission.protocol', ['06']),
      live({ ingress: open22 }),
      NOW,
    );

    expect(record.status).toBe('planned');
    expect(record.target.ip_protocol).toBe('tcp');
    expect(record.actions[0]?.endpoint).toBe(
      'POST ec2:RevokeSecurityGroupIngress GroupId=sg-0a1b2c3d4e5f60001 SecurityGroupRuleIds=sgr-0000000000000000a',
    );
  });

  it('a permission that matches no live rule while a wider one still exposes it is skipped with the reason, never already_absent', () => {
    const wide = [rule('sgr-0000000000000000b', '0.0.0.0/0', 'tcp', 0, 65535)];

    const record = dryRunRecord(ssh, live({ ingress: wide }), NOW);

    expect(record.status).toBe('skipped_invalid_finding');
    expect(record.status_detail).toBe(
      'no live ingress rule has the flagged shape ([0.0.0.0/0] protocol=tcp ports=22-22), but ' +
        '[sgr-0000000000000000b] still expose its ports: not revoked automatically (a wider rule needs a finding of its own)',
    );
    expect(record.actions).toEqual([]);
  });

  it('is already_absent only when no live rule exposes the flagged ports', () => {
    const other = [rule('sgr-0000000000000000d', '0.0.0.0/0', 'tcp', 443, 443)];

    expect(dryRunRecord(ssh, live({ ingress: other }), NOW).status).toBe('already_absent');
  });
});

describe('parity: all-traffic records keep the from/to the finding carries, as the original writes them', () => {
  const allTraffic = withObservable(
    withObservable(withObservable(ssh, 'permission.protocol', ['-1']), 'permission.from_port', ['-1']),
    'permission.to_port',
    ['-1'],
  );

  it('writes from_port/to_port -1 and an endpoint with FromPort=-1 ToPort=-1', () => {
    const record = dryRunRecord(allTraffic, offline, NOW);

    expect(record.status).toBe('planned');
    expect(record.target).toMatchObject({ ip_protocol: '-1', from_port: -1, to_port: -1 });
    expect(record.actions[0]?.endpoint).toBe(
      'POST ec2:RevokeSecurityGroupIngress GroupId=sg-0a1b2c3d4e5f60001 IpProtocol=-1 FromPort=-1 ToPort=-1',
    );
  });

  it('writes null for a finding without from/to (the original sample sg-0a1b2c3d4e5f60004), as the original does', () => {
    const original = readEventLines('upstream/dryrun_plan.jsonl') as { target: { sg_id: string } }[];
    const sample = (readEventLines('findings.ocsf.jsonl') as unknown[])[3];

    const record = dryRunRecord(sample, offline, NOW);

    expect(record.target).toEqual(original[3]!.target);
    expect(record.target).toMatchObject({ sg_id: 'sg-0a1b2c3d4e5f60004', from_port: null, to_port: null });
  });

  it('plans an all-traffic finding carrying -1 against the live all-traffic rule, by id', () => {
    const rules = [rule('sgr-0000000000000000c', '0.0.0.0/0', '-1', null, null)];

    const record = dryRunRecord(allTraffic, live({ ingress: rules }), NOW);

    expect(record.status).toBe('planned');
    expect(record.actions[0]?.endpoint).toMatch(/SecurityGroupRuleIds=sgr-0000000000000000c$/);
  });
});

describe('parity: an EventBridge envelope stands for its finding, anywhere a finding is accepted', () => {
  const scenarios = [
    ['ssh-open.ipv4', 'planned'],
    ['rdp-open.ipv6', 'planned'],
    ['all-tcp-ports', 'planned'],
    ['protocol-all', 'planned'],
    ['default-group', 'would-violate-protected-sg'],
    ['mysql-open.dual-stack', 'planned'],
    ['postgres-open.same-event', 'planned'],
    ['icmp-false-positive', 'skipped_invalid_finding'],
  ] as const;

  it.each(scenarios)('eventbridge/finding.%s.json is %s, as events/README.md says', (scenario, status) => {
    const envelope = readEvent(`eventbridge/finding.${scenario}.json`) as { detail: unknown };

    const record = dryRunRecord(envelope, offline, NOW);

    expect(record.status).toBe(status);
    expect(record).toEqual(dryRunRecord(envelope.detail, offline, NOW));
  });

  it('an envelope of another producer is still skipped_wrong_source', () => {
    const envelope = {
      'detail-type': 'OCSF Detection Finding',
      detail: readEvent('findings/wrong-producer.json'),
    };

    expect(dryRunRecord(envelope, offline, NOW).status).toBe('skipped_wrong_source');
  });
});
