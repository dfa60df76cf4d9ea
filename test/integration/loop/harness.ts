import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type _Record,
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import type {
  APIGatewayProxyEvent,
  Context,
  DynamoDBStreamEvent,
  EventBridgeEvent,
  ScheduledEvent,
} from 'aws-lambda';
import {
  type AuditResources,
  captureEvents,
  createAuditResources,
  type EventCapture,
  REGION,
} from '../moto/resources';

/** moto's STS answers with this account for any credentials. */
export const MOTO_ACCOUNT = '123456789012';
export const APPROVER = `arn:aws:sts::${MOTO_ACCOUNT}:assumed-role/IncidentCommander/alice`;
export const NOT_APPROVER = `arn:aws:sts::${MOTO_ACCOUNT}:assumed-role/Developer/bob`;

type Observable = { name: string; type: string; value: string };

/** The detector's SSH finding, pointed at a real moto group (ids and account rewritten). */
export function findingFor(
  groupId: string,
  opts: { cidrs?: string[]; name?: string; uid?: string; account?: string } = {},
) {
  const line = readFileSync(join(__dirname, '../../../events/findings.ocsf.jsonl'), 'utf8').split(
    '\n',
  )[0] as string;
  const finding = JSON.parse(line) as {
    observables: Observable[];
    finding_info: { uid: string };
    metadata: { uid: string };
  };
  const cidrs = opts.cidrs ?? ['0.0.0.0/0', '::/0'];
  finding.observables = finding.observables
    .filter((o) => o.name !== 'permission.cidr')
    .map((o) => {
      if (o.name === 'target.uid') return { ...o, value: groupId };
      if (o.name === 'account.uid') return { ...o, value: opts.account ?? MOTO_ACCOUNT };
      if (o.name === 'target.name' && opts.name) return { ...o, value: opts.name };
      return o;
    })
    .concat(cidrs.map((value) => ({ name: 'permission.cidr', type: 'Other', value })));
  const uid = opts.uid ?? `asg-${groupId.slice(3, 19).padEnd(16, '0')}`;
  finding.finding_info.uid = uid;
  finding.metadata.uid = uid;
  return finding;
}

export const lambdaContext = (name: string): Context =>
  ({
    functionName: `sg-revoke-${name}`,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${REGION}:${MOTO_ACCOUNT}:function:sg-revoke-${name}`,
    memoryLimitInMB: '512',
    awsRequestId: `req-${Math.random().toString(16).slice(2)}`,
    logGroupName: `/aws/lambda/sg-revoke-${name}`,
    logStreamName: 'test',
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => 60_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  }) as Context;

export const eventBridgeEnvelope = (detail: unknown): EventBridgeEvent<string, unknown> => ({
  version: '0',
  id: `evt-${Math.random().toString(16).slice(2)}`,
  'detail-type': 'OCSF Detection Finding',
  source: 'cloud-ai-security-skills.detect-aws-open-security-group',
  account: MOTO_ACCOUNT,
  time: new Date().toISOString(),
  region: REGION,
  resources: [],
  detail,
});

export const scheduledEvent = (): ScheduledEvent =>
  ({ ...eventBridgeEnvelope({}), 'detail-type': 'Scheduled Event', source: 'aws.events' }) as ScheduledEvent;

export function apiEvent(
  method: 'GET' | 'POST',
  resource: string,
  opts: { id?: string; body?: string; caller?: string | null; query?: Record<string, string> } = {},
): APIGatewayProxyEvent {
  const path = resource.replace('{id}', opts.id ?? '');
  return {
    httpMethod: method,
    resource,
    path,
    pathParameters: opts.id === undefined ? null : { id: opts.id },
    queryStringParameters: opts.query ?? null,
    body: opts.body ?? null,
    headers: { 'content-type': 'application/json' },
    requestContext: { identity: { userArn: opts.caller === undefined ? APPROVER : opts.caller } },
  } as unknown as APIGatewayProxyEvent;
}

/** Reads the actions table's stream as Lambda would receive it, from where it was last read. */
export class StreamReader {
  private readonly client = new DynamoDBStreamsClient({ region: REGION });
  private iterators: string[] | null = null;

  constructor(private readonly streamArn: string) {}

  async next(): Promise<DynamoDBStreamEvent> {
    if (!this.iterators) {
      const { StreamDescription } = await this.client.send(
        new DescribeStreamCommand({ StreamArn: this.streamArn }),
      );
      this.iterators = [];
      for (const shard of StreamDescription?.Shards ?? []) {
        const it = await this.client.send(
          new GetShardIteratorCommand({
            StreamArn: this.streamArn,
            ShardId: shard.ShardId,
            ShardIteratorType: 'TRIM_HORIZON',
          }),
        );
        this.iterators.push(it.ShardIterator!);
      }
    }
    const records: _Record[] = [];
    const nextIterators: string[] = [];
    for (const iterator of this.iterators) {
      const out = await this.client.send(new GetRecordsCommand({ ShardIterator: iterator }));
      records.push(...(out.Records ?? []));
      if (out.NextShardIterator) nextIterators.push(out.NextShardIterator);
    }
    this.iterators = nextIterators;
    return {
      Records: records.map((r) => ({ ...r, eventSourceARN: this.streamArn })),
    } as unknown as DynamoDBStreamEvent;
  }

  destroy(): void {
    this.client.destroy();
  }
}

/** The stream filter of the stack: only images whose status became APPROVED reach apply. */
export const approvedOnly = (event: DynamoDBStreamEvent): DynamoDBStreamEvent => ({
  Records: event.Records.filter(
    (r) => r.eventName === 'MODIFY' && r.dynamodb?.NewImage?.status?.S === 'APPROVED',
  ),
});

/** The rollback mapping's filter: a MODIFY of an APPLIED | ALREADY_ABSENT row carrying a rollback request. */
export const rollbackRequestsOnly = (event: DynamoDBStreamEvent): DynamoDBStreamEvent => ({
  Records: event.Records.filter((r) => {
    const image = r.dynamodb?.NewImage;
    const status = image?.status?.S ?? '';
    return (
      r.eventName === 'MODIFY' &&
      ['APPLIED', 'ALREADY_ABSENT'].includes(status) &&
      image?.rollback?.M?.at?.S !== undefined
    );
  }),
});

export interface Stack {
  readonly resources: AuditResources;
  readonly capture: EventCapture;
  readonly stream: StreamReader;
}

/** Creates the stateful resources and points every handler's configuration at them. */
export async function createStack(protectedIds: string[] = []): Promise<Stack> {
  const resources = await createAuditResources();
  const capture = await captureEvents('sg-revoke-bus');
  Object.assign(process.env, {
    AWS_SG_REVOKE_ACTIONS_TABLE: resources.actionsTable,
    AWS_SG_REVOKE_AUDIT_DYNAMODB_TABLE: resources.auditTable,
    AWS_SG_REVOKE_AUDIT_BUCKET: resources.bucket,
    KMS_KEY_ARN: resources.kmsKeyArn,
    AWS_SG_REVOKE_APPROVAL_KEY_ARN: resources.approvalKeyArn,
    AWS_SG_REVOKE_EVENT_BUS: capture.busName,
    AWS_SG_REVOKE_IDEMPOTENCY_TABLE: resources.idempotencyTable,
    AWS_SG_REVOKE_PROTECTED_IDS: protectedIds.join(','),
    AWS_SG_REVOKE_ALLOWED_ACCOUNT_IDS: MOTO_ACCOUNT,
    AWS_SG_REVOKE_APPROVER_PRINCIPALS: `arn:aws:sts::${MOTO_ACCOUNT}:assumed-role/IncidentCommander/*`,
    AWS_SG_REVOKE_APPROVAL_TTL_HOURS: '24',
    AWS_SG_REVOKE_VERIFY_WINDOW_DAYS: '30',
  });
  return { resources, capture, stream: new StreamReader(resources.actionsStreamArn) };
}
