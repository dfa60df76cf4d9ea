import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../core/support';

export const CLI = join(ROOT, 'lambda', 'cli', 'sg-revoke.js');

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly records: Record<string, unknown>[];
  readonly events: Record<string, unknown>[];
}

/** The environment of a run: none of the caller's sg-revoke settings leak in. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('AWS_SG_REVOKE_') && !key.startsWith('SG_REVOKE_')) env[key] = value;
  }
  // A run that calls AWS must never leave this machine: a closed loopback port, one attempt.
  return { ...env, AWS_ENDPOINT_URL: 'http://127.0.0.1:9', AWS_MAX_ATTEMPTS: '1', ...extra };
}

const jsonLines = (text: string) =>
  text
    .split('\n')
    .filter((line) => line.trim().startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);

/** Runs `node lambda/cli/sg-revoke.js ARGS` as a child process, in the repository root. */
export function runCli(
  args: readonly string[],
  options: { input?: string; env?: Record<string, string> } = {},
): CliRun {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    cwd: ROOT,
    input: options.input ?? '',
    env: cleanEnv(options.env ?? {}),
    encoding: 'utf8',
    maxBuffer: 256 << 20,
  });
  return {
    code: result.status,
    stdout: result.stdout,
    stderr: result.stderr,
    records: jsonLines(result.stdout),
    events: jsonLines(result.stderr),
  };
}
