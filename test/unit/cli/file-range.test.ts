import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { fileRanges, readLineRange } from '../../../lambda/cli/file-range';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sg-revoke-range-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function linesByRange(text: string, size: number): string[] {
  const file = join(dir, 'lines.txt');
  writeFileSync(file, text);
  const fd = openSync(file, 'r');
  try {
    const length = Buffer.byteLength(text);
    return [...fileRanges(length, size)].map((r) => readLineRange(fd, r.start, r.end).bytes.toString());
  } finally {
    closeSync(fd);
  }
}

describe('readLineRange over fileRanges', () => {
  it('gives each range the lines that start in it, whole', () => {
    expect(linesByRange('aaa\nbb\ncccccc\nd', 5)).toEqual(['aaa\nbb\n', 'cccccc\n', 'd']);
  });

  it('gives a range that starts on a line boundary its first line', () => {
    expect(linesByRange('abcd\nefgh\n', 5)).toEqual(['abcd\n', 'efgh\n']);
  });

  it('leaves a byte order mark at the start of the file out of the first line', () => {
    expect(linesByRange('\uFEFFab\ncd\n', 4)).toEqual(['ab\n', 'cd\n', '']);
  });

  it('finishes a last line far longer than the range', () => {
    const long = 'x'.repeat(200_000);

    expect(linesByRange(`a\n${long}\nb\n`, 4)[0]).toBe(`a\n${long}\n`);
  });

  it('tiles any file: the ranges put together are the file, each line exactly once', () => {
    const line = fc.string({ unit: 'grapheme', maxLength: 30 }).map((s) => s.replace(/\n/g, ''));
    fc.assert(
      fc.property(
        fc.array(line, { maxLength: 30 }),
        fc.boolean(),
        fc.integer({ min: 1, max: 64 }),
        (lines, end, size) => {
          const text = lines.join('\n') + (end && lines.length > 0 ? '\n' : '');

          expect(linesByRange(text, size).join('')).toBe(text);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('readLineRange: the line length limit', () => {
  it('leaves out a last line over 8 MiB, and the next ranges skip it', () => {
    const file = join(dir, 'overlong.txt');
    writeFileSync(file, `first\n${'x'.repeat(9 << 20)}\nafter\n`);
    const fd = openSync(file, 'r');
    try {
      const ranges = [...fileRanges(6 + (9 << 20) + 1 + 6, 1 << 20)].map((r) =>
        readLineRange(fd, r.start, r.end),
      );

      expect(ranges[0]).toEqual({ bytes: Buffer.from('first\n'), overlongLast: true });
      expect(ranges.slice(1, -1).every((r) => r.bytes.length === 0 && !r.overlongLast)).toBe(true);
      expect(ranges.at(-1)).toEqual({ bytes: Buffer.from('after\n'), overlongLast: false });
    } finally {
      closeSync(fd);
    }
  });
});
