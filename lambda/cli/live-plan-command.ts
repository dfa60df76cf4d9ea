import { destroyClients } from '../adapters/clients';
import { loadConfig } from '../config/config';
import { dryRunRecord } from '../core/dry-run';
import { messageOf } from '../core/errors';
import { parseFinding } from '../core/finding';
import type { LiveRead } from '../core/model';
import type { RemediationRecord } from '../core/records';
import { callerIdentity, securityGroups } from './aws-runtime';
import { readFindingValues } from './finding-values';
import { logEvent } from './log-event';
import type { CliIo } from './plan-command';
import { openSources } from './sources';
import { EXIT_FAILURE, EXIT_OK, usageError } from './usage-error';

type Guard = {
  readonly config: {
    readonly protectedIds: ReadonlySet<string>;
    readonly allowedAccounts: ReadonlySet<string>;
  };
};

/** A dry-run record, with the live group and the caller's account when they were read. */
export function dryRunRecordOf(
  value: unknown,
  deps: Guard,
  callerAccount: string | null,
  read: LiveRead | null,
  nowMs: number,
): RemediationRecord {
  const allowed = deps.config.allowedAccounts;
  return dryRunRecord(
    value,
    {
      protectedIds: deps.config.protectedIds,
      allowedAccounts: allowed.size > 0 ? allowed : null,
      callerAccount,
      live: read,
    },
    nowMs,
  );
}

/**
 * `sg-revoke plan --live`: the dry-run with the caller's credentials — live names, tags and rule
 * ids, read in each finding's region. Read-only: it never changes a group or writes a table.
 */
export async function runLivePlan(files: readonly string[], io: CliIo): Promise<number> {
  let config: ReturnType<typeof loadConfig<'protectedIds' | 'allowedAccounts'>>;
  try {
    config = loadConfig(io.env, ['protectedIds', 'allowedAccounts']);
  } catch (error) {
    return usageError(io.stderr, messageOf(error));
  }
  const sources = await openSources(files, io.stdin);
  if (!sources.ok) return usageError(io.stderr, sources.error);
  let caller: { account: string };
  try {
    caller = await callerIdentity().whoAmI();
  } catch (error) {
    destroyClients();
    return usageError(io.stderr, `plan --live needs AWS credentials: ${messageOf(error)}`);
  }
  const groups = securityGroups();
  const cache = new Map<string, Promise<LiveRead>>();
  const values = await readFindingValues(sources.value, (m) =>
    logEvent(io.stderr, io.env, 'warning', 'malformed_input', m.message, { file: m.source, line: m.line }),
  );
  let failed = false;
  try {
    for (const { value } of values) {
      const parsed = parseFinding(value);
      let read: LiveRead | null = null;
      // Only groups of the caller's own, allowed account are read; the guardrails say why not otherwise.
      const allowed = config.allowedAccounts.size === 0 || config.allowedAccounts.has(caller.account);
      if (parsed.ok && parsed.value.accountUid === caller.account && allowed) {
        const key = `${parsed.value.region}/${parsed.value.sgId}`;
        if (!cache.has(key)) cache.set(key, groups.readGroup(parsed.value.region, parsed.value.sgId));
        read = (await cache.get(key)) ?? null;
      }
      const record = dryRunRecordOf(value, { config }, caller.account, read, io.nowMs());
      failed ||= record.status === 'failure';
      io.stdout.write(`${JSON.stringify(record)}\n`);
    }
  } finally {
    destroyClients();
  }
  return failed ? EXIT_FAILURE : EXIT_OK;
}
