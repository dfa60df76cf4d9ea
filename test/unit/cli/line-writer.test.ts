import { Writable } from 'node:stream';
import { LineWriter } from '../../../lambda/cli/line-writer';

/** A slow consumer: every write reports a full buffer until it drains on the next tick. */
function slowSink() {
  const writes: string[] = [];
  const sink = new Writable({
    highWaterMark: 1,
    write(chunk: Buffer, _encoding, done) {
      writes.push(chunk.toString());
      setImmediate(done);
    },
  });
  return { sink, writes };
}

describe('LineWriter', () => {
  it('batches lines and writes only when a batch is full', async () => {
    const { sink, writes } = slowSink();
    const writer = new LineWriter(sink, 10);

    writer.push('aaaa');
    await writer.flushIfFull();
    writer.push('bbbbbb');
    await writer.flushIfFull();
    writer.push('c');
    await writer.flush();

    expect(writes).toEqual(['aaaa\nbbbbbb\n', 'c\n']);
  });

  it('waits for drain when the consumer is behind', async () => {
    const { sink, writes } = slowSink();
    const writer = new LineWriter(sink, 1);
    let drained = false;
    sink.on('drain', () => {
      drained = true;
    });

    writer.push('x');
    await writer.flushIfFull();

    expect([writes, drained]).toEqual([['x\n'], true]);
  });

  it('writes nothing when there is nothing to flush', async () => {
    const { sink, writes } = slowSink();

    await new LineWriter(sink).flush();

    expect(writes).toEqual([]);
  });
});
