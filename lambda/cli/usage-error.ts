import type { Writable } from 'node:stream';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** Usage errors are for a person at a terminal: plain text, then exit 2 (DESIGN §6). */
export function usageError(stderr: Writable, message: string): number {
  stderr.write(`sg-revoke: ${message}\nRun \`sg-revoke --help\` for usage.\n`);
  return EXIT_USAGE;
}
