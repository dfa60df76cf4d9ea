import type { Action } from './action';
import type { AuditRow } from './audit';
import { s3KeyOf, verifyAuditChain } from './audit';
import { canonicalJson } from './hash';
import { PAUSE_KEY, type PauseState } from './limits';
import { ROLLBACK_SOURCES } from './rollback';
import type { ActionStatus } from './state-machine';

/** Everything read back for one action: its row, its DynamoDB audit rows, their oldest S3 objects. */
export interface ActionEvidence {
  readonly action: Action;
  /** The audit table's rows of the action, in any order. */
  readonly rows: readonly AuditRow[];
  /** Oldest version of each row's S3 object, by key (null: no object at that key). */
  readonly objects: ReadonlyMap<string, { readonly body: string; readonly versions: number } | null>;
  /** The approval's signature checked with the public key; null when the action has none to check. */
  readonly signatureValid: boolean | null;
  /** The rollback request's signature, likewise (absent or null: no rollback to check). */
  readonly rollbackSignatureValid?: boolean | null;
  /** The stored plan still hashes to its planHash (and to the approved one, when approved). */
  readonly planIntact: boolean;
  /** The action row is bound to its id (finding, plan and key agree); empty when it is. */
  readonly bindingProblems: readonly string[];
}

export interface AuditVerdict {
  readonly action_id: string;
  readonly status: 'intact' | 'tampered';
  /** The action's status; for the kill switch's own trail (`control#pause`), `paused` or `running`. */
  readonly action_status: ActionStatus | 'paused' | 'running';
  readonly rows: number;
  /** What differs, one sentence each (empty when intact). */
  readonly problems: readonly string[];
}

/** What an audited step leaves the action in, given where it was (null: the step is illegal there). */
type Replay = (state: ActionStatus, row: AuditRow) => ActionStatus | null;

const from =
  (sources: readonly ActionStatus[], to: ActionStatus | ((row: AuditRow) => ActionStatus | null)): Replay =>
  (state, row) =>
    sources.includes(state) ? (typeof to === 'function' ? to(row) : to) : null;

/**
 * The audited steps as state changes (DESIGN §2). Claims are not audited, so an approval leaves
 * APPROVED or, for the CLI, APPLYING; a revoke's rows follow it. Same-state rows (verify) leave the
 * state as it is, but only after a revoke.
 */
const REPLAY: Readonly<Record<string, Replay>> = {
  approve: from(['PENDING_APPROVAL', 'FAILED'], (row) => (row.mode === 'cli' ? 'APPLYING' : 'APPROVED')),
  reject: from(['PENDING_APPROVAL', 'FAILED'], 'REJECTED'),
  expire: from(['PENDING_APPROVAL', 'FAILED'], 'EXPIRED'),
  revoke_before: from(['APPROVED', 'APPLYING'], (row) =>
    row.status === 'in_progress' ? 'APPLYING' : 'BLOCKED',
  ),
  revoke_after: from(['APPROVED', 'APPLYING'], (row) => AFTER_STATUS[row.status] ?? null),
  // A revoke (even a partial one that ended FAILED, then rejected or expired) stays watched.
  verify: (state) => (WATCHED_AFTER.includes(state) ? state : null),
  // Operator rows (kill switch, breaker) live in their own partition: inside an action's trail, forged.
  pause: () => null,
  resume: () => null,
  // A rollback keeps the status until its AFTER row: only a success leaves for ROLLED_BACK.
  rollback_approve: (state) => (ROLLBACK_SOURCES.includes(state) ? state : null),
  rollback_before: (state) => (ROLLBACK_SOURCES.includes(state) ? state : null),
  rollback_after: (state, row) =>
    ROLLBACK_SOURCES.includes(state) ? (row.status === 'success' ? 'ROLLED_BACK' : state) : null,
};
const WATCHED_AFTER: readonly ActionStatus[] = ['APPLIED', 'ALREADY_ABSENT', 'FAILED', 'REJECTED', 'EXPIRED'];
const AFTER_STATUS: Readonly<Record<string, ActionStatus>> = {
  success: 'APPLIED',
  already_absent: 'ALREADY_ABSENT',
  failure: 'FAILED',
};

/**
 * The state the audit trail leads to, step by step, or the first step that is not a legal move: a
 * forged row appended after the real ones (an approval after the revoke) breaks the replay.
 */
export function replayChain(chain: readonly AuditRow[]): { state: ActionStatus; problem: string | null } {
  let state: ActionStatus = 'PENDING_APPROVAL';
  for (const row of chain) {
    const next: ActionStatus | null = REPLAY[row.step]?.(state, row) ?? null;
    if (next === null)
      return {
        state,
        problem: `audit step ${row.step}/${row.status} at ${row.action_at} is not legal after ${state}`,
      };
    state = next;
  }
  return { state, problem: null };
}

/**
 * States the action may show for the state its trail replays to: an apply that lost its BEFORE or
 * AFTER audit write records the outcome without a row (FAILED, or the revoke's outcome), which the
 * check reports as a missing row instead of accepting silently.
 */
const SHOWN_AS: Readonly<Partial<Record<ActionStatus, readonly ActionStatus[]>>> = {
  APPROVED: ['APPROVED', 'APPLYING'],
};

/**
 * Rows ordered along their hash links, from the first (prev_hash null). Rows that are not on the
 * one chain (a fork, an orphan) are returned apart: an intact trail has none.
 */
export function chainOrder(rows: readonly AuditRow[]): { chain: AuditRow[]; off: AuditRow[] } {
  const byPrev = new Map<string | null, AuditRow[]>();
  for (const row of rows) byPrev.set(row.prev_hash, [...(byPrev.get(row.prev_hash) ?? []), row]);
  const chain: AuditRow[] = [];
  let next = byPrev.get(null);
  while (next && next.length === 1 && chain.length < rows.length) {
    const row = next[0] as AuditRow;
    chain.push(row);
    next = byPrev.get(row.row_hash);
  }
  const onChain = new Set(chain);
  return { chain, off: rows.filter((r) => !onChain.has(r)) };
}

/** One action's audit, checked end to end (DESIGN §11): chain, S3 anchors, signature, state. */
export function verifyActionEvidence(e: ActionEvidence): AuditVerdict {
  const problems: string[] = [...e.bindingProblems];
  const { chain, off } = chainOrder(e.rows);
  if (off.length > 0) {
    problems.push(`${off.length} audit row(s) off the hash chain: ${off.map((r) => r.action_at).join(', ')}`);
  }
  const broken = verifyAuditChain(chain);
  if (broken >= 0) problems.push(`audit row ${chain[broken]?.action_at} does not hash to its row_hash`);
  for (const row of e.rows)
    problems.push(...keyProblems(row, e.action.actionId), ...anchorProblems(row, e.objects.get(row.s3_key)));
  const last = chain.at(-1) ?? null;
  if ((e.action.auditHead ?? null) !== (last?.row_hash ?? null)) {
    problems.push(
      `the action's audit head ${e.action.auditHead} is not the last row ${last?.row_hash ?? null}`,
    );
  }
  const replayed = replayChain(chain);
  if (replayed.problem) problems.push(replayed.problem);
  const shown = SHOWN_AS[replayed.state] ?? [replayed.state];
  if (!shown.includes(e.action.status) && !(e.action.status === 'SKIPPED' && chain.length === 0)) {
    problems.push(`the action is ${e.action.status} but its audit trail leads to ${replayed.state}`);
  }
  const lastOutcome = chain.findLast(
    (r) => r.step === 'revoke_after' || (r.step === 'revoke_before' && r.status !== 'in_progress'),
  );
  if (e.action.outcome && lastOutcome && e.action.outcome.status !== lastOutcome.status) {
    problems.push(
      `the action's outcome ${e.action.outcome.status} differs from its audited ${lastOutcome.status}`,
    );
  }
  if (!e.planIntact) problems.push('the stored plan no longer hashes to its plan hash');
  problems.push(...approvalProblems(e, chain), ...rollbackProblems(e, chain));
  return {
    action_id: e.action.actionId,
    status: problems.length === 0 ? 'intact' : 'tampered',
    action_status: e.action.status,
    rows: e.rows.length,
    problems,
  };
}

/** A row is anchored where its own key says: the S3 key and the sort key cannot be pointed elsewhere. */
function keyProblems(row: AuditRow, actionId: string): string[] {
  const problems: string[] = [];
  if (row.s3_key !== s3KeyOf(row.sg_id, row.action_at)) {
    problems.push(`audit row ${row.action_at} points at ${row.s3_key}, not at its own evidence key`);
  }
  if (!row.action_at.endsWith(`#${actionId}#${row.step}`) || row.action_id !== actionId) {
    problems.push(`audit row ${row.action_at} is not keyed to action ${actionId} and step ${row.step}`);
  }
  return problems;
}

function anchorProblems(
  row: AuditRow,
  object: { body: string; versions: number } | null | undefined,
): string[] {
  if (!object) return [`audit row ${row.action_at} has no S3 evidence object at ${row.s3_key}`];
  const problems: string[] = [];
  if (object.versions > 1)
    problems.push(`S3 evidence ${row.s3_key} has ${object.versions} versions: it was overwritten`);
  let anchored: unknown;
  try {
    anchored = JSON.parse(object.body);
  } catch {
    return [...problems, `S3 evidence ${row.s3_key} is not JSON`];
  }
  if (canonicalJson(anchored) !== canonicalJson(row)) {
    problems.push(`audit row ${row.action_at} differs from its original S3 evidence`);
  }
  return problems;
}

function approvalProblems(e: ActionEvidence, chain: readonly AuditRow[]): string[] {
  const approval = e.action.approval;
  if (!approval) return [];
  const problems: string[] = [];
  if (e.signatureValid === false) problems.push('the approval signature does not verify');
  const approveRow = chain.findLast((r) => r.step === 'approve');
  if (!approveRow) return [...problems, 'the action is approved but no approval is audited'];
  if (approval.signature === null && approveRow.mode !== 'cli') {
    problems.push('the approval is unsigned but was not made by the CLI');
  }
  if (approveRow.approver !== approval.approver || approveRow.incident_id !== approval.incidentId) {
    problems.push('the approval differs from its audited row (approver or incident)');
  }
  return problems;
}

/** A rollback is signed like an approval and audited: its signature, its row, and its outcome agree. */
function rollbackProblems(e: ActionEvidence, chain: readonly AuditRow[]): string[] {
  const rollback = e.action.rollback ?? null;
  const problems: string[] = [];
  const requested = chain.findLast((r) => r.step === 'rollback_approve');
  if (!rollback) {
    return requested ? ['a rollback is audited but the action carries no rollback request'] : [];
  }
  if (e.rollbackSignatureValid !== true) problems.push('the rollback request signature does not verify');
  if (!requested) return [...problems, 'the action carries a rollback request but none is audited'];
  if (requested.approver !== rollback.approver || requested.incident_id !== rollback.incidentId) {
    problems.push('the rollback request differs from its audited row (approver or incident)');
  }
  const after = chain.findLast((r) => r.step === 'rollback_after');
  const outcome = e.action.rollbackOutcome ?? null;
  if (after && outcome && outcome.status !== after.status) {
    problems.push(`the rollback outcome ${outcome.status} differs from its audited ${after.status}`);
  }
  return problems;
}

/**
 * The kill switch's own trail (partition `operator`): one hash chain of `pause` / `resume` rows, each
 * anchored by its original S3 object, each flipping the switch (a switch already in place writes
 * nothing), the last one being the switch's `audit_head` and agreeing with its position. A pause
 * cleared by hand (no row) or a row rewritten in the table is reported like a tampered action.
 */
export function verifyOperatorEvidence(e: {
  readonly rows: readonly AuditRow[];
  readonly objects: ReadonlyMap<string, { body: string; versions: number } | null>;
  readonly state: PauseState;
}): AuditVerdict {
  const problems: string[] = [];
  const { chain, off } = chainOrder(e.rows);
  if (off.length > 0) {
    problems.push(
      `${off.length} operator row(s) off the hash chain: ${off.map((r) => r.action_at).join(', ')}`,
    );
  }
  const broken = verifyAuditChain(chain);
  if (broken >= 0) problems.push(`operator row ${chain[broken]?.action_at} does not hash to its row_hash`);
  for (const row of e.rows) {
    problems.push(...keyProblems(row, PAUSE_KEY), ...anchorProblems(row, e.objects.get(row.s3_key)));
  }
  let paused: boolean = false;
  for (const row of chain) {
    const expected: AuditRow['step'] = paused ? 'resume' : 'pause';
    const status: AuditRow['status'] = row.step === 'pause' ? 'paused' : 'resumed';
    if (row.step !== expected || row.status !== status) {
      problems.push(
        `operator row ${row.action_at} is ${row.step}/${row.status} while the switch was ${paused ? 'on' : 'off'}`,
      );
    }
    paused = row.step === 'pause';
  }
  const last = chain.at(-1) ?? null;
  if ((e.state.auditHead ?? null) !== (last?.row_hash ?? null)) {
    problems.push(
      `the kill switch's audit head ${e.state.auditHead} is not the last operator row ${last?.row_hash ?? null}`,
    );
  }
  if (e.state.paused !== paused) {
    problems.push(
      `the kill switch is ${e.state.paused ? 'on' : 'off'} but its audit trail leaves it ${paused ? 'on' : 'off'}`,
    );
  }
  return {
    action_id: PAUSE_KEY,
    status: problems.length === 0 ? 'intact' : 'tampered',
    action_status: e.state.paused ? 'paused' : 'running',
    rows: e.rows.length,
    problems,
  };
}
