import type { Action } from './action';
import { APPROVAL_APPLY_WINDOW_MS } from './approval';
import { type AuditRow, verifyAuditChain } from './audit';
import { chainOrder } from './audit-verify';
import { INTENTIONALLY_OPEN_TAG } from './constants';
import { canonicalJson, sha256Hex } from './hash';
import type { IngressRule, LiveRead } from './model';
import { type Plan, planHashOf, type RevokeTarget, ruleMatches } from './plan';
import { err, ok, type Result } from './result';
import type { ActionStatus } from './state-machine';

/** The purpose tag of a rollback approval: its signed bytes can never be an apply approval's. */
export const ROLLBACK_PURPOSE = 'rollback';

/** The lifecycle events the rollback λ publishes: the bus denies it any other (lifecycle-bus.ts). */
export const ROLLBACK_DETAIL_TYPES = ['Action Rolled Back', 'Rollback Failed', 'Tamper Detected'] as const;

/** Only an action whose outcome revoked something can be rolled back, and only from these states. */
export const ROLLBACK_SOURCES: readonly ActionStatus[] = ['APPLIED', 'ALREADY_ABSENT'];

/** One rule to re-authorize: the revoked rule's id and its audited shape, with its description. */
export interface RestoreRule {
  readonly ruleId: string;
  readonly protocol: RevokeTarget['protocol'];
  readonly fromPort: number | null;
  readonly toPort: number | null;
  readonly cidr: RevokeTarget['cidr'];
  readonly description: string | null;
}

/** A restored rule with the id AWS gave it (null when it could not be confirmed). */
export interface RestoredRule extends RestoreRule {
  readonly newRuleId: string | null;
}

/** An approved rollback request, signed by the approval API (the only role that may sign). */
export interface RollbackApproval {
  readonly approver: string;
  readonly incidentId: string;
  readonly reason: string;
  readonly at: string;
  readonly deadline: string;
  readonly rules: readonly RestoreRule[];
  readonly keyId: string | null;
  readonly signature: string | null;
}

export type UnsignedRollback = Omit<RollbackApproval, 'signature'>;

/** What the rollback λ recorded: the rules it restored (with their new ids) or why it did not. */
export interface RollbackOutcome {
  readonly status: 'success' | 'failure';
  readonly detail: string;
  readonly restoredRules: readonly RestoredRule[];
  readonly at: string;
}

/**
 * The signed bytes: versioned and tagged `purpose: rollback`, so neither an apply approval nor a
 * rollback approval verifies as the other (the verifier rebuilds the payload with its own tag).
 */
export function rollbackPayload(
  actionId: string,
  plan: Pick<Plan, 'accountUid' | 'region' | 'sgId'>,
  rollback: UnsignedRollback,
): string {
  return canonicalJson({
    v: 'sg-revoke/rollback/1',
    purpose: ROLLBACK_PURPOSE,
    action: actionId,
    account: plan.accountUid,
    region: plan.region,
    sg: plan.sgId,
    rules: rollback.rules,
    approver: rollback.approver,
    incident: rollback.incidentId,
    reason: rollback.reason,
    requested_at: rollback.at,
    deadline: rollback.deadline,
    key: rollback.keyId,
  });
}

const byRuleId = (a: { ruleId: string }, b: { ruleId: string }) =>
  a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0;

/**
 * The rules a rollback restores: exactly the outcome's revoked rules, each one an approved rule of
 * the action's signed plan (same id and shape), with the description of the plan's before-image —
 * which the approval signed through the plan hash. Anything that does not line up is refused.
 */
export function restoreRulesOf(
  action: Pick<Action, 'status' | 'plan' | 'approval' | 'outcome'>,
): Result<RestoreRule[], string> {
  if (!ROLLBACK_SOURCES.includes(action.status)) {
    return err(`action is ${action.status}; only ${ROLLBACK_SOURCES.join(' or ')} actions roll back`);
  }
  const revoked = action.outcome?.revokedRules ?? [];
  if (revoked.length === 0) return err('the action revoked no rule: nothing to roll back');
  const { plan, approval } = action;
  if (!plan || !approval) return err('the action has no approved plan');
  const { planHash, ...body } = plan;
  const recomputed = planHashOf(body);
  if (recomputed !== planHash || recomputed !== approval.planHash) {
    return err('the stored plan no longer hashes to its approved plan hash: it was edited');
  }
  const rules: RestoreRule[] = [];
  for (const r of revoked) {
    const approved = approval.rules.find((a) => a.ruleId === r.ruleId);
    const before = plan.beforeImage?.find((b) => b.ruleId === r.ruleId);
    if (
      r.ruleId === null ||
      !approved ||
      !ruleMatches({ ...r, ruleId: r.ruleId, source: null, description: null }, approved)
    ) {
      return err(`revoked rule ${r.ruleId} is not an approved rule of this action`);
    }
    if (!before || before.cidr !== r.cidr || !ruleMatches(before, r)) {
      return err(`revoked rule ${r.ruleId} is not in the plan's before-image`);
    }
    const { protocol, fromPort, toPort, cidr } = r;
    rules.push({ ruleId: r.ruleId, protocol, fromPort, toPort, cidr, description: before.description });
  }
  return ok(rules.sort(byRuleId));
}

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** How long a rollback request may be acted on: the stream's retry window, like an apply approval. */
export const ROLLBACK_WINDOW_MS = APPROVAL_APPLY_WINDOW_MS;

export type RollbackProblem = { readonly kind: 'rollback-invalid'; readonly detail: string };

/**
 * Everything the rollback λ can check before verifying the signature: signed by the trusted key,
 * still valid, and naming exactly the rules the action's own records say were revoked.
 */
export function checkStoredRollback(
  action: Pick<Action, 'actionId' | 'status' | 'plan' | 'approval' | 'outcome' | 'rollback'>,
  trustedKeyId: string,
  nowIso: string,
): RollbackProblem | { readonly kind: 'verify'; readonly payload: string; readonly signature: string } {
  const rollback = action.rollback;
  if (!rollback || typeof rollback.signature !== 'string' || typeof rollback.keyId !== 'string') {
    return { kind: 'rollback-invalid', detail: 'the rollback request carries no signature' };
  }
  if (rollback.keyId !== trustedKeyId) {
    return {
      kind: 'rollback-invalid',
      detail: `the rollback is signed by ${rollback.keyId}, not the approval key`,
    };
  }
  if (
    typeof rollback.deadline !== 'string' ||
    !ISO_UTC.test(rollback.deadline) ||
    nowIso > rollback.deadline
  ) {
    return { kind: 'rollback-invalid', detail: `the rollback approval was valid until ${rollback.deadline}` };
  }
  const expected = restoreRulesOf(action);
  if (!expected.ok) return { kind: 'rollback-invalid', detail: expected.error };
  if (!Array.isArray(rollback.rules) || canonicalJson(rollback.rules) !== canonicalJson(expected.value)) {
    return { kind: 'rollback-invalid', detail: 'the signed rules are not the rules the action revoked' };
  }
  const plan = action.plan as Plan;
  const { signature, ...unsigned } = rollback;
  return { kind: 'verify', payload: rollbackPayload(action.actionId, plan, unsigned), signature };
}

/** The id a rollback approval is consumed under (audit table, write-once): the hash of its payload. */
export function rollbackMarkerOf(action: Pick<Action, 'actionId' | 'plan' | 'rollback'>): string | null {
  const { plan, rollback } = action;
  if (!plan || !rollback || typeof rollback.signature !== 'string' || !Array.isArray(rollback.rules))
    return null;
  const { signature: _signature, ...unsigned } = rollback;
  return `rollback#${sha256Hex(rollbackPayload(action.actionId, plan, unsigned))}`;
}

/**
 * The audit is the record of what was revoked: every rule to restore must be a rule an intact,
 * chained `revoke_after` row reports revoked, with the same shape. The action row alone is not trusted.
 */
export function auditedRevokeProblem(
  rows: readonly AuditRow[],
  rules: readonly RestoreRule[],
): string | null {
  const { chain, off } = chainOrder(rows);
  if (off.length > 0 || verifyAuditChain(chain) >= 0) return 'the audit trail is not intact';
  const revoked = chain.filter((r) => r.step === 'revoke_after').flatMap((r) => r.revoked_rules);
  for (const rule of rules) {
    const audited = revoked.find((r) => r.ruleId === rule.ruleId);
    if (!audited || audited.cidr !== rule.cidr || !ruleMatches({ ...rule, source: null }, audited)) {
      return `rule ${rule.ruleId} is not audited as revoked with this shape`;
    }
  }
  return null;
}

/** Which rules are already back on the group (same protocol, ports and CIDR) and which must be added. */
export function selectRestore(
  rules: readonly RestoreRule[],
  ingress: readonly IngressRule[],
): { readonly present: RestoredRule[]; readonly missing: RestoreRule[] } {
  const present: RestoredRule[] = [];
  const missing: RestoreRule[] = [];
  for (const rule of rules) {
    const live = ingress.find((r) => r.source === null && r.cidr === rule.cidr && ruleMatches(r, rule));
    if (live) present.push({ ...rule, newRuleId: live.ruleId });
    else missing.push(rule);
  }
  return { present, missing };
}

/** A restore rule as the audit row's `rules` (RevokeTarget) field records it. */
export const targetsOf = (rules: readonly RestoreRule[]): RevokeTarget[] =>
  rules.map(({ ruleId, protocol, fromPort, toPort, cidr }) => ({ ruleId, protocol, fromPort, toPort, cidr }));

/**
 * The rollback's guardrails on live state, fail closed: the credentials act in the plan's account (an
 * allowed one), the group is readable and still there, and it is not tagged intentionally-open (IAM
 * denies the authorize there too). The block reason, or null when the rules may be restored.
 */
export function rollbackBlockOf(input: {
  readonly planAccount: string;
  readonly callerAccount: string;
  readonly allowedAccounts: ReadonlySet<string>;
  readonly live: LiveRead;
}): string | null {
  if (input.callerAccount !== input.planAccount) {
    return `caller account ${input.callerAccount} is not the action's account ${input.planAccount}`;
  }
  if (!input.allowedAccounts.has(input.planAccount)) {
    return `account ${input.planAccount} is not in AWS_SG_REVOKE_ALLOWED_ACCOUNT_IDS`;
  }
  if (input.live.kind === 'error') return `the group could not be read: ${input.live.message}`;
  if (input.live.kind === 'not-found') return 'the security group no longer exists';
  if (INTENTIONALLY_OPEN_TAG in input.live.group.tags) {
    return `the group is tagged ${INTENTIONALLY_OPEN_TAG}: sg-revoke does not change it`;
  }
  return null;
}
