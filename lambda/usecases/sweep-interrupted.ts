import type { Action } from '../core/action';
import { ConflictError } from '../core/errors';
import { type LiveRead, whereOf } from '../core/model';
import type { RevokeTarget } from '../core/plan';
import type { EventPublisher, SecurityGroups } from '../core/ports';
import { type AuditDeps, commitAudited, isoOf, SWEEP_CALLER, sweepFacts } from './deps';
import { pagesOf } from './paging';
import { lifecycleDetail } from './plan-finding';

/** Far beyond the apply function's timeout (60 s): an APPLYING action this old has no runner. */
export const INTERRUPTED_AFTER_MS = 15 * 60 * 1000;

export const RECONCILED_DETAIL = 'reconciled after interruption';

type SweepDeps = AuditDeps & {
  readonly securityGroups: SecurityGroups;
  readonly events: EventPublisher;
  readonly mode: 'lambda' | 'cli';
};

/** The rules the approver approved: the one place that knows where they are stored. */
export function approvedRules(action: Action): readonly RevokeTarget[] {
  // The approval's own rule ids when it carries them (a stored approval is untrusted shape), else the plan's.
  const approved = action.approval?.rules;
  return Array.isArray(approved) && approved.length > 0 ? approved : (action.plan?.targets ?? []);
}

/** True when none of the approved rules is on the live group any more (a deleted group has none). */
export function approvedRulesGone(approved: readonly RevokeTarget[], live: LiveRead): boolean {
  if (live.kind === 'not-found') return true;
  if (live.kind === 'error' || approved.length === 0) return false;
  return approved.every((target) =>
    target.ruleId === null
      ? !live.group.ingress.some(
          (r) =>
            r.cidr === target.cidr &&
            r.protocol === target.protocol &&
            r.fromPort === target.fromPort &&
            r.toPort === target.toPort,
        )
      : !live.group.ingress.some((r) => r.ruleId === target.ruleId),
  );
}

/**
 * An apply that died between its claim and its outcome (a timeout, a crash) leaves the action
 * APPLYING, where nothing would ever move it. The live group decides: the approved rules are gone →
 * APPLIED (reconciled, and watched by reverify from now on), else FAILED, so an approver can approve
 * it again. Both audited.
 */
export async function sweepInterrupted(deps: SweepDeps): Promise<number> {
  const nowMs = deps.clock.nowMs();
  let swept = 0;
  for await (const page of pagesOf(deps.actions, 'APPLYING')) {
    for (const action of page.filter((a) => nowMs - Date.parse(a.updatedAt) > INTERRUPTED_AFTER_MS)) {
      try {
        await settleOne(deps, action, nowMs);
        swept += 1;
      } catch (error) {
        // Finished in the meantime: its own outcome wins.
        if (!(error instanceof ConflictError)) throw error;
      }
    }
  }
  return swept;
}

async function settleOne(deps: SweepDeps, action: Action, nowMs: number) {
  const f = action.finding;
  const live = await deps.securityGroups.readGroup(whereOf(f), f.sgId);
  const gone = approvedRulesGone(approvedRules(action), live);
  const detail = gone
    ? `${RECONCILED_DETAIL}: no outcome recorded since ${action.updatedAt}; the approved rules are no longer on the group`
    : `apply interrupted: no outcome recorded since ${action.updatedAt}; ` +
      (live.kind === 'error'
        ? `the group could not be read (${live.message})`
        : 'the approved rules are still on the group') +
      ' — approve again to finish';
  const status = gone ? ('success' as const) : ('failure' as const);
  const outcome = { status, detail, revokedRules: [], at: isoOf(nowMs) };
  const done = await commitAudited(
    deps,
    action,
    {
      from: ['APPLYING'],
      to: gone ? 'APPLIED' : 'FAILED',
      patch: { recordStatus: status, statusDetail: detail, outcome },
    },
    sweepFacts(action, deps.mode, { rules: approvedRules(action), step: 'revoke_after', status, detail }),
    SWEEP_CALLER,
  );
  await deps.events.publish([{ detailType: 'Action Applied', detail: lifecycleDetail(done.action) }]);
}
