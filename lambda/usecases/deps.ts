import type { Action, ActionChange, HistoryEntry } from '../core/action';
import { type AuditFacts, buildAuditRow } from '../core/audit';
import { SgRevokeError } from '../core/errors';
import type { ActionStore, Clock, EvidenceStore } from '../core/ports';
import { canTransition } from '../core/state-machine';

export const isoOf = (ms: number): string => new Date(ms).toISOString();

/**
 * The state machine (DESIGN §2) guards every write: a change whose condition names a state from
 * which `to` is illegal is refused before anything is written. A same-state update is allowed.
 */
function assertLegal(change: Pick<ActionChange, 'from' | 'to'>): void {
  const illegal = change.from.filter((from) => from !== change.to && !canTransition(from, change.to));
  if (illegal.length > 0) throw new SgRevokeError(`illegal transition ${illegal.join('|')} → ${change.to}`);
}

export interface AuditDeps {
  readonly actions: ActionStore;
  readonly evidence: EvidenceStore;
  readonly clock: Clock;
}

export interface AuditedCommit {
  readonly action: Action;
  readonly rowUid: string;
  readonly s3Uri: string;
}

/**
 * The dual audit of one step: the S3 object first, then one DynamoDB transaction that appends the
 * audit row and changes the action. If either write fails nothing else happens; an S3 object
 * without its row is an attempt whose conditional write lost (its body says so).
 */
export async function commitAudited(
  deps: AuditDeps,
  action: Action,
  change: Omit<ActionChange, 'actionId' | 'history'>,
  facts: Omit<AuditFacts, 'actionId' | 'findingUid' | 'accountUid' | 'region' | 'sgId' | 'sgName'>,
  by: string,
): Promise<AuditedCommit> {
  assertLegal(change);
  const isoNow = isoOf(deps.clock.nowMs());
  const f = action.finding;
  const row = buildAuditRow(
    {
      ...facts,
      actionId: action.actionId,
      findingUid: f.findingUid,
      accountUid: f.accountUid,
      region: f.region,
      sgId: f.sgId,
      sgName: f.sgName ?? f.sgId,
    },
    isoNow,
    action.auditHead,
  );
  const s3Uri = await deps.evidence.put(row);
  const history: HistoryEntry = { at: isoNow, from: action.status, to: change.to, by, detail: facts.detail };
  const updated = await deps.actions.commit(
    { ...change, actionId: action.actionId, history, patch: { ...change.patch, auditHead: row.row_hash } },
    row,
    isoNow,
  );
  return { action: updated, rowUid: row.row_uid, s3Uri };
}

/** A state change with no audit row (claims, plan-time bookkeeping). */
export async function commitPlain(
  deps: Pick<AuditDeps, 'actions' | 'clock'>,
  action: Action,
  change: Omit<ActionChange, 'actionId' | 'history'>,
  by: string,
  detail: string,
): Promise<Action> {
  assertLegal(change);
  const isoNow = isoOf(deps.clock.nowMs());
  const history: HistoryEntry = { at: isoNow, from: action.status, to: change.to, by, detail };
  return deps.actions.commit({ ...change, actionId: action.actionId, history }, null, isoNow);
}

/** The scheduled sweeps' audit facts: the action's approval, the schedule as caller. */
export function sweepFacts(
  action: Action,
  mode: 'lambda' | 'cli',
  step: Pick<AuditFacts, 'step' | 'status' | 'detail'> & { readonly rules?: AuditFacts['rules'] },
) {
  return {
    rules: step.rules ?? action.plan?.targets ?? [],
    step: step.step,
    status: step.status,
    detail: step.detail,
    incidentId: action.approval?.incidentId ?? null,
    approver: action.approval?.approver ?? null,
    caller: SWEEP_CALLER,
    mode,
  };
}

export const SWEEP_CALLER = 'sg-revoke reverify';
