import { parseArgs } from 'node:util';
import { RECORD_STATUSES } from '../core/action';

export type Mode = 'plan' | 'apply' | 'reverify' | 'actions' | 'audit' | 'env' | 'pause' | 'resume';

export interface FileOptions {
  readonly files: readonly string[];
  /** Record statuses that make the run exit 1, besides failure and unreachable (`--fail-on`). */
  readonly failOn: ReadonlySet<string>;
}

export type Command =
  | { readonly kind: 'help'; readonly mode: Mode | null }
  | ({ readonly kind: 'plan'; readonly live: boolean } & FileOptions)
  | ({ readonly kind: 'apply' | 'reverify' } & FileOptions)
  | { readonly kind: 'actions' | 'audit' | 'env' | 'pause' | 'resume'; readonly argv: readonly string[] }
  | { readonly kind: 'usage-error'; readonly message: string };

const MODES: readonly Mode[] = ['plan', 'apply', 'reverify', 'actions', 'audit', 'env', 'pause', 'resume'];
const HELP_FLAGS = ['--help', '-h'];

/** parseArgs throws Node's own TypeError: read its message without relying on `instanceof`. */
function messageOf(error: unknown): string {
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : String(error);
}

function failOnOf(raw: string | undefined): Set<string> {
  const statuses = (raw ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = statuses.filter((s) => !(RECORD_STATUSES as readonly string[]).includes(s));
  if (unknown.length > 0) {
    throw new Error(
      `--fail-on: unknown status \`${unknown.join(', ')}\` (one of ${RECORD_STATUSES.join(', ')})`,
    );
  }
  return new Set(statuses);
}

/** argv (without node and the script) → what to do. Unknown modes and flags are usage errors. */
export function parseCommand(argv: readonly string[]): Command {
  const [mode, ...rest] = argv;
  if (mode === undefined) return { kind: 'usage-error', message: 'missing mode (try `sg-revoke plan FILE`)' };
  if (mode === '--help' || mode === '-h' || mode === 'help') return { kind: 'help', mode: null };
  if (!(MODES as readonly string[]).includes(mode)) {
    return {
      kind: 'usage-error',
      message: `unknown mode \`${mode}\`: the mode comes first (${MODES.join(', ')}), e.g. \`sg-revoke plan ${mode}\``,
    };
  }
  // Every mode answers --help / -h itself, before its own options are checked.
  const end = rest.indexOf('--');
  const flags = end === -1 ? rest : rest.slice(0, end);
  if (flags.some((arg) => HELP_FLAGS.includes(arg))) return { kind: 'help', mode: mode as Mode };
  if (mode === 'actions' || mode === 'audit' || mode === 'env' || mode === 'pause' || mode === 'resume') {
    return { kind: mode, argv: rest };
  }
  try {
    const { values, positionals } = parseArgs({
      args: [...rest],
      allowPositionals: true,
      strict: true,
      options: { live: { type: 'boolean' }, 'fail-on': { type: 'string' } },
    });
    const files = positionals.length > 0 ? positionals : ['-'];
    const failOn = failOnOf(values['fail-on']);
    if (mode === 'plan') return { kind: 'plan', files, failOn, live: values.live === true };
    if (values.live)
      return { kind: 'usage-error', message: `\`--live\` is for plan; ${mode} always reads live state` };
    return { kind: mode as 'apply' | 'reverify', files, failOn };
  } catch (error) {
    return { kind: 'usage-error', message: messageOf(error) };
  }
}
