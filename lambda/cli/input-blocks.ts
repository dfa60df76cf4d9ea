import { MAX_LINE_BYTES } from './line-limit';
import { splitLines } from './line-splitter';
import type { BlockJob } from './plan-worker';

const NEWLINE = 10;

/**
 * Regroups a byte stream into blocks that end on a line boundary. Each block is copied once into
 * an ArrayBuffer of its own (never Buffer's shared pool), because it is transferred to a worker.
 * A line over MAX_LINE_BYTES is not kept: it becomes an `overlong` job.
 */
export async function* lineBlocks(chunks: AsyncIterable<Buffer | string>): AsyncGenerator<BlockJob> {
  let carry: Buffer[] = [];
  let carried = 0;
  let overlong = false;
  for await (const piece of chunks) {
    let chunk = typeof piece === 'string' ? Buffer.from(piece) : piece;
    if (overlong) {
      const newline = chunk.indexOf(NEWLINE);
      if (newline === -1) continue;
      overlong = false;
      yield { kind: 'overlong' };
      chunk = chunk.subarray(newline + 1);
    }
    const cut = chunk.lastIndexOf(NEWLINE);
    if (cut === -1) {
      carry.push(Buffer.from(chunk));
      carried += chunk.length;
      if (carried > MAX_LINE_BYTES) {
        overlong = true;
        carry = [];
        carried = 0;
      }
      continue;
    }
    const bytes = ownBuffer(carry, carried, chunk.subarray(0, cut + 1));
    carry = cut + 1 < chunk.length ? [Buffer.from(chunk.subarray(cut + 1))] : [];
    carried = chunk.length - cut - 1;
    yield { kind: 'bytes', bytes };
  }
  if (overlong) yield { kind: 'overlong' };
  else if (carried > 0) yield { kind: 'bytes', bytes: ownBuffer(carry, carried, Buffer.alloc(0)) };
}

function ownBuffer(parts: readonly Buffer[], size: number, last: Buffer): Buffer {
  const block = Buffer.from(new ArrayBuffer(size + last.length));
  let offset = 0;
  for (const part of parts) offset += part.copy(block, offset);
  last.copy(block, offset);
  return block;
}

export interface Peeked {
  /** The first bytes of the input (a UTF-8 byte order mark removed). */
  readonly head: Buffer;
  /** True when the whole input is in `head`. */
  readonly ended: boolean;
  /** The whole input again, `head` first. */
  readonly all: AsyncIterable<Buffer | string>;
  /** Stops reading (when the rest is read another way). */
  close(): Promise<void>;
}

/** Reads at least `limit` bytes (or everything) before deciding how to process the input. */
export async function peekInput(chunks: AsyncIterable<Buffer | string>, limit: number): Promise<Peeked> {
  const iterator = chunks[Symbol.asyncIterator]();
  const parts: Buffer[] = [];
  let size = 0;
  let ended = false;
  while (size < limit) {
    const next = await iterator.next();
    if (next.done) {
      ended = true;
      break;
    }
    const chunk = typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
    parts.push(chunk);
    size += chunk.length;
  }
  let head = Buffer.concat(parts);
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) head = head.subarray(3);
  async function* all(): AsyncGenerator<Buffer | string> {
    if (head.length > 0) yield head;
    if (!ended) yield* { [Symbol.asyncIterator]: () => iterator };
  }
  const close = async () => {
    if (!ended) await iterator.return?.();
  };
  return { head, ended, all: all(), close };
}

/** JSONL is recognisable from its first non-blank line: a whole JSON object on its own. */
export function startsWithJsonObjectLine(head: Buffer): boolean {
  let verdict = false;
  splitLines(head, 0, (start, stop) => {
    const text = head.toString('utf8', start, stop).trim();
    if (text === '') return undefined;
    verdict = text.startsWith('{') && isJson(text);
    return false;
  });
  return verdict;
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
