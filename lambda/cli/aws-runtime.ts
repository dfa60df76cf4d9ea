import { documentClient, ec2Client, eventBridgeClient, s3Client, stsClient } from '../adapters/clients';
import { DynamoDbActionStore } from '../adapters/dynamodb-action-store';
import { Ec2SecurityGroups } from '../adapters/ec2-security-groups';
import { EventBridgePublisher } from '../adapters/eventbridge-publisher';
import { S3EvidenceStore } from '../adapters/s3-evidence-store';
import { StsCallerIdentity } from '../adapters/sts-caller-identity';
import type { EventPublisher, LifecycleEvent } from '../core/ports';

type Env = NodeJS.ProcessEnv;

export const securityGroups = () => new Ec2SecurityGroups(ec2Client);
export const callerIdentity = () => new StsCallerIdentity(stsClient());
export const clock = { nowMs: () => Date.now() };

export function actionStore(tables: { actionsTable: string; auditTable?: string }) {
  return new DynamoDbActionStore(documentClient(), {
    actions: tables.actionsTable,
    audit: tables.auditTable,
  });
}

export function evidenceStore(target: { auditBucket: string; kmsKeyArn: string }) {
  return new S3EvidenceStore(s3Client(), { bucket: target.auditBucket, kmsKeyArn: target.kmsKeyArn });
}

/** Lifecycle events go to the bus when one is configured; on the command line they are logged instead. */
export function eventPublisher(env: Env, log: (event: LifecycleEvent) => void): EventPublisher {
  const bus = env.AWS_SG_REVOKE_EVENT_BUS?.trim();
  if (bus) return new EventBridgePublisher(eventBridgeClient(), bus);
  return {
    publish: async (events) => {
      for (const event of events) log(event);
    },
  };
}
