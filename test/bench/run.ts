import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runDryRunBench } from './dry-run';

/** Another bench (bundle sizes) lives in bundles.ts when it is present; it is optional here. */
async function runOptionalBundleBench(): Promise<boolean> {
  const file = join(__dirname, 'bundles.ts');
  if (!existsSync(file)) return true;
  const mod: unknown = await import(pathToFileURL(file).href);
  const run = (mod as { runBundleBench?: unknown }).runBundleBench;
  if (typeof run !== 'function') return true;
  const result: unknown = await run();
  return result !== false;
}

async function main(): Promise<void> {
  const dryRunOk = await runDryRunBench();
  const bundlesOk = await runOptionalBundleBench();
  process.exitCode = dryRunOk && bundlesOk ? 0 : 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
