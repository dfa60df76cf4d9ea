import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { makeIdempotent } from '@aws-lambda-powertools/idempotency';
import type { Context, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { idempotencyFor } from '../adapters/idempotency-store';
import { isDrainEvent } from '../core/limits';
import { applyGated, drainApproved } from '../usecases/apply-gate';
import { applyConfig, applyDepsOnce, publishLimitMetrics } from './apply-deps';
import { logger, withActionKeys } from './runtime';
import { type ApprovalKey, approvalKeyOf } from './stream-record';

const idempotency = idempotencyFor(applyConfig.idempotencyTable);
const processor = new BatchProcessor(EventType.DynamoDBStreams);

const applyOnce = makeIdempotent(
  (key: ApprovalKey) =>
    withActionKeys({ action_id: key.actionId }, async () => {
      const result = await applyGated(await applyDepsOnce(), key.actionId, 'stream');
      const status = result.kind === 'done' ? result.action.status : result.kind;
      logger.info('apply finished', {
        outcome: result.kind,
        status,
        reason: result.kind === 'waiting' ? result.reason : undefined,
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

/**
 * Actions-table stream (status became APPROVED) → apply, failures reported per record; the drain
 * schedule → every waiting approval, oldest first, as the rate cap and the kill switch allow.
 */
export const handler = async (event: DynamoDBStreamEvent | Record<string, unknown>, context: Context) => {
  logger.addContext(context);
  try {
    if (isDrainEvent(event)) {
      const summary = await drainApproved(await applyDepsOnce());
      logger.info('drain finished', { ...summary });
      return summary;
    }
    idempotency.config.registerLambdaContext(context);
    return await processPartialResponse(event as DynamoDBStreamEvent, applyRecord, processor, { context });
  } finally {
    publishLimitMetrics();
  }
};
