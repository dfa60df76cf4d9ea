/**
 * A finding is a few KB. A longer JSONL line is refused (logged as malformed and skipped) by
 * every input path alike, so that no single line, however hostile, is ever held in memory whole.
 */
export const MAX_LINE_BYTES = 8 << 20;
export const OVERLONG_MESSAGE = `line is longer than ${MAX_LINE_BYTES >> 20} MiB`;
