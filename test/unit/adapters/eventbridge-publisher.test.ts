import {
  EventBridgeClient,
  EventBridgeServiceException,
  PutEventsCommand,
  type PutEventsRequestEntry,
} from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { EventBridgePublisher } from '../../../lambda/adapters/eventbridge-publisher';
import { AccessDeniedError, AwsCallError } from '../../../lambda/core/errors';
import type { LifecycleEvent } from '../../../lambda/core/ports';

const ebMock = mockClient(EventBridgeClient);
const client = new EventBridgeClient({ region: 'us-east-1' });
const BUS = 'sg-revoke-bus';

const eventsOf = (n: number, size = 10): LifecycleEvent[] =>
  Array.from({ length: n }, (_, i) => ({ detailType: 'Planned', detail: { n: i, pad: 'x'.repeat(size) } }));
const sentBatches = () =>
  ebMock.commandCalls(PutEventsCommand).map((call) => call.args[0].input.Entries as PutEventsRequestEntry[]);
const numbersOf = (entries: readonly PutEventsRequestEntry[]) =>
  entries.map((entry) => (JSON.parse(entry.Detail!) as { n: number }).n);
/** Answers every entry with success except those whose detail number is in `failing`. */
const answer = (failing: Set<number>, code = 'InternalFailure') =>
  ebMock.on(PutEventsCommand).callsFake((input: { Entries: PutEventsRequestEntry[] }) => {
    const results = input.Entries.map((entry) =>
      failing.has((JSON.parse(entry.Detail!) as { n: number }).n)
        ? { ErrorCode: code, ErrorMessage: `${code} for this one` }
        : { EventId: `id-${entry.Detail}` },
    );
    return { FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results };
  });

function publisher(sleep = jest.fn(async (_ms: number) => {})) {
  return {
    sleep,
    publisher: new EventBridgePublisher(client, BUS, { maxAttempts: 3, baseDelayMs: 100, sleep }),
  };
}

beforeEach(() => ebMock.reset());
afterAll(() => client.destroy());

describe('EventBridgePublisher.publish', () => {
  it('sends entries on the bus with source sg-revoke, in batches of at most 10', async () => {
    answer(new Set());
    const { publisher: p, sleep } = publisher();

    await p.publish(eventsOf(23));

    const batches = sentBatches();
    expect(batches.map((b) => b.length)).toEqual([10, 10, 3]);
    expect(batches.flatMap(numbersOf)).toEqual(Array.from({ length: 23 }, (_, i) => i));
    expect(batches[0]?.[0]).toEqual({
      EventBusName: BUS,
      Source: 'sg-revoke',
      DetailType: 'Planned',
      Detail: JSON.stringify({ n: 0, pad: 'x'.repeat(10) }),
    });
    expect(sleep).not.toHaveBeenCalled();
  });

  it('keeps every request under 256 KiB', async () => {
    answer(new Set());

    await publisher().publisher.publish(eventsOf(5, 100 * 1024));

    const sizes = sentBatches().map((b) => b.reduce((sum, e) => sum + Buffer.byteLength(e.Detail!), 0));
    expect(sentBatches().map((b) => b.length)).toEqual([2, 2, 1]);
    for (const size of sizes) expect(size).toBeLessThan(256 * 1024);
  });

  it('refuses an event that alone exceeds 256 KiB, before sending anything', async () => {
    answer(new Set());

    await expect(publisher().publisher.publish(eventsOf(1, 300 * 1024))).rejects.toMatchObject({
      name: 'AwsCallError',
      code: 'EntryTooLarge',
    });
    expect(sentBatches()).toHaveLength(0);
  });

  it('retries only the failed entries, with growing backoff, until they succeed', async () => {
    ebMock
      .on(PutEventsCommand)
      .resolvesOnce({
        FailedEntryCount: 2,
        Entries: [{ EventId: 'a' }, { ErrorCode: 'ThrottlingException' }, { ErrorCode: 'InternalFailure' }],
      })
      .resolvesOnce({ FailedEntryCount: 1, Entries: [{ EventId: 'b' }, { ErrorCode: 'InternalFailure' }] })
      .resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'c' }] });
    const { publisher: p, sleep } = publisher();

    await p.publish(eventsOf(3));

    expect(sentBatches().map(numbersOf)).toEqual([[0, 1, 2], [1, 2], [2]]);
    const [first, second] = sleep.mock.calls.map(([ms]) => ms);
    expect(first).toBeGreaterThanOrEqual(50);
    expect(first).toBeLessThanOrEqual(100);
    expect(second).toBeGreaterThanOrEqual(100);
    expect(second).toBeLessThanOrEqual(200);
  });

  it('throws an AwsCallError listing the entries that still fail after the last attempt', async () => {
    answer(new Set([4, 11]));
    const { publisher: p } = publisher();

    const error = await p.publish(eventsOf(12)).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(AwsCallError);
    expect((error as AwsCallError).code).toBe('InternalFailure');
    expect((error as Error).message).toMatch(/2 of 12 event\(s\) failed/);
    const firstBatch = Array.from({ length: 10 }, (_, i) => i);
    expect(sentBatches().map(numbersOf)).toEqual([firstBatch, [4], [4], [10, 11], [11], [11]]);
  });

  it('does not retry an entry that can never succeed', async () => {
    answer(new Set([1]), 'MalformedDetail');
    const { publisher: p, sleep } = publisher();

    await expect(p.publish(eventsOf(2))).rejects.toThrow(/MalformedDetail/);
    expect(sentBatches()).toHaveLength(1);
    expect(sleep).not.toHaveBeenCalled();
  });

  it('translates a failed call (after the SDK retries) into a domain error', async () => {
    const cause = new EventBridgeServiceException({
      name: 'AccessDeniedException',
      $fault: 'client',
      $metadata: {},
    });
    ebMock.on(PutEventsCommand).rejects(cause);

    const error = await publisher()
      .publisher.publish(eventsOf(1))
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(AccessDeniedError);
    expect((error as Error).cause).toBe(cause);
  });

  it('sends nothing for no events', async () => {
    await publisher().publisher.publish([]);

    expect(ebMock.calls()).toHaveLength(0);
  });
});
