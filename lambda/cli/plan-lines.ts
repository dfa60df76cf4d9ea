import type { DecideContext } from '../core/decide';
import { dryRunRecord } from '../core/dry-run';

export interface Malformed {
  readonly line: number;
  readonly message: string;
}

/** Where a batch's record lines go: an array, or a worker's output buffer. */
export interface RecordSink {
  push(json: string): void;
}

/** The records and problems of a run of lines, in input order (one batch, or a whole input). */
export interface PlanBatch {
  readonly records: RecordSink;
  readonly malformed: Malformed[];
  failed: boolean;
}

export const newBatch = (records: RecordSink): PlanBatch => ({ records, malformed: [], failed: false });

/** One input value → its §6 record as a JSON line, and whether it counts as a failure (exit 1). */
export function planValue(
  value: unknown,
  ctx: DecideContext,
  nowMs: number,
): { json: string; failed: boolean } {
  const record = dryRunRecord(value, ctx, nowMs);
  const failed = record.status === 'failure' || record.status === 'unreachable';
  return { json: JSON.stringify(record), failed };
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
  const { json, failed } = planValue(value, ctx, nowMs);
  batch.records.push(json);
  if (failed) batch.failed = true;
}
