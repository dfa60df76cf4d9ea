import { dryRunRecord } from '../../../lambda/core/dry-run';
import type { RecordTarget } from '../../../lambda/core/records';
import { offline, readEvent, readEventLines } from './support';

/**
 * The 8 findings of the original detector (events/findings.ocsf.jsonl) against the original
 * skill's dry-run of them (events/upstream/dryrun_plan.jsonl).
 */
const findings = readEventLines('findings.ocsf.jsonl');
const original = readEventLines('upstream/dryrun_plan.jsonl') as {
  status: string;
  finding_uid: string;
  target: RecordTarget;
}[];
const ours = findings.map((f) => dryRunRecord(f, offline, 1_795_626_042_662));

/** DESIGN §5 differences, by index in the sample. */
const ICMP_FALSE_POSITIVE = 7;

describe('golden: the original dry-run of the 8 sample findings', () => {
  it('has one record per finding, for the same findings in the same order', () => {
    expect(ours.map((r) => r.finding_uid)).toEqual(original.map((r) => r.finding_uid));
  });

  it('decides the same for every finding but the named differences', () => {
    const same = ours.map((r) => r.status).filter((_, i) => i !== ICMP_FALSE_POSITIVE);
    const expected = original.map((r) => r.status).filter((_, i) => i !== ICMP_FALSE_POSITIVE);

    expect(same).toEqual(expected);
    expect(expected).toEqual([
      'planned',
      'planned',
      'planned',
      'planned',
      'would-violate-protected-sg',
      'planned',
      'planned',
    ]);
  });

  it('writes the same target fields as the original, for every finding', () => {
    expect(ours.map((r) => r.target)).toEqual(original.map((r) => r.target));
  });

  it('difference 1: the ICMP finding asg-cf04cb026fbadf0b is skipped_invalid_finding (the original plans it)', () => {
    const record = ours[ICMP_FALSE_POSITIVE]!;

    expect(original[ICMP_FALSE_POSITIVE]).toMatchObject({
      finding_uid: 'asg-cf04cb026fbadf0b',
      status: 'planned',
    });
    expect(record.finding_uid).toBe('asg-cf04cb026fbadf0b');
    expect(record.status).toBe('skipped_invalid_finding');
    expect(record.status_detail).toMatch(/^permission is icmp, which reaches none of the flagged ports/);
    expect(record.actions).toEqual([]);
  });

  it('difference 2: the two findings sharing uid asg-00d3a95bcf9a5eb5 get distinct action ids', () => {
    const shared = ours.filter((r) => r.finding_uid === 'asg-00d3a95bcf9a5eb5');

    expect(shared).toHaveLength(2);
    expect(shared.map((r) => r.target.ports)).toEqual([[3306], [5432]]);
    expect(shared[0]!.action_id).toMatch(/^sgrev-[0-9a-f]{16}$/);
    expect(shared[1]!.action_id).toMatch(/^sgrev-[0-9a-f]{16}$/);
    expect(shared[0]!.action_id).not.toBe(shared[1]!.action_id);
  });

  it('gives every planned finding its own action id', () => {
    const ids = ours.filter((r) => r.status === 'planned').map((r) => r.action_id);

    expect(new Set(ids).size).toBe(6);
  });
});

describe('golden: the EventBridge envelopes carry the sample findings verbatim', () => {
  const scenarios = [
    'ssh-open.ipv4',
    'rdp-open.ipv6',
    'all-tcp-ports',
    'protocol-all',
    'default-group',
    'mysql-open.dual-stack',
    'postgres-open.same-event',
    'icmp-false-positive',
  ];

  it.each(scenarios.map((s, i) => [s, i] as const))('finding.%s.json', (scenario, index) => {
    const envelope = readEvent(`eventbridge/finding.${scenario}.json`);

    expect(envelope).toMatchObject({
      version: '0',
      'detail-type': 'OCSF Detection Finding',
      source: 'cloud-ai-security-skills.detect-aws-open-security-group',
      account: '111122223333',
      region: 'us-east-1',
      detail: findings[index],
    });
  });
});
