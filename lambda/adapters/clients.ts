import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { STSClient } from '@aws-sdk/client-sts';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AwsCredentialIdentityProvider } from '@smithy/types';

/**
 * The one place SDK clients are built (STYLE §5). Endpoints and credentials come from the SDK's
 * own chain (`AWS_ENDPOINT_URL`, the Lambda role), never from here. Each builder is a separate
 * function so a bundle that never asks for EC2 does not carry client-ec2 (~1 MB).
 */
const COMMON = {
  // Describe calls across a fleet hit EC2's request-rate limits: adaptive mode adds a client-side
  // token bucket on top of the exponential backoff of standard mode.
  retryMode: 'adaptive',
  maxAttempts: 5,
  // A stalled socket must fail inside the Lambda timeout and be retried, not eat the budget.
  requestHandler: { connectionTimeout: 3_000, requestTimeout: 15_000 },
} as const;

type Destroyable = { destroy(): void };

const ec2ByRegion = new Map<string, EC2Client>();
const singletons = new Map<string, Destroyable>();
/** Clients with credentials of their own (a member role), by the key their owner gives them. */
const keyed = new Map<string, Destroyable>();

function once<T extends Destroyable>(key: string, build: () => T): T {
  const existing = singletons.get(key);
  if (existing) return existing as T;
  const client = build();
  singletons.set(key, client);
  return client;
}

/** EC2 in the finding's region (DESIGN §5), one client per region, reused across invocations. */
export function ec2Client(region: string): EC2Client {
  let client = ec2ByRegion.get(region);
  if (!client) {
    client = new EC2Client({ ...COMMON, region });
    ec2ByRegion.set(region, client);
  }
  return client;
}

/** CloudFormation in the stack's region (`sg-revoke env --region`), else the SDK chain's. */
export const cloudFormationClient = (region?: string): CloudFormationClient =>
  once(
    `cloudformation:${region ?? ''}`,
    () => new CloudFormationClient({ ...COMMON, ...(region ? { region } : {}) }),
  );

export const stsClient = (): STSClient => once('sts', () => new STSClient({ ...COMMON }));

function onceKeyed<T extends Destroyable>(key: string, build: () => T): T {
  const existing = keyed.get(key);
  if (existing) return existing as T;
  const client = build();
  keyed.set(key, client);
  return client;
}

/** EC2 in `region` with these credentials (ec2-clients.ts), one client per key, reused. */
export const ec2ClientWith = (key: string, region: string, credentials: AwsCredentialIdentityProvider) =>
  onceKeyed(`ec2/${key}/${region}`, () => new EC2Client({ ...COMMON, region, credentials }));

/** STS with these credentials: GetCallerIdentity then tells whose they are. */
export const stsClientWith = (key: string, credentials: AwsCredentialIdentityProvider) =>
  onceKeyed(`sts/${key}`, () => new STSClient({ ...COMMON, credentials }));

export const s3Client = (): S3Client => once('s3', () => new S3Client({ ...COMMON }));

export const eventBridgeClient = (): EventBridgeClient =>
  once('events', () => new EventBridgeClient({ ...COMMON }));

/** Security Hub in the function's own region: the one its findings were delivered to EventBridge in. */
export const securityHubClient = (): SecurityHubClient =>
  once('securityhub', () => new SecurityHubClient({ ...COMMON }));

export const kmsClient = (): KMSClient => once('kms', () => new KMSClient({ ...COMMON }));

export const logsClient = (): CloudWatchLogsClient =>
  once('logs', () => new CloudWatchLogsClient({ ...COMMON }));

export const dynamoDbClient = (): DynamoDBClient => once('dynamodb', () => new DynamoDBClient({ ...COMMON }));

export function documentClient(): DynamoDBDocumentClient {
  // DynamoDBDocumentClient.destroy() is a no-op: the base client is what holds the sockets.
  const base = dynamoDbClient();
  return once('dynamodb-document', () =>
    DynamoDBDocumentClient.from(base, {
      // Optional fields of the domain records are simply absent in the table.
      marshallOptions: { removeUndefinedValues: true },
    }),
  );
}

/** Closes every socket (tests, CLI exit); the next call builds fresh clients. */
export function destroyClients(): void {
  for (const client of [...ec2ByRegion.values(), ...singletons.values(), ...keyed.values()]) client.destroy();
  ec2ByRegion.clear();
  singletons.clear();
  keyed.clear();
}
