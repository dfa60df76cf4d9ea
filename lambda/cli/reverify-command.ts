import { destroyClients } from '../adapters/clients';
import { buildDriftFinding } from '../core/drift-finding';
import { messageOf } from '../core/errors';
import { parseFinding } from '../core/finding';
import { actionIdOf } from '../core/plan';
import type { ActionStore } from '../core/ports';
import { buildVerificationRecord, verifyExposure } from '../core/verification';
import { readByRegion, subjectOf } from '../usecases/reverify-actions';
import { actionStore, securityGroups } from './aws-runtime';
import { readFindingValues } from './finding-values';
import { logEvent } from './log-event';
import type { CliIo } from './plan-command';
import { openSources } from './sources';
import { EXIT_FAILURE, EXIT_OK, usageError } from './usage-error';

/**
 * `sg-revoke reverify FILE` (the original's mode): findings in, one verification record each,
 * plus an OCSF drift finding after each DRIFT. Groups are described once per region, in batches.
 * With AWS_SG_REVOKE_ACTIONS_TABLE set, the SLA counts from when the revoke was applied.
 */
export async function runReverify(files: readonly string[], io: CliIo): Promise<number> {
  const sources = await openSources(files, io.stdin);
  if (!sources.ok) return usageError(io.stderr, sources.error);
  const table = io.env.AWS_SG_REVOKE_ACTIONS_TABLE?.trim();
  const store: ActionStore | null = table ? actionStore({ actionsTable: table }) : null;
  const values = await readFindingValues(sources.value, (m) =>
    logEvent(io.stderr, io.env, 'warning', 'malformed_input', m.message, { file: m.source, line: m.line }),
  );
  const findings = [];
  for (const { value, source } of values) {
    const parsed = parseFinding(value);
    if (parsed.ok) findings.push(parsed.value);
    else logEvent(io.stderr, io.env, 'warning', 'skipped_finding', parsed.error.reason, { file: source });
  }
  let failed = false;
  try {
    const read = await readByRegion(securityGroups(), findings);
    for (const finding of findings) {
      const actionId = actionIdOf(finding);
      const stored = store ? await store.get(actionId).catch((e: unknown) => logStoreError(io, e)) : null;
      const appliedAtMs = stored?.outcome ? Date.parse(stored.outcome.at) : (finding.timeMs ?? io.nowMs());
      const subject = subjectOf(finding, actionId, appliedAtMs);
      const now = io.nowMs();
      const v = verifyExposure(subject, read(finding.region, finding.sgId));
      failed ||= v.status === 'unreachable';
      io.stdout.write(`${JSON.stringify(buildVerificationRecord(subject, v, now))}\n`);
      if (v.status === 'drift')
        io.stdout.write(`${JSON.stringify(buildDriftFinding(subject, v, 'create', now, now))}\n`);
    }
  } finally {
    destroyClients();
  }
  return failed ? EXIT_FAILURE : EXIT_OK;
}

function logStoreError(io: CliIo, error: unknown): null {
  logEvent(io.stderr, io.env, 'warning', 'actions_table_unreadable', messageOf(error));
  return null;
}
