import { destroyClients } from '../adapters/clients';
import { verifyFindings } from '../usecases/verify-findings';
import type { FileOptions } from './args';
import { actionStore, callerIdentity, cliEc2, clock } from './aws-runtime';
import { checkAwsSetup } from './aws-setup';
import { readFindingValues } from './finding-values';
import { logEvent } from './log-event';
import type { CliIo } from './plan-command';
import { RunReport } from './run-report';
import { openSources } from './sources';
import { EXIT_FAILURE, EXIT_OK, usageError } from './usage-error';

/**
 * `sg-revoke reverify FILE` (the original's mode): findings in, one verification record each
 * (skips included), plus an OCSF drift finding after each DRIFT. With AWS_SG_REVOKE_ACTIONS_TABLE
 * set, the SLA counts from when the revoke was applied; without it, the SLA is left out.
 */
export async function runReverify(options: FileOptions, io: CliIo): Promise<number> {
  const table = io.env.AWS_SG_REVOKE_ACTIONS_TABLE?.trim();
  const setup = await checkAwsSetup('reverify', Boolean(table));
  if (!setup.ok) return usageError(io.stderr, setup.error);
  const sources = await openSources(options.files, io.stdin);
  if (!sources.ok) return usageError(io.stderr, sources.error);
  const report = new RunReport(io, options.failOn);
  const values = await readFindingValues(sources.value, (m) => report.malformed(m));
  try {
    const results = await verifyFindings(
      {
        // A finding of another account is unreachable here, never "verified" by a miss in this one.
        securityGroups: cliEc2(callerIdentity()).securityGroups,
        actions: table ? actionStore({ actionsTable: table }) : null,
        clock,
      },
      values.map((v) => v.value),
    );
    results.forEach(({ record, driftFinding, storeError }, i) => {
      const where = { file: values[i]!.file, line: values[i]!.line };
      if (storeError) logEvent(io.stderr, io.env, 'warning', 'actions_table_unreadable', storeError, where);
      report.record(record.status, where, 'status_detail' in record ? record.status_detail : record.detail);
      io.stdout.write(`${JSON.stringify(record)}\n`);
      if (driftFinding) io.stdout.write(`${JSON.stringify(driftFinding)}\n`);
    });
  } finally {
    destroyClients();
  }
  report.summarize();
  return report.failed() ? EXIT_FAILURE : EXIT_OK;
}
