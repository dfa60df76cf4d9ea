/**
 * Bundles one handler into a directory: `tsx infra/lib/bundle-handler.ts ENTRY OUTDIR`. The stack's
 * local bundling runs this (CDK's bundling hook is synchronous and esbuild plugins need the async
 * API), so the deployed bundle is built exactly like the bench's, with the same plugin.
 */
import * as path from 'node:path';
import { build } from 'esbuild';
import { BUNDLE_FILE, toEsbuildOptions } from './bundling';

async function main(): Promise<void> {
  const [entry, outdir] = process.argv.slice(2);
  if (!entry || !outdir) throw new Error('usage: bundle-handler.ts ENTRY OUTDIR');
  const result = await build({ ...toEsbuildOptions(entry, path.join(outdir, BUNDLE_FILE)), metafile: false });
  if (result.errors.length > 0) throw new Error(result.errors.map((e) => e.text).join('\n'));
}

main().catch((error: unknown) => {
  process.stderr.write(`bundle-handler: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
