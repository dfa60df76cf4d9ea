import type { LineWriter } from './line-writer';
import type { Malformed, WrongSource } from './plan-lines';
import type { BlockJob, BlockResult } from './plan-worker';
import type { PlanWorkerPool } from './worker-pool';

/** Where a block's problems and counts go, with whole-input line numbers. */
export interface BlockReport {
  malformed(m: Malformed): void;
  wrongSource(w: WrongSource): void;
  count(status: string, n: number): void;
}

/** Blocks in flight per worker: enough to keep every worker busy, few enough to bound memory. */
const IN_FLIGHT_PER_WORKER = 2;

/**
 * Plans a JSONL input on worker threads. Results are written strictly in input order: the oldest
 * block is always awaited first, and no job is submitted while the window is full, so memory is
 * bounded by the window whatever the input size. Line numbers are made whole-input here, from
 * each block's line count.
 */
export async function planInParallel(
  jobs: AsyncIterable<BlockJob> | Iterable<BlockJob>,
  pool: PlanWorkerPool,
  writer: LineWriter,
  report: BlockReport,
): Promise<void> {
  const window: Promise<BlockResult>[] = [];
  let linesBefore = 0;
  const drainOne = async () => {
    const result = await window.shift()!;
    for (const m of result.malformed) report.malformed({ line: linesBefore + m.line, message: m.message });
    for (const w of result.wrongSource) report.wrongSource({ line: linesBefore + w.line, reason: w.reason });
    for (const [status, n] of Object.entries(result.statuses)) report.count(status, n);
    linesBefore += result.lines;
    await writer.writeBytes(result.output, () => pool.recycle(result));
  };
  for await (const job of jobs) {
    const result = pool.submit(job);
    // Awaited in order below; this only keeps a worker crash from being an unhandled rejection.
    result.catch(() => undefined);
    window.push(result);
    if (window.length >= pool.size * IN_FLIGHT_PER_WORKER) await drainOne();
  }
  while (window.length > 0) await drainOne();
}
