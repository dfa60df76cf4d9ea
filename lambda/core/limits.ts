import type { AuditRow } from './audit';

/**
 * Blast-radius limits (DESIGN §13): the rate cap per account and region, the circuit breaker and the
 * kill switch, as pure decisions. The stores and the apply path (usecases/apply-gate.ts) act on them.
 */

/** Revokes per account and region per rolling hour (CDK context `maxRevokesPerHour`). */
export const MAX_REVOKES_PER_HOUR = { default: 20, max: 1_000 } as const;
export const RATE_WINDOW_MS = 3_600_000;

/** Failed or tampered applies in the breaker window that trip it (CDK context `breakerThreshold`). */
export const BREAKER_THRESHOLD = { default: 3, max: 100 } as const;
export const BREAKER_WINDOW_MS = 15 * 60_000;
/** A DRIFT found this soon after its revoke trips the breaker: the revoke did not hold (or was undone). */
export const QUICK_DRIFT_MS = 60 * 60_000;

/**
 * EC2's mutating-API token bucket (RevokeSecurityGroupIngress: 50 tokens, 5 per second, per account
 * and region; https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html). The apply
 * path paces itself under it, leaving room for other callers of the account.
 */
export const EC2_MUTATING_BUCKET = { capacity: 50, refillPerSecond: 5 } as const;

/** The actions-table key of the kill switch; no action id has this form (they start `sgrev-`). */
export const PAUSE_KEY = 'control#pause';
/** The actions-table key of the breaker's recent failures. */
export const BREAKER_KEY = 'control#breaker';
/** The audit-table partition of operator rows (pause, resume, breaker trips): never an sg id. */
export const OPERATOR_PARTITION = 'operator';
/** Every control key starts so: IAM denies writes to these keys to the roles that must not. */
export const CONTROL_KEY_PREFIXES = ['control#', 'limits#'] as const;

export const limitsKeyOf = (accountUid: string, region: string): string => `limits#${accountUid}#${region}`;

/** Detail of an APPROVED action that waits (a same-state write: no transition). */
export type WaitReason = 'paused' | 'rate-limited' | 'pause-state-unreadable';
export const DEADLINE_PASSED_DETAIL = 'approval-deadline-passed-while-waiting';

export interface PauseState {
  readonly paused: boolean;
  readonly reason: string | null;
  readonly by: string | null;
  readonly at: string | null;
  /** Hash of the last operator audit row: the next pause or resume must chain to it. */
  readonly auditHead: string | null;
}

export const NOT_PAUSED: PauseState = { paused: false, reason: null, by: null, at: null, auditHead: null };

export type SlotDecision =
  | { readonly kind: 'take'; readonly next: readonly number[] }
  | { readonly kind: 'full'; readonly freeAtMs: number };

/**
 * One more revoke in the rolling window, or when the oldest one leaves it. The kept list is bounded
 * to `limit` entries: older ones can never matter again.
 */
export function decideSlot(
  recent: readonly number[],
  nowMs: number,
  limit: number,
  windowMs: number,
): SlotDecision {
  const inWindow = recent.filter((t) => t > nowMs - windowMs).sort((a, b) => a - b);
  if (inWindow.length < limit) return { kind: 'take', next: [...inWindow, nowMs].slice(-limit) };
  return { kind: 'full', freeAtMs: (inWindow[inWindow.length - limit] as number) + windowMs };
}

export type BreakerDecision =
  | { readonly kind: 'count'; readonly next: readonly number[] }
  | { readonly kind: 'trip'; readonly next: readonly number[]; readonly failures: number };

/** Adds one failure; trips when `threshold` of them fall in the window. Bounded to `threshold` entries. */
export function decideBreaker(
  recent: readonly number[],
  nowMs: number,
  threshold: number,
  windowMs: number,
): BreakerDecision {
  const next = [...recent.filter((t) => t > nowMs - windowMs), nowMs].sort((a, b) => a - b).slice(-threshold);
  return next.length >= threshold ? { kind: 'trip', next, failures: next.length } : { kind: 'count', next };
}

/** How an apply ended, as the breaker sees it: a failure, a tamper block, or nothing to count. */
export function countsForBreaker(status: string, detail: string | null): boolean {
  if (status === 'FAILED') return true;
  return status === 'BLOCKED' && /^(approval-invalid|plan-tampered)\b/.test(detail ?? '');
}

/** A DRIFT this soon after the revoke (`appliedAtMs`) trips the breaker. */
export const isQuickDrift = (appliedAtMs: number, nowMs: number): boolean =>
  Number.isFinite(appliedAtMs) && nowMs - appliedAtMs <= QUICK_DRIFT_MS;

/** Token bucket state: pure refill and take, time in, time out. */
export interface Bucket {
  readonly tokens: number;
  readonly atMs: number;
}

export function takeToken(
  bucket: Bucket,
  nowMs: number,
  spec: { readonly capacity: number; readonly refillPerSecond: number },
): { readonly bucket: Bucket; readonly waitMs: number } {
  const refilled = Math.min(
    spec.capacity,
    bucket.tokens + ((nowMs - bucket.atMs) / 1000) * spec.refillPerSecond,
  );
  if (refilled >= 1) return { bucket: { tokens: refilled - 1, atMs: nowMs }, waitMs: 0 };
  const waitMs = Math.ceil(((1 - refilled) / spec.refillPerSecond) * 1000);
  return { bucket: { tokens: refilled, atMs: nowMs }, waitMs };
}

/** A stored value and its version (0: never written): every write is conditional on the version read. */
export interface Versioned<T> {
  readonly value: T;
  readonly version: number;
}

/**
 * The control items of the actions table: the kill switch and the bounded timestamp lists of the
 * rate cap and the breaker. Reads are strongly consistent and throw when they fail (callers fail
 * closed); writes answer 'conflict' when another writer changed the item since it was read.
 */
export interface ControlStore {
  readPause(): Promise<Versioned<PauseState>>;
  /** The pause item and its operator audit row (write-once) in one transaction. */
  writePause(next: PauseState, audit: AuditRow, expectedVersion: number): Promise<'written' | 'conflict'>;
  readStamps(key: string): Promise<Versioned<readonly number[]>>;
  writeStamps(
    key: string,
    stamps: readonly number[],
    expectedVersion: number,
  ): Promise<'written' | 'conflict'>;
}

/** The input the drain schedule sends to the apply λ (a constant: no field of it is trusted). */
export const DRAIN_EVENT = { 'sg-revoke': 'drain-approved' } as const;

export const isDrainEvent = (event: unknown): boolean =>
  typeof event === 'object' &&
  event !== null &&
  (event as Record<string, unknown>)['sg-revoke'] === DRAIN_EVENT['sg-revoke'];

/** Metrics the apply λ emits (namespace METRICS_NAMESPACE); each has an alarm. */
export const LIMIT_METRICS = {
  breakerTripped: 'CircuitBreakerTripped',
  deadlinePassed: 'ApprovalDeadlinePassedWhileWaiting',
} as const;
