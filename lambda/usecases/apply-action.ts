import type { Action, Outcome, RecordStatus } from '../core/action';
import { blockedStatus } from '../core/decide';
import { ConflictError, messageOf } from '../core/errors';
import { evaluateGuardrails, type Verdict } from '../core/guardrails';
import { type Plan, type RevokeTarget, resolveTargets } from '../core/plan';
import type { CallerIdentity, EventPublisher, SecurityGroups } from '../core/ports';
import type { ActionStatus } from '../core/state-machine';
import { type AuditDeps, commitAudited, commitPlain, isoOf } from './deps';
import { lifecycleDetail } from './plan-finding';
import { revokeAndConfirm } from './revoke-and-confirm';

export interface ApplyDeps extends AuditDeps {
  readonly securityGroups: SecurityGroups;
  readonly callerIdentity: CallerIdentity;
  readonly events: EventPublisher;
  readonly mode: 'lambda' | 'cli';
  readonly config: {
    readonly protectedIds: ReadonlySet<string>;
    readonly allowedAccounts: ReadonlySet<string>;
  };
}

export type ApplyResult =
  | { readonly kind: 'unknown-action' }
  | { readonly kind: 'not-approved'; readonly status: ActionStatus }
  | { readonly kind: 'lost-claim' }
  | {
      readonly kind: 'done';
      readonly action: Action;
      readonly audit: { rowUid: string; s3Uri: string } | null;
    };

const BY = 'sg-revoke apply';

/**
 * APPROVED → APPLYING (conditional claim: the real guard against double work) → every guardrail
 * again on live state → audit BEFORE → revoke by rule id → confirm → audit AFTER → final state.
 */
export async function applyAction(deps: ApplyDeps, actionId: string): Promise<ApplyResult> {
  const current = await deps.actions.get(actionId);
  if (!current) return { kind: 'unknown-action' };
  if (current.status !== 'APPROVED' || !current.plan) return { kind: 'not-approved', status: current.status };
  let claimed: Action;
  try {
    claimed = await commitPlain(
      deps,
      current,
      { from: ['APPROVED'], to: 'APPLYING', patch: {} },
      BY,
      'claimed',
    );
  } catch (error) {
    if (error instanceof ConflictError) return { kind: 'lost-claim' };
    throw error;
  }
  const result = await runApply(deps, claimed, current.plan);
  await deps.events.publish([{ detailType: 'Action Applied', detail: lifecycleDetail(result.action) }]);
  return result;
}

type Done = Extract<ApplyResult, { kind: 'done' }>;

async function runApply(deps: ApplyDeps, action: Action, plan: Plan): Promise<Done> {
  const f = action.finding;
  let caller: { account: string; arn: string };
  try {
    caller = await deps.callerIdentity.whoAmI();
  } catch (error) {
    const block = {
      guardrail: 'caller-account',
      kind: 'block',
      reason: `caller identity unknown: ${messageOf(error)}`,
    } as const;
    return finish(deps, action, 'BLOCKED', 'skipped_account_boundary', block.reason, [], 'unknown', [block]);
  }
  const live = await deps.securityGroups.readGroup(f.region, f.sgId);
  const report = evaluateGuardrails({
    finding: f,
    protectedIds: deps.config.protectedIds,
    live: live.kind === 'not-found' ? null : live,
    allowedAccounts: deps.config.allowedAccounts,
    callerAccount: caller.account,
  });
  if (report.firstBlock) {
    const status = blockedStatus(report.firstBlock, false);
    return finish(deps, action, 'BLOCKED', status, report.firstBlock.reason, [], caller.arn, report.verdicts);
  }
  const targets = live.kind === 'found' ? resolveTargets(plan, live.group.ingress) : [];
  if (targets.length === 0) {
    const why =
      live.kind === 'not-found'
        ? 'security group not found (deleted)'
        : 'no live rule matches the approved plan';
    return finish(deps, action, 'ALREADY_ABSENT', 'already_absent', why, [], caller.arn, report.verdicts);
  }
  let claimed: Action;
  try {
    const before = await commitAudited(
      deps,
      action,
      { from: ['APPLYING'], to: 'APPLYING', patch: {} },
      auditFacts(
        deps,
        action,
        caller.arn,
        targets,
        'revoke_before',
        'in_progress',
        `about to revoke ${targets.length} rule(s)`,
      ),
      BY,
    );
    claimed = before.action;
  } catch (error) {
    // Both audit writes must succeed before any revoke: fail closed, and leave the action re-approvable.
    const detail = `audit BEFORE failed, nothing revoked: ${messageOf(error)}`;
    const failed = await commitPlain(
      deps,
      action,
      { from: ['APPLYING'], to: 'FAILED', patch: { recordStatus: 'failure', statusDetail: detail } },
      BY,
      detail,
    );
    return { kind: 'done', action: failed, audit: null };
  }
  const outcome = await revokeAndConfirm(deps.securityGroups, f.region, f.sgId, targets);
  return finish(
    deps,
    claimed,
    outcome.state,
    outcome.status,
    outcome.detail,
    outcome.revoked,
    caller.arn,
    report.verdicts,
  );
}

function auditFacts(
  deps: ApplyDeps,
  action: Action,
  caller: string,
  rules: readonly RevokeTarget[],
  step: 'revoke_before' | 'revoke_after',
  status: RecordStatus | 'in_progress',
  detail: string,
  revokedRules: readonly RevokeTarget[] = [],
) {
  return {
    rules,
    revokedRules,
    step,
    status,
    detail,
    incidentId: action.approval?.incidentId ?? null,
    approver: action.approval?.approver ?? null,
    caller,
    mode: deps.mode,
  };
}

async function finish(
  deps: ApplyDeps,
  action: Action,
  to: ActionStatus,
  status: RecordStatus,
  detail: string,
  revoked: readonly RevokeTarget[],
  caller: string,
  verdicts: readonly Verdict[],
): Promise<Done> {
  const outcome: Outcome = { status, detail, revokedRules: revoked, at: isoOf(deps.clock.nowMs()) };
  const rules = action.plan?.targets ?? [];
  const step = to === 'BLOCKED' ? 'revoke_before' : 'revoke_after';
  const fullDetail =
    to === 'BLOCKED'
      ? `${detail} (guardrails: ${verdicts.map((v) => `${v.guardrail}=${v.kind}`).join(', ')})`
      : detail;
  const change = {
    from: ['APPLYING'] as ActionStatus[],
    to,
    patch: { recordStatus: status, statusDetail: detail, outcome },
  };
  let after: Awaited<ReturnType<typeof commitAudited>>;
  try {
    after = await commitAudited(
      deps,
      action,
      change,
      auditFacts(deps, action, caller, rules, step, status, fullDetail, revoked),
      BY,
    );
  } catch (error) {
    if (error instanceof ConflictError) throw error;
    // The outcome is a fact whether or not its audit row could be written: record it, then fail loudly.
    const note = `${detail}; audit AFTER failed: ${messageOf(error)}`;
    await commitPlain(deps, action, { ...change, patch: { ...change.patch, statusDetail: note } }, BY, note);
    throw error;
  }
  return { kind: 'done', action: after.action, audit: { rowUid: after.rowUid, s3Uri: after.s3Uri } };
}
