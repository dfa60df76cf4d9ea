import type { Readable, Writable } from 'node:stream';
import type { DecideContext } from '../core/decide';
import { messageOf } from '../core/errors';
import { fileRanges } from './file-range';
import { lineBlocks, type Peeked, peekInput, startsWithJsonObjectLine } from './input-blocks';
import { InputValues } from './input-values';
import { forEachLine } from './line-splitter';
import { LineWriter } from './line-writer';
import { type BlockReport, planInParallel } from './parallel-plan';
import { planValue } from './plan-lines';
import type { BlockJob } from './plan-worker';
import { RunReport } from './run-report';
import { openSources, type Source } from './sources';
import { EXIT_FAILURE, EXIT_OK, usageError } from './usage-error';
import { PlanWorkerPool } from './worker-pool';

export interface CliIo {
  readonly stdin: Readable;
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly env: NodeJS.ProcessEnv;
  readonly nowMs: () => number;
  /** The bundled CLI file, which worker threads run; null where there is none (tests via tsx). */
  readonly workerScript: string | null;
}

export interface PlanOptions {
  readonly ctx: DecideContext;
  readonly workers: number;
  /** Record statuses that make the run exit 1 (`--fail-on`), besides failure and unreachable. */
  readonly failOn?: ReadonlySet<string>;
}

/** Below this much input, starting worker threads costs more than it saves. */
const PARALLEL_MIN_BYTES = 4 << 20;
/** One worker job: big enough to amortise a message, small enough to spread the work evenly. */
const RANGE_BYTES = 1 << 20;

/** `sg-revoke plan`: every finding of every input → one remediation_plan record, in input order. */
export async function runPlan(files: readonly string[], options: PlanOptions, io: CliIo): Promise<number> {
  const sources = await openSources(files, io.stdin);
  if (!sources.ok) return usageError(io.stderr, sources.error);
  const writer = new LineWriter(io.stdout);
  const report = new RunReport(io, options.failOn);
  const script = options.workers > 0 ? io.workerScript : null;
  let pool: PlanWorkerPool | null = null;
  let current = '';
  try {
    for (const source of sources.value) {
      current = source.name;
      // Workers take ~50 ms to start: for a large file, let them boot while the head is read.
      if (script && (source.file?.size ?? 0) > PARALLEL_MIN_BYTES) {
        pool ??= new PlanWorkerPool(script, options.workers, options.ctx);
      }
      const peeked = await peekInput(source.chunks, PARALLEL_MIN_BYTES);
      if (!peeked.ended && script && startsWithJsonObjectLine(peeked.head)) {
        pool ??= new PlanWorkerPool(script, options.workers, options.ctx);
        await planInParallel(jobsOf(source, peeked), pool, writer, blockReport(report, source.name));
      } else {
        await planSequentially({ ...source, chunks: peeked.all }, options.ctx, io, writer, report);
      }
    }
  } catch (error) {
    if (!isReadError(error)) throw error;
    await writer.flush();
    return usageError(io.stderr, `cannot read ${current}: ${messageOf(error)}`);
  } finally {
    await pool?.close();
  }
  await writer.flush();
  report.summarize();
  return report.failed() ? EXIT_FAILURE : EXIT_OK;
}

const blockReport = (report: RunReport, file: string): BlockReport => ({
  malformed: (m) => report.malformed({ file, ...m }),
  wrongSource: (w) => report.wrongSource({ file, line: w.line }, w.reason),
  count: (status, n) => report.count(status, n),
});

/** A regular file is read by the workers themselves, range by range; a stream is handed over. */
async function* jobsOf(source: Source, peeked: Peeked): AsyncGenerator<BlockJob> {
  if (source.file === null) {
    yield* lineBlocks(peeked.all);
    return;
  }
  await peeked.close();
  for (const range of fileRanges(source.file.size, RANGE_BYTES)) {
    yield { kind: 'range', path: source.file.path, ...range };
  }
}

async function planSequentially(
  source: Source,
  ctx: DecideContext,
  io: CliIo,
  writer: LineWriter,
  report: RunReport,
): Promise<void> {
  const values = new InputValues((event) => {
    if (event.kind === 'malformed') return report.malformed({ file: source.name, ...event });
    const planned = planValue(event.value, ctx, io.nowMs());
    writer.push(planned.json);
    report.record(planned.status, { file: source.name, line: event.line }, planned.detail);
  });
  await forEachLine(
    source.chunks,
    (text, line) => values.line(text, line),
    () => writer.flushIfFull(),
  );
  values.end();
  await writer.flushIfFull();
}

/** Errors of the file system (EISDIR, EIO …) carry a code; anything else is a bug, not a usage error. */
const isReadError = (error: unknown): boolean =>
  typeof (error as NodeJS.ErrnoException | null)?.code === 'string';
