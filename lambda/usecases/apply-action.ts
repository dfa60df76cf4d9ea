import type { Action, ActionChange, Outcome, RecordStatus } from '../core/action';
import {
  type Approval,
  type ApprovalProblem,
  approvalMarkerOf,
  checkStoredApproval,
  selectApprovedRules,
} from '../core/approval';
import { blockedStatus } from '../core/decide';
import { ApprovalReplayError, ConflictError, messageOf } from '../core/errors';
import { checkAccountAllowList, evaluateGuardrails, type Verdict } from '../core/guardrails';
import { type Finding, type LiveRead, whereOf } from '../core/model';
import type { Plan, RevokeTarget } from '../core/plan';
import type { AccountIdentity, ApprovalVerifier, EventPublisher, SecurityGroups } from '../core/ports';
import type { ActionStatus } from '../core/state-machine';
import { type AuditDeps, commitAudited, commitPlain, isoOf } from './deps';
import { lifecycleDetail } from './plan-finding';
import { revokeAndConfirm } from './revoke-and-confirm';

export interface ApplyDeps extends AuditDeps {
  readonly securityGroups: SecurityGroups;
  readonly accounts: AccountIdentity;
  readonly events: EventPublisher;
  readonly mode: 'lambda' | 'cli';
  readonly config: {
    readonly protectedIds: ReadonlySet<string>;
    readonly allowedAccounts: ReadonlySet<string>;
  };
}

export interface SignedApplyDeps extends ApplyDeps {
  /** Verifies the approval's signature with the public key: nothing in the table is trusted alone. */
  readonly verifier: ApprovalVerifier;
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

type Done = Extract<ApplyResult, { kind: 'done' }>;

/** How one apply ended: the single value every exit path hands to `finish`. */
interface Ending {
  readonly to: Extract<ActionStatus, 'APPLIED' | 'ALREADY_ABSENT' | 'BLOCKED' | 'FAILED'>;
  readonly status: RecordStatus;
  readonly detail: string;
  readonly caller: string;
  readonly revoked?: readonly RevokeTarget[];
  readonly verdicts?: readonly Verdict[];
  readonly unapproved?: readonly RevokeTarget[];
  /** The approval this write consumes (its first audited write). */
  readonly consumes?: Consumes;
}

const BY = 'sg-revoke apply';

/**
 * The apply λ: APPROVED → APPLYING (conditional claim: the guard against double work) → the
 * approval's signature and the plan hash checked (a forged or edited row ends BLOCKED, audited and
 * alarmed) → every guardrail on live state → audit BEFORE → revoke exactly the approved rule ids
 * → confirm → audit AFTER.
 */
export async function applyAction(deps: SignedApplyDeps, actionId: string): Promise<ApplyResult> {
  const current = await deps.actions.get(actionId);
  if (!current) return { kind: 'unknown-action' };
  if (current.status !== 'APPROVED') return { kind: 'not-approved', status: current.status };
  let claimed: Action;
  try {
    const change = { from: ['APPROVED'] as ActionStatus[], to: 'APPLYING' as const, patch: {} };
    claimed = await commitPlain(deps, current, change, BY, 'claimed');
  } catch (error) {
    if (error instanceof ConflictError) return { kind: 'lost-claim' };
    throw error;
  }
  const problem = await approvalProblemOf(deps, claimed);
  if (problem) return blockTampered(deps, claimed, problem);
  // The first audited write of this apply consumes the signed approval (a write-once marker in the
  // audit table): it can never be applied twice, nor after a rejection, even if a row is written back.
  const marker = approvalMarkerOf(claimed);
  return applyClaimed(deps, claimed, marker === null ? undefined : { marker, firstUse: true });
}

type Consumes = ActionChange['consumes'];

/**
 * Applies an action this process holds in APPLYING with a trusted approval: the apply λ after the
 * signature check, or the CLI, whose local approval was recorded in the same write as its claim.
 */
export async function applyClaimed(deps: ApplyDeps, claimed: Action, consumes?: Consumes): Promise<Done> {
  const result = await runApply(deps, claimed, consumes);
  const events = [{ detailType: 'Action Applied', detail: lifecycleDetail(result.action) }];
  const unapproved = result.action.outcome?.unapprovedRules ?? [];
  if (unapproved.length > 0) {
    events.push({
      detailType: 'Unapproved Rules Found',
      detail: { ...lifecycleDetail(result.action), unapproved_rules: unapproved },
    });
  }
  await deps.events.publish(events);
  return result;
}

const REPLAYED: ApprovalProblem = {
  kind: 'approval-invalid',
  detail: 'this signed approval was already used or rejected (replay)',
};

async function approvalProblemOf(deps: SignedApplyDeps, action: Action): Promise<ApprovalProblem | null> {
  let check: ReturnType<typeof checkStoredApproval>;
  try {
    check = checkStoredApproval(action, deps.verifier.keyId, isoOf(deps.clock.nowMs()));
  } catch (error) {
    // A row edited into a shape the hash cannot even read is tampering too, never a crash loop.
    return { kind: 'plan-tampered', detail: `the stored plan or approval is malformed: ${messageOf(error)}` };
  }
  if (check.kind !== 'verify') return check;
  // A key that cannot be read (KMS throttled or down) throws: nothing is revoked, the action stays
  // claimed, and the schedule's interrupted-apply sweep makes it FAILED, so it can be approved again.
  // Only a signature that does not verify is tampering.
  if (await deps.verifier.verify(check.payload, check.signature)) return null;
  return { kind: 'approval-invalid', detail: 'the approval signature does not verify' };
}

async function blockTampered(deps: ApplyDeps, action: Action, problem: ApprovalProblem): Promise<Done> {
  const detail = `${problem.kind}: ${problem.detail}; nothing revoked`;
  const done = await finish(deps, action, { to: 'BLOCKED', status: 'failure', detail, caller: BY });
  await deps.events.publish([
    { detailType: 'Tamper Detected', detail: { ...lifecycleDetail(done.action), reason: problem.kind } },
  ]);
  return done;
}

async function runApply(deps: ApplyDeps, action: Action, consumes: Consumes): Promise<Done> {
  const plan = action.plan;
  const approval = action.approval;
  if (!plan || !approval) {
    return finish(deps, action, {
      to: 'BLOCKED',
      status: 'failure',
      detail: 'no plan or approval',
      caller: BY,
    });
  }
  const where = whereOf(plan);
  // An account off the allow-list is refused before any credentials are asked for it (no AssumeRole).
  const allowList = checkAccountAllowList(plan.accountUid, deps.config.allowedAccounts);
  if (allowList.kind === 'block') {
    return finish(deps, action, {
      to: 'BLOCKED',
      status: 'skipped_account_boundary',
      detail: allowList.reason,
      caller: BY,
      verdicts: [allowList],
      consumes,
    });
  }
  let caller: { account: string; arn: string };
  try {
    // The credentials that will revoke: the hub's role in its own account, else the member role.
    caller = await deps.accounts.identityIn(where, 'revoke');
  } catch (error) {
    // No credentials (AssumeRole denied, STS down): nothing revoked, and it can be approved again.
    return finish(deps, action, {
      to: 'FAILED',
      status: 'failure',
      detail: `no credentials for account ${plan.accountUid}, nothing revoked: ${messageOf(error)}`,
      caller: 'unknown',
      consumes,
    });
  }
  // Credentials of another account never read, let alone change, a group there.
  const live: LiveRead =
    caller.account === plan.accountUid
      ? await deps.securityGroups.readGroup(where, plan.sgId)
      : { kind: 'error', message: `not read: the credentials are in account ${caller.account}` };
  const report = evaluateGuardrails({
    finding: signedFindingOf(action.finding, plan),
    protectedIds: deps.config.protectedIds,
    live: live.kind === 'not-found' ? null : live,
    allowedAccounts: deps.config.allowedAccounts,
    callerAccount: caller.account,
  });
  const verdicts = report.verdicts;
  if (report.firstBlock) {
    const status = blockedStatus(report.firstBlock, false);
    return finish(deps, action, {
      to: 'BLOCKED',
      status,
      detail: report.firstBlock.reason,
      caller: caller.arn,
      verdicts,
      consumes,
    });
  }
  const selection =
    live.kind === 'found'
      ? selectApprovedRules(approval.rules, plan, live.group.ingress)
      : { revoke: [], changed: [], unapproved: [] };
  const { revoke, unapproved } = selection;
  if (revoke.length === 0) {
    const why =
      live.kind === 'not-found' ? 'security group not found (deleted)' : 'no approved rule is still open';
    return finish(deps, action, {
      to: 'ALREADY_ABSENT',
      status: 'already_absent',
      detail: why,
      caller: caller.arn,
      verdicts,
      unapproved,
      consumes,
    });
  }
  let claimed: Action;
  try {
    const before = await commitAudited(
      deps,
      action,
      { from: ['APPLYING'], to: 'APPLYING', patch: {}, consumes },
      auditFactsOf(deps, approval, caller.arn, revoke, {
        step: 'revoke_before',
        status: 'in_progress',
        detail: `about to revoke ${revoke.length} approved rule(s)${namedChanges(selection)}`,
      }),
      BY,
    );
    claimed = before.action;
  } catch (error) {
    if (error instanceof ApprovalReplayError) return blockTampered(deps, action, REPLAYED);
    // Both audit writes must succeed before any revoke: fail closed, and leave the action re-approvable.
    const detail = `audit BEFORE failed, nothing revoked: ${messageOf(error)}`;
    const patch = { recordStatus: 'failure' as const, statusDetail: detail };
    const failed = await commitPlain(deps, action, { from: ['APPLYING'], to: 'FAILED', patch }, BY, detail);
    return { kind: 'done', action: failed, audit: null };
  }
  const outcome = await revokeAndConfirm(deps.securityGroups, where, plan.sgId, revoke);
  return finish(deps, claimed, {
    to: outcome.state,
    status: outcome.status,
    detail: outcome.detail + namedChanges(selection),
    caller: caller.arn,
    revoked: outcome.revoked,
    verdicts,
    unapproved,
  });
}

/** The guardrails read where the signed plan says the action acts, not the finding's copy. */
const signedFindingOf = (finding: Finding, plan: Plan): Finding => ({
  ...finding,
  sgId: plan.sgId,
  region: plan.region,
  accountUid: plan.accountUid,
  sgName: plan.sgName,
});

function namedChanges(selection: {
  changed: readonly string[];
  unapproved: readonly RevokeTarget[];
}): string {
  const parts = [];
  if (selection.changed.length > 0)
    parts.push(`approved rule(s) changed since approval, left alone: ${selection.changed.join(', ')}`);
  if (selection.unapproved.length > 0) {
    parts.push(
      `unapproved public rule(s) left open: ${selection.unapproved.map((r) => r.ruleId).join(', ')}`,
    );
  }
  return parts.length > 0 ? `; ${parts.join('; ')}` : '';
}

function auditFactsOf(
  deps: ApplyDeps,
  approval: Approval | null,
  caller: string,
  rules: readonly RevokeTarget[],
  step: {
    step: 'revoke_before' | 'revoke_after';
    status: RecordStatus | 'in_progress';
    detail: string;
    revoked?: readonly RevokeTarget[];
  },
) {
  return {
    rules,
    revokedRules: step.revoked ?? [],
    step: step.step,
    status: step.status,
    detail: step.detail,
    incidentId: textOr(approval?.incidentId),
    approver: textOr(approval?.approver),
    caller,
    mode: deps.mode,
  };
}

async function finish(deps: ApplyDeps, action: Action, end: Ending): Promise<Done> {
  const revoked = end.revoked ?? [];
  const outcome: Outcome = {
    status: end.status,
    detail: end.detail,
    revokedRules: revoked,
    at: isoOf(deps.clock.nowMs()),
    ...(end.unapproved && end.unapproved.length > 0 ? { unapprovedRules: end.unapproved } : {}),
  };
  const blocked = end.to === 'BLOCKED';
  const verdicts = end.verdicts ?? [];
  const fullDetail =
    blocked && verdicts.length > 0
      ? `${end.detail} (guardrails: ${verdicts.map((v) => `${v.guardrail}=${v.kind}`).join(', ')})`
      : end.detail;
  const change = {
    from: ['APPLYING'] as ActionStatus[],
    to: end.to,
    patch: { recordStatus: end.status, statusDetail: end.detail, outcome },
    consumes: end.consumes,
  };
  // A forged approval is untrusted data of any shape: only a well-formed rule list is recorded as such.
  const approved = action.approval?.rules;
  const rules = Array.isArray(approved) ? approved : (action.plan?.targets ?? []);
  const facts = auditFactsOf(deps, action.approval, end.caller, rules, {
    step: blocked ? 'revoke_before' : 'revoke_after',
    status: end.status,
    detail: fullDetail,
    revoked,
  });
  try {
    const after = await commitAudited(deps, action, change, facts, BY);
    return { kind: 'done', action: after.action, audit: { rowUid: after.rowUid, s3Uri: after.s3Uri } };
  } catch (error) {
    if (error instanceof ApprovalReplayError) return blockTampered(deps, action, REPLAYED);
    if (error instanceof ConflictError) throw error;
    // The outcome is a fact whether or not its audit row could be written: record it, then fail loudly.
    const note = `${end.detail}; audit AFTER failed: ${messageOf(error)}`;
    await commitPlain(deps, action, { ...change, patch: { ...change.patch, statusDetail: note } }, BY, note);
    throw error;
  }
}

const textOr = (value: unknown): string | null => (typeof value === 'string' ? value : null);
