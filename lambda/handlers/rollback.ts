import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import {
  actionStore,
  approvalVerifier,
  auditTrail,
  ec2Clients,
  eventBridgePublisher,
  evidenceStore,
  ingressRestorer,
  securityGroups,
} from '../adapters/factories';
import { loadConfig } from '../config/config';
import { type RollbackDeps, rollbackAction } from '../usecases/rollback-action';
import { logger, systemClock, withActionKeys } from './runtime';
import { rollbackKeyOf } from './stream-record';

const config = loadConfig(process.env, [
  'actionsTable',
  'auditTable',
  'auditBucket',
  'kmsKeyArn',
  'eventBus',
  'allowedAccounts',
  'organizationId',
  'approvalKeyArn',
]);
const clients = ec2Clients({ fn: 'rollback', organizationId: config.organizationId });
const deps: RollbackDeps = {
  securityGroups: securityGroups(clients),
  restorer: ingressRestorer(clients),
  accounts: clients,
  actions: actionStore(config),
  evidence: evidenceStore(config),
  trail: auditTrail(config.auditTable),
  events: eventBridgePublisher(config.eventBus),
  verifier: approvalVerifier(config.approvalKeyArn),
  clock: systemClock,
  mode: 'lambda',
  config,
};
const processor = new BatchProcessor(EventType.DynamoDBStreams);

// No idempotency table: the request's write-once consumed marker (audit table) is the once-only guard.
async function rollbackRecord(record: DynamoDBRecord): Promise<void> {
  const key = rollbackKeyOf(record);
  if (!key) return;
  await withActionKeys({ action_id: key.actionId }, async () => {
    const result = await rollbackAction(deps, key.actionId);
    const status = result.kind === 'done' ? result.action.status : result.kind;
    logger.info('rollback finished', { outcome: result.kind, status, requested_at: key.requestedAt });
  });
}

/** Actions-table stream (a rollback request was recorded) → rollback; failures reported per record. */
export const handler = async (event: DynamoDBStreamEvent, context: Context) => {
  logger.addContext(context);
  return processPartialResponse(event, rollbackRecord, processor, { context });
};
