import { buildDriftFinding, driftFindingUid, partitionOf } from '../../../lambda/core/drift-finding';
import type { Cidr } from '../../../lambda/core/permission';
import { type VerificationSubject, verifyExposure } from '../../../lambda/core/verification';
import { group, readEventLines, rule } from './support';

const subject: VerificationSubject = {
  actionId: 'sgrev-1c4ef8d9129dd5e7',
  findingUid: 'asg-11f2f83f01e65ee8',
  sgId: 'sg-0a1b2c3d4e5f60001',
  sgName: 'web-tier',
  region: 'us-east-1',
  accountUid: '111122223333',
  appliedAtMs: 1_776_600_001_000,
  protocol: 'tcp',
  fromPort: 22,
  toPort: 22,
  publicCidrs: ['0.0.0.0/0' as Cidr],
  ports: [22],
};
const drift = verifyExposure(subject, {
  kind: 'found',
  group: group({ ingress: [rule('sgr-a', '0.0.0.0/0', 'tcp', 22, 22)] }),
});
const upstream = readEventLines('upstream/reverify_drift_example.jsonl')[1] as Record<string, unknown>;

/** Every key path of a JSON value, arrays by their first item. */
function keyPaths(value: unknown, prefix = ''): string[] {
  if (Array.isArray(value)) return value.length > 0 ? keyPaths(value[0], `${prefix}[]`) : [];
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => [`${prefix}${k}`, ...keyPaths(v, `${prefix}${k}.`)]);
}

describe('buildDriftFinding', () => {
  it("has every key of the original verifier's drift finding, plus cloud and resources[]", () => {
    // Act
    const finding = buildDriftFinding(subject, drift, 'create', 1_795_626_218_678, 1_795_626_218_678);

    // Assert
    const ours = keyPaths(finding);
    expect(ours).toEqual(expect.arrayContaining(keyPaths(upstream)));
    expect(finding.cloud).toEqual({ provider: 'AWS', region: 'us-east-1', account: { uid: '111122223333' } });
    expect(finding.resources).toEqual([
      {
        uid: 'sg-0a1b2c3d4e5f60001',
        name: 'web-tier',
        type: 'AWS::EC2::SecurityGroup',
        region: 'us-east-1',
        cloud_partition: 'aws',
      },
    ]);
  });

  it('keeps the observables of the original, with the same names', () => {
    const finding = buildDriftFinding(subject, drift, 'create', 2, 1);
    const upstreamNames = (upstream.observables as { name: string }[]).map((o) => o.name);

    expect(finding.observables.map((o) => o.name)).toEqual(expect.arrayContaining(upstreamNames));
    expect(finding.observables.find((o) => o.name === 'target.identifier')?.value).toBe(
      'sg-0a1b2c3d4e5f60001/0.0.0.0/0:tcp:22-22',
    );
  });

  it('is an OCSF 2004 remediation-drift finding', () => {
    const finding = buildDriftFinding(subject, drift, 'create', 2, 1);

    expect(finding).toMatchObject({
      class_uid: 2004,
      type_uid: 200401,
      activity_id: 1,
      finding_info: { types: ['remediation-drift'], first_seen_time: 1, last_seen_time: 2 },
      evidence: { offending_rule_ids: ['sgr-a'] },
    });
  });

  it('has the same uid for two drifts of one action, another for another action', () => {
    const first = buildDriftFinding(subject, drift, 'create', 1_000, 1_000);
    const second = buildDriftFinding(subject, drift, 'update', 2_000, 1_000);
    const other = buildDriftFinding(
      { ...subject, actionId: 'sgrev-0000000000000001' },
      drift,
      'create',
      1_000,
      1_000,
    );

    expect(second.finding_info.uid).toBe(first.finding_info.uid);
    expect(second.metadata.uid).toBe(first.metadata.uid);
    expect(first.finding_info.uid).toBe(driftFindingUid(subject.actionId));
    expect(other.finding_info.uid).not.toBe(first.finding_info.uid);
  });

  it.each([
    ['create', 1, 1],
    ['update', 2, 2],
    ['close', 3, 4],
  ] as const)('%s has activity %d and status %d', (activity, activityId, statusId) => {
    const finding = buildDriftFinding(subject, drift, activity, 2, 1);

    expect([finding.activity_id, finding.status_id, finding.type_uid]).toEqual([
      activityId,
      statusId,
      200400 + activityId,
    ]);
  });

  it.each([
    ['us-east-1', 'aws'],
    ['cn-north-1', 'aws-cn'],
    ['us-gov-west-1', 'aws-us-gov'],
  ])('the partition of %s is %s', (region, partition) => {
    expect(partitionOf(region)).toBe(partition);
  });
});
