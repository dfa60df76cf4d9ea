import { blockedStatus, type DecideContext, decidePlan, UNMATCHED_STATUS } from './decide';
import { parseFinding } from './finding';
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
} as const;

/** One input value → one §6 `remediation_plan` record (skips included). */
export function dryRunRecord(input: unknown, ctx: DecideContext, nowMs: number): RemediationRecord {
  const parsed = parseFinding(input);
  if (!parsed.ok) {
    const r = parsed.error;
    return buildRecord({
      recordType: 'remediation_plan',
      target: targetOfRaw(r.raw),
      findingUid: r.raw?.findingUid ?? '',
      status: REJECTION_STATUS[r.kind],
      statusDetail: r.reason,
      steps: [],
      nowMs,
    });
  }
  const decision = decidePlan(parsed.value, ctx);
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
