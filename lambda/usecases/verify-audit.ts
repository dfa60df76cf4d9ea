import type { Action } from '../core/action';
import { approvalPayload } from '../core/approval';
import { type AuditVerdict, verifyActionEvidence } from '../core/audit-verify';
import { messageOf, SgRevokeError } from '../core/errors';
import { planHashOf } from '../core/plan';
import type { ActionStore, ApprovalVerifier, AuditTrail, EvidenceArchive } from '../core/ports';
import { ACTION_STATUSES } from '../core/state-machine';

export interface AuditVerifyDeps {
  readonly actions: ActionStore;
  readonly trail: AuditTrail;
  readonly archive: EvidenceArchive;
  readonly verifier: ApprovalVerifier;
}

/** `sg-revoke audit verify --action ID`: null when there is no such action. */
export async function verifyAuditOf(deps: AuditVerifyDeps, actionId: string): Promise<AuditVerdict | null> {
  const action = await deps.actions.get(actionId);
  return action ? verifyAction(deps, action) : null;
}

/** Every action created since `sinceIso` (all states), page by page, one verdict each. */
export async function* verifyAuditSince(
  deps: AuditVerifyDeps,
  sinceIso: string,
): AsyncGenerator<AuditVerdict> {
  for (const status of ACTION_STATUSES) {
    let cursor: string | null = null;
    do {
      const page = await deps.actions.listByStatus(status, 100, cursor);
      for (const action of page.items) {
        if (action.createdAt >= sinceIso) yield await verifyAction(deps, action);
      }
      cursor = page.cursor;
    } while (cursor !== null);
  }
}

async function verifyAction(deps: AuditVerifyDeps, action: Action): Promise<AuditVerdict> {
  const sgId = action.plan?.sgId ?? action.finding.sgId;
  const rows = await deps.trail.rowsOf({ actionId: action.actionId, sgId });
  const objects = new Map<string, { body: string; versions: number } | null>();
  for (const row of rows) objects.set(row.s3_key, await deps.archive.oldest(row.s3_key));
  return verifyActionEvidence({
    action,
    rows,
    objects,
    signatureValid: await signatureOf(deps.verifier, action),
    planIntact: planIntact(action),
  });
}

function planIntact(action: Action): boolean {
  if (!action.plan) return true;
  const { planHash, ...body } = action.plan;
  const recomputed = planHashOf(body);
  return recomputed === planHash && (action.approval === null || action.approval.planHash === recomputed);
}

/** Null for an unsigned (CLI) approval or none; false for any signature that does not verify. */
async function signatureOf(verifier: ApprovalVerifier, action: Action): Promise<boolean | null> {
  const approval = action.approval;
  if (!approval || !action.plan || approval.signature === null) return null;
  if (approval.keyId !== verifier.keyId) return false;
  const { signature, ...unsigned } = approval;
  try {
    return await verifier.verify(approvalPayload(action.actionId, action.plan, unsigned), signature);
  } catch (error) {
    throw new SgRevokeError(`the approval key could not be read: ${messageOf(error)}`, { cause: error });
  }
}
