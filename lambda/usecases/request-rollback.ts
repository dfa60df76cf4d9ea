import type { Action } from '../core/action';
import { ConflictError } from '../core/errors';
import { err, ok, type Result } from '../core/result';
import {
  ROLLBACK_WINDOW_MS,
  type RollbackApproval,
  restoreRulesOf,
  rollbackPayload,
  targetsOf,
} from '../core/rollback';
import { type ApprovalDeps, type ApprovalError, approverAction } from './decide-approval';
import { commitAudited, isoOf } from './deps';
import { lifecycleDetail } from './plan-finding';

export interface RollbackRequest {
  readonly incidentId: string;
  readonly reason: string;
}

/**
 * POST /actions/{id}/rollback: an approver asks to re-authorize exactly the rules the action revoked.
 * The approval API signs the request (purpose `rollback`) over the rules taken from the action's
 * revoked rules and signed before-image, and records it on the action in one audited conditional
 * write; the rollback λ, fed by the actions stream, verifies and acts on it. Any error changes nothing.
 */
export async function requestRollback(
  deps: ApprovalDeps,
  actionId: string,
  principalArn: string,
  request: RollbackRequest,
): Promise<Result<Action, ApprovalError>> {
  const found = await approverAction(deps, actionId, principalArn);
  if (!found.ok) return found;
  const action = found.value;
  const rules = restoreRulesOf(action);
  if (!rules.ok) return err({ kind: 'conflict', message: `cannot roll back: ${rules.error}` });
  const plan = action.plan as NonNullable<Action['plan']>;
  const nowMs = deps.clock.nowMs();
  const at = isoOf(nowMs);
  const unsigned = {
    approver: principalArn,
    incidentId: request.incidentId,
    reason: request.reason,
    at,
    deadline: isoOf(nowMs + ROLLBACK_WINDOW_MS),
    rules: rules.value,
    keyId: deps.signer.keyId,
  };
  const rollback: RollbackApproval = {
    ...unsigned,
    signature: await deps.signer.sign(rollbackPayload(actionId, plan, unsigned)),
  };
  const detail = `rollback approved under ${request.incidentId}: ${request.reason}`;
  try {
    const committed = await commitAudited(
      deps,
      action,
      { from: [action.status], to: action.status, patch: { rollback, statusDetail: detail } },
      {
        rules: targetsOf(rules.value),
        restoredRules: rules.value.map((rule) => ({ ...rule, newRuleId: null })),
        step: 'rollback_approve',
        status: 'approved',
        detail,
        incidentId: request.incidentId,
        approver: principalArn,
        caller: principalArn,
        mode: deps.mode,
      },
      principalArn,
    );
    await deps.events
      .publish([{ detailType: 'Rollback Approved', detail: lifecycleDetail(committed.action) }])
      .catch((error: unknown) => deps.warn?.('lifecycle event not published', error));
    return ok(committed.action);
  } catch (error) {
    if (error instanceof ConflictError) {
      return err({
        kind: 'conflict',
        message: `action changed while requesting a rollback: ${error.message}`,
      });
    }
    throw error;
  }
}
