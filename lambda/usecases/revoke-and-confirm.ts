import type { RecordStatus } from '../core/action';
import { messageOf } from '../core/errors';
import type { Where } from '../core/model';
import type { RevokeTarget } from '../core/plan';
import type { SecurityGroups } from '../core/ports';

export interface RevokeOutcome {
  readonly state: 'APPLIED' | 'ALREADY_ABSENT' | 'FAILED';
  readonly status: RecordStatus;
  readonly detail: string;
  readonly revoked: readonly RevokeTarget[];
}

/**
 * Revokes by rule id, reads what AWS says it revoked, then describes again: success only when the
 * rules are gone on a fresh read. An error anywhere is FAILED, never success.
 */
export async function revokeAndConfirm(
  groups: SecurityGroups,
  where: Where,
  sgId: string,
  targets: readonly RevokeTarget[],
  retried = false,
): Promise<RevokeOutcome> {
  const ids = targets.map((t) => t.ruleId).filter((id): id is string => id !== null);
  let result: Awaited<ReturnType<SecurityGroups['revokeRules']>>;
  try {
    result = await groups.revokeRules(where, sgId, ids);
  } catch (error) {
    return { state: 'FAILED', status: 'failure', detail: `revoke failed: ${messageOf(error)}`, revoked: [] };
  }
  if (result.kind === 'not-found')
    return afterNotFound(groups, where, sgId, targets, result.message, retried);
  const confirm = await groups.readGroup(where, sgId);
  const present = new Set(confirm.kind === 'found' ? confirm.group.ingress.map((r) => r.ruleId) : []);
  // Without an after-image in the answer, a rule counts as revoked only if the fresh read lacks it.
  const revokedIds = result.afterImageReported
    ? new Set(result.revoked.map((r) => r.ruleId))
    : new Set(confirm.kind === 'error' ? [] : ids.filter((id) => !present.has(id)));
  const revoked = targets.filter((t) => t.ruleId !== null && revokedIds.has(t.ruleId));
  if (confirm.kind === 'error') {
    return {
      state: 'FAILED',
      status: 'failure',
      detail: `revoke sent but confirmation failed: ${confirm.message}`,
      revoked,
    };
  }
  const remaining =
    confirm.kind === 'found' ? confirm.group.ingress.filter((r) => ids.includes(r.ruleId)) : [];
  if (remaining.length > 0) {
    const still = remaining.map((r) => r.ruleId).join(', ');
    return {
      state: 'FAILED',
      status: 'failure',
      detail: `rules still present after revoke: ${still}`,
      revoked,
    };
  }
  if (revoked.length === 0) {
    return {
      state: 'ALREADY_ABSENT',
      status: 'already_absent',
      detail: 'AWS revoked nothing; the rules are gone',
      revoked,
    };
  }
  const unknown =
    result.unknownRuleIds.length > 0 ? `; unknown to AWS: ${result.unknownRuleIds.join(', ')}` : '';
  return {
    state: 'APPLIED',
    status: 'success',
    detail: `revoked ${revoked.length} rule(s) by id${unknown}`,
    revoked,
  };
}

/**
 * AWS revokes nothing when one id of the call is unknown: the others may still be open. Converged
 * only if a fresh read shows none of them; else the remaining ones are revoked once more.
 */
async function afterNotFound(
  groups: SecurityGroups,
  where: Where,
  sgId: string,
  targets: readonly RevokeTarget[],
  message: string,
  retried: boolean,
): Promise<RevokeOutcome> {
  const live = await groups.readGroup(where, sgId);
  if (live.kind === 'error') {
    return {
      state: 'FAILED',
      status: 'failure',
      detail: `${message}; confirmation failed: ${live.message}`,
      revoked: [],
    };
  }
  const present = new Set(live.kind === 'found' ? live.group.ingress.map((r) => r.ruleId) : []);
  const remaining = targets.filter((t) => t.ruleId !== null && present.has(t.ruleId));
  if (remaining.length === 0) {
    return {
      state: 'ALREADY_ABSENT',
      status: 'already_absent',
      detail: `rule already gone: ${message}`,
      revoked: [],
    };
  }
  if (retried) {
    const still = remaining.map((t) => t.ruleId).join(', ');
    return { state: 'FAILED', status: 'failure', detail: `${message}; still present: ${still}`, revoked: [] };
  }
  return revokeAndConfirm(groups, where, sgId, remaining, true);
}
