import { buildAuditRow } from '../core/audit';
import {
  BREAKER_KEY,
  BREAKER_WINDOW_MS,
  type ControlStore,
  decideBreaker,
  OPERATOR_PARTITION,
  PAUSE_KEY,
  type PauseState,
} from '../core/limits';
import type { Clock, EventPublisher, EvidenceStore } from '../core/ports';
import { isoOf } from './deps';

export interface PauseDeps {
  readonly control: ControlStore;
  readonly evidence: EvidenceStore;
  readonly clock: Clock;
}

export interface PauseRequest {
  readonly paused: boolean;
  readonly reason: string;
  /** The principal ARN acting: the operator's, or the function's for a breaker trip. */
  readonly by: string;
  readonly mode: 'lambda' | 'cli';
  /** Where the operator row is filed (the hub account and region). */
  readonly accountUid: string;
  readonly region: string;
}

export type PauseResult =
  | { readonly kind: 'changed'; readonly state: PauseState; readonly s3Uri: string; readonly rowUid: string }
  | { readonly kind: 'unchanged'; readonly state: PauseState };

const ATTEMPTS = 3;

/**
 * Sets or clears the kill switch, audited like every other step: the S3 object first, then the
 * control item and the audit row (partition `operator`, chained to the previous operator row) in one
 * transaction. A switch already in the asked position writes nothing.
 */
export async function setPause(deps: PauseDeps, request: PauseRequest): Promise<PauseResult> {
  for (let attempt = 1; ; attempt++) {
    const current = await deps.control.readPause();
    if (current.value.paused === request.paused) return { kind: 'unchanged', state: current.value };
    const isoNow = isoOf(deps.clock.nowMs());
    const row = buildAuditRow(
      {
        actionId: PAUSE_KEY,
        findingUid: PAUSE_KEY,
        accountUid: request.accountUid,
        region: request.region,
        sgId: OPERATOR_PARTITION,
        sgName: OPERATOR_PARTITION,
        rules: [],
        step: request.paused ? 'pause' : 'resume',
        status: request.paused ? 'paused' : 'resumed',
        detail: request.reason,
        incidentId: null,
        approver: null,
        caller: request.by,
        mode: request.mode,
      },
      isoNow,
      current.value.auditHead,
    );
    const next: PauseState = {
      paused: request.paused,
      reason: request.reason,
      by: request.by,
      at: isoNow,
      auditHead: row.row_hash,
    };
    const s3Uri = await deps.evidence.put(row);
    const written = await deps.control.writePause(next, row, current.version);
    if (written === 'written') {
      // A resume also forgets the failures that tripped the breaker: the operator has looked.
      if (!request.paused) await clearBreaker(deps.control);
      return { kind: 'changed', state: next, s3Uri, rowUid: row.row_uid };
    }
    if (attempt >= ATTEMPTS) throw new Error(`${PAUSE_KEY} kept changing under this write`);
  }
}

async function clearBreaker(control: ControlStore): Promise<void> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const current = await control.readStamps(BREAKER_KEY);
    if (current.value.length === 0) return;
    if ((await control.writeStamps(BREAKER_KEY, [], current.version)) === 'written') return;
  }
}

export interface BreakerDeps extends PauseDeps {
  readonly events: EventPublisher;
  readonly breaker: {
    readonly threshold: number;
    /** Who trips it and where its rows are filed. */
    readonly by: string;
    readonly mode: 'lambda' | 'cli';
    readonly accountUid: string;
    readonly region: string;
  };
  /** Counts a trip (a metric the alarm watches); optional for the CLI. */
  readonly onTrip?: (reason: string) => void;
}

/** One failed or tampered apply: counted; the K-th within the window trips the breaker. */
export async function countBreakerFailure(deps: BreakerDeps, what: string): Promise<'counted' | 'tripped'> {
  for (let attempt = 1; ; attempt++) {
    const current = await deps.control.readStamps(BREAKER_KEY);
    const nowMs = deps.clock.nowMs();
    const decision = decideBreaker(current.value, nowMs, deps.breaker.threshold, BREAKER_WINDOW_MS);
    if ((await deps.control.writeStamps(BREAKER_KEY, decision.next, current.version)) === 'written') {
      if (decision.kind === 'count') return 'counted';
      const minutes = BREAKER_WINDOW_MS / 60_000;
      await tripBreaker(
        deps,
        `${decision.failures} failed or tampered applies within ${minutes} min (last: ${what})`,
      );
      return 'tripped';
    }
    if (attempt >= ATTEMPTS) throw new Error(`${BREAKER_KEY} kept changing under this write`);
  }
}

/** Pauses every apply with reason `circuit-breaker`, audited; an operator resumes (`sg-revoke resume`). */
export async function tripBreaker(deps: BreakerDeps, why: string): Promise<PauseResult> {
  const reason = `circuit-breaker: ${why}`;
  const result = await setPause(deps, { ...deps.breaker, paused: true, reason });
  if (result.kind === 'changed') {
    deps.onTrip?.(reason);
    await deps.events.publish([
      { detailType: 'Circuit Breaker Tripped', detail: { reason, by: deps.breaker.by } },
    ]);
  }
  return result;
}

/** Reverify's trip: a DRIFT soon after a revoke, filed under the action's account and region. */
export function tripBreakerOnQuickDrift(
  deps: Omit<BreakerDeps, 'breaker'>,
  where: { readonly accountUid: string; readonly region: string },
  why: string,
): Promise<PauseResult> {
  const breaker = { threshold: 1, by: QUICK_DRIFT_CALLER, mode: 'lambda' as const, ...pick(where) };
  return tripBreaker({ ...deps, breaker }, why);
}

export const QUICK_DRIFT_CALLER = 'sg-revoke reverify (circuit breaker)';

const pick = (where: { readonly accountUid: string; readonly region: string }) => ({
  accountUid: where.accountUid,
  region: where.region,
});
