import type { Action } from '../core/action';
import { ConflictError } from '../core/errors';
import { err, ok, type Result } from '../core/result';
import { type ApprovalError, prepareApproval } from './decide-approval';
import { type AuditDeps, commitAudited } from './deps';

export interface LocalApproval {
  readonly approver: string;
  readonly incidentId: string;
  readonly planHash: string;
}

/**
 * The CLI's approval (the original's gate: incident id + approver, on the caller's own credentials).
 * It cannot sign, so it records the approval in the same audited write that claims the action
 * (PENDING_APPROVAL | FAILED → APPLYING): the stream never carries an unsigned APPROVED for the apply
 * λ to refuse, and no other runner can take the action in between.
 */
export async function approveAndClaim(
  deps: AuditDeps & { readonly mode: 'lambda' | 'cli' },
  action: Action,
  local: LocalApproval,
): Promise<Result<Action, ApprovalError>> {
  if (action.status !== 'PENDING_APPROVAL' && action.status !== 'FAILED') {
    return err({ kind: 'conflict', message: `action is ${action.status}; cannot approve` });
  }
  const at = new Date(deps.clock.nowMs()).toISOString();
  if (!(Date.parse(at) <= Date.parse(action.approvalDeadline))) {
    return err({ kind: 'expired', message: `approval window closed at ${action.approvalDeadline}` });
  }
  const decision = { verb: 'approve' as const, incidentId: local.incidentId, planHash: local.planHash };
  const prepared = prepareApproval(action, decision, local.approver, at, null);
  if (!prepared.ok) return prepared;
  const approval = { ...prepared.value.approval, signature: null };
  const detail = `approved under ${local.incidentId} and claimed by the CLI`;
  try {
    const committed = await commitAudited(
      deps,
      action,
      { from: [action.status], to: 'APPLYING', patch: { approval, statusDetail: detail } },
      {
        rules: action.plan?.targets ?? [],
        step: 'approve',
        status: 'approved',
        detail,
        incidentId: local.incidentId,
        approver: local.approver,
        caller: local.approver,
        mode: deps.mode,
      },
      local.approver,
    );
    return ok(committed.action);
  } catch (error) {
    if (error instanceof ConflictError) {
      return err({ kind: 'conflict', message: `action changed while approving: ${error.message}` });
    }
    throw error;
  }
}
