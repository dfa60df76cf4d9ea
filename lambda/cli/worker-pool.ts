import { Worker } from 'node:worker_threads';
import type { DecideContext } from '../core/decide';
import {
  type BlockJob,
  type BlockResult,
  PLAN_WORKER_ROLE,
  type PlanWorkerData,
  type WorkerMessage,
} from './plan-worker';

interface Slot {
  readonly worker: Worker;
  inFlight: number;
}

type Waiter = { resolve: (r: BlockResult) => void; reject: (e: unknown) => void };

/**
 * V8 otherwise lets an idle-looking worker heap grow for as long as the input lasts. With these
 * caps the peak RSS stays flat whatever the input size, for a few percent of throughput. A worker
 * holds one block and one line at a time (lines are capped at MAX_LINE_BYTES), far below them.
 */
const RESOURCE_LIMITS = { maxYoungGenerationSizeMb: 16, maxOldGenerationSizeMb: 96 };

/** Worker threads that plan blocks of JSONL lines; results come back by sequence number. */
export class PlanWorkerPool {
  private readonly slots: Slot[];
  private readonly waiters = new Map<number, Waiter>();
  private readonly slotOf = new Map<number, Slot>();
  private seq = 0;
  private closed = false;

  constructor(script: string, size: number, ctx: DecideContext) {
    const { sha256Hex: _native, ...cloneable } = ctx;
    const workerData: PlanWorkerData = { role: PLAN_WORKER_ROLE, ctx: cloneable };
    this.slots = Array.from({ length: size }, () => {
      const worker = new Worker(script, { workerData, resourceLimits: RESOURCE_LIMITS });
      const slot: Slot = { worker, inFlight: 0 };
      worker.on('message', (result: BlockResult) => {
        slot.inFlight -= 1;
        this.slotOf.set(result.seq, slot);
        this.waiters.get(result.seq)?.resolve(result);
        this.waiters.delete(result.seq);
      });
      worker.on('error', (error) => this.failAll(error));
      worker.on('exit', (code) => {
        if (code !== 0) this.failAll(new Error(`plan worker exited with code ${code}`));
      });
      return slot;
    });
  }

  get size(): number {
    return this.slots.length;
  }

  /** A `bytes` job's buffer is transferred, not copied: the caller must not touch it afterwards. */
  submit(job: BlockJob): Promise<BlockResult> {
    const slot = this.slots.reduce((a, b) => (b.inFlight < a.inFlight ? b : a));
    const seq = this.seq++;
    return new Promise((resolve, reject) => {
      this.waiters.set(seq, { resolve, reject });
      slot.inFlight += 1;
      const transfer = job.kind === 'bytes' ? [job.bytes.buffer as ArrayBuffer] : [];
      const message: WorkerMessage = { seq, job };
      slot.worker.postMessage(message, transfer);
    });
  }

  /** Hands a written result's output buffer back to the worker that made it, for reuse. */
  recycle(result: BlockResult): void {
    const slot = this.slotOf.get(result.seq);
    this.slotOf.delete(result.seq);
    const buffer = result.output.buffer as ArrayBuffer;
    if (!slot || this.closed || buffer.byteLength === 0) return;
    const message: WorkerMessage = { recycle: buffer };
    slot.worker.postMessage(message, [buffer]);
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map((slot) => slot.worker.terminate()));
  }

  private failAll(error: unknown): void {
    for (const waiter of this.waiters.values()) waiter.reject(error);
    this.waiters.clear();
  }
}
