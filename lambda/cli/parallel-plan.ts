import type { LineWriter } from './line-writer';
import type { Malformed } from './plan-lines';
import type { BlockJob, BlockResult } from './plan-worker';
import type { PlanWorkerPool } from './worker-pool';

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
  onMalformed: (malformed: Malformed) => void,
): Promise<boolean> {
  const window: Promise<BlockResult>[] = [];
  let failed = false;
  let linesBefore = 0;
  const drainOne = async () => {
    const result = await window.shift()!;
    for (const m of result.malformed) onMalformed({ line: linesBefore + m.line, message: m.message });
    linesBefore += result.lines;
    if (result.failed) failed = true;
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
  return failed;
}
