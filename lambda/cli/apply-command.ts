import { destroyClients } from '../adapters/clients';
import { loadConfig } from '../config/config';
import type { Action } from '../core/action';
import { messageOf } from '../core/errors';
import { parseFinding } from '../core/finding';
import { checkAccountAllowList } from '../core/guardrails';
import { buildRecord, planStep, type RemediationRecord, targetOfFinding } from '../core/records';
import { applyClaimed } from '../usecases/apply-action';
import { approveAndClaim } from '../usecases/local-approval';
import { planFinding } from '../usecases/plan-finding';
import {
  actionStore,
  callerIdentity,
  clock,
  eventPublisher,
  evidenceStore,
  securityGroups,
} from './aws-runtime';
import { readFindingValues } from './finding-values';
import { dryRunRecordOf } from './live-plan-command';
import { logEvent } from './log-event';
import type { CliIo } from './plan-command';
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
export async function runApply(files: readonly string[], io: CliIo): Promise<number> {
  let config: ReturnType<typeof loadConfig<(typeof GATE)[number]>>;
  try {
    config = loadConfig(io.env, GATE, { nonEmpty: ['allowedAccounts'] });
  } catch (error) {
    return usageError(io.stderr, `apply refused: ${messageOf(error)}`);
  }
  const sources = await openSources(files, io.stdin);
  if (!sources.ok) return usageError(io.stderr, sources.error);
  const identity = callerIdentity();
  let caller: { account: string; arn: string };
  try {
    caller = await identity.whoAmI();
  } catch (error) {
    return usageError(
      io.stderr,
      `apply refused: the caller's STS identity could not be read: ${messageOf(error)}`,
    );
  }
  if (!config.allowedAccounts.has(caller.account)) {
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
    securityGroups: securityGroups(),
    callerIdentity: identity,
    config: { ...config, approvalTtlHours: 1 },
  };
  const values = await readFindingValues(sources.value, (m) =>
    logEvent(io.stderr, io.env, 'warning', 'malformed_input', m.message, { file: m.source, line: m.line }),
  );
  let failed = false;
  try {
    for (const { value } of values) {
      // One finding's error is that finding's `failure` record: every finding still gets one.
      const record = await applyOne(deps, config, caller.arn, value, io).catch((error: unknown) =>
        failureRecord(value, deps, messageOf(error), io.nowMs()),
      );
      failed ||= record.status === 'failure';
      io.stdout.write(`${JSON.stringify(record)}\n`);
    }
  } finally {
    destroyClients();
  }
  return failed ? EXIT_FAILURE : EXIT_OK;
}

type Deps = Parameters<typeof planFinding>[0] & Parameters<typeof applyClaimed>[0];
type Gate = { incidentId: string; approver: string; allowedAccounts: ReadonlySet<string> };

async function applyOne(
  deps: Deps,
  gate: Gate,
  callerArn: string,
  value: unknown,
  io: CliIo,
): Promise<RemediationRecord> {
  const parsed = parseFinding(value);
  if (!parsed.ok || checkAccountAllowList(parsed.value.accountUid, gate.allowedAccounts).kind === 'block') {
    // Never touch a group of an account outside the allow-list: the dry-run record says why.
    return {
      ...dryRunRecordOf(value, deps, null, null, io.nowMs()),
      record_type: 'remediation_action',
      dry_run: false,
    };
  }
  const planned = await planFinding(deps, value);
  if (planned.kind === 'rejected') throw new Error('unreachable: parsed above');
  const action = planned.action;
  const approver = `${gate.approver} (${callerArn})`;
  // The CLI approves what it planned itself, or its own failed attempt; an action the platform
  // planned is decided through the approval API, by its approvers.
  const own =
    (planned.kind === 'recorded' && action.status === 'PENDING_APPROVAL') ||
    (action.status === 'FAILED' && action.approval?.approver === approver);
  if (!own && action.status === 'PENDING_APPROVAL') {
    const detail = `pending approval through the approval API (action ${action.actionId}); not approved from the CLI`;
    return actionRecord({ ...action, statusDetail: detail }, io.nowMs(), null, gate);
  }
  if (own) {
    // Approved and claimed in one audited write: the apply λ never sees an unsigned APPROVED.
    const local = { approver, incidentId: gate.incidentId, planHash: action.plan?.planHash ?? '' };
    const claimed = await approveAndClaim(deps, action, local);
    if (!claimed.ok) throw new Error(`approval refused: ${claimed.error.message}`);
    const result = await applyClaimed(deps, claimed.value);
    return actionRecord(result.action, io.nowMs(), result.audit, gate);
  }
  return actionRecord(action, io.nowMs(), null, gate);
}

function actionRecord(
  action: Action,
  nowMs: number,
  audit: { rowUid: string; s3Uri: string } | null,
  gate: Gate,
): RemediationRecord {
  const plan = action.plan;
  const record = buildRecord({
    recordType: 'remediation_action',
    target: targetOfFinding(action.finding),
    findingUid: action.finding.findingUid,
    status: action.recordStatus,
    statusDetail: action.statusDetail,
    steps: plan ? [planStep(plan, action.recordStatus, action.statusDetail)] : [],
    nowMs,
    plan,
  });
  if (audit) record.audit = { row_uid: audit.rowUid, s3_evidence_uri: audit.s3Uri };
  record.incident_id = action.approval?.incidentId ?? gate.incidentId;
  record.approver = action.approval?.approver ?? gate.approver;
  return record;
}

function failureRecord(value: unknown, deps: Deps, detail: string, nowMs: number): RemediationRecord {
  return {
    ...dryRunRecordOf(value, deps, null, null, nowMs),
    record_type: 'remediation_action',
    dry_run: false,
    status: 'failure',
    status_detail: detail,
    actions: [],
  };
}
