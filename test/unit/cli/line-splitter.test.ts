import { Readable } from 'node:stream';
import fc from 'fast-check';
import { forEachLine, splitLines } from '../../../lambda/cli/line-splitter';

async function split(chunks: (Buffer | string)[]): Promise<[string | null, number][]> {
  const lines: [string | null, number][] = [];
  await forEachLine(
    Readable.from(chunks),
    (line, n) => lines.push([line, n]),
    async () => undefined,
  );
  return lines;
}

describe('forEachLine', () => {
  it('numbers lines across chunk boundaries and keeps a last line without newline', async () => {
    const lines = await split(['ab', 'c\nde', 'f\n\ngh']);

    expect(lines).toEqual([
      ['abc', 1],
      ['def', 2],
      ['', 3],
      ['gh', 4],
    ]);
  });

  it('drops the carriage return of CRLF line ends', async () => {
    expect(await split(['a\r\nb\r', '\n'])).toEqual([
      ['a', 1],
      ['b', 2],
    ]);
  });

  it('never breaks a UTF-8 character split across chunks', async () => {
    const bytes = Buffer.from('é€𝄞\nok\n');

    const lines = await split([bytes.subarray(0, 1), bytes.subarray(1, 4), bytes.subarray(4)]);

    expect(lines.map(([l]) => l)).toEqual(['é€𝄞', 'ok']);
  });

  it('awaits afterChunk once per chunk', async () => {
    let calls = 0;

    await forEachLine(
      Readable.from(['a\n', 'b\n', 'c']),
      () => undefined,
      async () => {
        calls += 1;
      },
    );

    expect(calls).toBe(3);
  });

  it('reports a line over 8 MiB as null, without keeping it, and goes on', async () => {
    const big = 'x'.repeat(3 << 20);

    const lines = await split(['a\n', big, big, big, 'tail\nb\n']);

    expect(lines).toEqual([
      ['a', 1],
      [null, 2],
      ['b', 3],
    ]);
  });

  it('reports a last line over 8 MiB without a newline as null too', async () => {
    const big = 'x'.repeat(5 << 20);

    expect(await split(['a\n', big, big])).toEqual([
      ['a', 1],
      [null, 2],
    ]);
  });

  it('gives the same lines as split("\\n") however the bytes are chunked', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: 'grapheme', maxLength: 200 }),
        fc.array(fc.nat(50)),
        async (text, cuts) => {
          const bytes = Buffer.from(text);
          const bounds = [...new Set([0, ...cuts.map((c) => c % (bytes.length + 1)), bytes.length])].sort(
            (a, b) => a - b,
          );
          const chunks = bounds.slice(1).map((end, i) => bytes.subarray(bounds[i], end));
          const expected = text.split('\n').map((l) => l.replace(/\r$/, ''));
          if (text.endsWith('\n') || text === '') expected.pop();

          const lines = await split(chunks);

          expect(lines.map(([l]) => l)).toEqual(expected);
        },
      ),
    );
  });
});

describe('splitLines: the one line splitter of the CLI', () => {
  it('gives each LF-terminated line without its CR, and where the unterminated tail starts', () => {
    const bytes = Buffer.from('a\r\nbb\n\ntail');
    const lines: [string, string][] = [];

    const tail = splitLines(bytes, 0, (start, stop, end) => {
      lines.push([bytes.toString('utf8', start, stop), bytes.toString('utf8', start, end)]);
      return undefined;
    });

    expect(lines).toEqual([
      ['a', 'a\r'],
      ['bb', 'bb'],
      ['', ''],
    ]);
    expect(bytes.toString('utf8', tail)).toBe('tail');
  });

  it('stops where the callback says so', () => {
    const seen: number[] = [];

    const next = splitLines(Buffer.from('1\n2\n3\n'), 0, (start) => {
      seen.push(start);
      return seen.length < 2 ? undefined : false;
    });

    expect([seen, next]).toEqual([[0, 2], 4]);
  });
});
