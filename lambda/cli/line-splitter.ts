import { MAX_LINE_BYTES } from './line-limit';

const NEWLINE = 10;
const CARRIAGE_RETURN = 13;

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
  const emit = (bytes: Buffer, start: number, end: number) => {
    const stop = end > start && bytes[end - 1] === CARRIAGE_RETURN ? end - 1 : end;
    lineNo += 1;
    onLine(end - start > MAX_LINE_BYTES ? null : bytes.toString('utf8', start, stop), lineNo);
  };
  const emitPartial = (tail: Buffer) => {
    if (overlong || partialBytes + tail.length > MAX_LINE_BYTES) {
      lineNo += 1;
      onLine(null, lineNo);
    } else {
      const joined = Buffer.concat([...partial, tail]);
      emit(joined, 0, joined.length);
    }
    partial = [];
    partialBytes = 0;
    overlong = false;
  };
  for await (const piece of chunks) {
    const chunk = typeof piece === 'string' ? Buffer.from(piece) : piece;
    let start = 0;
    let newline = chunk.indexOf(NEWLINE, start);
    if (newline !== -1 && (partial.length > 0 || overlong)) {
      emitPartial(chunk.subarray(0, newline));
      start = newline + 1;
      newline = chunk.indexOf(NEWLINE, start);
    }
    while (newline !== -1) {
      emit(chunk, start, newline);
      start = newline + 1;
      newline = chunk.indexOf(NEWLINE, start);
    }
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
