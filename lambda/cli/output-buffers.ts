const encoder = new TextEncoder();
const NEWLINE = 10;
const DEFAULT_BYTES = 1 << 20;

/**
 * Output buffers come back from the main thread once written and are reused: allocating a fresh
 * one per block would leave the (mostly idle) main thread holding garbage it rarely collects.
 */
export class OutputBuffers {
  private readonly spare: ArrayBuffer[] = [];

  give(buffer: ArrayBuffer): void {
    if (this.spare.length < 4) this.spare.push(buffer);
  }

  take(bytes: number): ArrayBuffer {
    const index = this.spare.findIndex((b) => b.byteLength >= bytes);
    return index === -1 ? new ArrayBuffer(Math.max(bytes, DEFAULT_BYTES)) : this.spare.splice(index, 1)[0]!;
  }
}

/**
 * Encodes each record into the block's output buffer as soon as it is made, so record strings die
 * young instead of surviving (and being copied by) every collection until the block ends.
 */
export class OutputWriter {
  private bytes: Uint8Array;
  private length = 0;

  constructor(private readonly buffers: OutputBuffers) {
    this.bytes = new Uint8Array(buffers.take(DEFAULT_BYTES));
  }

  push(json: string): void {
    const needed = this.length + json.length * 3 + 1;
    if (needed > this.bytes.length) {
      const grown = new Uint8Array(this.buffers.take(needed * 2));
      grown.set(this.bytes.subarray(0, this.length));
      this.buffers.give(this.bytes.buffer as ArrayBuffer);
      this.bytes = grown;
    }
    this.length += encoder.encodeInto(json, this.bytes.subarray(this.length)).written;
    this.bytes[this.length++] = NEWLINE;
  }

  /** The JSON lines written, over a buffer of their own (offset 0), ready to transfer. */
  finish(): Uint8Array {
    return this.bytes.subarray(0, this.length);
  }
}
