import { blockedStatus, type DecideContext, decidePlan, type PlanDecision, UNMATCHED_STATUS } from './decide';
import { type FindingRejection, parseFinding } from './finding';
import {
  buildRecord,
  planStep,
  type RemediationRecord,
  targetOfFinding,
  targetOfRaw,
  wouldRevokeDetail,
} from './records';
import { assertNever } from './result';

const REJECTION_STATUS = {
  'not-object': 'skipped_invalid_finding',
  'wrong-source': 'skipped_wrong_source',
  'no-sg-pointer': 'skipped_no_sg_pointer',
  invalid: 'skipped_invalid_finding',
  // No §6 word for "suppressed or resolved at the source": it is not a finding to act on.
  inactive: 'skipped_wrong_source',
} as const;

/** The §6 status of a finding that could not be parsed. */
export const rejectionStatus = (rejection: FindingRejection) => REJECTION_STATUS[rejection.kind];

/** A finding that could not be parsed → its skip record, with whatever target it carried. */
export function rejectionRecord(
  rejection: FindingRejection,
  recordType: RemediationRecord['record_type'],
  nowMs: number,
): RemediationRecord {
  return buildRecord({
    recordType,
    target: targetOfRaw(rejection.raw),
    findingUid: rejection.raw?.findingUid ?? '',
    status: rejectionStatus(rejection),
    statusDetail: rejection.reason,
    steps: [],
    nowMs,
  });
}

/** One input value → one §6 `remediation_plan` record (skips included). */
export function dryRunRecord(input: unknown, ctx: DecideContext, nowMs: number): RemediationRecord {
  const parsed = parseFinding(input);
  if (!parsed.ok) return rejectionRecord(parsed.error, 'remediation_plan', nowMs);
  return planDecisionRecord(decidePlan(parsed.value, ctx), nowMs);
}

/** A plan decision (offline, or on live state) → its `remediation_plan` record. */
export function planDecisionRecord(decision: PlanDecision, nowMs: number): RemediationRecord {
  const base = {
    recordType: 'remediation_plan' as const,
    target: targetOfFinding(decision.finding),
    findingUid: decision.finding.findingUid,
    nowMs,
  };
  switch (decision.kind) {
    case 'not-public':
      return buildRecord({ ...base, status: 'skipped_not_public', statusDetail: decision.reason, steps: [] });
    case 'unreadable':
      return buildRecord({ ...base, status: 'failure', statusDetail: decision.reason, steps: [] });
    case 'blocked':
      return buildRecord({
        ...base,
        plan: decision.plan,
        status: blockedStatus(decision.block, true),
        statusDetail: decision.block.reason,
        steps: [],
      });
    case 'already-absent':
      return buildRecord({
        ...base,
        plan: decision.plan,
        status: 'already_absent',
        statusDetail: decision.reason,
        steps: [planStep(decision.plan, 'already_absent', decision.reason)],
      });
    case 'unmatched':
      return buildRecord({
        ...base,
        plan: decision.plan,
        status: UNMATCHED_STATUS,
        statusDetail: decision.reason,
        steps: [],
      });
    case 'planned':
      return buildRecord({
        ...base,
        plan: decision.plan,
        status: 'planned',
        steps: [planStep(decision.plan, 'planned', wouldRevokeDetail(decision.plan))],
      });
    default:
      return assertNever(decision, 'plan decision');
  }
}
