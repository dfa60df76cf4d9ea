import { Readable } from 'node:stream';
import { lineBlocks, peekInput, startsWithJsonObjectLine } from '../../../lambda/cli/input-blocks';

async function collect(chunks: (Buffer | string)[]): Promise<{ text: string; own: boolean }[]> {
  const out: { text: string; own: boolean }[] = [];
  for await (const job of lineBlocks(Readable.from(chunks))) {
    if (job.kind === 'overlong') {
      out.push({ text: '<overlong>', own: true });
      continue;
    }
    if (job.kind !== 'bytes') throw new Error('a stream is handed over as bytes');
    const { bytes } = job;
    const own = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
    out.push({ text: Buffer.from(bytes).toString(), own });
  }
  return out;
}

describe('lineBlocks', () => {
  it('cuts blocks on line boundaries', async () => {
    const blocks = await collect(['l1\nl2', '-end\nl3\n', 'l4\nl5']);

    expect(blocks.map((b) => b.text)).toEqual(['l1\n', 'l2-end\nl3\n', 'l4\n', 'l5']);
  });

  it('keeps a line longer than a chunk whole', async () => {
    const blocks = await collect(['{"a":', '"b"', '}\n']);

    expect(blocks.map((b) => b.text)).toEqual(['{"a":"b"}\n']);
  });

  it('gives every block an ArrayBuffer of its own, safe to transfer', async () => {
    const blocks = await collect(['a\nb', 'c\n', 'tail']);

    expect(blocks.map((b) => b.own)).toEqual([true, true, true]);
  });
});

describe('lineBlocks: the line length limit', () => {
  it('turns a line over 8 MiB into an overlong job and goes on', async () => {
    const big = 'x'.repeat(3 << 20);

    const blocks = await collect(['a\nb', big, big, big, 'c\nd\n', 'e']);

    expect(blocks.map((b) => b.text)).toEqual(['a\n', '<overlong>', 'd\n', 'e']);
  });

  it('reports an overlong last line without newline', async () => {
    const big = 'x'.repeat(5 << 20);

    expect((await collect(['a\n', big, big])).map((b) => b.text)).toEqual(['a\n', '<overlong>']);
  });
});

describe('peekInput', () => {
  it('reads up to the limit and replays everything afterwards', async () => {
    const peeked = await peekInput(
      Readable.from([Buffer.from('ab'), Buffer.from('cd'), Buffer.from('ef')]),
      3,
    );
    const replay: string[] = [];
    for await (const chunk of peeked.all) replay.push(chunk.toString());

    expect([peeked.head.toString(), peeked.ended]).toEqual(['abcd', false]);
    expect(replay.join('')).toBe('abcdef');
  });

  it('stops reading the rest when closed', async () => {
    const source = Readable.from([Buffer.from('ab'), Buffer.from('cd'), Buffer.from('ef')]);
    const peeked = await peekInput(source, 1);

    await peeked.close();

    expect(source.destroyed).toBe(true);
  });

  it('knows when the whole input fitted, and drops a byte order mark', async () => {
    const peeked = await peekInput(Readable.from([Buffer.from('\uFEFF{"a":1}\n')]), 1024);

    expect([peeked.head.toString(), peeked.ended]).toEqual(['{"a":1}\n', true]);
  });
});

describe('startsWithJsonObjectLine', () => {
  it.each([
    ['{"a":1}\n{"b"', true],
    ['\n  \n {"a":1}\n', true],
    ['{\n  "a": 1\n}\n', false],
    ['[{"a":1}]\n', false],
    ['"text"\n', false],
    ['{"a":1}', false],
  ])('%j → %s', (head, expected) => {
    expect(startsWithJsonObjectLine(Buffer.from(head))).toBe(expected);
  });
});
