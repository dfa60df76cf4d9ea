import type { Action } from '../core/action';
import {
  APPROVAL_APPLY_WINDOW_MS,
  type Approval,
  approvalPayload,
  approvedRulesOf,
  planTargetsConsistent,
  retiredApproval,
  type UnsignedApproval,
} from '../core/approval';
import { ConflictError } from '../core/errors';
import { planHashOf } from '../core/plan';
import type { ApprovalSigner, EventPublisher } from '../core/ports';
import { err, ok, type Result } from '../core/result';
import type { ActionStatus } from '../core/state-machine';
import { type AuditDeps, commitAudited } from './deps';
import { lifecycleDetail } from './plan-finding';

export interface ApprovalDeps extends AuditDeps {
  readonly events: EventPublisher;
  /** Signs each approval (the approval API's role alone may use the key). */
  readonly signer: ApprovalSigner;
  readonly mode: 'lambda' | 'cli';
  /** True when the caller's principal ARN matches an approver pattern (decided by the caller's edge). */
  readonly isApprover: (principalArn: string) => boolean;
  readonly warn?: (message: string, error: unknown) => void;
}

export type ApprovalError =
  | { readonly kind: 'forbidden'; readonly message: string }
  | { readonly kind: 'not-found'; readonly message: string }
  | { readonly kind: 'conflict'; readonly message: string }
  | { readonly kind: 'expired'; readonly message: string };

export type Decision =
  | { readonly verb: 'approve'; readonly incidentId: string; readonly planHash: string }
  | { readonly verb: 'reject'; readonly reason: string };

const SOURCES: Record<Decision['verb'], readonly ActionStatus[]> = {
  approve: ['PENDING_APPROVAL', 'FAILED'],
  reject: ['PENDING_APPROVAL', 'FAILED'],
};

/** The action an approver acts on: 403 for anyone else (checked before any read), 404 when unknown. */
export async function approverAction(
  deps: Pick<ApprovalDeps, 'isApprover' | 'actions'>,
  actionId: string,
  principalArn: string,
): Promise<Result<Action, ApprovalError>> {
  if (!deps.isApprover(principalArn)) {
    return err({
      kind: 'forbidden',
      message: `${principalArn} is not an approver (AWS_SG_REVOKE_APPROVER_PRINCIPALS)`,
    });
  }
  const action = await deps.actions.get(actionId);
  return action ? ok(action) : err({ kind: 'not-found', message: `no action ${actionId}` });
}

/** POST /actions/{id}/approve|reject. Any error changes nothing; the caller's ARN is the approver. */
export async function decideApproval(
  deps: ApprovalDeps,
  actionId: string,
  principalArn: string,
  decision: Decision,
): Promise<Result<Action, ApprovalError>> {
  const found = await approverAction(deps, actionId, principalArn);
  if (!found.ok) return found;
  const action = found.value;
  if (!SOURCES[decision.verb].includes(action.status)) {
    return err({ kind: 'conflict', message: `action is ${action.status}; cannot ${decision.verb}` });
  }
  const nowMs = deps.clock.nowMs();
  // A FAILED action's window runs out like a pending one's: it is never approved a year later.
  // `!(now <= deadline)`: a deadline that is not a date (an edited row) counts as passed.
  if (!(nowMs <= Date.parse(action.approvalDeadline))) {
    return err({ kind: 'expired', message: `approval window closed at ${action.approvalDeadline}` });
  }
  const at = new Date(nowMs).toISOString();
  const approve = decision.verb === 'approve';
  let approval: Approval | null = null;
  if (decision.verb === 'approve') {
    const prepared = prepareApproval(action, decision, principalArn, at, deps.signer.keyId);
    if (!prepared.ok) return prepared;
    const payload = approvalPayload(action.actionId, prepared.value.plan, prepared.value.approval);
    approval = { ...prepared.value.approval, signature: await deps.signer.sign(payload) };
  }
  const detail =
    decision.verb === 'approve' ? `approved under ${decision.incidentId}` : `rejected: ${decision.reason}`;
  try {
    const committed = await commitAudited(
      deps,
      action,
      {
        from: [action.status],
        to: approve ? 'APPROVED' : 'REJECTED',
        // Rejecting a FAILED action consumes its earlier signed approval: it can never be replayed.
        consumes: approve ? undefined : retiredApproval(action),
        patch:
          decision.verb === 'approve'
            ? { approval, statusDetail: detail }
            : { rejection: { by: principalArn, reason: decision.reason, at }, statusDetail: detail },
      },
      {
        rules: action.plan?.targets ?? [],
        step: approve ? 'approve' : 'reject',
        status: approve ? 'approved' : 'rejected',
        detail,
        incidentId: decision.verb === 'approve' ? decision.incidentId : null,
        approver: principalArn,
        caller: principalArn,
        mode: deps.mode,
      },
      principalArn,
    );
    // The decision is committed (and audited): a lost notification must not turn it into an error
    // that invites a retry. It is reported through `warn` (the handler logs it at error level).
    await deps.events
      .publish([
        {
          detailType: approve ? 'Action Approved' : 'Action Rejected',
          detail: lifecycleDetail(committed.action),
        },
      ])
      .catch((error: unknown) => deps.warn?.('lifecycle event not published', error));
    return ok(committed.action);
  } catch (error) {
    if (error instanceof ConflictError) {
      return err({ kind: 'conflict', message: `action changed while deciding: ${error.message}` });
    }
    throw error;
  }
}

/**
 * The approval as it will be signed: the plan hash is recomputed from the stored plan (never read
 * from it), must equal what the approver saw, and the approved rules are the plan's rule ids.
 */
export function prepareApproval(
  action: Action,
  decision: Extract<Decision, { verb: 'approve' }>,
  approver: string,
  at: string,
  keyId: string | null,
): Result<{ plan: NonNullable<Action['plan']>; approval: UnsignedApproval }, ApprovalError> {
  const plan = action.plan;
  if (!plan) return err({ kind: 'conflict', message: 'the action has no plan to approve' });
  const { planHash: stored, ...body } = plan;
  const recomputed = planHashOf(body);
  if (recomputed !== stored) {
    return err({ kind: 'conflict', message: 'the stored plan does not hash to its planHash: it was edited' });
  }
  if (decision.planHash !== recomputed) {
    return err({
      kind: 'conflict',
      message: 'planHash does not match the stored plan: review the plan again',
    });
  }
  if (!planTargetsConsistent(plan)) {
    return err({ kind: 'conflict', message: "the plan's targets are not of its own shape: it was edited" });
  }
  const rules = approvedRulesOf(plan);
  if (rules.length === 0) return err({ kind: 'conflict', message: 'the plan names no rule id to approve' });
  const deadline = new Date(Date.parse(at) + APPROVAL_APPLY_WINDOW_MS).toISOString();
  return ok({
    plan,
    approval: { approver, incidentId: decision.incidentId, at, deadline, planHash: recomputed, rules, keyId },
  });
}
