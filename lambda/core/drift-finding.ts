import { shortHash } from './hash';
import { SOURCE_SKILL } from './records';
import {
  targetIdentifier,
  VERIFICATION_SLA_MS,
  type Verification,
  type VerificationSubject,
} from './verification';

/** OCSF activity of the drift finding over its life: Create, Update while it persists, Close. */
export type DriftActivity = 'create' | 'update' | 'close';
const ACTIVITY = {
  create: { id: 1, status: 1 },
  update: { id: 2, status: 2 },
  close: { id: 3, status: 4 },
} as const;

/** Deterministic per action, so every DRIFT of one action updates the same finding. */
export const driftFindingUid = (actionId: string): string => shortHash('rev', { drift: actionId });

export function buildDriftFinding(
  s: Omit<VerificationSubject, 'appliedAtMs'> & { readonly appliedAtMs: number | null },
  v: Verification,
  activity: DriftActivity,
  checkedAtMs: number,
  firstSeenMs: number,
) {
  const uid = driftFindingUid(s.actionId);
  const identifier = targetIdentifier(s);
  // Unknown apply time (CLI without an actions table): the SLA is not measured, not guessed.
  const sla =
    s.appliedAtMs === null
      ? {}
      : {
          within_sla: checkedAtMs <= s.appliedAtMs + VERIFICATION_SLA_MS,
          sla_deadline_ms: s.appliedAtMs + VERIFICATION_SLA_MS,
        };
  const completed = s.appliedAtMs === null ? 'completed (time unknown)' : `completed at ${s.appliedAtMs}`;
  const { id, status } = ACTIVITY[activity];
  return {
    activity_id: id,
    category_uid: 2,
    category_name: 'Findings',
    class_uid: 2004,
    class_name: 'Detection Finding',
    type_uid: 200400 + id,
    severity_id: 4,
    status_id: status,
    time: checkedAtMs,
    metadata: {
      version: '1.8.0',
      uid,
      product: {
        name: 'sg-revoke',
        vendor_name: 'sg-revoke',
        feature: { name: SOURCE_SKILL },
      },
      labels: ['remediation', 'drift', 'verification'],
    },
    finding_info: {
      uid,
      title: `Remediation drift: AWS ${identifier} state does not match ${SOURCE_SKILL} post-remediation expectation`,
      desc:
        `${SOURCE_SKILL} ${completed} with action ${s.actionId}. Re-verification at ${checkedAtMs} ` +
        `found actual state "${v.actualState}" but expected "${v.expectedState}". Either the remediation did not land, ` +
        'it landed and was reverted, or the target state was modified out of band.',
      types: ['remediation-drift'],
      first_seen_time: firstSeenMs,
      last_seen_time: checkedAtMs,
    },
    observables: [
      { name: 'remediation.skill', type: 'Other', value: SOURCE_SKILL },
      { name: 'remediation.action_uid', type: 'Other', value: s.actionId },
      { name: 'target.provider', type: 'Other', value: 'AWS' },
      { name: 'target.identifier', type: 'Other', value: identifier },
      { name: 'target.uid', type: 'Other', value: s.sgId },
      { name: 'account.uid', type: 'Other', value: s.accountUid },
      { name: 'region', type: 'Other', value: s.region },
      { name: 'original.finding_uid', type: 'Other', value: s.findingUid },
    ],
    evidence: {
      expected_state: v.expectedState,
      actual_state: v.actualState,
      ...sla,
      detail: v.detail,
      offending_rule_ids: v.offending.map((r) => r.ruleId),
    },
    cloud: { provider: 'AWS', region: s.region, account: { uid: s.accountUid } },
    resources: [
      {
        uid: s.sgId,
        name: s.sgName,
        type: 'AWS::EC2::SecurityGroup',
        region: s.region,
        cloud_partition: partitionOf(s.region),
      },
    ],
  };
}

export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

export type DriftFinding = ReturnType<typeof buildDriftFinding>;
