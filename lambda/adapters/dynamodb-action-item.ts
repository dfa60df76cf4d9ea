import type { Action } from '../core/action';
import { BY_STATUS_INDEX } from '../core/constants';
import { InvalidCursorError } from '../core/errors';
import type { WatchedAction } from '../core/ports';
import type { ActionStatus } from '../core/state-machine';
import { WATCH_KEY, WATCH_SINCE } from '../core/watch-index';

/** Top-level snake_case attributes; nested values are stored as native maps and lists. */
export const COLUMNS = {
  actionId: 'action_id',
  status: 'status',
  recordStatus: 'record_status',
  statusDetail: 'status_detail',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
  approvalDeadline: 'approval_deadline',
  finding: 'finding',
  plan: 'plan',
  guardrails: 'guardrails',
  approval: 'approval',
  rejection: 'rejection',
  outcome: 'outcome',
  verification: 'verification',
  history: 'history',
  auditHead: 'audit_head',
  lastCheckedAt: 'last_checked_at',
  checks: 'checks',
  rollback: 'rollback',
  rollbackOutcome: 'rollback_outcome',
} as const satisfies { readonly [K in keyof Action]-?: string };

export { BY_STATUS_INDEX };

/** History outlives the decision: the table's TTL removes an action 90 days after its deadline. */
const RETENTION_SECONDS = 90 * 24 * 60 * 60;

export function toItem(action: Action): Record<string, unknown> {
  const deadline = Date.parse(action.approvalDeadline);
  if (Number.isNaN(deadline)) throw new Error(`action ${action.actionId}: approvalDeadline is not a date`);
  const item: Record<string, unknown> = { expires_at_epoch: Math.floor(deadline / 1000) + RETENTION_SECONDS };
  for (const [field, column] of Object.entries(COLUMNS)) item[column] = action[field as keyof Action];
  return item;
}

export function fromItem(item: Record<string, unknown>): Action {
  const action: Record<string, unknown> = {};
  for (const [field, column] of Object.entries(COLUMNS)) action[field] = item[column] ?? null;
  action.history ??= [];
  // Optional columns stay absent rather than null, as the domain type declares them.
  if (action.lastCheckedAt === null) delete action.lastCheckedAt;
  if (action.checks === null) delete action.checks;
  if (action.rollback === null) delete action.rollback;
  if (action.rollbackOutcome === null) delete action.rollbackOutcome;
  return action as unknown as Action;
}

/** A row of the watch index: only the projected attributes are there. */
export function watchedFromItem(item: Record<string, unknown>): WatchedAction {
  return {
    actionId: item.action_id as string,
    status: item.status as ActionStatus,
    finding: item.finding as Action['finding'],
    outcome: (item.outcome ?? null) as Action['outcome'],
    verification: (item.verification ?? null) as Action['verification'],
    auditHead: (item.audit_head ?? null) as string | null,
    watchedSince: item[WATCH_SINCE] as string,
  };
}

/** A watch-index page token: exactly the index and table keys, nothing else accepted. */
export function decodeWatchCursor(cursor: string): Record<string, string> {
  let key: unknown;
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw new Error('not base64url');
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch (error) {
    throw new InvalidCursorError('cursor is not a page token of the watch index', { cause: error });
  }
  const names = ['action_id', WATCH_KEY, WATCH_SINCE];
  const k = key as Record<string, unknown>;
  const valid =
    typeof key === 'object' &&
    key !== null &&
    Object.keys(key).length === names.length &&
    names.every((n) => typeof k[n] === 'string');
  if (!valid) throw new InvalidCursorError('cursor is not a page token of the watch index');
  return key as Record<string, string>;
}

type IndexKey = { action_id: string; status: string; created_at: string };

export const encodeCursor = (key: Record<string, unknown>): string =>
  Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');

export function decodeCursor(cursor: string, status: ActionStatus): IndexKey {
  let key: unknown;
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw new Error('not base64url');
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch (error) {
    throw new InvalidCursorError('cursor is not a page token of this listing', { cause: error });
  }
  const k = key as Partial<Record<keyof IndexKey, unknown>>;
  const valid =
    typeof key === 'object' &&
    key !== null &&
    Object.keys(key).length === 3 &&
    typeof k.action_id === 'string' &&
    typeof k.created_at === 'string' &&
    k.status === status;
  if (!valid) throw new InvalidCursorError(`cursor is not a page token of the ${status} listing`);
  return key as IndexKey;
}
