import type { Context, EventBridgeEvent } from 'aws-lambda';
import { actionStore, findingStatusWriter } from '../adapters/factories';
import { loadConfig } from '../config/config';
import { syncStatus } from '../usecases/sync-status';
import { logger } from './runtime';

const config = loadConfig(process.env, ['actionsTable', 'allowedAccounts']);
const deps = {
  writer: findingStatusWriter(),
  actions: actionStore(config),
  allowedAccounts: config.allowedAccounts,
};

/**
 * A lifecycle event of an action that came from Security Hub → the source finding's status
 * (DESIGN §12). Invoked asynchronously by EventBridge: a failure throws, Lambda retries, then the
 * event goes to the DLQ and the alarm fires. It reads the action (never writes it) and no group.
 */
export const handler = async (event: EventBridgeEvent<string, unknown>, context: Context) => {
  logger.addContext(context);
  const detail = event.detail as { action_id?: unknown; finding_uid?: unknown };
  const result = await syncStatus(deps, { detailType: event['detail-type'], detail: event.detail });
  const message = {
    written: 'finding status written back',
    ignored: 'no status to write back',
    refused: 'write-back refused: the stored action does not back the event',
  }[result.kind];
  logger[result.kind === 'refused' ? 'warn' : 'info'](message, {
    ...(result.kind === 'refused' ? { reason: result.reason } : {}),
    event_id: event.id,
    detail_type: event['detail-type'],
    action_id: typeof detail?.action_id === 'string' ? detail.action_id : undefined,
    finding_uid: typeof detail?.finding_uid === 'string' ? detail.finding_uid : undefined,
    ...(result.kind === 'written' ? { target: result.update.kind } : {}),
  });
  return { outcome: result.kind };
};
