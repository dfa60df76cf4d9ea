import { MAX_LINE_BYTES } from './line-limit';

const NEWLINE = 10;
const CARRIAGE_RETURN = 13;

/** One line of a buffer: bytes [start, stop) are its text (CR of a CRLF dropped), [start, end) its raw bytes. */
export type OnLine = (start: number, stop: number, end: number) => boolean | undefined;

/**
 * The CLI's one line splitter: calls `onLine` for every LF-terminated line of `bytes` from `from`,
 * and returns where the unterminated tail begins (`bytes.length` when there is none). `onLine`
 * returning false stops the split there. The streaming reader, the worker's block planner and the
 * JSONL sniffer all cut lines with it, so CRLF and line numbering agree everywhere.
 */
export function splitLines(bytes: Buffer, from: number, onLine: OnLine): number {
  let start = from;
  let newline = bytes.indexOf(NEWLINE, start);
  while (newline !== -1) {
    const stop = newline > start && bytes[newline - 1] === CARRIAGE_RETURN ? newline - 1 : newline;
    if (onLine(start, stop, newline) === false) return newline + 1;
    start = newline + 1;
    newline = bytes.indexOf(NEWLINE, start);
  }
  return start;
}

/** The text end of a last line that has no LF: a trailing CR is dropped, as before an LF. */
export const stopOf = (bytes: Buffer, start: number, end: number): number =>
  end > start && bytes[end - 1] === CARRIAGE_RETURN ? end - 1 : end;

/**
 * Splits a byte stream into lines without holding more than one chunk plus one partial line.
 * Lines are decoded whole, so a UTF-8 character split across chunks is never broken. A line over
 * MAX_LINE_BYTES is not kept: it is reported as `null`. `afterChunk` is awaited between chunks:
 * that is where output backpressure slows the reading down.
 */
export async function forEachLine(
  chunks: AsyncIterable<Buffer | string>,
  onLine: (line: string | null, lineNo: number) => void,
  afterChunk: () => Promise<void>,
): Promise<number> {
  let partial: Buffer[] = [];
  let partialBytes = 0;
  let overlong = false;
  let lineNo = 0;
  const emit = (bytes: Buffer, start: number, stop: number, end: number) => {
    lineNo += 1;
    onLine(end - start > MAX_LINE_BYTES ? null : bytes.toString('utf8', start, stop), lineNo);
    return undefined;
  };
  const emitPartial = (tail: Buffer) => {
    if (overlong || partialBytes + tail.length > MAX_LINE_BYTES) {
      lineNo += 1;
      onLine(null, lineNo);
    } else {
      const joined = Buffer.concat([...partial, tail]);
      emit(joined, 0, stopOf(joined, 0, joined.length), joined.length);
    }
    partial = [];
    partialBytes = 0;
    overlong = false;
  };
  for await (const piece of chunks) {
    const chunk = typeof piece === 'string' ? Buffer.from(piece) : piece;
    let start = 0;
    const newline = chunk.indexOf(NEWLINE);
    if (newline !== -1 && (partial.length > 0 || overlong)) {
      emitPartial(chunk.subarray(0, newline));
      start = newline + 1;
    }
    start = splitLines(chunk, start, (from, stop, end) => emit(chunk, from, stop, end));
    if (start < chunk.length && !overlong) {
      partial.push(chunk.subarray(start));
      partialBytes += chunk.length - start;
      if (partialBytes > MAX_LINE_BYTES) {
        overlong = true;
        partial = [];
      }
    }
    await afterChunk();
  }
  if (partial.length > 0 || overlong) emitPartial(Buffer.alloc(0));
  return lineNo;
}
