import { messageOf } from '../core/errors';
import type { Where } from '../core/model';
import type { IngressRestorer, SecurityGroups } from '../core/ports';
import { type RestoredRule, type RestoreRule, selectRestore } from '../core/rollback';

export interface RestoreOutcome {
  readonly ok: boolean;
  readonly detail: string;
  /** Every rule to restore, with the id of the live rule that now carries it (null: not confirmed). */
  readonly restored: readonly RestoredRule[];
}

interface Target {
  readonly where: Where;
  readonly sgId: string;
  readonly rules: readonly RestoreRule[];
}

/**
 * Authorizes the rules that are not back yet, then describes again: success only when every rule is
 * on the group on a fresh read. A rule already back (present, or `InvalidPermission.Duplicate`) is
 * converged, not an error: AWS adds nothing on a duplicate, so the remaining ones are sent once more.
 */
export async function restoreAndConfirm(
  deps: { readonly securityGroups: SecurityGroups; readonly restorer: IngressRestorer },
  target: Target,
  retried = false,
): Promise<RestoreOutcome> {
  const { where, sgId, rules } = target;
  const live = await deps.securityGroups.readGroup(where, sgId);
  if (live.kind !== 'found') {
    const why = live.kind === 'error' ? live.message : 'the group no longer exists';
    return { ok: false, detail: `cannot read the group before authorizing: ${why}`, restored: none(rules) };
  }
  const { missing } = selectRestore(rules, live.group.ingress);
  if (missing.length > 0) {
    try {
      const result = await deps.restorer.authorizeRules(where, sgId, missing);
      if (result.kind === 'group-not-found')
        return { ok: false, detail: result.message, restored: none(rules) };
      if (result.kind === 'duplicate') {
        if (retried)
          return { ok: false, detail: `${result.message}; still not converged`, restored: none(rules) };
        return restoreAndConfirm(deps, target, true);
      }
    } catch (error) {
      return { ok: false, detail: `authorize failed: ${messageOf(error)}`, restored: none(rules) };
    }
  }
  const confirm = await deps.securityGroups.readGroup(where, sgId);
  if (confirm.kind !== 'found') {
    const why = confirm.kind === 'error' ? confirm.message : 'the group no longer exists';
    return { ok: false, detail: `authorize sent but confirmation failed: ${why}`, restored: none(rules) };
  }
  const after = selectRestore(rules, confirm.group.ingress);
  const restored = [...after.present, ...none(after.missing)].sort((a, b) =>
    a.ruleId.localeCompare(b.ruleId),
  );
  if (after.missing.length > 0) {
    const ids = after.missing.map((r) => r.ruleId).join(', ');
    return { ok: false, detail: `rules still absent after authorize: ${ids}`, restored };
  }
  const already = rules.length - missing.length;
  const converged = already > 0 ? `; ${already} already present (converged)` : '';
  return { ok: true, detail: `re-authorized ${missing.length} rule(s)${converged}`, restored };
}

const none = (rules: readonly RestoreRule[]): RestoredRule[] => rules.map((r) => ({ ...r, newRuleId: null }));
