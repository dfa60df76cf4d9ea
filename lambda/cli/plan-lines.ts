import type { DecideContext } from '../core/decide';
import { dryRunRecord } from '../core/dry-run';

export interface Malformed {
  readonly line: number;
  readonly message: string;
}

/** A finding of another producer, named on stderr (the original's `wrong_source_skill`). */
export interface WrongSource {
  readonly line: number;
  readonly reason: string;
}

/** Where a batch's record lines go: an array, or a worker's output buffer. */
export interface RecordSink {
  push(json: string): void;
}

/** The records and problems of a run of lines, in input order (one batch, or a whole input). */
export interface PlanBatch {
  readonly records: RecordSink;
  readonly malformed: Malformed[];
  readonly wrongSource: WrongSource[];
  /** Records written, by status (the run summary and the exit code are made from these). */
  readonly statuses: Record<string, number>;
}

export const newBatch = (records: RecordSink): PlanBatch => ({
  records,
  malformed: [],
  wrongSource: [],
  statuses: {},
});

/** One input value → its §6 record as a JSON line, with its status and detail. */
export function planValue(
  value: unknown,
  ctx: DecideContext,
  nowMs: number,
): { json: string; status: string; detail: string } {
  const record = dryRunRecord(value, ctx, nowMs);
  return { json: JSON.stringify(record), status: record.status, detail: record.status_detail ?? '' };
}

/** One value of a batch: its record line, counted, and a wrong source noted with its line. */
export function planBatchValue(
  value: unknown,
  line: number,
  ctx: DecideContext,
  nowMs: number,
  batch: PlanBatch,
) {
  const { json, status, detail } = planValue(value, ctx, nowMs);
  batch.records.push(json);
  batch.statuses[status] = (batch.statuses[status] ?? 0) + 1;
  if (status === 'skipped_wrong_source') batch.wrongSource.push({ line, reason: detail });
}

/** One JSONL line: a record, a malformed-line report, or nothing for a blank line. */
export function planJsonLine(
  text: string,
  line: number,
  ctx: DecideContext,
  nowMs: number,
  batch: PlanBatch,
): void {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    if (text.trim() !== '') {
      batch.malformed.push({ line, message: error instanceof Error ? error.message : String(error) });
    }
    return;
  }
  planBatchValue(value, line, ctx, nowMs, batch);
}
