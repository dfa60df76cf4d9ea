import type { Context, EventBridgeEvent } from 'aws-lambda';
import { findingStatusWriter } from '../adapters/factories';
import { syncStatus } from '../usecases/sync-status';
import { logger } from './runtime';

const deps = { writer: findingStatusWriter() };

/**
 * A lifecycle event of an action that came from Security Hub → the source finding's status
 * (DESIGN §12). Invoked asynchronously by EventBridge: a failure throws, Lambda retries, then the
 * event goes to the DLQ and the alarm fires. It never touches the actions table or a group.
 */
export const handler = async (event: EventBridgeEvent<string, unknown>, context: Context) => {
  logger.addContext(context);
  const detail = event.detail as { action_id?: unknown; finding_uid?: unknown };
  const result = await syncStatus(deps, { detailType: event['detail-type'], detail: event.detail });
  logger.info(result.kind === 'written' ? 'finding status written back' : 'no status to write back', {
    event_id: event.id,
    detail_type: event['detail-type'],
    action_id: typeof detail?.action_id === 'string' ? detail.action_id : undefined,
    finding_uid: typeof detail?.finding_uid === 'string' ? detail.finding_uid : undefined,
    ...(result.kind === 'written' ? { target: result.update.kind } : {}),
  });
  return { outcome: result.kind };
};
