import type { Context, ScheduledEvent } from 'aws-lambda';
import { documentClient, ec2Client, eventBridgeClient, s3Client } from '../adapters/clients';
import { DynamoDbActionStore } from '../adapters/dynamodb-action-store';
import { Ec2SecurityGroups } from '../adapters/ec2-security-groups';
import { EventBridgePublisher } from '../adapters/eventbridge-publisher';
import { S3EvidenceStore } from '../adapters/s3-evidence-store';
import { loadConfig } from '../config/config';
import { SgRevokeError } from '../core/errors';
import { type ReverifyDeps, reverifyActions } from '../usecases/reverify-actions';
import { logger, systemClock } from './runtime';

const config = loadConfig(process.env, [
  'actionsTable',
  'auditTable',
  'auditBucket',
  'kmsKeyArn',
  'eventBus',
  'verifyWindowDays',
]);
const deps: ReverifyDeps = {
  securityGroups: new Ec2SecurityGroups(ec2Client),
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

/** Schedule → VERIFIED / DRIFT / UNREACHABLE for every recent revoke; any failed check fails the run. */
export const handler = async (_event: ScheduledEvent, context: Context) => {
  logger.addContext(context);
  const summary = await reverifyActions(deps);
  logger.info('reverify finished', { ...summary, failures: summary.failures.slice(0, 20) });
  if (summary.errors > 0) {
    throw new SgRevokeError(
      `reverify: ${summary.errors} check(s) could not be recorded: ${summary.failures.slice(0, 5).join('; ')}`,
    );
  }
  return summary;
};
