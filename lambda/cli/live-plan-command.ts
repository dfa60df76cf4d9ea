import { destroyClients } from '../adapters/clients';
import { loadConfig } from '../config/config';
import { planDecisionRecord, rejectionRecord } from '../core/dry-run';
import { messageOf, messageWithCauses } from '../core/errors';
import { parseFinding } from '../core/finding';
import { type LiveRead, whereKey } from '../core/model';
import type { SecurityGroups } from '../core/ports';
import { previewFinding } from '../usecases/plan-finding';
import type { FileOptions } from './args';
import { callerIdentity, cliEc2 } from './aws-runtime';
import { checkAwsSetup } from './aws-setup';
import { readFindingValues } from './finding-values';
import type { CliIo } from './plan-command';
import { RunReport } from './run-report';
import { openSources } from './sources';
import { EXIT_FAILURE, EXIT_OK, usageError } from './usage-error';

/** One read per group in a run: several findings often name the same group. */
function readOnce(groups: SecurityGroups): Pick<SecurityGroups, 'readGroup'> {
  const cache = new Map<string, Promise<LiveRead>>();
  return {
    readGroup: (where, sgId) => {
      const key = `${whereKey(where)}/${sgId}`;
      const read = cache.get(key) ?? groups.readGroup(where, sgId);
      cache.set(key, read);
      return read;
    },
  };
}

/**
 * `sg-revoke plan --live`: the dry-run with the caller's credentials — live names, tags and rule
 * ids, read in each finding's region by the plan use case's own preview. Read-only: it never
 * changes a group or writes a table.
 */
export async function runLivePlan(options: FileOptions, io: CliIo): Promise<number> {
  let config: ReturnType<typeof loadConfig<'protectedIds' | 'allowedAccounts'>>;
  try {
    config = loadConfig(io.env, ['protectedIds', 'allowedAccounts']);
  } catch (error) {
    return usageError(io.stderr, messageOf(error));
  }
  const setup = await checkAwsSetup('plan --live', true);
  if (!setup.ok) return usageError(io.stderr, setup.error);
  const sources = await openSources(options.files, io.stdin);
  if (!sources.ok) return usageError(io.stderr, sources.error);
  const identity = callerIdentity();
  try {
    await identity.whoAmI();
  } catch (error) {
    destroyClients();
    return usageError(io.stderr, `plan --live needs AWS credentials: ${messageWithCauses(error)}`);
  }
  const ec2 = cliEc2(identity);
  const deps = {
    securityGroups: readOnce(ec2.securityGroups),
    accounts: ec2.accounts,
    // Without an allow-list, a preview still shows what would be revoked in the caller's account.
    config: { ...config, allowedAccounts: config.allowedAccounts.size > 0 ? config.allowedAccounts : null },
  };
  const report = new RunReport(io, options.failOn);
  const values = await readFindingValues(sources.value, (m) => report.malformed(m));
  try {
    for (const { value, file, line } of values) {
      const parsed = parseFinding(value);
      const record = parsed.ok
        ? planDecisionRecord((await previewFinding(deps, parsed.value)).decision, io.nowMs())
        : rejectionRecord(parsed.error, 'remediation_plan', io.nowMs());
      report.record(record.status, { file, line }, record.status_detail);
      io.stdout.write(`${JSON.stringify(record)}\n`);
    }
  } finally {
    destroyClients();
  }
  report.summarize();
  return report.failed() ? EXIT_FAILURE : EXIT_OK;
}
