import { runApprovalVerifyBench } from './approval-verify';
import { runBundleBench } from './bundles';
import { runDryRunBench } from './dry-run';

/**
 * `npm run bench`: the CLI dry-run (throughput, memory), the Lambda bundles (size, init time), and
 * what signed approvals add to an apply.
 */
async function main(): Promise<void> {
  const dryRunOk = await runDryRunBench();
  await runBundleBench();
  await runApprovalVerifyBench();
  process.exitCode = dryRunOk ? 0 : 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
