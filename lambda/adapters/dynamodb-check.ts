import type { ActionChange } from '../core/action';
import type { CheckWrite } from '../core/ports';
import type { ActionStatus } from '../core/state-machine';
import { WATCH_KEY, WATCH_KEY_VALUE, WATCH_SINCE } from '../core/watch-index';

const isApplied = (s: ActionStatus): boolean => s === 'APPLIED' || s === 'ALREADY_ABSENT';

type Expression = {
  ConditionExpression: string;
  UpdateExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues: Record<string, unknown>;
};

/**
 * The Update of one reverify check. Conditions: still in the state and at the audit head the check
 * saw, and not yet recorded by this sweep (a retried run writes nothing twice). A confirming check
 * sets `last_checked_at` and `checked_sweep` and adds 1 to `checks` — attributes the watch index does
 * not project, so its copy is not rewritten — plus the streak counters when a streak is running.
 */
export function checkUpdateOf(w: CheckWrite): Expression {
  const names: Record<string, string> = {
    '#status': 'status',
    '#head': 'audit_head',
    '#sweep': 'checked_sweep',
    '#last': 'last_checked_at',
    '#checks': 'checks',
  };
  const values: Record<string, unknown> = {
    ':status': w.status,
    ':sweep': w.sweepId,
    ':now': w.checkedAt,
    ':one': 1,
  };
  const conditions = ['#status = :status', '(attribute_not_exists(#sweep) OR #sweep <> :sweep)'];
  if (w.auditHead === null) {
    conditions.push('(attribute_not_exists(#head) OR attribute_type(#head, :nullType))');
    values[':nullType'] = 'NULL';
  } else {
    conditions.push('#head = :prev');
    values[':prev'] = w.auditHead;
  }
  const sets = ['#last = :now', '#sweep = :sweep'];
  names['#v'] = 'verification';
  if (w.change) {
    values[':v'] = w.change.verification;
    values[':head'] = w.change.audit.row_hash;
    sets.push('#v = :v', '#head = :head');
  } else if (w.driftChecks > 0 || w.unreachableChecks > 0) {
    // Only a running streak touches the (projected) verification map.
    names['#dc'] = 'driftChecks';
    names['#uc'] = 'unreachableChecks';
    values[':dc'] = w.driftChecks;
    values[':uc'] = w.unreachableChecks;
    sets.push('#v.#dc = :dc', '#v.#uc = :uc');
  } else {
    delete names['#v'];
  }
  return {
    ConditionExpression: conditions.join(' AND '),
    UpdateExpression: `SET ${sets.join(', ')} ADD #checks :one`,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

/**
 * An action whose rules were revoked enters the watch index when it enters APPLIED or ALREADY_ABSENT,
 * or when an outcome reports revoked rules (a FAILED apply that revoked some), and stays in it:
 * reverify watches every action whose rules were ever revoked, for the verify window.
 */
export function entersWatch(change: ActionChange): boolean {
  const entering = isApplied(change.to) && !change.from.includes(change.to);
  return entering || (change.patch.outcome?.revokedRules.length ?? 0) > 0;
}

/** A rolled-back action's rules are open again on purpose: it leaves the watch index (no DRIFT). */
export const leavesWatch = (change: Pick<ActionChange, 'to'>): boolean => change.to === 'ROLLED_BACK';

export function withWatch<E extends Expression>(expression: E, change: ActionChange, isoNow: string): E {
  if (leavesWatch(change)) {
    return {
      ...expression,
      UpdateExpression: `${expression.UpdateExpression} REMOVE #wk, #ws`,
      ExpressionAttributeNames: {
        ...expression.ExpressionAttributeNames,
        '#wk': WATCH_KEY,
        '#ws': WATCH_SINCE,
      },
    };
  }
  if (!entersWatch(change)) return expression;
  return {
    ...expression,
    UpdateExpression: `${expression.UpdateExpression}, #wk = :wk, #ws = :ws`,
    ExpressionAttributeNames: {
      ...expression.ExpressionAttributeNames,
      '#wk': WATCH_KEY,
      '#ws': WATCH_SINCE,
    },
    ExpressionAttributeValues: {
      ...expression.ExpressionAttributeValues,
      ':wk': WATCH_KEY_VALUE,
      ':ws': isoNow,
    },
  };
}
