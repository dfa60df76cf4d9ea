import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { build, type Metafile } from 'esbuild';
import { HANDLER_ENTRIES, type HandlerName, toEsbuildOptions } from '../../infra/lib/bundling';

/**
 * The size budget of the deployed bundles, built with the stack's own esbuild options (plugin
 * included). The plugin rewrites files of the SDK: if an SDK update changes their shape, it stops
 * matching without an error and the EC2 client's schemas come back (~1.2 MB): this test catches it.
 */
const MAX_BUNDLE_BYTES = 1024 * 1024;
const ROOT = path.join(__dirname, '..', '..');
const NAMES = Object.keys(HANDLER_ENTRIES) as HandlerName[];

interface Built {
  readonly bytes: number;
  readonly ec2Bytes: number;
}

async function bundle(name: HandlerName, outdir: string): Promise<Built> {
  const outfile = path.join(outdir, `${name}.mjs`);
  const result = await build(toEsbuildOptions(path.join(ROOT, HANDLER_ENTRIES[name]), outfile));
  const output = Object.entries((result.metafile as Metafile).outputs).find(
    ([file]) => path.resolve(file) === outfile,
  )?.[1];
  if (!output) throw new Error(`esbuild wrote no ${outfile}`);
  const ec2Bytes = Object.entries(output.inputs)
    .filter(([input]) => input.includes('@aws-sdk/client-ec2/'))
    .reduce((sum, [, { bytesInOutput }]) => sum + bytesInOutput, 0);
  return { bytes: output.bytes, ec2Bytes };
}

describe('Lambda bundles (infra/lib/bundling.ts, as deployed)', () => {
  const outdir = mkdtempSync(path.join(tmpdir(), 'sg-revoke-bundle-size-'));
  const built = new Map<HandlerName, Built>();

  beforeAll(async () => {
    for (const name of NAMES) built.set(name, await bundle(name, outdir));
  });
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it.each(NAMES)('the %s bundle is at most 1 MB', (name) => {
    expect(built.get(name)!.bytes).toBeLessThanOrEqual(MAX_BUNDLE_BYTES);
  });

  it('approve-api carries no EC2 client (it never calls EC2)', () => {
    expect(built.get('approveApi')!.ec2Bytes).toBe(0);
  });

  it.each(NAMES)(
    'the %s bundle keeps only the EC2 schemas it uses (the SDK-rewriting plugin still works)',
    (name) => {
      // Measured: ~15 KB of client-ec2 with the plugin, ~550 KB without it (every schema kept).
      expect(built.get(name)!.ec2Bytes).toBeLessThan(200 * 1024);
    },
  );
});
