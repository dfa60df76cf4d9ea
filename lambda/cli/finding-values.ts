import { InputValues } from './input-values';
import { forEachLine } from './line-splitter';
import type { Source } from './sources';

export interface FindingValue {
  readonly value: unknown;
  readonly source: string;
}

export interface Malformed {
  readonly source: string;
  readonly line: number;
  readonly message: string;
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
      if (event.kind === 'value') values.push({ value: event.value, source: source.name });
      else onMalformed({ source: source.name, line: event.line, message: event.message });
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
