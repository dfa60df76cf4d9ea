import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cdkJsonContext, STACK_NAME } from '../../infra/lib/sg-revoke-app';
import { STACK_OUTPUT_KEYS } from '../../lambda/core/stack-outputs';
import { testContext } from './synthetic-context';

const ROOT = join(__dirname, '..', '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

/** The app entry exactly as cdk.json runs it; the CDK CLI hands the context over in CDK_CONTEXT_JSON. */
function runApp(context: Record<string, unknown>) {
  const outdir = mkdtempSync(join(tmpdir(), 'sg-revoke-app-'));
  const run = spawnSync(TSX, ['infra/bin/app.ts'], {
    cwd: ROOT,
    env: { ...process.env, CDK_CONTEXT_JSON: JSON.stringify(context), CDK_OUTDIR: outdir },
    encoding: 'utf8',
  });
  const templateFile = join(outdir, `${STACK_NAME}.template.json`);
  const template = existsSync(templateFile)
    ? (JSON.parse(readFileSync(templateFile, 'utf8')) as object)
    : null;
  rmSync(outdir, { recursive: true, force: true });
  return { code: run.status, stderr: run.stderr, template };
}

describe('infra/bin/app.ts (what `cdk synth` runs)', () => {
  it('with only what cdk.json ships, fails with exit 1 and one line naming every required key', () => {
    const run = runApp(cdkJsonContext());

    expect(run.code).toBe(1);
    expect(run.template).toBeNull();
    expect(run.stderr.endsWith('\n')).toBe(true);
    const lines = run.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^sg-revoke: invalid context \(cdk\.json "context" or -c key=value\): allowedAccountIds: is required.*; approverPrincipals: is required/,
    );
    expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('a malformed value is one line too, naming the key and the value', () => {
    const run = runApp(testContext({ protectedIds: 'sg-1', profile: 'trial', objectLockMode: 'COMPLIANCE' }));

    expect(run.code).toBe(1);
    expect(run.stderr.trimEnd().split('\n')).toEqual([
      expect.stringMatching(
        /^sg-revoke: invalid context .*protectedIds\[0\]: must be a security group id .*\(got "sg-1"\); objectLockMode: must be GOVERNANCE with profile trial/,
      ),
    ]);
  });

  it('with the required values given, synthesizes the stack and its outputs (exit 0)', () => {
    const run = runApp(testContext({ 'aws:cdk:bundling-stacks': [] }));

    expect(run.code).toBe(0);
    expect(run.stderr).not.toContain('sg-revoke:'); // (cdk-nag may print a deprecation warning)
    expect(Object.keys((run.template as { Outputs: object }).Outputs)).toEqual(
      expect.arrayContaining(STACK_OUTPUT_KEYS),
    );
  });
});
