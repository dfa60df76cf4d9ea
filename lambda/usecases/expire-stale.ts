import type { Action } from '../core/action';
import { retiredApproval } from '../core/approval';
import { ConflictError } from '../core/errors';
import type { EventPublisher } from '../core/ports';
import type { ActionStatus } from '../core/state-machine';
import { type AuditDeps, commitAudited, SWEEP_CALLER, sweepFacts } from './deps';
import { pagesOf } from './paging';
import { lifecycleDetail } from './plan-finding';

/** The states an approval window closes on: a pending plan, and a failed apply waiting for a new approval. */
const EXPIRING: readonly ActionStatus[] = ['PENDING_APPROVAL', 'FAILED'];

/** An action past its approval deadline becomes EXPIRED (audited), so a stale plan is never applied. */
export async function expireStale(
  deps: AuditDeps & { readonly events: EventPublisher; readonly mode: 'lambda' | 'cli' },
): Promise<number> {
  const nowMs = deps.clock.nowMs();
  let expired = 0;
  for (const status of EXPIRING) {
    for await (const page of pagesOf(deps.actions, status)) {
      for (const action of page.filter((a) => Date.parse(a.approvalDeadline) < nowMs)) {
        if (await expireOne(deps, action)) expired += 1;
      }
    }
  }
  return expired;
}

async function expireOne(deps: Parameters<typeof expireStale>[0], action: Action): Promise<boolean> {
  const detail = `approval window closed at ${action.approvalDeadline}`;
  try {
    const done = await commitAudited(
      deps,
      action,
      {
        from: [action.status],
        to: 'EXPIRED',
        patch: { statusDetail: detail },
        // An expired FAILED action's earlier approval is retired like a rejected one's: never replayed.
        consumes: retiredApproval(action),
      },
      sweepFacts(action, deps.mode, { step: 'expire', status: 'expired', detail }),
      SWEEP_CALLER,
    );
    await deps.events.publish([{ detailType: 'Action Expired', detail: lifecycleDetail(done.action) }]);
    return true;
  } catch (error) {
    // Approved or rejected in the meantime: the human decision wins.
    if (error instanceof ConflictError) return false;
    throw error;
  }
}
