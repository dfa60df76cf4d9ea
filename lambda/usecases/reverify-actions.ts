import type { Action, VerificationState } from '../core/action';
import { buildDriftFinding, type DriftActivity, type DriftFinding } from '../core/drift-finding';
import { messageOf } from '../core/errors';
import type { Finding, LiveRead } from '../core/model';
import { isPublicCidr } from '../core/permission';
import type { EventPublisher, LifecycleEvent, SecurityGroups } from '../core/ports';
import type { ActionStatus } from '../core/state-machine';
import {
  buildVerificationRecord,
  type Verification,
  type VerificationRecord,
  type VerificationSubject,
  verifyExposure,
} from '../core/verification';
import { type AuditDeps, commitAudited, isoOf } from './deps';
import { expireStale } from './expire-stale';
import { listAll, mapPool } from './paging';
import { lifecycleDetail } from './plan-finding';
import { sweepInterrupted } from './sweep-interrupted';

export interface ReverifyDeps extends AuditDeps {
  readonly securityGroups: SecurityGroups;
  readonly events: EventPublisher;
  readonly mode: 'lambda' | 'cli';
  readonly config: { readonly verifyWindowDays: number };
}

export interface ReverifySummary {
  readonly checked: number;
  readonly verified: number;
  readonly drift: number;
  readonly unreachable: number;
  readonly expired: number;
  readonly interrupted: number;
  readonly errors: number;
  readonly failures: readonly string[];
}

export function subjectOf(finding: Finding, actionId: string, appliedAtMs: number): VerificationSubject {
  const p = finding.permission;
  return {
    actionId,
    findingUid: finding.findingUid,
    sgId: finding.sgId,
    sgName: finding.sgName ?? finding.sgId,
    region: finding.region,
    accountUid: finding.accountUid,
    appliedAtMs,
    protocol: p.protocol,
    fromPort: p.fromPort,
    toPort: p.toPort,
    publicCidrs: p.cidrs.filter(isPublicCidr),
    ports: p.ports,
  };
}

/** Reads every group once per region, in as few describe pages as AWS allows. */
export async function readByRegion(
  groups: SecurityGroups,
  targets: readonly { region: string; sgId: string }[],
): Promise<(region: string, sgId: string) => LiveRead> {
  const byRegion = new Map<string, Set<string>>();
  for (const t of targets) byRegion.set(t.region, (byRegion.get(t.region) ?? new Set()).add(t.sgId));
  const answers = new Map<string, ReadonlyMap<string, LiveRead>>();
  await Promise.all(
    [...byRegion].map(async ([region, ids]) =>
      answers.set(region, await groups.readGroups(region, [...ids])),
    ),
  );
  return (region, sgId) =>
    answers.get(region)?.get(sgId) ?? { kind: 'error', message: `${sgId} missing from the describe answer` };
}

export function driftActivity(
  previous: VerificationState | null,
  now: Verification['status'],
): DriftActivity | null {
  const wasDrift = previous?.status === 'drift';
  if (now === 'drift') return wasDrift ? 'update' : 'create';
  return now === 'verified' && wasDrift ? 'close' : null;
}

const WATCHED: readonly ActionStatus[] = ['APPLIED', 'ALREADY_ABSENT'];

/** The schedule: expire stale approvals, fail interrupted applies, then VERIFIED / DRIFT / UNREACHABLE for every recent revoke. */
export async function reverifyActions(deps: ReverifyDeps): Promise<ReverifySummary> {
  const expired = await expireStale(deps);
  const interrupted = await sweepInterrupted(deps);
  const nowMs = deps.clock.nowMs();
  const since = nowMs - deps.config.verifyWindowDays * 86_400_000;
  const actions: Action[] = [];
  for (const status of WATCHED) {
    for (const a of await listAll(deps.actions, status)) {
      if (a.outcome && Date.parse(a.outcome.at) >= since) actions.push(a);
    }
  }
  const read = await readByRegion(
    deps.securityGroups,
    actions.map((a) => a.finding),
  );
  const counts = { verified: 0, drift: 0, unreachable: 0, errors: 0 };
  const failures: string[] = [];
  await mapPool(actions, 8, async (action) => {
    try {
      const outcome = await checkOne(deps, action, read(action.finding.region, action.finding.sgId), nowMs);
      counts[outcome.verification.status] += 1;
    } catch (error) {
      // One action's failed write must not hide the others; the handler fails the run on any error.
      counts.errors += 1;
      failures.push(`${action.actionId}: ${messageOf(error)}`);
    }
  });
  return { checked: actions.length, expired, interrupted, ...counts, failures };
}

export interface CheckOutcome {
  readonly verification: Verification;
  readonly record: VerificationRecord;
  readonly driftFinding: DriftFinding | null;
  readonly events: LifecycleEvent[];
}

async function checkOne(
  deps: ReverifyDeps,
  action: Action,
  live: LiveRead,
  nowMs: number,
): Promise<CheckOutcome> {
  const subject = subjectOf(
    action.finding,
    action.actionId,
    Date.parse(action.outcome?.at ?? action.updatedAt),
  );
  const v = verifyExposure(subject, live);
  const previous = action.verification;
  const activity = driftActivity(previous, v.status);
  const driftSince = v.status === 'drift' ? (previous?.driftSince ?? isoOf(nowMs)) : null;
  const state: VerificationState = {
    status: v.status,
    checkedAt: isoOf(nowMs),
    detail: `${v.actualState}; ${v.detail}`,
    driftSince,
    driftChecks: v.status === 'drift' ? (previous?.driftChecks ?? 0) + 1 : 0,
  };
  const record = buildVerificationRecord(subject, v, nowMs);
  const firstSeen = Date.parse(driftSince ?? previous?.driftSince ?? isoOf(nowMs));
  const driftFinding = activity ? buildDriftFinding(subject, v, activity, nowMs, firstSeen) : null;
  const events: LifecycleEvent[] = [];
  if (driftFinding) events.push({ detailType: 'OCSF Detection Finding', detail: driftFinding });
  if (v.status === 'drift') {
    events.push({
      detailType: 'Drift Detected',
      detail: { ...lifecycleDetail(action), verification: record },
    });
  }
  // Events first, then the commit: if publishing fails nothing is recorded, so the next run
  // computes the same Create/Close again instead of losing it (events are at least once; the
  // drift finding's uid is stable, so a repeat updates the same finding).
  if (events.length > 0) await deps.events.publish(events);
  await commitAudited(
    deps,
    action,
    { from: [action.status], to: action.status, patch: { verification: state } },
    {
      rules: action.plan?.targets ?? [],
      step: 'verify',
      status: v.status,
      detail: `${v.actualState}; ${v.detail}`,
      incidentId: action.approval?.incidentId ?? null,
      approver: action.approval?.approver ?? null,
      caller: 'sg-revoke reverify',
      mode: deps.mode,
    },
    'sg-revoke reverify',
  );
  return { verification: v, record, driftFinding, events };
}
