import type { Action } from '../core/action';
import { approvalPayload } from '../core/approval';
import { type AuditVerdict, verifyActionEvidence, verifyOperatorEvidence } from '../core/audit-verify';
import { AccessDeniedError, AwsCallError, messageOf, ThrottledError } from '../core/errors';
import { type ControlStore, OPERATOR_PARTITION, PAUSE_KEY } from '../core/limits';
import { actionIdOf, planHashOf } from '../core/plan';
import type { ActionStore, ApprovalVerifier, AuditTrail, EvidenceArchive } from '../core/ports';
import { rollbackPayload } from '../core/rollback';
import { ACTION_STATUSES } from '../core/state-machine';

export interface AuditVerifyDeps {
  readonly actions: ActionStore;
  readonly trail: AuditTrail;
  readonly archive: EvidenceArchive;
  readonly verifier: ApprovalVerifier;
  /** The kill switch: with it, a full run also checks the operator trail (pause / resume). */
  readonly control?: Pick<ControlStore, 'readPause'>;
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
  if (deps.control) yield await verifyOperatorTrail(deps, deps.control);
}

/** The kill switch's trail, whatever its age: every pause and resume since the stack was deployed. */
export async function verifyOperatorTrail(
  deps: Pick<AuditVerifyDeps, 'trail' | 'archive'>,
  control: Pick<ControlStore, 'readPause'>,
): Promise<AuditVerdict> {
  let state: Awaited<ReturnType<ControlStore['readPause']>>['value'];
  try {
    state = (await control.readPause()).value;
  } catch (error) {
    if (
      error instanceof AwsCallError ||
      error instanceof AccessDeniedError ||
      error instanceof ThrottledError
    ) {
      throw error;
    }
    return {
      action_id: PAUSE_KEY,
      status: 'tampered',
      action_status: 'paused',
      rows: 0,
      problems: [`the kill switch item is malformed: ${messageOf(error)}`],
    };
  }
  const rows = await deps.trail.rowsOf({ actionId: PAUSE_KEY, sgId: OPERATOR_PARTITION });
  const objects = new Map<string, { body: string; versions: number } | null>();
  for (const row of rows) objects.set(row.s3_key, await deps.archive.oldest(row.s3_key));
  return verifyOperatorEvidence({ rows, objects, state });
}

/** One action; anything unreadable about it is reported as tampering of that action, never a crash. */
async function verifyAction(deps: AuditVerifyDeps, action: Action): Promise<AuditVerdict> {
  try {
    return await verifyReadable(deps, action);
  } catch (error) {
    if (
      error instanceof AwsCallError ||
      error instanceof AccessDeniedError ||
      error instanceof ThrottledError
    ) {
      throw error; // AWS could not be read: the run fails loudly rather than report a clean audit
    }
    return {
      action_id: action.actionId,
      status: 'tampered',
      action_status: action.status,
      rows: 0,
      problems: [`the action row is malformed: ${messageOf(error)}`],
    };
  }
}

async function verifyReadable(deps: AuditVerifyDeps, action: Action): Promise<AuditVerdict> {
  // The finding is bound to the action id by its hash, so its group is where the rows must be.
  const rows = await deps.trail.rowsOf({ actionId: action.actionId, sgId: action.finding.sgId });
  const objects = new Map<string, { body: string; versions: number } | null>();
  for (const row of rows) objects.set(row.s3_key, await deps.archive.oldest(row.s3_key));
  return verifyActionEvidence({
    action,
    rows,
    objects,
    signatureValid: await signatureOf(deps.verifier, action),
    rollbackSignatureValid: await rollbackSignatureOf(deps.verifier, action),
    planIntact: planIntact(action),
    bindingProblems: bindingProblems(action),
  });
}

/** The action id is a hash of the finding: a row whose finding or plan was swapped no longer matches. */
function bindingProblems(action: Action): string[] {
  const problems: string[] = [];
  if (actionIdOf(action.finding) !== action.actionId) {
    problems.push("the action's finding does not hash to its action id");
  }
  const plan = action.plan;
  if (plan) {
    const f = action.finding;
    const same = plan.actionId === action.actionId && plan.sgId === f.sgId && plan.region === f.region;
    if (!same || plan.accountUid !== f.accountUid)
      problems.push("the plan is not the plan of the action's finding");
  }
  return problems;
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
  return verifier.verify(approvalPayload(action.actionId, action.plan, unsigned), signature);
}

/** Null without a rollback request; false for one that is unsigned or does not verify. */
async function rollbackSignatureOf(verifier: ApprovalVerifier, action: Action): Promise<boolean | null> {
  const rollback = action.rollback ?? null;
  if (!rollback) return null;
  if (!action.plan || typeof rollback.signature !== 'string' || rollback.keyId !== verifier.keyId)
    return false;
  const { signature, ...unsigned } = rollback;
  return verifier.verify(rollbackPayload(action.actionId, action.plan, unsigned), signature);
}
