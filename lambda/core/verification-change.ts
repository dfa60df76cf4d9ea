import type { VerificationState, VerificationTransition } from './action';
import type { Verification } from './verification';

/** How reverify decides what a check is worth writing (DESIGN §2, issue 10). */
export interface VerifyPolicy {
  /** An unchanged action still gets one audit row this often, so the trail has no silent gap. */
  readonly heartbeatMs: number;
  /** Consecutive UNREACHABLE checks at which the streak is audited (each threshold once per streak). */
  readonly unreachableThresholds: readonly number[];
  /** Transitions kept on the item; older ones live only in the audit trail. */
  readonly recentLimit: number;
}

export const DEFAULT_VERIFY_POLICY: VerifyPolicy = {
  heartbeatMs: 24 * 3_600_000,
  // One hour and one day of 15-minute checks.
  unreachableThresholds: [4, 96],
  recentLimit: 20,
};

export type CheckReason =
  | 'first-check'
  | 'status-change'
  | 'drift-opened'
  | 'drift-closed'
  | 'unreachable-streak'
  | 'heartbeat';

/**
 * `confirm`: the check agrees with the recorded state; only the counters move (no audit row).
 * `record`: something an auditor must see happened; `next` replaces the recorded state.
 */
export type CheckDecision =
  | {
      readonly kind: 'confirm';
      readonly driftChecks: number;
      readonly unreachableChecks: number;
    }
  | { readonly kind: 'record'; readonly reason: CheckReason; readonly next: VerificationState };

function reasonOfChange(previous: VerificationState | null, now: Verification['status']): CheckReason | null {
  if (!previous) return 'first-check';
  if (previous.status === now) return null;
  if (now === 'drift') return 'drift-opened';
  if (previous.status === 'drift') return 'drift-closed';
  return 'status-change';
}

export interface CheckFacts {
  readonly previous: VerificationState | null;
  readonly verification: Verification;
  readonly isoNow: string;
  /** Time since `previous.checkedAt` (time enters the core as a value). */
  readonly msSinceRecorded: number;
}

export function decideCheck(facts: CheckFacts, policy: VerifyPolicy): CheckDecision {
  const { previous, verification: v, isoNow: at } = facts;
  const same = previous !== null && previous.status === v.status;
  const driftChecks = v.status === 'drift' ? (same ? previous.driftChecks : 0) + 1 : 0;
  const unreachableChecks =
    v.status === 'unreachable' ? (same ? (previous.unreachableChecks ?? 0) : 0) + 1 : 0;
  const changed = reasonOfChange(previous, v.status);
  const crossed = same && policy.unreachableThresholds.includes(unreachableChecks);
  const heartbeat = same && facts.msSinceRecorded >= policy.heartbeatMs;
  const reason: CheckReason | null =
    changed ?? (crossed ? 'unreachable-streak' : heartbeat ? 'heartbeat' : null);
  if (reason === null) return { kind: 'confirm', driftChecks, unreachableChecks };
  const recent = previous?.recent ?? [];
  const transition: VerificationTransition = { at, status: v.status, reason };
  return {
    kind: 'record',
    reason,
    next: {
      status: v.status,
      checkedAt: at,
      detail: `${v.actualState}; ${v.detail}`,
      driftSince: v.status === 'drift' ? (same ? previous.driftSince : at) : null,
      driftChecks,
      unreachableChecks,
      // A heartbeat is no transition: it leaves the bounded list as it was.
      recent: reason === 'heartbeat' ? recent : [...recent, transition].slice(-policy.recentLimit),
    },
  };
}

/** The audit detail of a recorded check: why it was written, then what was seen. */
export function checkAuditDetail(reason: CheckReason, state: VerificationState): string {
  const streak = reason === 'unreachable-streak' ? ` (${state.unreachableChecks} checks in a row)` : '';
  return `${reason}${streak}: ${state.detail}`;
}
