import type { Action, RecordStatus } from '../core/action';
import type { ControlPorts } from '../core/control-rules';
import { blockedStatus, decidePlan, type PlanDecision, UNMATCHED_STATUS } from '../core/decide';
import { AwsCallError, messageOf } from '../core/errors';
import { type FindingRejection, parseFinding } from '../core/finding';
import { checkAccountAllowList } from '../core/guardrails';
import { summarizeImpact } from '../core/impact';
import { type Finding, whereOf } from '../core/model';
import { actionIdOf, withImpact } from '../core/plan';
import type { AccountIdentity, ActionStore, Clock, EventPublisher, SecurityGroups } from '../core/ports';
import type { ActionStatus } from '../core/state-machine';
import { isoOf } from './deps';
import { type ImpactDeps, previewImpact } from './preview-impact';

export interface PlanDeps {
  readonly securityGroups: SecurityGroups;
  readonly accounts: AccountIdentity;
  readonly actions: ActionStore;
  readonly events: EventPublisher;
  readonly clock: Clock;
  readonly config: {
    readonly protectedIds: ReadonlySet<string>;
    readonly allowedAccounts: ReadonlySet<string>;
    readonly approvalTtlHours: number;
    /** The EC2.18 / EC2.19 parameters (default: the controls' own defaults). */
    readonly controlPorts?: ControlPorts;
  };
  /** The impact preview's ports (DESIGN §13); without them plans carry no preview (the CLI's `apply`). */
  readonly impact?: Omit<ImpactDeps, 'clock'>;
}

export type PlanResult =
  | { readonly kind: 'rejected'; readonly rejection: FindingRejection }
  | { readonly kind: 'recorded'; readonly action: Action }
  | { readonly kind: 'duplicate'; readonly action: Action };

/** The status and §6 word an action starts in, from the plan decision. */
function initialState(
  d: Exclude<PlanDecision, { kind: 'unreadable' }>,
): [ActionStatus, RecordStatus, string] {
  switch (d.kind) {
    case 'planned':
      return ['PENDING_APPROVAL', 'planned', 'awaiting approval'];
    case 'not-public':
      return ['SKIPPED', 'skipped_not_public', d.reason];
    case 'already-absent':
      return ['SKIPPED', 'already_absent', d.reason];
    case 'unmatched':
      return ['SKIPPED', UNMATCHED_STATUS, d.reason];
    case 'blocked':
      return ['SKIPPED', blockedStatus(d.block, false), d.block.reason];
  }
}

export interface PreviewDeps {
  readonly securityGroups: Pick<SecurityGroups, 'readGroup'>;
  readonly accounts: AccountIdentity;
  readonly config: {
    readonly protectedIds: ReadonlySet<string>;
    /** Null when the account binding is not part of the caller's mode (a CLI preview without one). */
    readonly allowedAccounts: ReadonlySet<string> | null;
  };
}

/**
 * What should happen to a finding, on live state, without recording anything: the same reads and
 * the same gate as planning (the Lambda and `plan --live` both use it). Groups are read only in an
 * allowed account, and only when the credentials used there report that very account (the hub's
 * own role, or the member role it assumes): an account off the allow-list costs no AssumeRole.
 */
export async function previewFinding(
  deps: PreviewDeps,
  finding: Finding,
): Promise<{ decision: PlanDecision; callerArn: string | null }> {
  const allowedAccounts = deps.config.allowedAccounts;
  // Never read the groups of an account this deployment may not touch.
  const allowed =
    allowedAccounts === null || checkAccountAllowList(finding.accountUid, allowedAccounts).kind === 'allow';
  const where = whereOf(finding);
  let caller: { account: string; arn: string } | null = null;
  try {
    caller = allowed ? await deps.accounts.identityIn(where, 'read') : null;
  } catch (error) {
    // No credentials in that account (member role missing, AssumeRole denied): unknown, never skipped.
    const reason = `no credentials for account ${finding.accountUid}: ${messageOf(error)}`;
    return { decision: { kind: 'unreadable', finding, reason }, callerArn: null };
  }
  const live =
    allowed && caller?.account === finding.accountUid
      ? await deps.securityGroups.readGroup(where, finding.sgId)
      : null;
  const decision = decidePlan(finding, {
    protectedIds: deps.config.protectedIds,
    allowedAccounts,
    callerAccount: caller?.account ?? null,
    live,
  });
  return { decision, callerArn: caller?.arn ?? null };
}

/** EventBridge finding → one action in the table (PENDING_APPROVAL or SKIPPED) + a lifecycle event. */
export async function planFinding(deps: PlanDeps, input: unknown): Promise<PlanResult> {
  const parsed = parseFinding(input);
  if (!parsed.ok) return rejectFinding(deps, parsed.error);
  const { decision, callerArn } = await previewFinding(deps, parsed.value);
  return recordDecision(deps, decision, callerArn);
}

/** A finding that cannot be planned: one `Action Skipped` with the reason, nothing recorded. */
export async function rejectFinding(
  deps: Pick<PlanDeps, 'events'>,
  rejection: FindingRejection,
): Promise<PlanResult> {
  await deps.events.publish([
    {
      detailType: 'Action Skipped',
      detail: {
        reason: rejection.reason,
        rejection: rejection.kind,
        finding_uid: rejection.raw?.findingUid ?? null,
      },
    },
  ]);
  return { kind: 'rejected', rejection };
}

/** A plan decision → one action in the table (PENDING_APPROVAL or SKIPPED) + a lifecycle event. */
export async function recordDecision(
  deps: PlanDeps,
  decision: PlanDecision,
  callerArn: string | null,
): Promise<PlanResult> {
  const { finding } = decision;
  const { config } = deps;
  // A transient read error must not become a SKIPPED action: throw so the event is retried (then DLQ).
  if (decision.kind === 'unreadable') throw new AwsCallError(decision.reason, undefined);
  const nowMs = deps.clock.nowMs();
  const [status, recordStatus, statusDetail] = initialState(decision);
  // Only a plan an approver will decide on gets a preview; it never blocks planning (errors are values).
  const plan =
    decision.kind === 'planned' && deps.impact
      ? withImpact(decision.plan, await previewImpact({ ...deps.impact, clock: deps.clock }, decision.plan))
      : decision.kind === 'not-public'
        ? null
        : decision.plan;
  const action: Action = {
    actionId: decision.kind === 'not-public' ? notPublicId(decision) : decision.plan.actionId,
    status,
    recordStatus,
    statusDetail,
    createdAt: isoOf(nowMs),
    updatedAt: isoOf(nowMs),
    approvalDeadline: isoOf(nowMs + config.approvalTtlHours * 3_600_000),
    finding,
    plan,
    guardrails: decision.kind === 'not-public' ? [] : decision.report.verdicts,
    approval: null,
    rejection: null,
    outcome: null,
    verification: null,
    history: [
      { at: isoOf(nowMs), from: null, to: status, by: callerArn ?? 'sg-revoke', detail: statusDetail },
    ],
    auditHead: null,
  };
  const created = await deps.actions.create(action);
  if (created === 'exists') {
    const existing = await deps.actions.get(action.actionId);
    return { kind: 'duplicate', action: existing ?? action };
  }
  await deps.events.publish([
    {
      detailType: status === 'PENDING_APPROVAL' ? 'Action Planned' : 'Action Skipped',
      detail: lifecycleDetail(action),
    },
  ]);
  return { kind: 'recorded', action };
}

const notPublicId = (d: Extract<PlanDecision, { kind: 'not-public' }>) => actionIdOf(d.finding);

/** What approvers and subscribers see of an action: no before-image, no history. */
export function lifecycleDetail(action: Action): Record<string, unknown> {
  const f = action.finding;
  return {
    action_id: action.actionId,
    status: action.status,
    record_status: action.recordStatus,
    status_detail: action.statusDetail,
    finding_uid: f.findingUid,
    account_uid: f.accountUid,
    region: f.region,
    sg_id: f.sgId,
    sg_name: f.sgName,
    rules: action.plan?.targets ?? [],
    plan_hash: action.plan?.planHash ?? null,
    impact_summary: action.plan?.impact ? summarizeImpact(action.plan.impact) : null,
    // The whole preview only where an approver decides: later events of the action stay small
    // (ten of them share one PutEvents request of at most 256 KB).
    impact: action.status === 'PENDING_APPROVAL' ? (action.plan?.impact ?? null) : null,
    approval_deadline: action.approvalDeadline,
    // Only control-derived actions carry these: the status write-back rule matches on `origin`.
    ...(f.source ? { control: f.source.control, origin: f.source.origin } : {}),
  };
}
