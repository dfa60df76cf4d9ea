import type { Action } from './action';
import type { AuditRow } from './audit';
import { verifyAuditChain } from './audit';
import { canonicalJson } from './hash';
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
  /** The stored plan still hashes to its planHash (and to the approved one, when approved). */
  readonly planIntact: boolean;
}

export interface AuditVerdict {
  readonly action_id: string;
  readonly status: 'intact' | 'tampered';
  readonly action_status: ActionStatus;
  readonly rows: number;
  /** What differs, one sentence each (empty when intact). */
  readonly problems: readonly string[];
}

/**
 * The statuses an action may be in after its last audited step. Same-state rows (verify,
 * heartbeat, …) leave the status as it was, so they accept any post-apply state.
 */
const AFTER_STEP: Readonly<Record<string, readonly ActionStatus[]>> = {
  approve: ['APPROVED', 'APPLYING', 'FAILED'],
  reject: ['REJECTED'],
  expire: ['EXPIRED'],
  revoke_before: ['APPLYING', 'BLOCKED', 'FAILED'],
  revoke_after: ['APPLIED', 'ALREADY_ABSENT', 'FAILED', 'BLOCKED'],
};
const NO_ROW_STATES: readonly ActionStatus[] = ['PENDING_APPROVAL', 'SKIPPED'];

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
  const problems: string[] = [];
  const { chain, off } = chainOrder(e.rows);
  if (off.length > 0) {
    problems.push(`${off.length} audit row(s) off the hash chain: ${off.map((r) => r.action_at).join(', ')}`);
  }
  const broken = verifyAuditChain(chain);
  if (broken >= 0) problems.push(`audit row ${chain[broken]?.action_at} does not hash to its row_hash`);
  for (const row of e.rows) problems.push(...anchorProblems(row, e.objects.get(row.s3_key)));
  const last = chain.at(-1) ?? null;
  if ((e.action.auditHead ?? null) !== (last?.row_hash ?? null)) {
    problems.push(
      `the action's audit head ${e.action.auditHead} is not the last row ${last?.row_hash ?? null}`,
    );
  }
  const allowed = last ? AFTER_STEP[last.step] : NO_ROW_STATES;
  if (allowed && !allowed.includes(e.action.status)) {
    problems.push(`the action is ${e.action.status} but its last audited step is ${last?.step ?? 'none'}`);
  }
  if (!e.planIntact) problems.push('the stored plan no longer hashes to its plan hash');
  problems.push(...approvalProblems(e, chain));
  return {
    action_id: e.action.actionId,
    status: problems.length === 0 ? 'intact' : 'tampered',
    action_status: e.action.status,
    rows: e.rows.length,
    problems,
  };
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
