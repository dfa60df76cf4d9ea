import { readSync } from 'node:fs';
import { MAX_LINE_BYTES } from './line-limit';

const NEWLINE = 10;
/** Read past the end of a range in steps of this much, to finish its last line. */
const TAIL_BYTES = 64 << 10;

function readAt(fd: number, position: number, length: number): Buffer {
  const buffer = Buffer.allocUnsafe(length);
  let filled = 0;
  while (filled < length) {
    const n = readSync(fd, buffer, filled, length - filled, position + filled);
    if (n === 0) break;
    filled += n;
  }
  return buffer.subarray(0, filled);
}

export interface LineRange {
  /** The whole lines that start in the range (a last line over the limit left out). */
  readonly bytes: Buffer;
  /** True when the range's last line is over MAX_LINE_BYTES: it was not read, only counted. */
  readonly overlongLast: boolean;
}

/**
 * The whole lines that start in [start, end) of a file: the first one is skipped when it began
 * before `start` (the previous range owns it), the last one is read to its end. Ranges that
 * tile a file thus see every line exactly once, without any thread reading the whole file.
 */
export function readLineRange(fd: number, start: number, end: number): LineRange {
  const none = { bytes: Buffer.alloc(0), overlongLast: false };
  const head = start === 0 ? 0 : start - 1;
  const bytes = readAt(fd, head, end - head + TAIL_BYTES);
  // A UTF-8 byte order mark opens the file, not its first line.
  let first = start === 0 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  if (start > 0) {
    const newline = bytes.indexOf(NEWLINE);
    if (newline === -1 || head + newline + 1 >= end) return none;
    first = newline + 1;
  }
  if (first >= bytes.length) return none;
  const stop = bytes.indexOf(NEWLINE, Math.max(first, end - 1 - head));
  if (stop !== -1) return { bytes: bytes.subarray(first, stop + 1), overlongLast: false };
  // The last line goes on past what was read: read on until its end, but never beyond the limit.
  const before = end - 2 - head;
  const lastStart = before < first ? first : Math.max(first, bytes.lastIndexOf(NEWLINE, before) + 1);
  const parts = [bytes.subarray(first)];
  let length = bytes.length;
  for (;;) {
    if (length - lastStart > MAX_LINE_BYTES) {
      return { bytes: bytes.subarray(first, lastStart), overlongLast: true };
    }
    const more = readAt(fd, head + length, TAIL_BYTES);
    const newline = more.indexOf(NEWLINE);
    parts.push(newline === -1 ? more : more.subarray(0, newline + 1));
    if (newline !== -1 || more.length === 0) return { bytes: Buffer.concat(parts), overlongLast: false };
    length += more.length;
  }
}

export interface Range {
  readonly start: number;
  readonly end: number;
}

/** [start, end) ranges of `size` bytes that tile a file. */
export function* fileRanges(fileSize: number, size: number): Generator<Range> {
  for (let start = 0; start < fileSize; start += size) yield { start, end: Math.min(start + size, fileSize) };
}
