import { runBundleBench } from './bundles';
import { runDryRunBench } from './dry-run';
import { runReverifyBench } from './reverify-cost';

/** `npm run bench`: the CLI dry-run (throughput, memory), then the Lambda bundles (size, init time). */
async function main(): Promise<void> {
  const dryRunOk = await runDryRunBench();
  await runBundleBench();
  const reverifyOk = await runReverifyBench();
  process.exitCode = dryRunOk && reverifyOk ? 0 : 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
