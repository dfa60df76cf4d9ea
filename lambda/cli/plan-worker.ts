import { isAscii } from 'node:buffer';
import { closeSync, openSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import type { DecideContext } from '../core/decide';
import { type LineRange, readLineRange } from './file-range';
import { MAX_LINE_BYTES, OVERLONG_MESSAGE } from './line-limit';
import { splitLines, stopOf } from './line-splitter';
import { nativeSha256Hex } from './native-hash';
import { OutputBuffers, OutputWriter } from './output-buffers';
import { type Malformed, newBatch, planJsonLine, type WrongSource } from './plan-lines';

export const PLAN_WORKER_ROLE = 'sg-revoke-plan-worker';

export interface PlanWorkerData {
  readonly role: typeof PLAN_WORKER_ROLE;
  readonly ctx: DecideContext;
}

/** Whole JSONL lines, either handed over (stdin) or read by the worker from a file range. */
export type BlockJob =
  | { readonly kind: 'bytes'; readonly bytes: Uint8Array }
  | { readonly kind: 'overlong' }
  | { readonly kind: 'range'; readonly path: string; readonly start: number; readonly end: number };

export interface BlockResult {
  readonly seq: number;
  /** The records, as UTF-8 JSON lines in a buffer of its own (transferred back, not copied). */
  readonly output: Uint8Array;
  /** How many lines the block had: the caller numbers the next block's lines from it. */
  readonly lines: number;
  /** Malformed lines, numbered from 1 within the block. */
  readonly malformed: readonly Malformed[];
  /** Findings of another producer, numbered from 1 within the block. */
  readonly wrongSource: readonly WrongSource[];
  /** Records written, by status. */
  readonly statuses: Readonly<Record<string, number>>;
}

export const isPlanWorker = (): boolean =>
  parentPort !== null && (workerData as Partial<PlanWorkerData> | null)?.role === PLAN_WORKER_ROLE;

/** Plans every line of a block of whole JSONL lines. */
export function planBlock(
  seq: number,
  block: Buffer,
  ctx: DecideContext,
  nowMs: () => number,
  buffers = new OutputBuffers(),
): BlockResult {
  const output = new OutputWriter(buffers);
  const batch = newBatch(output);
  // Decoding ASCII as latin1 gives the same string and skips UTF-8 validation (most blocks).
  const encoding = isAscii(block) ? 'latin1' : 'utf8';
  let line = 0;
  const planLine = (start: number, stop: number) => {
    line += 1;
    if (stop - start > MAX_LINE_BYTES) batch.malformed.push({ line, message: OVERLONG_MESSAGE });
    else planJsonLine(block.toString(encoding, start, stop), line, ctx, nowMs(), batch);
    return undefined;
  };
  const tail = splitLines(block, 0, planLine);
  if (tail < block.length) planLine(tail, stopOf(block, tail, block.length));
  return {
    seq,
    output: output.finish(),
    lines: line,
    malformed: batch.malformed,
    wrongSource: batch.wrongSource,
    statuses: batch.statuses,
  };
}

export type WorkerMessage =
  | { readonly seq: number; readonly job: BlockJob }
  | { readonly recycle: ArrayBuffer };

function rangeOf(job: BlockJob, fdOf: (path: string) => number): LineRange {
  switch (job.kind) {
    case 'bytes':
      return {
        bytes: Buffer.from(job.bytes.buffer, job.bytes.byteOffset, job.bytes.byteLength),
        overlongLast: false,
      };
    case 'overlong':
      return { bytes: Buffer.alloc(0), overlongLast: true };
    case 'range':
      return readLineRange(fdOf(job.path), job.start, job.end);
  }
}

export function runPlanWorker(): void {
  // Functions do not cross a thread boundary: the worker adds its own native hash.
  const ctx = { ...(workerData as PlanWorkerData).ctx, sha256Hex: nativeSha256Hex };
  const port = parentPort!;
  const buffers = new OutputBuffers();
  let open: { path: string; fd: number } | null = null;
  const fdOf = (path: string) => {
    if (open?.path !== path) {
      if (open) closeSync(open.fd);
      open = { path, fd: openSync(path, 'r') };
    }
    return open.fd;
  };
  port.on('message', (message: WorkerMessage) => {
    if ('recycle' in message) {
      buffers.give(message.recycle);
      return;
    }
    const { seq, job } = message;
    const range = rangeOf(job, fdOf);
    const result = planBlock(seq, range.bytes, ctx, Date.now, buffers);
    const overlong = range.overlongLast ? [{ line: result.lines + 1, message: OVERLONG_MESSAGE }] : [];
    const final = {
      ...result,
      lines: result.lines + overlong.length,
      malformed: [...result.malformed, ...overlong],
    };
    port.postMessage(final, [final.output.buffer as ArrayBuffer]);
  });
}
