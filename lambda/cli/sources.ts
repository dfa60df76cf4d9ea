import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { messageOf } from '../core/errors';
import { err, ok, type Result } from '../core/result';

export interface Source {
  readonly name: string;
  readonly chunks: AsyncIterable<Buffer | string>;
  /** A regular file's path and size: worker threads can then read ranges of it themselves. */
  readonly file: { readonly path: string; readonly size: number } | null;
}

/** Large reads: fewer, bigger chunks are what makes the line splitter fast. */
const READ_CHUNK_BYTES = 1 << 20;

/**
 * Opens every input before any record is written, so an unreadable file is a usage error with
 * no partial output, not a failure halfway through.
 */
export async function openSources(
  files: readonly string[],
  stdin: Readable,
): Promise<Result<Source[], string>> {
  const sources: Source[] = [];
  for (const file of files) {
    if (file === '-') {
      sources.push({ name: '<stdin>', chunks: stdin, file: null });
      continue;
    }
    try {
      const handle = await open(file, 'r');
      const stat = await handle.stat();
      if (stat.isDirectory()) {
        await handle.close();
        return err(`cannot read ${file}: it is a directory`);
      }
      const chunks = handle.createReadStream({ highWaterMark: READ_CHUNK_BYTES });
      sources.push({ name: file, chunks, file: stat.isFile() ? { path: file, size: stat.size } : null });
    } catch (error) {
      return err(`cannot read ${file}: ${messageOf(error)}`);
    }
  }
  return ok(sources);
}
