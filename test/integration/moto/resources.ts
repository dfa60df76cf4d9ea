/**
 * Shared helpers for the integration tests: they create real resources on moto_server through the
 * SDK (never through the adapters under test) and read state back independently of them.
 */

import { request } from 'node:http';
import { CreateTableCommand, DynamoDBClient, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
  type IpPermission,
  type SecurityGroupRule,
} from '@aws-sdk/client-ec2';
import {
  CreateEventBusCommand,
  EventBridgeClient,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutBucketEncryptionCommand,
  PutObjectLockConfigurationCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { AwsCredentialIdentity } from '@smithy/types';
import { WATCH_INDEX, WATCH_KEY, WATCH_PROJECTION, WATCH_SINCE } from '../../../lambda/core/watch-index';

export const REGION = 'us-east-1';

type Destroyable = { destroy(): void };

/** Builds a client for one helper call and always closes it (no sockets left for jest to wait on). */
async function using<C extends Destroyable, T>(client: C, use: (client: C) => Promise<T>): Promise<T> {
  try {
    return await use(client);
  } finally {
    client.destroy();
  }
}

export const motoEndpoint = (): string | null => process.env.SG_REVOKE_MOTO_ENDPOINT || null;

/**
 * An integration suite. jest.config.js leaves the whole project out when moto_server is absent
 * (loudly; never under CI=true), so a suite that runs always has its server.
 */
export function describeMoto(name: string, fn: () => void): void {
  if (!motoEndpoint())
    throw new Error(`moto_server is not running for "${name}" (see test/integration/moto/global-setup.js)`);
  describe(name, fn);
}

/** Forgets every resource of every service: each test starts from an empty account. */
export function resetMoto(): Promise<void> {
  // node:http without keep-alive: an idle pooled socket (as fetch keeps) would hold jest open.
  return new Promise((resolve, reject) => {
    const req = request(`${motoEndpoint()}/moto-api/reset`, { method: 'POST', agent: false }, (res) => {
      res.resume();
      res.on('end', () =>
        res.statusCode === 200 ? resolve() : reject(new Error(`moto reset: ${res.statusCode}`)),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

export interface AuditResources {
  readonly kmsKeyArn: string;
  /** The asymmetric approval key (ECC_NIST_P256, SIGN_VERIFY), as the stack makes it. */
  readonly approvalKeyArn: string;
  readonly bucket: string;
  readonly auditTable: string;
  readonly actionsTable: string;
  readonly actionsStreamArn: string;
  readonly idempotencyTable: string;
}

/** The stateful resources of the stack (DESIGN §10), shaped as the CDK stack makes them. */
export async function createAuditResources(region = REGION): Promise<AuditResources> {
  const names = { bucket: 'sg-revoke-audit', audit: 'sg-revoke-audit', actions: 'sg-revoke-actions' };
  const [kmsKeyArn, approvalKeyArn] = await using(new KMSClient({ region }), async (kms) => {
    const out = await kms.send(new CreateKeyCommand({ Description: 'sg-revoke audit' }));
    const signing = await kms.send(
      new CreateKeyCommand({
        Description: 'sg-revoke approvals',
        KeySpec: 'ECC_NIST_P256',
        KeyUsage: 'SIGN_VERIFY',
      }),
    );
    return [out.KeyMetadata!.Arn!, signing.KeyMetadata!.Arn!];
  });
  await using(new S3Client({ region }), async (s3) => {
    await s3.send(new CreateBucketCommand({ Bucket: names.bucket, ObjectLockEnabledForBucket: true }));
    await s3.send(
      new PutObjectLockConfigurationCommand({
        Bucket: names.bucket,
        ObjectLockConfiguration: {
          ObjectLockEnabled: 'Enabled',
          Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 1 } },
        },
      }),
    );
    await s3.send(
      new PutBucketEncryptionCommand({
        Bucket: names.bucket,
        ServerSideEncryptionConfiguration: {
          Rules: [
            {
              ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: kmsKeyArn },
              BucketKeyEnabled: true,
            },
          ],
        },
      }),
    );
  });
  const tables = await using(new DynamoDBClient({ region }), async (ddb) => {
    const s = (AttributeName: string) => ({ AttributeName, AttributeType: 'S' as const });
    await ddb.send(
      new CreateTableCommand({
        TableName: names.audit,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [s('sg_id'), s('action_at')],
        KeySchema: [
          { AttributeName: 'sg_id', KeyType: 'HASH' },
          { AttributeName: 'action_at', KeyType: 'RANGE' },
        ],
      }),
    );
    const actions = await ddb.send(
      new CreateTableCommand({
        TableName: names.actions,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [s('action_id'), s('status'), s('created_at'), s(WATCH_KEY), s(WATCH_SINCE)],
        KeySchema: [{ AttributeName: 'action_id', KeyType: 'HASH' }],
        GlobalSecondaryIndexes: [
          {
            IndexName: 'by-status',
            KeySchema: [
              { AttributeName: 'status', KeyType: 'HASH' },
              { AttributeName: 'created_at', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
          {
            IndexName: WATCH_INDEX,
            KeySchema: [
              { AttributeName: WATCH_KEY, KeyType: 'HASH' },
              { AttributeName: WATCH_SINCE, KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: [...WATCH_PROJECTION] },
          },
        ],
        StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
      }),
    );
    await ddb.send(
      new UpdateTimeToLiveCommand({
        TableName: names.actions,
        TimeToLiveSpecification: { Enabled: true, AttributeName: 'expires_at_epoch' },
      }),
    );
    await ddb.send(
      new CreateTableCommand({
        TableName: 'sg-revoke-idempotency',
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [s('id')],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      }),
    );
    return { streamArn: actions.TableDescription!.LatestStreamArn! };
  });
  return {
    kmsKeyArn,
    approvalKeyArn,
    bucket: names.bucket,
    auditTable: names.audit,
    actionsTable: names.actions,
    actionsStreamArn: tables.streamArn,
    idempotencyTable: 'sg-revoke-idempotency',
  };
}

export interface IngressSpec {
  readonly protocol: string;
  readonly fromPort?: number;
  readonly toPort?: number;
  /** IPv4 or IPv6 CIDR: one rule per spec, so each spec gets its own rule id. */
  readonly cidr: string;
  readonly description?: string;
}

export interface GroupSpec {
  readonly name: string;
  readonly tags?: Readonly<Record<string, string>>;
  readonly ingress?: readonly IngressSpec[];
  /** Default: the region's default VPC. */
  readonly vpcId?: string;
}

function permissionOf(spec: IngressSpec): IpPermission {
  const range = spec.cidr.includes(':')
    ? { Ipv6Ranges: [{ CidrIpv6: spec.cidr, Description: spec.description }] }
    : { IpRanges: [{ CidrIp: spec.cidr, Description: spec.description }] };
  return { IpProtocol: spec.protocol, FromPort: spec.fromPort, ToPort: spec.toPort, ...range };
}

/** Creates a group with its ingress rules; `ruleIds[i]` is the id of `ingress[i]`. */
export async function createGroup(
  region: string,
  spec: GroupSpec,
  credentials?: AwsCredentialIdentity,
): Promise<{ groupId: string; ruleIds: string[] }> {
  return using(new EC2Client({ region, credentials }), async (ec2) => {
    const tags = Object.entries(spec.tags ?? {}).map(([Key, Value]) => ({ Key, Value }));
    const { GroupId } = await ec2.send(
      new CreateSecurityGroupCommand({
        GroupName: spec.name,
        Description: `test group ${spec.name}`,
        VpcId: spec.vpcId,
        TagSpecifications: tags.length > 0 ? [{ ResourceType: 'security-group', Tags: tags }] : undefined,
      }),
    );
    const ruleIds: string[] = [];
    for (const ingress of spec.ingress ?? []) {
      // Diffing the rule ids is exact on AWS and on moto (whose authorize answer can omit rules).
      const before = new Set((await rulesOf(ec2, GroupId!)).map((r) => r.SecurityGroupRuleId));
      await ec2.send(
        new AuthorizeSecurityGroupIngressCommand({ GroupId, IpPermissions: [permissionOf(ingress)] }),
      );
      const added = (await rulesOf(ec2, GroupId!)).filter((r) => !before.has(r.SecurityGroupRuleId));
      if (added.length !== 1)
        throw new Error(`expected one new rule for ${ingress.cidr}, got ${added.length}`);
      ruleIds.push(added[0]!.SecurityGroupRuleId!);
    }
    return { groupId: GroupId!, ruleIds };
  });
}

async function rulesOf(ec2: EC2Client, groupId: string): Promise<SecurityGroupRule[]> {
  const out = await ec2.send(
    new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: 'group-id', Values: [groupId] }] }),
  );
  return (out.SecurityGroupRules ?? []).filter((rule) => rule.IsEgress === false);
}

/** The ingress rules of a group as EC2 reports them now. */
export const readIngressRules = (
  region: string,
  groupId: string,
  credentials?: AwsCredentialIdentity,
): Promise<SecurityGroupRule[]> =>
  using(new EC2Client({ region, credentials }), (ec2) => rulesOf(ec2, groupId));

/** The id of the VPC `default` group of the region's default VPC. */
export const defaultGroupId = (region: string): Promise<string> =>
  using(new EC2Client({ region }), async (ec2) => {
    const out = await ec2.send(
      new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-name', Values: ['default'] }] }),
    );
    return out.SecurityGroups![0]!.GroupId!;
  });

/** Every item of a table (unmarshalled), sorted by the audit key (sg_id, action_at). */
export const readAllRows = (table: string, region = REGION): Promise<Record<string, unknown>[]> =>
  using(new DynamoDBClient({ region }), async (ddb) => {
    const doc = DynamoDBDocumentClient.from(ddb);
    const rows: Record<string, unknown>[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const out = await doc.send(new ScanCommand({ TableName: table, ExclusiveStartKey }));
      rows.push(...(out.Items ?? []));
      ExclusiveStartKey = out.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    const keyOf = (row: Record<string, unknown>) => `${row.sg_id}#${row.action_at}`;
    return rows.sort((a, b) => keyOf(a).localeCompare(keyOf(b)));
  });

export interface StoredObject {
  readonly key: string;
  readonly body: string;
  readonly serverSideEncryption: string | undefined;
  readonly kmsKeyId: string | undefined;
  readonly bucketKeyEnabled: boolean | undefined;
  readonly objectLockMode: string | undefined;
}

/** Every object of a bucket with its body and the encryption headers S3 reports for it. */
export const readAllObjects = (bucket: string, region = REGION): Promise<StoredObject[]> =>
  using(new S3Client({ region }), async (s3) => {
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    const objects: StoredObject[] = [];
    for (const { Key } of listed.Contents ?? []) {
      const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key }));
      const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key }));
      objects.push({
        key: Key!,
        body: await got.Body!.transformToString(),
        serverSideEncryption: head.ServerSideEncryption,
        kmsKeyId: head.SSEKMSKeyId,
        bucketKeyEnabled: head.BucketKeyEnabled,
        objectLockMode: head.ObjectLockMode,
      });
    }
    return objects;
  });

/** An event as EventBridge delivers it to a target. */
export interface DeliveredEvent {
  readonly source: string;
  readonly 'detail-type': string;
  readonly detail: Record<string, unknown>;
}

export interface EventCapture {
  readonly busName: string;
  /** Waits until `count` events arrived (or `timeoutMs` passed) and returns what arrived. */
  receive(count: number, timeoutMs?: number): Promise<DeliveredEvent[]>;
}

/** A custom bus with a rule sending every `sg-revoke` event to an SQS queue the test can read. */
export async function captureEvents(busName: string, region = REGION): Promise<EventCapture> {
  const queueUrl = await using(new SQSClient({ region }), async (sqs) => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `${busName}-capture` }));
    const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
    await using(new EventBridgeClient({ region }), async (events) => {
      await events.send(new CreateEventBusCommand({ Name: busName }));
      await events.send(
        new PutRuleCommand({
          Name: `${busName}-capture`,
          EventBusName: busName,
          EventPattern: JSON.stringify({ source: ['sg-revoke'] }),
        }),
      );
      await events.send(
        new PutTargetsCommand({
          Rule: `${busName}-capture`,
          EventBusName: busName,
          Targets: [{ Id: 'capture', Arn: attrs.Attributes!.QueueArn! }],
        }),
      );
    });
    return QueueUrl!;
  });
  return {
    busName,
    receive: (count, timeoutMs = 5_000) =>
      using(new SQSClient({ region }), async (sqs) => {
        const received: DeliveredEvent[] = [];
        const deadline = Date.now() + timeoutMs;
        while (received.length < count && Date.now() < deadline) {
          const out = await sqs.send(
            new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
          );
          const messages = out.Messages ?? [];
          received.push(...messages.map((m) => JSON.parse(m.Body!) as DeliveredEvent));
          if (messages.length > 0) {
            await sqs.send(
              new DeleteMessageBatchCommand({
                QueueUrl: queueUrl,
                Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
              }),
            );
          }
        }
        return received;
      }),
  };
}
