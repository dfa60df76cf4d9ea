import type { DecideContext } from '../../../lambda/core/decide';
import { dryRunRecord } from '../../../lambda/core/dry-run';
import { group, offline, readEvent, rule } from './support';

const NOW = 1_776_700_000_000;

describe('dryRunRecord: every status a dry-run can reach, from a file of events/', () => {
  const allowList: DecideContext = { ...offline, allowedAccounts: new Set(['111122223333']) };
  const protectedSsh: DecideContext = { ...offline, protectedIds: new Set(['sg-0a1b2c3d4e5f60001']) };
  const liveWithout22: DecideContext = {
    ...offline,
    live: {
      kind: 'found',
      group: group({ ingress: [rule('sgr-0000000000000000d', '0.0.0.0/0', 'tcp', 443, 443)] }),
    },
  };
  const liveError: DecideContext = { ...offline, live: { kind: 'error', message: 'UnauthorizedOperation' } };

  it.each([
    ['ssh-open.ipv4.json', offline, 'planned', undefined],
    ['ipv6.json', offline, 'planned', undefined],
    ['port-range.json', offline, 'planned', undefined],
    ['protocol-all.json', offline, 'planned', undefined],
    ['protocol-6.json', offline, 'planned', undefined],
    ['protocol-47.json', offline, 'planned', undefined],
    ['sibling-cidrs.json', offline, 'planned', undefined],
    ['metadata-uid-only.json', offline, 'planned', undefined],
    [
      'default-group.json',
      offline,
      'would-violate-protected-sg',
      'target is protected: sg-name prefix `default`',
    ],
    [
      'ssh-open.ipv4.json',
      protectedSsh,
      'would-violate-protected-sg',
      'target is protected: `sg-0a1b2c3d4e5f60001` is in AWS_SG_REVOKE_PROTECTED_IDS',
    ],
    [
      'other-account.json',
      allowList,
      'skipped_account_boundary',
      'target account `444455556666` is not listed in AWS_SG_REVOKE_ALLOWED_ACCOUNT_IDS',
    ],
    [
      'non-public.json',
      offline,
      'skipped_not_public',
      'no internet-wide CIDR among [10.0.0.0/8, 192.168.1.0/24]',
    ],
    ['no-sg.json', offline, 'skipped_no_sg_pointer', 'finding did not carry a target.uid (sg id) observable'],
    ['wrong-class.json', offline, 'skipped_wrong_source', 'class_uid is 2003, expected 2004'],
    ['wrong-producer.json', offline, 'skipped_wrong_source', expect.stringMatching(/^producer is /)],
    [
      'not-an-object.json',
      offline,
      'skipped_invalid_finding',
      'finding is not a JSON object of the OCSF shape',
    ],
    ['bad-sg-id.json', offline, 'skipped_invalid_finding', expect.stringMatching(/^target.uid `sg-12345`/)],
    ['bad-cidr.json', offline, 'skipped_invalid_finding', 'unparsable CIDR `0.0.0.0/33`'],
    ['bad-port.json', offline, 'skipped_invalid_finding', 'port range 22-70000 is outside 0-65535'],
    ['from-gt-to.json', offline, 'skipped_invalid_finding', 'from_port 443 is greater than to_port 22'],
    ['unknown-protocol.json', offline, 'skipped_invalid_finding', 'unknown protocol `sctp`'],
    [
      'missing-protocol.json',
      offline,
      'skipped_invalid_finding',
      'finding has no permission.protocol observable',
    ],
    ['missing-account.json', offline, 'skipped_invalid_finding', 'finding has no account.uid observable'],
    ['missing-region.json', offline, 'skipped_invalid_finding', 'finding has no region observable'],
    ['missing-uid.json', offline, 'skipped_invalid_finding', expect.stringMatching(/^finding has neither/)],
    [
      'icmp-false-positive.json',
      offline,
      'skipped_invalid_finding',
      expect.stringMatching(/^permission is icmp/),
    ],
    [
      'ssh-open.ipv4.json',
      liveWithout22,
      'already_absent',
      'no live ingress rule matches the flagged permission',
    ],
    ['ssh-open.ipv4.json', liveError, 'failure', 'live group could not be read: UnauthorizedOperation'],
  ])('%s → %s', (file, ctx, status, detail) => {
    // Arrange
    const input = readEvent(`findings/${file}`);

    // Act
    const record = dryRunRecord(input, ctx as DecideContext, NOW);

    // Assert
    expect(record.status).toBe(status);
    expect(record.status_detail).toEqual(detail);
    expect(record).toMatchObject({ record_type: 'remediation_plan', dry_run: true, time_ms: NOW });
  });
});

describe('dryRunRecord: the record', () => {
  it('writes the full §6 record of a planned finding', () => {
    const record = dryRunRecord(readEvent('findings/ssh-open.ipv4.json'), offline, NOW);

    expect(record).toEqual({
      schema_mode: 'native',
      canonical_schema_version: '2026-04',
      record_type: 'remediation_plan',
      source_skill: 'remediate-aws-sg-revoke',
      action_id: expect.stringMatching(/^sgrev-[0-9a-f]{16}$/),
      plan_hash: expect.stringMatching(/^[0-9a-f]{64}$/),
      target: {
        provider: 'AWS',
        sg_id: 'sg-0a1b2c3d4e5f60001',
        sg_name: 'web-tier',
        region: 'us-east-1',
        account_uid: '111122223333',
        cidrs: ['0.0.0.0/0'],
        ports: [22],
        ip_protocol: 'tcp',
        from_port: 22,
        to_port: 22,
        actor: 'alice',
        rule: 'open-security-group-ingress',
      },
      actions: [
        {
          step: 'revoke_security_group_ingress',
          endpoint:
            'POST ec2:RevokeSecurityGroupIngress GroupId=sg-0a1b2c3d4e5f60001 IpProtocol=tcp FromPort=22 ToPort=22',
          status: 'planned',
          detail: 'dry-run: would revoke [0.0.0.0/0] protocol=tcp ports=22-22 on sg-0a1b2c3d4e5f60001',
        },
      ],
      status: 'planned',
      dry_run: true,
      time_ms: NOW,
      finding_uid: 'asg-11f2f83f01e65ee8',
    });
  });

  it('names the live rule ids in the endpoint of a plan made against live rules', () => {
    const live = group({ ingress: [rule('sgr-0000000000000000a', '0.0.0.0/0', 'tcp', 22, 22)] });

    const record = dryRunRecord(
      readEvent('findings/ssh-open.ipv4.json'),
      {
        ...offline,
        live: { kind: 'found', group: live },
      },
      NOW,
    );

    expect(record.actions[0]?.endpoint).toBe(
      'POST ec2:RevokeSecurityGroupIngress GroupId=sg-0a1b2c3d4e5f60001 SecurityGroupRuleIds=sgr-0000000000000000a',
    );
  });

  it('keeps the raw target of a skipped finding and writes no action', () => {
    const record = dryRunRecord(readEvent('findings/no-sg.json'), offline, NOW);

    expect(record.actions).toEqual([]);
    expect(record.action_id).toBeUndefined();
    expect(record.target).toMatchObject({ sg_id: '', sg_name: 'web-tier', region: 'us-east-1', ports: [22] });
  });

  it('writes an empty target for a value that is not an object', () => {
    const record = dryRunRecord(readEvent('findings/not-an-object.json'), offline, NOW);

    expect(record.finding_uid).toBe('');
    expect(record.target).toMatchObject({ sg_id: '', cidrs: [], ports: [], from_port: null });
  });
});
