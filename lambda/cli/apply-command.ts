import { destroyClients } from '../adapters/clients';
import { loadConfig } from '../config/config';
import type { Action } from '../core/action';
import { rejectionRecord } from '../core/dry-run';
import { messageOf, messageWithCauses } from '../core/errors';
import { parseFinding } from '../core/finding';
import { buildRecord, planStep, type RemediationRecord, targetOfFinding, targetOfRaw } from '../core/records';
import { type ApplyFindingDeps, applyFinding } from '../usecases/apply-finding';
import type { FileOptions } from './args';
import {
  actionStore,
  callerIdentity,
  cliEc2,
  clock,
  controlStore,
  eventPublisher,
  evidenceStore,
} from './aws-runtime';
import { checkAwsSetup } from './aws-setup';
import { readFindingValues } from './finding-values';
import { logEvent } from './log-event';
import type { CliIo } from './plan-command';
import { RunReport } from './run-report';
import { openSources } from './sources';
import { EXIT_FAILURE, EXIT_OK, usageError } from './usage-error';

const GATE = [
  'incidentId',
  'approver',
  'allowedAccounts',
  'actionsTable',
  'auditTable',
  'auditBucket',
  'kmsKeyArn',
  'protectedIds',
] as const;

/**
 * `sg-revoke apply FILE`: the original's gate (incident id, approver, allow-list, STS account), then
 * the same use cases as the Lambdas — plan on live state, approve, apply with the dual audit.
 */
export async function runApply(options: FileOptions, io: CliIo): Promise<number> {
  let config: ReturnType<typeof loadConfig<(typeof GATE)[number]>>;
  try {
    config = loadConfig(io.env, GATE, { nonEmpty: ['allowedAccounts'] });
  } catch (error) {
    return usageError(io.stderr, `apply refused: ${messageOf(error)}`);
  }
  const setup = await checkAwsSetup('apply', true);
  if (!setup.ok) return usageError(io.stderr, setup.error);
  const sources = await openSources(options.files, io.stdin);
  if (!sources.ok) return usageError(io.stderr, sources.error);
  const identity = callerIdentity();
  let caller: { account: string; arn: string };
  try {
    caller = await identity.whoAmI();
  } catch (error) {
    destroyClients();
    return usageError(
      io.stderr,
      `apply refused: the caller's STS identity could not be read: ${messageWithCauses(error)}`,
    );
  }
  if (!config.allowedAccounts.has(caller.account)) {
    destroyClients();
    return usageError(
      io.stderr,
      `apply refused: STS account ${caller.account} is not in AWS_SG_REVOKE_ALLOWED_ACCOUNT_IDS`,
    );
  }
  const events = eventPublisher(io.env, (e) =>
    logEvent(io.stderr, io.env, 'info', e.detailType, JSON.stringify(e.detail)),
  );
  const base = {
    actions: actionStore(config),
    evidence: evidenceStore(config),
    events,
    clock,
    mode: 'cli' as const,
  };
  const deps = {
    ...base,
    control: controlStore(config),
    ...cliEc2(identity),
    config: { ...config, approvalTtlHours: 1 },
  };
  const report = new RunReport(io, options.failOn);
  const values = await readFindingValues(sources.value, (m) => report.malformed(m));
  try {
    for (const { value, file, line } of values) {
      // One finding's error is that finding's `failure` record: every finding still gets one.
      const record = await applyOne(deps, config, caller.arn, value, io).catch((error: unknown) =>
        failureRecord(value, messageWithCauses(error), io.nowMs()),
      );
      report.record(record.status, { file, line }, record.status_detail);
      io.stdout.write(`${JSON.stringify(record)}\n`);
    }
  } finally {
    destroyClients();
  }
  report.summarize();
  return report.failed() ? EXIT_FAILURE : EXIT_OK;
}

type Deps = ApplyFindingDeps;
type Gate = { incidentId: string; approver: string; allowedAccounts: ReadonlySet<string> };

async function applyOne(
  deps: Deps,
  gate: Gate,
  callerArn: string,
  value: unknown,
  io: CliIo,
): Promise<RemediationRecord> {
  const result = await applyFinding(deps, value, {
    approver: `${gate.approver} (${callerArn})`,
    incidentId: gate.incidentId,
  });
  const nowMs = io.nowMs();
  switch (result.kind) {
    case 'rejected':
      return actionOf(rejectionRecord(result.rejection, 'remediation_action', nowMs));
    case 'already-applied':
      return alreadyApplied(result.action, nowMs);
    case 'paused':
      return failureRecord(value, `not applied: ${result.reason}`, nowMs);
    case 'left-to-approvers': {
      const detail = `pending approval through the approval API (action ${result.action.actionId}); not approved from the CLI`;
      return actionRecord({ ...result.action, statusDetail: detail }, nowMs, null);
    }
    case 'final':
      return actionRecord(result.action, nowMs, null);
    case 'applied':
      return actionRecord(result.action, nowMs, result.audit);
  }
}

const actionOf = (record: RemediationRecord): RemediationRecord => ({
  ...record,
  record_type: 'remediation_action',
  dry_run: false,
});

/** A re-run over an action an earlier run applied: nothing is revoked now, and the record says so. */
function alreadyApplied(action: Action, nowMs: number): RemediationRecord {
  const outcome = action.outcome!;
  const detail =
    `already applied at ${outcome.at} (action ${action.actionId}, ${outcome.status}: ${outcome.detail}); ` +
    'nothing revoked by this run';
  return actionRecord({ ...action, recordStatus: 'already_absent', statusDetail: detail }, nowMs, null);
}

/**
 * The §6 record of an action. `incident_id` and `approver` come from the action's approval only,
 * in the one format approvals are recorded with (`NAME (caller ARN)` from the CLI, the principal
 * ARN from the API); a record of an action nobody approved has neither, as in the original.
 */
function actionRecord(
  action: Action,
  nowMs: number,
  audit: { rowUid: string; s3Uri: string } | null,
): RemediationRecord {
  const plan = action.plan;
  const record = buildRecord({
    recordType: 'remediation_action',
    target: targetOfFinding(action.finding),
    findingUid: action.finding.findingUid,
    status: action.recordStatus,
    statusDetail: action.statusDetail,
    // A guardrail skip revokes nothing: no step, as in the original's skip records.
    steps:
      plan && !action.recordStatus.startsWith('skipped_')
        ? [planStep(plan, action.recordStatus, action.statusDetail)]
        : [],
    nowMs,
    plan,
  });
  if (audit) record.audit = { row_uid: audit.rowUid, s3_evidence_uri: audit.s3Uri };
  if (action.approval) {
    record.incident_id = action.approval.incidentId;
    record.approver = action.approval.approver;
  }
  return record;
}

function failureRecord(value: unknown, detail: string, nowMs: number): RemediationRecord {
  const parsed = parseFinding(value);
  return buildRecord({
    recordType: 'remediation_action',
    target: parsed.ok ? targetOfFinding(parsed.value) : targetOfRaw(null),
    findingUid: parsed.ok ? parsed.value.findingUid : '',
    status: 'failure',
    statusDetail: detail,
    steps: [],
    nowMs,
  });
}
