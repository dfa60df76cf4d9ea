import { OutputBuffers, OutputWriter } from '../../../lambda/cli/output-buffers';

describe('OutputWriter', () => {
  it('writes each record as a line, UTF-8, over a buffer at offset 0', () => {
    const writer = new OutputWriter(new OutputBuffers());

    writer.push('{"a":1}');
    writer.push('{"b":"é"}');
    const bytes = writer.finish();

    expect(Buffer.from(bytes).toString()).toBe('{"a":1}\n{"b":"é"}\n');
    expect(bytes.byteOffset).toBe(0);
  });

  it('grows past its first buffer and keeps what was written', () => {
    const writer = new OutputWriter(new OutputBuffers());
    const record = JSON.stringify({ x: 'y'.repeat(300_000) });

    for (let i = 0; i < 5; i += 1) writer.push(record);

    expect(Buffer.from(writer.finish()).toString()).toBe(`${record}\n`.repeat(5));
  });

  it('reuses a buffer given back', () => {
    const buffers = new OutputBuffers();
    const buffer = new ArrayBuffer(2 << 20);
    buffers.give(buffer);

    expect(buffers.take(1 << 20)).toBe(buffer);
    expect(buffers.take(1 << 20)).not.toBe(buffer);
  });
});
