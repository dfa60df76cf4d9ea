import { once } from 'node:events';
import type { Writable } from 'node:stream';

/** Batches output lines into large writes and waits for `drain` when the consumer is slower. */
export class LineWriter {
  private parts: string[] = [];
  private size = 0;

  constructor(
    private readonly out: Writable,
    private readonly batchChars = 1 << 16,
  ) {}

  push(line: string): void {
    this.parts.push(line);
    this.size += line.length;
  }

  /** Called between input chunks: writes only once a batch is full. */
  async flushIfFull(): Promise<void> {
    if (this.size >= this.batchChars) await this.flush();
  }

  /**
   * Bytes that are already whole output lines (a worker's block), after what is pending.
   * `written` runs once the stream is done with them: only then may the buffer be reused.
   */
  async writeBytes(bytes: Uint8Array, written: () => void = () => undefined): Promise<void> {
    await this.flush();
    if (bytes.length === 0) {
      written();
      return;
    }
    if (!this.out.write(bytes, () => written())) await once(this.out, 'drain');
  }

  async flush(): Promise<void> {
    if (this.parts.length === 0) return;
    const text = `${this.parts.join('\n')}\n`;
    this.parts = [];
    this.size = 0;
    if (!this.out.write(text)) await once(this.out, 'drain');
  }
}
