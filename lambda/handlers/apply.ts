import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { makeIdempotent } from '@aws-lambda-powertools/idempotency';
import type { Context, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { documentClient, ec2Client, eventBridgeClient, s3Client, stsClient } from '../adapters/clients';
import { DynamoDbActionStore } from '../adapters/dynamodb-action-store';
import { Ec2SecurityGroups } from '../adapters/ec2-security-groups';
import { EventBridgePublisher } from '../adapters/eventbridge-publisher';
import { idempotencyFor } from '../adapters/idempotency-store';
import { S3EvidenceStore } from '../adapters/s3-evidence-store';
import { StsCallerIdentity } from '../adapters/sts-caller-identity';
import { loadConfig } from '../config/config';
import { type ApplyDeps, applyAction } from '../usecases/apply-action';
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
  'idempotencyTable',
]);
const deps: ApplyDeps = {
  securityGroups: new Ec2SecurityGroups(ec2Client),
  callerIdentity: new StsCallerIdentity(stsClient()),
  actions: new DynamoDbActionStore(documentClient(), {
    actions: config.actionsTable,
    audit: config.auditTable,
  }),
  evidence: new S3EvidenceStore(s3Client(), { bucket: config.auditBucket, kmsKeyArn: config.kmsKeyArn }),
  events: new EventBridgePublisher(eventBridgeClient(), config.eventBus),
  clock: systemClock,
  mode: 'lambda',
  config,
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
