import { type FindingStatusWriter, type StatusUpdate, statusUpdateOf } from '../core/status-sync';

export interface SyncStatusDeps {
  readonly writer: FindingStatusWriter;
}

export type SyncResult =
  | { readonly kind: 'written'; readonly update: StatusUpdate }
  | { readonly kind: 'ignored' };

/**
 * One lifecycle event → at most one status update of its source finding. It reads and writes nothing
 * of sg-revoke's own state: a failed write-back throws (EventBridge retries the invocation, then
 * dead-letters it) while the revoke it reports on is already done.
 */
export async function syncStatus(
  deps: SyncStatusDeps,
  event: { readonly detailType: string; readonly detail: unknown },
): Promise<SyncResult> {
  const update = statusUpdateOf(event.detailType, event.detail);
  if (update === null) return { kind: 'ignored' };
  await deps.writer.write(update);
  return { kind: 'written', update };
}
