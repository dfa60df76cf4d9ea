import { runApprovalVerifyBench } from './approval-verify';
import { runBundleBench } from './bundles';
import { runDryRunBench } from './dry-run';
import { runReverifyBench } from './reverify-cost';

/**
 * `npm run bench`: the CLI dry-run (throughput, memory), the Lambda bundles (size, init time), and
 * what signed approvals add to an apply.
 */
async function main(): Promise<void> {
  const dryRunOk = await runDryRunBench();
  await runBundleBench();
  await runApprovalVerifyBench();
  const reverifyOk = await runReverifyBench();
  process.exitCode = dryRunOk && reverifyOk ? 0 : 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
