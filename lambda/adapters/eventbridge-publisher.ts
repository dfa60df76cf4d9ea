import {
  type EventBridgeClient,
  PutEventsCommand,
  type PutEventsRequestEntry,
} from '@aws-sdk/client-eventbridge';
import { EVENT_SOURCE } from '../core/constants';
import { AwsCallError } from '../core/errors';
import type { EventPublisher, LifecycleEvent } from '../core/ports';
import { translated } from './aws-errors';

export { EVENT_SOURCE };

/** PutEvents takes at most 10 entries, and their total size must stay below 256 KiB. */
const MAX_ENTRIES = 10;
const MAX_REQUEST_BYTES = 256 * 1024;
/** Entry failures that a retry cannot fix. */
const PERMANENT = new Set([
  'MalformedDetail',
  'InvalidArgument',
  'ValidationException',
  'AccessDeniedException',
]);

export interface PublisherOptions {
  /** Sends per entry, the first included. */
  readonly maxAttempts?: number;
  readonly baseDelayMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

interface Failure {
  readonly entry: PutEventsRequestEntry;
  readonly code: string;
  readonly message: string;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Bytes as EventBridge counts them (Source, DetailType, Detail, Resources; UTF-8). */
const sizeOf = (entry: PutEventsRequestEntry): number =>
  [entry.Source, entry.DetailType, entry.Detail, ...(entry.Resources ?? [])].reduce(
    (sum, text) => sum + Buffer.byteLength(text ?? '', 'utf8'),
    0,
  );

function batchesOf(entries: readonly PutEventsRequestEntry[]): PutEventsRequestEntry[][] {
  const batches: PutEventsRequestEntry[][] = [];
  let batch: PutEventsRequestEntry[] = [];
  let bytes = 0;
  for (const entry of entries) {
    const size = sizeOf(entry);
    if (batch.length === MAX_ENTRIES || (batch.length > 0 && bytes + size >= MAX_REQUEST_BYTES)) {
      batches.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push(entry);
    bytes += size;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}

export class EventBridgePublisher implements EventPublisher {
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly events: EventBridgeClient,
    private readonly busName: string,
    options: PublisherOptions = {},
  ) {
    this.maxAttempts = options.maxAttempts ?? 3;
    this.baseDelayMs = options.baseDelayMs ?? 100;
    this.sleep = options.sleep ?? defaultSleep;
  }

  async publish(events: readonly LifecycleEvent[]): Promise<void> {
    const entries = events.map((event) => ({
      EventBusName: this.busName,
      Source: EVENT_SOURCE,
      DetailType: event.detailType,
      Detail: JSON.stringify(event.detail),
    }));
    const tooLarge = entries.find((entry) => sizeOf(entry) >= MAX_REQUEST_BYTES);
    if (tooLarge) {
      throw new AwsCallError(`event ${tooLarge.DetailType} exceeds PutEvents' 256 KiB`, 'EntryTooLarge');
    }
    const failures: Failure[] = [];
    for (const batch of batchesOf(entries)) failures.push(...(await this.sendWithRetries(batch)));
    if (failures.length > 0) {
      const list = failures.map((f) => `${f.entry.DetailType}: ${f.code} ${f.message}`).join('; ');
      throw new AwsCallError(
        `PutEvents on ${this.busName}: ${failures.length} of ${entries.length} event(s) failed: ${list}`,
        failures[0]?.code,
      );
    }
  }

  /** Resends only the entries that failed (and can succeed), with exponential backoff and jitter. */
  private async sendWithRetries(batch: readonly PutEventsRequestEntry[]): Promise<Failure[]> {
    const final: Failure[] = [];
    let pending = batch;
    for (let attempt = 1; pending.length > 0; attempt++) {
      const failures = await this.send(pending);
      final.push(...failures.filter((f) => PERMANENT.has(f.code)));
      const retryable = failures.filter((f) => !PERMANENT.has(f.code));
      if (attempt >= this.maxAttempts) return [...final, ...retryable];
      pending = retryable.map((f) => f.entry);
      const ceiling = this.baseDelayMs * 2 ** (attempt - 1);
      if (pending.length > 0) await this.sleep(ceiling / 2 + Math.random() * (ceiling / 2));
    }
    return final;
  }

  private async send(entries: readonly PutEventsRequestEntry[]): Promise<Failure[]> {
    const out = await translated(`PutEvents on ${this.busName}`, () =>
      this.events.send(new PutEventsCommand({ Entries: [...entries] })),
    );
    if (!out.FailedEntryCount) return [];
    // Results are positional: the i-th result belongs to the i-th entry of the request.
    return entries.flatMap((entry, i) => {
      const result = out.Entries?.[i];
      if (result?.EventId && !result.ErrorCode) return [];
      const code = result?.ErrorCode ?? 'Unknown';
      return [{ entry, code, message: result?.ErrorMessage ?? 'no result for this entry' }];
    });
  }
}
