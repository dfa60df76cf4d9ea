import { parseArgs } from 'node:util';

export type Command =
  | { readonly kind: 'help' }
  | { readonly kind: 'plan'; readonly files: readonly string[]; readonly live: boolean }
  | { readonly kind: 'apply' | 'reverify'; readonly files: readonly string[] }
  | { readonly kind: 'actions' | 'audit'; readonly argv: readonly string[] }
  | { readonly kind: 'usage-error'; readonly message: string };

/** parseArgs throws Node's own TypeError: read its message without relying on `instanceof`. */
function messageOf(error: unknown): string {
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : String(error);
}

/** argv (without node and the script) → what to do. Unknown modes and flags are usage errors. */
export function parseCommand(argv: readonly string[]): Command {
  const [mode, ...rest] = argv;
  if (mode === undefined) return { kind: 'usage-error', message: 'missing mode (try `sg-revoke plan FILE`)' };
  if (mode === '--help' || mode === '-h' || mode === 'help') return { kind: 'help' };
  if (mode === 'actions' || mode === 'audit') {
    return rest.includes('--help') ? { kind: 'help' } : { kind: mode, argv: rest };
  }
  if (mode !== 'plan' && mode !== 'apply' && mode !== 'reverify') {
    return { kind: 'usage-error', message: `unknown mode \`${mode}\`` };
  }
  try {
    const { values, positionals } = parseArgs({
      args: [...rest],
      allowPositionals: true,
      strict: true,
      options: { help: { type: 'boolean', short: 'h' }, live: { type: 'boolean' } },
    });
    if (values.help) return { kind: 'help' };
    const files = positionals.length > 0 ? positionals : ['-'];
    if (mode === 'plan') return { kind: 'plan', files, live: values.live === true };
    if (values.live)
      return { kind: 'usage-error', message: `\`--live\` is for plan; ${mode} always reads live state` };
    return { kind: mode, files };
  } catch (error) {
    return { kind: 'usage-error', message: messageOf(error) };
  }
}
