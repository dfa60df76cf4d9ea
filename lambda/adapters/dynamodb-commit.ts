import type { AttributeValue, CancellationReason } from '@aws-sdk/client-dynamodb';
import type { Action, ActionChange } from '../core/action';
import type { AuditRow } from '../core/audit';
import { ApprovalReplayError, ConflictError, ThrottledError } from '../core/errors';
import { awsErrorCode, translateAwsError } from './aws-errors';
import { COLUMNS } from './dynamodb-action-item';

/** The Update half of a commit: state guard, audit-head guard, patch, history append. */
export function updateOf(change: ActionChange, audit: AuditRow | null, isoNow: string) {
  if (change.from.length === 0) throw new Error(`change of ${change.actionId} has no source state`);
  const names: Record<string, string> = {
    '#status': 'status',
    '#updated': 'updated_at',
    '#history': 'history',
  };
  const values: Record<string, unknown> = { ':now': isoNow, ':entry': [change.history], ':none': [] };
  const sets = ['#updated = :now', '#history = list_append(if_not_exists(#history, :none), :entry)'];
  change.from.forEach((status, i) => {
    values[`:from${i}`] = status;
  });
  const conditions = [`#status IN (${change.from.map((_, i) => `:from${i}`).join(', ')})`];
  // `to` among `from` is a same-state update (a verification): the status is left as it is.
  if (!change.from.includes(change.to)) {
    sets.push('#status = :to');
    values[':to'] = change.to;
  }
  for (const [field, value] of Object.entries(change.patch)) {
    if (value === undefined || (audit && field === 'auditHead')) continue;
    const column = COLUMNS[field as keyof Action];
    names[`#p_${column}`] = column;
    values[`:p_${column}`] = value;
    sets.push(`#p_${column} = :p_${column}`);
  }
  if (audit) {
    names['#head'] = 'audit_head';
    values[':head'] = audit.row_hash;
    sets.push('#head = :head');
    if (audit.prev_hash === null) {
      conditions.push('(attribute_not_exists(#head) OR attribute_type(#head, :nullType))');
      values[':nullType'] = 'NULL';
    } else {
      conditions.push('#head = :prev');
      values[':prev'] = audit.prev_hash;
    }
  }
  return {
    ConditionExpression: conditions.join(' AND '),
    UpdateExpression: `SET ${sets.join(', ')}`,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

const CONFLICT_ATTEMPTS = 4;

/**
 * DynamoDB cancels a transaction that races another one on the same item with reason
 * `TransactionConflict`: nothing was written, and trying again is right (the SDK does not retry it).
 * The retry re-evaluates every condition, so the loser of a real race then fails its state or
 * audit-head condition and becomes a ConflictError: never two winners.
 */
export async function sendTransaction<T>(send: () => Promise<T>, pause = jitteredPause): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (error) {
      if (attempt >= CONFLICT_ATTEMPTS || !isTransactionConflict(error)) throw error;
      await pause(attempt);
    }
  }
}

function isTransactionConflict(error: unknown): boolean {
  if (awsErrorCode(error) !== 'TransactionCanceledException') return false;
  const reasons = (error as { CancellationReasons?: CancellationReason[] }).CancellationReasons ?? [];
  return reasons.some((r) => r.Code === 'TransactionConflict');
}

const jitteredPause = (attempt: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, Math.random() * 25 * 2 ** attempt));

/** A lost condition becomes a ConflictError that says which one; anything else an AWS error. */
export function translateCommitError(error: unknown, change: ActionChange, audit: AuditRow | null): Error {
  const call = `TransactWriteItems ${change.actionId}`;
  if (awsErrorCode(error) !== 'TransactionCanceledException') return translateAwsError(error, call);
  const reasons = (error as { CancellationReasons?: CancellationReason[] }).CancellationReasons ?? [];
  const [actionReason, ...rest] = reasons;
  const auditReason = audit ? rest[0] : undefined;
  const markerReason = change.consumes ? rest[audit ? 1 : 0] : undefined;
  if (actionReason?.Code === 'ConditionalCheckFailed') {
    return new ConflictError(`${call}: ${whyActionConditionFailed(change, audit, actionReason.Item)}`, {
      cause: error,
    });
  }
  if (auditReason?.Code === 'ConditionalCheckFailed') {
    return new ConflictError(`${call}: audit row ${audit?.sg_id} ${audit?.action_at} already exists`, {
      cause: error,
    });
  }
  if (markerReason?.Code === 'ConditionalCheckFailed') {
    return new ApprovalReplayError(`${call}: approval ${change.consumes} was already consumed`, {
      cause: error,
    });
  }
  if (isTransactionConflict(error)) {
    // Still racing after the retries: retryable by the caller, and never a decision lost (not a 409).
    return new ThrottledError(`${call}: transaction conflict persisted after ${CONFLICT_ATTEMPTS} attempts`, {
      cause: error,
    });
  }
  return translateAwsError(error, call);
}

function whyActionConditionFailed(
  change: ActionChange,
  audit: AuditRow | null,
  item: Record<string, AttributeValue> | undefined,
): string {
  if (!item) return `action ${change.actionId} does not exist`;
  const status = item.status?.S;
  if (status === undefined || !change.from.some((from) => from === status)) {
    return `wrong state: action ${change.actionId} is ${status}, expected one of [${change.from.join(', ')}]`;
  }
  const head = item.audit_head?.S ?? null;
  if (audit && head !== audit.prev_hash) {
    return `audit head moved: action ${change.actionId} head is ${head}, expected ${audit.prev_hash}`;
  }
  return `condition failed on action ${change.actionId}`;
}
