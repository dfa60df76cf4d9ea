import fc from 'fast-check';
import { type InputEvent, InputValues } from '../../../lambda/cli/input-values';

function read(text: string): InputEvent[] {
  const events: InputEvent[] = [];
  const values = new InputValues((e) => {
    events.push(e);
  });
  for (const [i, line] of text.split('\n').entries()) values.line(line, i + 1);
  values.end();
  return events;
}

const valuesOf = (events: InputEvent[]) => events.flatMap((e) => (e.kind === 'value' ? [e.value] : []));
const malformedLines = (events: InputEvent[]) =>
  events.flatMap((e) => (e.kind === 'malformed' ? [e.line] : []));

describe('InputValues', () => {
  it('reads JSONL one value per line, skipping blank lines', () => {
    const events = read('{"a":1}\n\n  \n{"a":2}\n[3]\n"x"\n');

    expect(valuesOf(events)).toEqual([{ a: 1 }, { a: 2 }, [3], 'x']);
  });

  it('reports malformed lines with their numbers and goes on', () => {
    const events = read('{"a":1}\n{"a":\nnot json\n{"a":2}');

    expect(valuesOf(events)).toEqual([{ a: 1 }, { a: 2 }]);
    expect(malformedLines(events)).toEqual([2, 3]);
  });

  it('reads a pretty-printed object as one value', () => {
    const events = read(JSON.stringify({ a: 1, b: { c: [1, 2] } }, null, 2));

    expect(valuesOf(events)).toEqual([{ a: 1, b: { c: [1, 2] } }]);
  });

  it('reads a JSON array document as its items, even on one line', () => {
    expect(valuesOf(read(JSON.stringify([{ a: 1 }, { a: 2 }], null, 2)))).toEqual([{ a: 1 }, { a: 2 }]);
    expect(valuesOf(read('  [{"a":1},{"a":2}]'))).toEqual([{ a: 1 }, { a: 2 }]);
  });

  it('ignores a byte order mark at the start', () => {
    expect(valuesOf(read('\uFEFF{"a":1}\n{"a":2}'))).toEqual([{ a: 1 }, { a: 2 }]);
  });

  it('falls back to JSONL when a first line opening an object was a broken line', () => {
    const events = read('{"a":\n{"a":2}\n{"a":3}');

    expect(valuesOf(events)).toEqual([{ a: 2 }, { a: 3 }]);
    expect(malformedLines(events)).toEqual([1]);
  });

  it('falls back to JSONL when a document never becomes valid', () => {
    const events = read('[{"a":1},\n  {"a":2}\n]]');

    expect(valuesOf(events)).toEqual([{ a: 2 }]);
    expect(malformedLines(events)).toEqual([1, 3]);
  });

  it('reports an over-long line (null from the splitter) as malformed', () => {
    const events: InputEvent[] = [];
    const values = new InputValues((e) => {
      events.push(e);
    });

    values.line(null, 1);
    values.line('{"a":1}', 2);
    values.end();

    expect(events).toEqual([
      { kind: 'malformed', line: 1, message: 'line is longer than 8 MiB' },
      { kind: 'value', value: { a: 1 }, line: 2 },
    ]);
  });

  it('never throws, and accounts for every non-blank line of random JSONL', () => {
    const line = fc.oneof(
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc.string({ maxLength: 30 }),
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 20 }), (lines) => {
        const text = lines.map((l) => l.replace(/\n/g, ' ')).join('\n');
        const events = read(text);
        expect(events.length).toBeGreaterThanOrEqual(0);
        if (!/^\s*[[{]/.test(text)) {
          const nonBlank = text.split('\n').filter((l) => l.trim() !== '').length;
          expect(events).toHaveLength(nonBlank);
        }
      }),
    );
  });
});
