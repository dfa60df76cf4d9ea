import { messageOf } from '../core/errors';
import type { EventPublisher, SweepCheckpoint, SweepCheckpoints } from '../core/ports';
import { DEFAULT_VERIFY_POLICY, type VerifyPolicy } from '../core/verification-change';
import { type CheckDeps, checkWatched } from './check-watched';
import { isoOf } from './deps';
import { expireStale } from './expire-stale';
import { GroupReads } from './group-reads';
import { mapPool } from './paging';
import { sweepInterrupted } from './sweep-interrupted';

export { driftActivity, subjectOf } from './check-watched';
export { readByRegion } from './group-reads';

export interface ReverifyDeps extends CheckDeps {
  readonly events: EventPublisher;
  readonly config: { readonly verifyWindowDays: number } & Partial<VerifyPolicy>;
  /** Where a sweep stands; without it (the CLI) every run is a whole new sweep. */
  readonly checkpoints?: SweepCheckpoints;
}

export interface ReverifyRun {
  /** The schedule event's id: a retry of the same event is the same run. */
  readonly runId?: string;
  /** Stop between pages after this instant, saving the cursor for the next run. */
  readonly deadlineMs?: number;
  readonly pageSize?: number;
}

export interface ReverifySummary {
  readonly sweepId: string;
  /** False when the run stopped for time: the next run continues from the saved cursor. */
  readonly complete: boolean;
  readonly checked: number;
  readonly verified: number;
  readonly drift: number;
  readonly unreachable: number;
  /** Checks that wrote an audit row (a change, a threshold, a heartbeat). */
  readonly recorded: number;
  /** Checks that only moved `lastCheckedAt` and the counters. */
  readonly confirmed: number;
  /** Checks that wrote nothing: the action changed meanwhile or this sweep had recorded it. */
  readonly superseded: number;
  readonly expired: number;
  readonly interrupted: number;
  readonly errors: number;
  readonly failures: readonly string[];
}

const MAX_FAILURES_LISTED = 20;

/**
 * The schedule: expire stale approvals, reconcile interrupted applies, then check every action
 * revoked inside the verify window, page by page from the watch index. A failed check is one failed
 * check: counted, listed, and the run goes on.
 */
export async function reverifyActions(deps: ReverifyDeps, run: ReverifyRun = {}): Promise<ReverifySummary> {
  const startMs = deps.clock.nowMs();
  const sweep = await startSweep(deps, run.runId ?? `sweep-${isoOf(startMs)}`, startMs);
  const counts = {
    checked: 0,
    verified: 0,
    drift: 0,
    unreachable: 0,
    recorded: 0,
    confirmed: 0,
    superseded: 0,
  };
  const failures: string[] = [];
  let errors = 0;
  const fail = (what: string, error: unknown) => {
    errors += 1;
    if (failures.length < MAX_FAILURES_LISTED) failures.push(`${what}: ${messageOf(error)}`);
  };
  if (sweep.done)
    return {
      sweepId: sweep.sweepId,
      complete: true,
      ...counts,
      expired: 0,
      interrupted: 0,
      errors,
      failures,
    };

  // Neither sweep may keep the checks from running: a failure there is counted like a failed check.
  const orZero = (what: string) => (error: unknown) => {
    fail(what, error);
    return 0;
  };
  const expired = await expireStale(deps).catch(orZero('expire'));
  const interrupted = await sweepInterrupted(deps).catch(orZero('interrupted sweep'));
  const policy = policyOf(deps.config);
  // A continued sweep keeps the window it started with, so its cursor stays inside the same range.
  const since = isoOf(Date.parse(sweep.startedAt) - deps.config.verifyWindowDays * 86_400_000);
  const reads = new GroupReads(deps.securityGroups);
  let cursor = sweep.cursor;
  let complete = true;
  do {
    if (run.deadlineMs !== undefined && deps.clock.nowMs() > run.deadlineMs) {
      complete = false;
      break;
    }
    const page = await deps.actions.listWatched(since, run.pageSize ?? 100, cursor);
    await reads.load(page.items.map((a) => a.finding));
    await mapPool(page.items, 8, async (watched) => {
      try {
        const nowMs = deps.clock.nowMs();
        const live = reads.get(watched.finding, watched.finding.sgId);
        const result = await checkWatched(deps, watched, live, { sweepId: sweep.sweepId, nowMs, policy });
        counts.checked += 1;
        counts[result.status] += 1;
        counts[result.write] += 1;
      } catch (error) {
        fail(watched.actionId, error);
      }
    });
    cursor = page.cursor;
    await deps.checkpoints?.save({ ...sweep, cursor, done: cursor === null });
  } while (cursor !== null);
  return { sweepId: sweep.sweepId, complete, ...counts, expired, interrupted, errors, failures };
}

/** An unfinished sweep is continued, never restarted; a finished one is not run twice. */
async function startSweep(deps: ReverifyDeps, runId: string, nowMs: number): Promise<SweepCheckpoint> {
  const saved = await deps.checkpoints?.load();
  if (saved && (!saved.done || saved.sweepId === runId)) return saved;
  return { sweepId: runId, startedAt: isoOf(nowMs), cursor: null, done: false };
}

function policyOf(config: Partial<VerifyPolicy>): VerifyPolicy {
  const d = DEFAULT_VERIFY_POLICY;
  return {
    heartbeatMs: config.heartbeatMs ?? d.heartbeatMs,
    unreachableThresholds: config.unreachableThresholds ?? d.unreachableThresholds,
    recentLimit: config.recentLimit ?? d.recentLimit,
  };
}
