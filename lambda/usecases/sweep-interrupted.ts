import type { Action } from '../core/action';
import { ConflictError } from '../core/errors';
import type { EventPublisher } from '../core/ports';
import { type AuditDeps, commitAudited, isoOf } from './deps';
import { listAll } from './paging';
import { lifecycleDetail } from './plan-finding';

/** Far beyond the apply function's timeout (60 s): an APPLYING action this old has no runner. */
export const INTERRUPTED_AFTER_MS = 15 * 60 * 1000;

/**
 * An apply that died between its claim and its outcome (a timeout, a crash) leaves the action
 * APPLYING, where nothing would ever move it. It becomes FAILED, audited, so an approver can
 * approve it again: the next apply re-reads the live group and converges (APPLIED or ALREADY_ABSENT).
 */
export async function sweepInterrupted(
  deps: AuditDeps & { readonly events: EventPublisher; readonly mode: 'lambda' | 'cli' },
): Promise<number> {
  const nowMs = deps.clock.nowMs();
  const stuck = (await listAll(deps.actions, 'APPLYING')).filter(
    (a) => nowMs - Date.parse(a.updatedAt) > INTERRUPTED_AFTER_MS,
  );
  let swept = 0;
  for (const action of stuck) {
    try {
      await failOne(deps, action, nowMs);
      swept += 1;
    } catch (error) {
      // Finished in the meantime: its own outcome wins.
      if (!(error instanceof ConflictError)) throw error;
    }
  }
  return swept;
}

async function failOne(deps: Parameters<typeof sweepInterrupted>[0], action: Action, nowMs: number) {
  const detail =
    `apply interrupted: no outcome recorded since ${action.updatedAt}; the rules may or may not ` +
    'have been revoked — approve again to re-check the live group and finish';
  const outcome = { status: 'failure' as const, detail, revokedRules: [], at: isoOf(nowMs) };
  const done = await commitAudited(
    deps,
    action,
    { from: ['APPLYING'], to: 'FAILED', patch: { recordStatus: 'failure', statusDetail: detail, outcome } },
    {
      rules: action.plan?.targets ?? [],
      step: 'revoke_after',
      status: 'failure',
      detail,
      incidentId: action.approval?.incidentId ?? null,
      approver: action.approval?.approver ?? null,
      caller: 'sg-revoke reverify',
      mode: deps.mode,
    },
    'sg-revoke reverify',
  );
  await deps.events.publish([{ detailType: 'Action Applied', detail: lifecycleDetail(done.action) }]);
}
