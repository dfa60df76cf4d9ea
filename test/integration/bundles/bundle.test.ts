import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { BUNDLE_FILE, HANDLER_ENTRIES, toEsbuildOptions } from '../../../infra/lib/bundling';
import { createStack, eventBridgeEnvelope, findingFor } from '../loop/harness';
import { createGroup, describeMoto, REGION, resetMoto } from '../moto/resources';

const ROOT = join(__dirname, '../../..');

/** Runs a bundled handler as Lambda would: a fresh Node process importing the ESM bundle. */
function invoke(bundle: string, event: unknown, env: NodeJS.ProcessEnv): Promise<unknown> {
  const script = join(mkdtempSync(join(tmpdir(), 'sg-revoke-invoke-')), 'invoke.mjs');
  writeFileSync(
    script,
    `const { handler } = await import(${JSON.stringify(bundle)});
     const context = { functionName: 'bundle', awsRequestId: 'r', getRemainingTimeInMillis: () => 60000 };
     process.stdout.write(JSON.stringify(await handler(JSON.parse(process.argv[2]), context)));`,
  );
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [script, JSON.stringify(event)], { env }, (error, stdout, stderr) =>
      error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(JSON.parse(stdout)),
    );
  });
}

describeMoto('the deployed bundles (esbuild, as the stack builds them) on moto', () => {
  beforeAll(() => resetMoto());

  it('the plan bundle reads live rules by id through the bundled EC2 client and records the action', async () => {
    const stack = await createStack();
    const g = await createGroup(REGION, {
      name: 'bundled',
      ingress: [{ protocol: 'tcp', fromPort: 22, toPort: 22, cidr: '0.0.0.0/0' }],
    });
    const outdir = mkdtempSync(join(tmpdir(), 'sg-revoke-bundle-'));
    await build(toEsbuildOptions(join(ROOT, HANDLER_ENTRIES.plan), join(outdir, BUNDLE_FILE)));

    const result = await invoke(
      join(outdir, BUNDLE_FILE),
      eventBridgeEnvelope(findingFor(g.groupId, { cidrs: ['0.0.0.0/0'] })),
      {
        ...process.env,
        AWS_SG_REVOKE_ACTIONS_TABLE: stack.resources.actionsTable,
        AWS_SG_REVOKE_EVENT_BUS: stack.capture.busName,
        AWS_SG_REVOKE_ALLOWED_ACCOUNT_IDS: '123456789012',
        AWS_SG_REVOKE_PROTECTED_IDS: '',
      },
    );

    expect(result).toMatchObject({ outcome: 'recorded', status: 'PENDING_APPROVAL' });
    const events = await stack.capture.receive(1, 5_000);
    const planned = events.find((e) => e['detail-type'] === 'Action Planned')?.detail as {
      rules: { ruleId: string }[];
    };
    expect(planned.rules.map((r) => r.ruleId)).toEqual(g.ruleIds);
  }, 60_000);
});
