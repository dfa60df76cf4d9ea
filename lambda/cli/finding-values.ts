import { InputValues } from './input-values';
import { forEachLine } from './line-splitter';
import type { Malformed } from './run-report';
import type { Source } from './sources';

export interface FindingValue {
  readonly value: unknown;
  /** Where it was read: the file (or `<stdin>`) and its line (a document's first line). */
  readonly file: string;
  readonly line: number;
}

/**
 * The findings of every source, in order, for the AWS-side modes (apply, reverify, plan --live),
 * whose inputs are incident-sized: each finding costs AWS calls, so no worker pool is needed.
 */
export async function readFindingValues(
  sources: readonly Source[],
  onMalformed: (m: Malformed) => void,
): Promise<FindingValue[]> {
  const values: FindingValue[] = [];
  for (const source of sources) {
    const reader = new InputValues((event) => {
      if (event.kind === 'value') values.push({ value: event.value, file: source.name, line: event.line });
      else onMalformed({ file: source.name, line: event.line, message: event.message });
    });
    await forEachLine(
      source.chunks,
      (text, line) => reader.line(text, line),
      async () => undefined,
    );
    reader.end();
  }
  return values;
}
