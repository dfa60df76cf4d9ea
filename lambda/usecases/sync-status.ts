import type { Action } from '../core/action';
import { SgRevokeError } from '../core/errors';
import { actionIdOf } from '../core/plan';
import type { ActionStore } from '../core/ports';
import {
  backingProblem,
  type FindingStatusWriter,
  type StatusUpdate,
  statusUpdateOf,
} from '../core/status-sync';

export interface SyncStatusDeps {
  readonly writer: FindingStatusWriter;
  /** Read-only: the stored action every event is checked against (the event alone is never trusted). */
  readonly actions: Pick<ActionStore, 'get'>;
  readonly allowedAccounts: ReadonlySet<string>;
}

export type SyncResult =
  | { readonly kind: 'written'; readonly update: StatusUpdate }
  | { readonly kind: 'ignored' }
  | { readonly kind: 'refused'; readonly reason: string };

/** The state the event reports is not recorded yet (or never will be): thrown, so it is retried, then alarmed. */
export class StatusNotRecordedError extends SgRevokeError {
  override readonly name = 'StatusNotRecordedError';
}

/**
 * One lifecycle event → at most one status update of its source finding, and only when the stored
 * action backs it (same origin, bound to the action id, allowed account, the state the event says).
 * It writes nothing of sg-revoke's own state: a failed write-back throws (EventBridge retries the
 * invocation, then dead-letters it) while the revoke it reports on is already done.
 */
export async function syncStatus(
  deps: SyncStatusDeps,
  event: { readonly detailType: string; readonly detail: unknown },
): Promise<SyncResult> {
  const update = statusUpdateOf(event.detailType, event.detail);
  if (update === null) return { kind: 'ignored' };
  const detail = event.detail as Record<string, unknown>;
  const action = typeof detail.action_id === 'string' ? await deps.actions.get(detail.action_id) : null;
  if (!action) return { kind: 'refused', reason: 'no such action' };
  const problem = backingProblem(event.detailType, detail, factsOf(action), deps.allowedAccounts);
  if (problem?.kind === 'pending') throw new StatusNotRecordedError(`${action.actionId}: ${problem.reason}`);
  if (problem) return { kind: 'refused', reason: problem.reason };
  await deps.writer.write(update);
  return { kind: 'written', update };
}

function factsOf(action: Action) {
  let actionIdMatches = false;
  try {
    actionIdMatches = actionIdOf(action.finding) === action.actionId;
  } catch {
    actionIdMatches = false;
  }
  return {
    actionIdMatches,
    status: action.status,
    recordStatus: action.recordStatus,
    verification: action.verification?.status ?? null,
    findingUid: action.finding.findingUid,
    accountUid: action.finding.accountUid,
    origin: action.finding.source?.origin ?? null,
  };
}
