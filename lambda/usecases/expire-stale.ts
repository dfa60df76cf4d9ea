import { ConflictError } from '../core/errors';
import type { EventPublisher } from '../core/ports';
import { type AuditDeps, commitAudited } from './deps';
import { listAll } from './paging';
import { lifecycleDetail } from './plan-finding';

/** PENDING_APPROVAL past its deadline becomes EXPIRED (audited), so stale plans are never applied. */
export async function expireStale(
  deps: AuditDeps & { readonly events: EventPublisher; readonly mode: 'lambda' | 'cli' },
): Promise<number> {
  const nowMs = deps.clock.nowMs();
  const stale = (await listAll(deps.actions, 'PENDING_APPROVAL')).filter(
    (a) => Date.parse(a.approvalDeadline) < nowMs,
  );
  let expired = 0;
  for (const action of stale) {
    const detail = `approval window closed at ${action.approvalDeadline}`;
    try {
      const done = await commitAudited(
        deps,
        action,
        { from: ['PENDING_APPROVAL'], to: 'EXPIRED', patch: { statusDetail: detail } },
        {
          rules: action.plan?.targets ?? [],
          step: 'expire',
          status: 'expired',
          detail,
          incidentId: null,
          approver: null,
          caller: 'sg-revoke reverify',
          mode: deps.mode,
        },
        'sg-revoke reverify',
      );
      await deps.events.publish([{ detailType: 'Action Expired', detail: lifecycleDetail(done.action) }]);
      expired += 1;
    } catch (error) {
      // Approved or rejected in the meantime: the human decision wins.
      if (!(error instanceof ConflictError)) throw error;
    }
  }
  return expired;
}
