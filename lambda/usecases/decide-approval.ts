import type { Action } from '../core/action';
import { ConflictError } from '../core/errors';
import type { EventPublisher } from '../core/ports';
import { err, ok, type Result } from '../core/result';
import type { ActionStatus } from '../core/state-machine';
import { type AuditDeps, commitAudited } from './deps';
import { lifecycleDetail } from './plan-finding';

export interface ApprovalDeps extends AuditDeps {
  readonly events: EventPublisher;
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
  reject: ['PENDING_APPROVAL'],
};

/** POST /actions/{id}/approve|reject. Any error changes nothing; the caller's ARN is the approver. */
export async function decideApproval(
  deps: ApprovalDeps,
  actionId: string,
  principalArn: string,
  decision: Decision,
): Promise<Result<Action, ApprovalError>> {
  if (!deps.isApprover(principalArn)) {
    return err({
      kind: 'forbidden',
      message: `${principalArn} is not an approver (AWS_SG_REVOKE_APPROVER_PRINCIPALS)`,
    });
  }
  const action = await deps.actions.get(actionId);
  if (!action) return err({ kind: 'not-found', message: `no action ${actionId}` });
  if (!SOURCES[decision.verb].includes(action.status)) {
    return err({ kind: 'conflict', message: `action is ${action.status}; cannot ${decision.verb}` });
  }
  const nowMs = deps.clock.nowMs();
  if (action.status === 'PENDING_APPROVAL' && nowMs > Date.parse(action.approvalDeadline)) {
    return err({ kind: 'expired', message: `approval window closed at ${action.approvalDeadline}` });
  }
  if (decision.verb === 'approve' && decision.planHash !== action.plan?.planHash) {
    return err({
      kind: 'conflict',
      message: 'planHash does not match the stored plan: review the plan again',
    });
  }
  const at = new Date(nowMs).toISOString();
  const approve = decision.verb === 'approve';
  const detail = approve ? `approved under ${decision.incidentId}` : `rejected: ${decision.reason}`;
  try {
    const committed = await commitAudited(
      deps,
      action,
      {
        from: [action.status],
        to: approve ? 'APPROVED' : 'REJECTED',
        patch: approve
          ? {
              approval: { approver: principalArn, incidentId: decision.incidentId, at },
              statusDetail: detail,
            }
          : { rejection: { by: principalArn, reason: decision.reason, at }, statusDetail: detail },
      },
      {
        rules: action.plan?.targets ?? [],
        step: approve ? 'approve' : 'reject',
        status: approve ? 'approved' : 'rejected',
        detail,
        incidentId: approve ? decision.incidentId : null,
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
