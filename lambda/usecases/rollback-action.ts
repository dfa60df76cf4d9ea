import type { Action } from '../core/action';
import { approvalPayload } from '../core/approval';
import type { AuditStatus } from '../core/audit';
import { ApprovalReplayError, ConflictError, messageOf } from '../core/errors';
import { whereOf } from '../core/model';
import type {
  AccountIdentity,
  ApprovalVerifier,
  AuditTrail,
  EventPublisher,
  IngressRestorer,
  SecurityGroups,
} from '../core/ports';
import {
  auditedRevokeProblem,
  checkStoredRollback,
  type RestoredRule,
  type RestoreRule,
  ROLLBACK_SOURCES,
  type RollbackApproval,
  rollbackBlockOf,
  rollbackMarkerOf,
  targetsOf,
} from '../core/rollback';
import { type AuditDeps, commitAudited, commitPlain, isoOf } from './deps';
import { lifecycleDetail } from './plan-finding';
import { restoreAndConfirm } from './restore-and-confirm';

export interface RollbackDeps extends AuditDeps {
  readonly securityGroups: SecurityGroups;
  readonly restorer: IngressRestorer;
  /** The credentials in the action's account: the hub's own role, or a member's restore role. */
  readonly accounts: AccountIdentity;
  readonly events: EventPublisher;
  /** Verifies the rollback's signature with the approval key's public half (never kms:Sign). */
  readonly verifier: ApprovalVerifier;
  /** The audit rows of the action: the rules restored must be audited as revoked. */
  readonly trail: AuditTrail;
  readonly mode: 'lambda' | 'cli';
  readonly config: { readonly allowedAccounts: ReadonlySet<string> };
}

export type RollbackResult =
  | { readonly kind: 'unknown-action' }
  /** No rollback to act on in a state that can roll back (e.g. already ROLLED_BACK): nothing done. */
  | { readonly kind: 'not-requested'; readonly status: Action['status'] }
  /** This signed request was consumed before (a re-delivery): nothing done. */
  | { readonly kind: 'replayed' }
  | { readonly kind: 'done'; readonly action: Action };

const BY = 'sg-revoke rollback';

/** How a rollback ended: one value for every exit path. */
interface Ending {
  readonly step: 'rollback_before' | 'rollback_after';
  readonly status: Extract<AuditStatus, 'success' | 'failure' | 'blocked'>;
  readonly detail: string;
  readonly caller: string;
  readonly restored: readonly RestoredRule[];
  readonly consumes?: { marker: string; firstUse: boolean };
  readonly tamper?: boolean;
}

/**
 * The rollback λ: a signed rollback request on an APPLIED | ALREADY_ABSENT action → the signature,
 * the rules against the action's records and its audited revoke → guardrails on live state → audit
 * BEFORE (consumes the request, write-once) → authorize exactly the missing rules → confirm with a
 * describe → audit AFTER with the new rule ids → ROLLED_BACK. A failure before the authorize leaves
 * the action as it was, with the reason audited; nothing is authorized on a check that cannot be made.
 */
export async function rollbackAction(deps: RollbackDeps, actionId: string): Promise<RollbackResult> {
  const action = await deps.actions.get(actionId);
  if (!action) return { kind: 'unknown-action' };
  const rollback = action.rollback ?? null;
  if (!ROLLBACK_SOURCES.includes(action.status) || !rollback) {
    return { kind: 'not-requested', status: action.status };
  }
  const marker = rollbackMarkerOf(action);
  const consumes = marker === null ? undefined : { marker, firstUse: true };
  const problem = await rollbackProblemOf(deps, action);
  if (problem) {
    return end(deps, action, rollback, {
      step: 'rollback_before',
      status: 'blocked',
      detail: `rollback-invalid: ${problem}; nothing authorized`,
      caller: BY,
      restored: [],
      consumes,
      tamper: true,
    });
  }
  const plan = action.plan as NonNullable<Action['plan']>;
  const where = whereOf(plan);
  if (!deps.config.allowedAccounts.has(plan.accountUid)) {
    // Never ask for credentials in an account this deployment may not touch.
    const detail = `account ${plan.accountUid} is not on the allow-list; nothing authorized`;
    return end(deps, action, rollback, { ...failedBefore(detail, BY), consumes });
  }
  let caller: { account: string; arn: string };
  try {
    caller = await deps.accounts.identityIn(where, 'restore');
  } catch (error) {
    const detail = `caller identity unknown, nothing authorized: ${messageOf(error)}`;
    return end(deps, action, rollback, { ...failedBefore(detail, 'unknown'), consumes });
  }
  const live = await deps.securityGroups.readGroup(where, plan.sgId);
  const block = rollbackBlockOf({
    planAccount: plan.accountUid,
    callerAccount: caller.account,
    allowedAccounts: deps.config.allowedAccounts,
    live,
  });
  if (block !== null || live.kind !== 'found') {
    return end(deps, action, rollback, {
      ...failedBefore(`${block}; nothing authorized`, caller.arn),
      consumes,
    });
  }
  let before: Action;
  try {
    const facts = factsOf(deps, rollback, caller.arn, {
      step: 'rollback_before',
      status: 'in_progress',
      detail: `about to re-authorize ${rollback.rules.length} revoked rule(s)`,
      restored: rollback.rules.map((rule) => ({ ...rule, newRuleId: null })),
    });
    const change = { from: [action.status], to: action.status, patch: {}, consumes };
    before = (await commitAudited(deps, action, change, facts, BY)).action;
  } catch (error) {
    if (error instanceof ApprovalReplayError) return { kind: 'replayed' };
    throw error; // nothing was authorized; the stream retries, and the request is not consumed
  }
  const outcome = await restoreAndConfirm(deps, { where, sgId: plan.sgId, rules: rollback.rules });
  return end(deps, before, rollback, {
    step: 'rollback_after',
    status: outcome.ok ? 'success' : 'failure',
    detail: outcome.detail,
    caller: caller.arn,
    restored: outcome.restored,
  });
}

const failedBefore = (detail: string, caller: string) =>
  ({ step: 'rollback_before', status: 'failure', detail, caller, restored: [] }) as const;

/** Null when the request may be acted on; else why not (all of it is tampering evidence). */
async function rollbackProblemOf(deps: RollbackDeps, action: Action): Promise<string | null> {
  let check: ReturnType<typeof checkStoredRollback>;
  try {
    check = checkStoredRollback(action, deps.verifier.keyId, isoOf(deps.clock.nowMs()));
  } catch (error) {
    return `the stored action or rollback is malformed: ${messageOf(error)}`;
  }
  if (check.kind !== 'verify') return check.detail;
  // A key that cannot be read throws: nothing is authorized and the stream retries.
  if (!(await deps.verifier.verify(check.payload, check.signature))) {
    return 'the rollback signature does not verify';
  }
  // The rules to restore are checked against the apply approval's rules: those are trusted only
  // under that approval's own signature (a row edit cannot add a rule that was never approved).
  const applyProblem = await applyApprovalProblem(deps.verifier, action);
  if (applyProblem) return applyProblem;
  const rows = await deps.trail.rowsOf({ actionId: action.actionId, sgId: action.finding.sgId });
  return auditedRevokeProblem(rows, (action.rollback as RollbackApproval).rules);
}

/** Null when the action's apply approval is signed by the trusted key over its plan; else why not. */
async function applyApprovalProblem(verifier: ApprovalVerifier, action: Action): Promise<string | null> {
  const approval = action.approval;
  if (!approval || !action.plan || typeof approval.signature !== 'string') {
    return 'the revoke was not made under a signed approval (a local CLI apply is undone by hand)';
  }
  if (approval.keyId !== verifier.keyId) return 'the apply approval was signed by another key';
  const { signature, ...unsigned } = approval;
  if (!(await verifier.verify(approvalPayload(action.actionId, action.plan, unsigned), signature))) {
    return 'the apply approval signature does not verify';
  }
  return null;
}

function factsOf(
  deps: RollbackDeps,
  rollback: RollbackApproval,
  caller: string,
  step: { step: Ending['step']; status: AuditStatus; detail: string; restored: readonly RestoredRule[] },
) {
  const rules: readonly RestoreRule[] = Array.isArray(rollback.rules) ? rollback.rules : [];
  return {
    rules: targetsOf(rules),
    restoredRules: step.restored,
    step: step.step,
    status: step.status,
    detail: step.detail,
    incidentId: typeof rollback.incidentId === 'string' ? rollback.incidentId : null,
    approver: typeof rollback.approver === 'string' ? rollback.approver : null,
    caller,
    mode: deps.mode,
  };
}

async function end(
  deps: RollbackDeps,
  action: Action,
  rollback: RollbackApproval,
  e: Ending,
): Promise<RollbackResult> {
  const success = e.status === 'success';
  const detail = success ? e.detail : `rollback failed: ${e.detail}`;
  const rollbackOutcome = {
    status: success ? ('success' as const) : ('failure' as const),
    detail,
    restoredRules: e.restored,
    at: isoOf(deps.clock.nowMs()),
  };
  const change = {
    from: [action.status],
    to: success ? ('ROLLED_BACK' as const) : action.status,
    patch: { statusDetail: detail, rollbackOutcome },
    consumes: e.consumes,
  };
  const facts = factsOf(deps, rollback, e.caller, { ...e, detail, restored: e.restored });
  let done: Action;
  try {
    done = (await commitAudited(deps, action, change, facts, BY)).action;
  } catch (error) {
    if (error instanceof ApprovalReplayError) return { kind: 'replayed' };
    if (error instanceof ConflictError || e.step === 'rollback_before') throw error;
    // Rules were (maybe) authorized: the fact is recorded on the action, then the failure is loud.
    const note = `${detail}; audit AFTER failed: ${messageOf(error)}`;
    await commitPlain(deps, action, { ...change, patch: { ...change.patch, statusDetail: note } }, BY, note);
    throw error;
  }
  const detailType = e.tamper ? 'Tamper Detected' : success ? 'Action Rolled Back' : 'Rollback Failed';
  const extra = e.tamper ? { reason: 'rollback-invalid' } : { restored_rules: e.restored };
  await deps.events.publish([{ detailType, detail: { ...lifecycleDetail(done), ...extra } }]);
  return { kind: 'done', action: done };
}
