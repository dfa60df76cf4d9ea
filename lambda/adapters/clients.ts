import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { STSClient } from '@aws-sdk/client-sts';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

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

export const stsClient = (): STSClient => once('sts', () => new STSClient({ ...COMMON }));

export const s3Client = (): S3Client => once('s3', () => new S3Client({ ...COMMON }));

export const eventBridgeClient = (): EventBridgeClient =>
  once('events', () => new EventBridgeClient({ ...COMMON }));

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
  for (const client of [...ec2ByRegion.values(), ...singletons.values()]) client.destroy();
  ec2ByRegion.clear();
  singletons.clear();
}
