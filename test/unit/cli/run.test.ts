import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { runCli } from '../../../lambda/cli/run';
import { EVENTS } from '../core/support';

async function runInProcess(argv: string[], stdinText = '', env: NodeJS.ProcessEnv = {}) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  stdout.on('data', (c: Buffer) => out.push(c.toString()));
  stderr.on('data', (c: Buffer) => err.push(c.toString()));
  const code = await runCli(argv, {
    stdin: Readable.from([Buffer.from(stdinText)]),
    stdout,
    stderr,
    env,
    nowMs: () => 1_776_700_000_000,
    workerScript: null,
  });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

describe('runCli in process', () => {
  it('plans stdin with the clock it is given', async () => {
    const input = readFileSync(join(EVENTS, 'findings.ocsf.jsonl'), 'utf8');

    const run = await runInProcess(['plan'], input);

    const records = run.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { time_ms: number });
    expect(run.code).toBe(0);
    expect(records).toHaveLength(8);
    expect(new Set(records.map((r) => r.time_ms))).toEqual(new Set([1_776_700_000_000]));
  });

  it('writes no record for an empty input, and says so in the summary', async () => {
    const run = await runInProcess(['plan'], '');

    expect([run.code, run.stdout]).toEqual([0, '']);
    expect(JSON.parse(run.stderr)).toMatchObject({
      event: 'run_summary',
      message: 'read 0 finding(s); 0 malformed line(s) skipped',
    });
  });

  it('prints the help on stdout', async () => {
    const run = await runInProcess(['--help']);

    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^sg-revoke — surgically revoke/);
  });

  it('reports a usage error on stderr with exit 2', async () => {
    const run = await runInProcess(['revoke']);

    expect(run).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'sg-revoke: unknown mode `revoke`: the mode comes first (plan, apply, reverify, actions, audit, env, pause, resume), ' +
        'e.g. `sg-revoke plan revoke`\nRun `sg-revoke --help` for usage.\n',
    });
  });
});
