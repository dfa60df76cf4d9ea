import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { destroyClients, ec2Client } from '../../../lambda/adapters/clients';
import { Ec2SecurityGroups } from '../../../lambda/adapters/ec2-security-groups';
import { batchPlanner } from '../../../lambda/usecases/plan-batch';
import { FixedCallerIdentity, InMemoryEventPublisher } from '../../support/fakes/fakes';
import { InMemoryActionStore } from '../../support/fakes/in-memory-action-store';
import { createGroup, describeMoto, REGION, resetMoto } from '../moto/resources';
import { App } from './app';
import { createStack, eventBridgeEnvelope, findingFor, lambdaContext, MOTO_ACCOUNT } from './harness';

const SSH = { protocol: 'tcp', fromPort: 22, toPort: 22, cidr: '0.0.0.0/0' };

async function queueWithDlq(sqs: SQSClient, name: string, maxReceiveCount: number) {
  const dlq = await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }));
  const dlqArn = (
    await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] }))
  ).Attributes!.QueueArn!;
  const queue = await sqs.send(
    new CreateQueueCommand({
      QueueName: name,
      Attributes: {
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: dlqArn,
          maxReceiveCount,
        }),
      },
    }),
  );
  const arn = (
    await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queue.QueueUrl, AttributeNames: ['QueueArn'] }))
  ).Attributes!.QueueArn!;
  return { url: queue.QueueUrl!, arn, dlqUrl: dlq.QueueUrl! };
}

/** What the event source mapping hands the function: up to `max` messages, 10 per receive. */
async function receiveBatch(sqs: SQSClient, url: string, max: number): Promise<Message[]> {
  const batch: Message[] = [];
  while (batch.length < max) {
    const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
    if (!out.Messages?.length) break;
    batch.push(...out.Messages);
  }
  return batch;
}

const sqsEvent = (messages: Message[], arn: string): SQSEvent => ({
  Records: messages.map((m) => ({
    messageId: m.MessageId!,
    receiptHandle: m.ReceiptHandle!,
    body: m.Body!,
    attributes: {} as never,
    messageAttributes: {},
    md5OfBody: m.MD5OfBody!,
    eventSource: 'aws:sqs',
    eventSourceARN: arn,
    awsRegion: REGION,
  })),
});

async function deleteAll(sqs: SQSClient, url: string, messages: Message[]) {
  for (let i = 0; i < messages.length; i += 10) {
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: url,
        Entries: messages
          .slice(i, i + 10)
          .map((m, k) => ({ Id: String(k), ReceiptHandle: m.ReceiptHandle! })),
      }),
    );
  }
}

describeMoto('plan through SQS on moto', () => {
  const sqs = new SQSClient({ region: REGION });
  beforeAll(() => resetMoto());
  afterAll(() => {
    sqs.destroy();
    destroyClients();
  });

  it('plans 1,000 findings on 20 groups from the queue with at most 2 describes per group set per batch round', async () => {
    const queue = await queueWithDlq(sqs, 'plan-findings', 5);
    const groups: string[] = [];
    for (let g = 0; g < 20; g++) {
      groups.push((await createGroup(REGION, { name: `burst-${g}`, ingress: [SSH] })).groupId);
    }
    // As EventBridge delivers them to the queue: the whole event, the finding in `detail`.
    for (let i = 0; i < 1_000; i += 10) {
      await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queue.url,
          Entries: Array.from({ length: 10 }, (_, k) => {
            const n = i + k;
            const uid = `asg-burst${String(n).padStart(11, '0')}`;
            const finding = findingFor(groups[n % 20]!, { cidrs: ['0.0.0.0/0'], uid });
            return { Id: String(k), MessageBody: JSON.stringify(eventBridgeEnvelope(finding)) };
          }),
        }),
      );
    }
    const describes: number[] = [];
    let round = 0;
    ec2Client(REGION).middlewareStack.add(
      (next, ctx) => (args) => {
        if (ctx.commandName?.startsWith('Describe')) describes[round] = (describes[round] ?? 0) + 1;
        return next(args);
      },
      { step: 'initialize', name: 'count-describes' },
    );
    const store = new InMemoryActionStore();
    const deps = {
      securityGroups: new Ec2SecurityGroups((where) => ec2Client(where.region)),
      accounts: new FixedCallerIdentity(MOTO_ACCOUNT),
      actions: store,
      events: new InMemoryEventPublisher(),
      clock: { nowMs: () => Date.now() },
      config: {
        protectedIds: new Set<string>(),
        allowedAccounts: new Set([MOTO_ACCOUNT]),
        approvalTtlHours: 24,
      },
    };

    let planned = 0;
    for (; round < 50; round++) {
      const batch = await receiveBatch(sqs, queue.url, 100);
      if (batch.length === 0) break;
      const planner = await batchPlanner(
        deps,
        batch.map((m) => m.Body!),
      );
      for (const m of batch) planned += (await planner.plan(m.Body!)).length;
      await deleteAll(sqs, queue.url, batch);
    }

    expect(planned).toBe(1_000);
    expect(store.actions.size).toBe(1_000);
    expect([...store.actions.values()].every((a) => a.status === 'PENDING_APPROVAL')).toBe(true);
    expect(describes.length).toBe(round);
    expect(Math.max(...describes)).toBeLessThanOrEqual(2 * 20);
    // In fact one DescribeSecurityGroups and one DescribeSecurityGroupRules per round (20 groups, one page).
    expect(new Set(describes)).toEqual(new Set([2]));
  }, 300_000);

  it('plans an array detail finding by finding and sends a poison message to the DLQ, through the handler', async () => {
    const app = new App(await createStack());
    const queue = await queueWithDlq(sqs, 'plan-handler', 2);
    const a = await createGroup(REGION, { name: 'array-a', ingress: [SSH] });
    const b = await createGroup(REGION, { name: 'array-b', ingress: [SSH] });
    const array = eventBridgeEnvelope([
      findingFor(a.groupId, { cidrs: ['0.0.0.0/0'], uid: 'asg-array0000000000001' }),
      findingFor(b.groupId, { cidrs: ['0.0.0.0/0'], uid: 'asg-array0000000000002' }),
    ]);
    await sqs.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: JSON.stringify(array) }));
    await sqs.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: 'not an event' }));

    const failures: string[] = [];
    for (let round = 0; round < 6; round++) {
      // Lambda leaves a failed message to its visibility timeout; here it is visible again at once.
      const received = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queue.url, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }),
      );
      const batch = received.Messages ?? [];
      if (batch.length === 0) break;
      const out = await app.h.plan.handler(sqsEvent(batch, queue.arn), lambdaContext('plan'));
      const failed = new Set(
        ((out as { batchItemFailures: { itemIdentifier: string }[] }).batchItemFailures ?? []).map(
          (f) => f.itemIdentifier,
        ),
      );
      failures.push(...failed);
      await deleteAll(
        sqs,
        queue.url,
        batch.filter((m) => !failed.has(m.MessageId!)),
      );
    }

    const dead = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queue.dlqUrl, MaxNumberOfMessages: 10 }),
    );
    expect(dead.Messages?.map((m) => m.Body)).toEqual(['not an event']);
    expect(failures.length).toBeGreaterThanOrEqual(2); // the poison, once per receive
    const pending = await app.call('GET', '/actions', { query: { status: 'PENDING_APPROVAL' } });
    const items = (pending.body as { items: { finding: { sgId: string } }[] }).items;
    expect(items.map((i) => i.finding.sgId).sort()).toEqual([a.groupId, b.groupId].sort());
    app.close();
  }, 120_000);
});
