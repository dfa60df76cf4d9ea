import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { makeIdempotent } from '@aws-lambda-powertools/idempotency';
import type { Context, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import {
  actionStore,
  approvalVerifier,
  ec2Clients,
  eventBridgePublisher,
  evidenceStore,
  securityGroups,
} from '../adapters/factories';
import { idempotencyFor } from '../adapters/idempotency-store';
import { loadConfig } from '../config/config';
import { applyAction, type SignedApplyDeps } from '../usecases/apply-action';
import { logger, systemClock, withActionKeys } from './runtime';
import { type ApprovalKey, approvalKeyOf } from './stream-record';

const config = loadConfig(process.env, [
  'actionsTable',
  'auditTable',
  'auditBucket',
  'kmsKeyArn',
  'eventBus',
  'protectedIds',
  'allowedAccounts',
  'organizationId',
  'idempotencyTable',
  'approvalKeyArn',
]);
const clients = ec2Clients({ fn: 'apply', organizationId: config.organizationId });
const deps: SignedApplyDeps = {
  securityGroups: securityGroups(clients),
  accounts: clients,
  actions: actionStore(config),
  evidence: evidenceStore(config),
  events: eventBridgePublisher(config.eventBus),
  clock: systemClock,
  mode: 'lambda',
  config,
  verifier: approvalVerifier(config.approvalKeyArn),
};
const idempotency = idempotencyFor(config.idempotencyTable);
const processor = new BatchProcessor(EventType.DynamoDBStreams);

const applyOnce = makeIdempotent(
  (key: ApprovalKey) =>
    withActionKeys({ action_id: key.actionId }, async () => {
      const result = await applyAction(deps, key.actionId);
      const status = result.kind === 'done' ? result.action.status : result.kind;
      logger.info('apply finished', {
        outcome: result.kind,
        status,
        audit: result.kind === 'done' ? result.audit : null,
      });
      return { actionId: key.actionId, outcome: result.kind, status };
    }),
  idempotency,
);

async function applyRecord(record: DynamoDBRecord): Promise<void> {
  const key = approvalKeyOf(record);
  if (key) await applyOnce(key);
}

/** Actions-table stream (status became APPROVED) → apply; failures are reported per record. */
export const handler = async (event: DynamoDBStreamEvent, context: Context) => {
  logger.addContext(context);
  idempotency.config.registerLambdaContext(context);
  return processPartialResponse(event, applyRecord, processor, { context });
};
