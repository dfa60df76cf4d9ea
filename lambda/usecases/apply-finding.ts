import type { Action } from '../core/action';
import { messageOf } from '../core/errors';
import type { FindingRejection } from '../core/finding';
import type { ControlStore } from '../core/limits';
import { type ApplyDeps, applyClaimed } from './apply-action';
import { approveAndClaim } from './local-approval';
import { type PlanDeps, planFinding } from './plan-finding';

export type ApplyFindingDeps = PlanDeps &
  ApplyDeps & {
    /** The stack's kill switch: while it is on (or unreadable) the CLI revokes nothing either. */
    readonly control?: Pick<ControlStore, 'readPause'>;
  };

/** Who approves from the command line: the gate's name and incident, under the caller's ARN. */
export interface CliApproval {
  readonly approver: string;
  readonly incidentId: string;
}

export type ApplyFindingResult =
  | { readonly kind: 'rejected'; readonly rejection: FindingRejection }
  /** Planned on live state and decided at once (skipped), or already in a final state. */
  | { readonly kind: 'final'; readonly action: Action }
  /** An earlier run applied it: nothing is revoked now. */
  | { readonly kind: 'already-applied'; readonly action: Action }
  /** The kill switch is on (or could not be read): nothing planned, approved or revoked. */
  | { readonly kind: 'paused'; readonly reason: string }
  /** The platform planned it: its approvers decide, through the approval API. */
  | { readonly kind: 'left-to-approvers'; readonly action: Action }
  | {
      readonly kind: 'applied';
      readonly action: Action;
      readonly audit: { rowUid: string; s3Uri: string } | null;
    };

const isApplied = (a: Action): boolean => a.status === 'APPLIED' || a.status === 'ALREADY_ABSENT';

/**
 * `sg-revoke apply` for one finding (the original's `--apply`): plan it on live state, approve it
 * under the gate's incident id, and apply it — the Lambdas' own use cases, in the order the
 * platform runs them. The CLI approves only what it planned itself, or its own failed attempt: an
 * action the platform planned belongs to the approval API's approvers.
 */
export async function applyFinding(
  deps: ApplyFindingDeps,
  input: unknown,
  approval: CliApproval,
): Promise<ApplyFindingResult> {
  // Checked first: a run while paused records nothing, so a re-run after `resume` applies as usual.
  const paused = await pausedBy(deps);
  if (paused) return { kind: 'paused', reason: paused };
  const planned = await planFinding(deps, input);
  if (planned.kind === 'rejected') return { kind: 'rejected', rejection: planned.rejection };
  const action = planned.action;
  if (planned.kind === 'duplicate' && action.outcome && isApplied(action)) {
    return { kind: 'already-applied', action };
  }
  const own =
    (planned.kind === 'recorded' && action.status === 'PENDING_APPROVAL') ||
    (action.status === 'FAILED' && action.approval?.approver === approval.approver);
  if (!own) {
    return action.status === 'PENDING_APPROVAL'
      ? { kind: 'left-to-approvers', action }
      : { kind: 'final', action };
  }
  // The gate (incident id, approver, allow-list holding the STS account) is the CLI's approval. It
  // is recorded in the same write that claims the action, so the apply λ never sees it unsigned.
  const claimed = await approveAndClaim(deps, action, {
    approver: approval.approver,
    incidentId: approval.incidentId,
    planHash: action.plan?.planHash ?? '',
  });
  if (!claimed.ok) throw new Error(`approval refused: ${claimed.error.message}`);
  const result = await applyClaimed(deps, claimed.value);
  return { kind: 'applied', action: result.action, audit: result.audit };
}

/** Why the kill switch stops this apply, or null; read fail-closed like the apply λ's gate. */
async function pausedBy(deps: ApplyFindingDeps): Promise<string | null> {
  if (!deps.control) return null;
  try {
    const pause = (await deps.control.readPause()).value;
    return pause.paused ? `kill switch on (${pause.reason ?? 'no reason'}): sg-revoke resume to apply` : null;
  } catch (error) {
    return `kill switch unreadable, nothing revoked: ${messageOf(error)}`;
  }
}
