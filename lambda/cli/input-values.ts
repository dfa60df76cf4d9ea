import { OVERLONG_MESSAGE } from './line-limit';

/** What the reader found on one line (or in one whole document). */
export type InputEvent =
  | { readonly kind: 'value'; readonly value: unknown; readonly line: number }
  | { readonly kind: 'malformed'; readonly line: number; readonly message: string };

type Mode = 'start' | 'jsonl' | 'array-document' | 'object-document';

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * JSONL is decoded line by line, as it streams. A document (first non-blank character `[`, or a
 * first line `{…` that is not JSON on its own, i.e. a pretty-printed object) is buffered and
 * parsed whole; if it is not one valid document after all, its lines are replayed as JSONL.
 */
export class InputValues {
  private mode: Mode = 'start';
  private buffered: { text: string; line: number }[] = [];

  constructor(private readonly emit: (event: InputEvent) => void) {}

  line(text: string | null, line: number): void {
    if (text === null) {
      this.emit({ kind: 'malformed', line, message: OVERLONG_MESSAGE });
      if (this.mode === 'start') this.mode = 'jsonl';
      return;
    }
    if (this.mode === 'jsonl') {
      this.jsonLine(text, line);
      return;
    }
    if (this.mode !== 'start') {
      this.bufferLine(text, line);
      return;
    }
    const trimmed = line === 1 ? text.replace(/^\uFEFF/, '').trimStart() : text.trimStart();
    if (trimmed === '') return;
    if (trimmed.startsWith('[')) {
      this.mode = 'array-document';
      this.buffered.push({ text: trimmed, line });
      return;
    }
    if (trimmed.startsWith('{') && !isJson(trimmed)) {
      this.mode = 'object-document';
      this.buffered.push({ text: trimmed, line });
      return;
    }
    this.mode = 'jsonl';
    this.jsonLine(trimmed, line);
  }

  end(): void {
    if (this.buffered.length === 0) return;
    const lines = this.buffered;
    this.buffered = [];
    let document: unknown;
    try {
      document = JSON.parse(lines.map((l) => l.text).join('\n'));
    } catch {
      for (const l of lines) this.jsonLine(l.text, l.line);
      return;
    }
    const line = lines[0]?.line ?? 1;
    if (this.mode === 'array-document' && Array.isArray(document)) {
      for (const value of document) this.emit({ kind: 'value', value, line });
    } else {
      this.emit({ kind: 'value', value: document, line });
    }
  }

  private bufferLine(text: string, line: number): void {
    // A pretty-printed object never has a whole JSON object on a line at column 0: that is JSONL.
    if (this.mode === 'object-document' && text.startsWith('{') && isJson(text)) {
      const lines = this.buffered;
      this.buffered = [];
      this.mode = 'jsonl';
      for (const l of lines) this.jsonLine(l.text, l.line);
      this.jsonLine(text, line);
      return;
    }
    this.buffered.push({ text, line });
  }

  private jsonLine(text: string, line: number): void {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      if (text.trim() !== '') this.emit({ kind: 'malformed', line, message: errorText(error) });
      return;
    }
    this.emit({ kind: 'value', value, line });
  }
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
