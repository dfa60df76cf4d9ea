import type { Action } from '../core/action';
import { ConflictError } from '../core/errors';
import {
  countsForBreaker,
  DEADLINE_PASSED_DETAIL,
  decideSlot,
  limitsKeyOf,
  RATE_WINDOW_MS,
  type WaitReason,
} from '../core/limits';
import { type ApplyResult, applyAction, type SignedApplyDeps } from './apply-action';
import { commitAudited, commitPlain, isoOf } from './deps';
import { type BreakerDeps, countBreakerFailure } from './pause-control';
import { lifecycleDetail } from './plan-finding';

export interface GatedApplyDeps extends SignedApplyDeps, BreakerDeps {
  readonly limits: { readonly maxRevokesPerHour: number };
  /** Counts an approval that reached its deadline while waiting (a metric the alarm watches). */
  readonly onDeadlinePassed?: () => void;
}

export type GatedApplyResult = ApplyResult | { readonly kind: 'waiting'; readonly reason: WaitReason };

type GateVerdict =
  | { readonly kind: 'go' }
  | { readonly kind: 'wait'; readonly reason: WaitReason; readonly why: string }
  | { readonly kind: 'deadline-passed' };

/** How the apply was asked for: the stream (one new approval) or the drain (every waiting one). */
export type ApplyVia = 'stream' | 'drain';

const WAITING: ReadonlySet<string> = new Set<WaitReason>([
  'paused',
  'rate-limited',
  'pause-state-unreadable',
]);
const BY = 'sg-revoke apply';
const SLOT_ATTEMPTS = 5;

export const isWaiting = (action: Pick<Action, 'status' | 'statusDetail'>): boolean =>
  action.status === 'APPROVED' && WAITING.has(action.statusDetail ?? '');

/**
 * The apply λ behind its limits: the kill switch (read fail-closed), the approval deadline of an
 * action that waited, the order of waiting approvals, and the rate cap per account and region are
 * checked before the claim; an action that must wait stays APPROVED with the reason as its detail
 * (a same-state write: no transition). A failed or tampered apply is counted by the circuit breaker.
 */
export async function applyGated(
  deps: GatedApplyDeps,
  actionId: string,
  via: ApplyVia,
): Promise<GatedApplyResult> {
  const current = await deps.actions.get(actionId);
  if (!current) return { kind: 'unknown-action' };
  // Answered from the snapshot the gate would check: never a second read that could find APPROVED
  // (a re-approval racing a retried record) and claim it without the kill switch or the cap.
  if (current.status !== 'APPROVED') return { kind: 'not-approved', status: current.status };
  const verdict = await gate(deps, current, via);
  if (verdict.kind === 'wait') return hold(deps, current, verdict);
  if (verdict.kind === 'deadline-passed') return deadlinePassed(deps, current);
  const result = await applyAction(deps, actionId);
  if (result.kind === 'done' && countsForBreaker(result.action.status, result.action.statusDetail)) {
    await countBreakerFailure(
      deps,
      `${actionId} ${result.action.status}: ${result.action.statusDetail ?? ''}`,
    );
  }
  return result;
}

async function gate(deps: GatedApplyDeps, action: Action, via: ApplyVia): Promise<GateVerdict> {
  let paused: boolean;
  let why: string;
  try {
    const pause = (await deps.control.readPause()).value;
    paused = pause.paused;
    why = `paused by ${pause.by ?? 'unknown'} at ${pause.at ?? 'unknown'}: ${pause.reason ?? ''}`;
  } catch (error) {
    // Fail closed: a switch nobody can read might be on.
    return {
      kind: 'wait',
      reason: 'pause-state-unreadable',
      why: `kill switch unreadable: ${String(error)}`,
    };
  }
  // Only an action that waited (or the drain's) can outlive its approval here; any other expired
  // approval is the signature check's to refuse.
  const deadline = action.approval?.deadline;
  const waited = via === 'drain' || isWaiting(action);
  if (waited && typeof deadline === 'string' && isoOf(deps.clock.nowMs()) > deadline)
    return { kind: 'deadline-passed' };
  if (paused) return { kind: 'wait', reason: 'paused', why };
  const key = keyOf(action);
  if (via === 'stream' && (await olderWaitingIn(deps, action, key))) {
    return { kind: 'wait', reason: 'rate-limited', why: `older approvals in ${key} wait first` };
  }
  return takeSlot(deps, key);
}

async function takeSlot(deps: GatedApplyDeps, key: string): Promise<GateVerdict> {
  const limit = deps.limits.maxRevokesPerHour;
  for (let attempt = 1; attempt <= SLOT_ATTEMPTS; attempt++) {
    const stamps = await deps.control.readStamps(key);
    const decision = decideSlot(stamps.value, deps.clock.nowMs(), limit, RATE_WINDOW_MS);
    if (decision.kind === 'full') {
      const why = `${limit} revokes in the last hour in ${key}; next slot at ${isoOf(decision.freeAtMs)}`;
      return { kind: 'wait', reason: 'rate-limited', why };
    }
    // The write is conditional on the version read: of two containers racing for the last slot, one
    // loses, reads again, and finds the window full.
    if ((await deps.control.writeStamps(key, decision.next, stamps.version)) === 'written')
      return { kind: 'go' };
  }
  return { kind: 'wait', reason: 'rate-limited', why: `${key} kept changing; retried by the drain` };
}

async function hold(
  deps: GatedApplyDeps,
  action: Action,
  verdict: Extract<GateVerdict, { kind: 'wait' }>,
): Promise<GatedApplyResult> {
  // The drain passes every few minutes: only a changed reason is written, so history stays short.
  if (action.statusDetail === verdict.reason) return { kind: 'waiting', reason: verdict.reason };
  try {
    const change = {
      from: ['APPROVED' as const],
      to: 'APPROVED' as const,
      patch: { statusDetail: verdict.reason },
    };
    await commitPlain(deps, action, change, BY, verdict.why);
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
    const now = await deps.actions.get(action.actionId);
    if (now?.status !== 'APPROVED') return { kind: 'not-approved', status: now?.status ?? 'APPROVED' };
  }
  return { kind: 'waiting', reason: verdict.reason };
}

/**
 * The signed approval's deadline passed while the action waited: it is no longer applied (the
 * signature check would refuse it anyway) and ends FAILED, audited and alarmed, nothing revoked;
 * an approver can approve it again (FAILED → APPROVED), with a new signature.
 */
async function deadlinePassed(deps: GatedApplyDeps, action: Action): Promise<GatedApplyResult> {
  let claimed: Action;
  try {
    claimed = await commitPlain(
      deps,
      action,
      { from: ['APPROVED'], to: 'APPLYING', patch: {} },
      BY,
      'claimed',
    );
  } catch (error) {
    if (error instanceof ConflictError) return { kind: 'lost-claim' };
    throw error;
  }
  const detail = `${DEADLINE_PASSED_DETAIL}: the approval was valid until ${action.approval?.deadline}; nothing revoked, approve again to retry`;
  const patch = { recordStatus: 'failure' as const, statusDetail: DEADLINE_PASSED_DETAIL };
  const done = await commitAudited(
    deps,
    claimed,
    { from: ['APPLYING'], to: 'FAILED', patch },
    {
      rules: claimed.plan?.targets ?? [],
      step: 'revoke_after',
      status: 'failure',
      detail,
      incidentId: claimed.approval?.incidentId ?? null,
      approver: claimed.approval?.approver ?? null,
      caller: BY,
      mode: deps.mode,
    },
    BY,
  );
  deps.onDeadlinePassed?.();
  await deps.events.publish([
    {
      detailType: 'Approval Deadline Passed',
      detail: { ...lifecycleDetail(done.action), reason: DEADLINE_PASSED_DETAIL },
    },
  ]);
  return { kind: 'done', action: done.action, audit: { rowUid: done.rowUid, s3Uri: done.s3Uri } };
}

const keyOf = (action: Action): string =>
  limitsKeyOf(
    action.plan?.accountUid ?? action.finding.accountUid,
    action.plan?.region ?? action.finding.region,
  );

const approvedAtOf = (action: Action): string => action.approval?.at ?? action.updatedAt;

/** Waiting approvals, oldest approval first (the by-status index is ordered by plan time, not approval). */
export async function listApprovedInOrder(
  deps: Pick<GatedApplyDeps, 'actions'>,
  max = 1_000,
): Promise<Action[]> {
  const all: Action[] = [];
  let cursor: string | null = null;
  do {
    const page = await deps.actions.listByStatus('APPROVED', 100, cursor);
    all.push(...page.items);
    cursor = page.cursor;
  } while (cursor !== null && all.length < max);
  return all.sort(
    (a, b) => approvedAtOf(a).localeCompare(approvedAtOf(b)) || a.actionId.localeCompare(b.actionId),
  );
}

/** A new approval does not overtake older ones that wait in the same account and region. */
async function olderWaitingIn(deps: GatedApplyDeps, action: Action, key: string): Promise<boolean> {
  const mine = approvedAtOf(action);
  const approved = await listApprovedInOrder(deps);
  return approved.some(
    (other) =>
      other.actionId !== action.actionId &&
      isWaiting(other) &&
      keyOf(other) === key &&
      approvedAtOf(other) < mine,
  );
}

export interface DrainSummary {
  readonly seen: number;
  readonly applied: number;
  readonly waiting: number;
  readonly deadlinePassed: number;
  readonly other: number;
  /** Actions whose apply threw: left as they were (APPROVED), retried by the next drain. */
  readonly failed: number;
}

/**
 * The schedule's drain: every APPROVED action, oldest approval first, through the same gate. Once an
 * account and region is full, its later approvals are not offered a slot (they would overtake).
 */
export async function drainApproved(deps: GatedApplyDeps): Promise<DrainSummary> {
  const approved = await listApprovedInOrder(deps);
  const full = new Set<string>();
  const counts = { seen: approved.length, applied: 0, waiting: 0, deadlinePassed: 0, other: 0, failed: 0 };
  for (const action of approved) {
    const key = keyOf(action);
    const deadline = action.approval?.deadline;
    const expired = typeof deadline === 'string' && isoOf(deps.clock.nowMs()) > deadline;
    if (full.has(key) && !expired) {
      await hold(deps, action, {
        kind: 'wait',
        reason: 'rate-limited',
        why: `older approvals in ${key} wait first`,
      });
      counts.waiting += 1;
      continue;
    }
    let result: GatedApplyResult;
    try {
      result = await applyGated(deps, action.actionId, 'drain');
    } catch {
      // One action that cannot be applied now (an AWS error, a malformed item) must not starve the
      // approvals behind it; it keeps its place for the next drain. Its account and region is held
      // like a full one, so nothing overtakes it.
      counts.failed += 1;
      full.add(key);
      continue;
    }
    if (result.kind === 'waiting') {
      counts.waiting += 1;
      if (result.reason === 'rate-limited') full.add(key);
    } else if (result.kind === 'done' && result.action.statusDetail === DEADLINE_PASSED_DETAIL) {
      counts.deadlinePassed += 1;
    } else if (result.kind === 'done') counts.applied += 1;
    else counts.other += 1;
  }
  return counts;
}
