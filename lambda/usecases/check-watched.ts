import type { Action, VerificationState } from '../core/action';
import { buildAuditRow } from '../core/audit';
import { buildDriftFinding, type DriftActivity } from '../core/drift-finding';
import { isQuickDrift } from '../core/limits';
import type { Finding, LiveRead } from '../core/model';
import { isPublicCidr } from '../core/permission';
import type { EventPublisher, LifecycleEvent, SecurityGroups, WatchedAction } from '../core/ports';
import {
  buildVerificationRecord,
  type Verification,
  type VerificationSubject,
  verifyExposure,
} from '../core/verification';
import { checkAuditDetail, decideCheck, type VerifyPolicy } from '../core/verification-change';
import { type AuditDeps, isoOf } from './deps';
import { lifecycleDetail } from './plan-finding';

export interface CheckDeps extends AuditDeps {
  readonly securityGroups: SecurityGroups;
  readonly events: EventPublisher;
  readonly mode: 'lambda' | 'cli';
  /** A DRIFT found soon after its revoke (the circuit breaker trips); unset, nothing happens. */
  readonly onQuickDrift?: (action: Action, why: string) => Promise<unknown>;
}

export type CheckResult = {
  readonly status: Verification['status'];
  /** 'confirmed': counters only; 'recorded': state + audit row; 'superseded': nothing written. */
  readonly write: 'confirmed' | 'recorded' | 'superseded';
};

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

export function driftActivity(
  previous: VerificationState | null,
  now: Verification['status'],
): DriftActivity | null {
  const wasDrift = previous?.status === 'drift';
  if (now === 'drift') return wasDrift ? 'update' : 'create';
  return now === 'verified' && wasDrift ? 'close' : null;
}

/**
 * One check of one watched action. Only a change, a streak threshold or a heartbeat reads the full
 * action and writes an audit row (S3 object first, then the row and the state in one transaction);
 * a check that confirms the recorded state moves two small attributes. Events go out before the
 * write: if publishing fails nothing is recorded, so the next run computes the same Create/Close.
 */
export async function checkWatched(
  deps: CheckDeps,
  watched: WatchedAction,
  live: LiveRead,
  run: { readonly sweepId: string; readonly nowMs: number; readonly policy: VerifyPolicy },
): Promise<CheckResult> {
  const appliedAtMs = Date.parse(watched.outcome?.at ?? watched.watchedSince);
  const subject = subjectOf(watched.finding, watched.actionId, appliedAtMs);
  const v = verifyExposure(subject, live);
  const previous = watched.verification;
  const decision = decideCheck(
    {
      previous,
      verification: v,
      isoNow: isoOf(run.nowMs),
      msSinceRecorded: previous ? run.nowMs - Date.parse(previous.checkedAt) : 0,
    },
    run.policy,
  );
  const activity = driftActivity(watched.verification, v.status);
  const needsAction = decision.kind === 'record' || v.status === 'drift' || activity !== null;
  const action = needsAction ? await deps.actions.get(watched.actionId) : null;
  if (
    needsAction &&
    (!action || action.auditHead !== watched.auditHead || action.status !== watched.status)
  ) {
    // The index lags the table (or another writer moved it): the next run reads it afresh.
    return { status: v.status, write: 'superseded' };
  }
  if (action) await deps.events.publish(eventsOf(action, subject, v, activity, run.nowMs));
  if (action && activity === 'create' && deps.onQuickDrift && isQuickDrift(appliedAtMs, run.nowMs)) {
    const minutes = Math.round((run.nowMs - appliedAtMs) / 60_000);
    await deps.onQuickDrift(action, `DRIFT on ${action.actionId} ${minutes} min after its revoke`);
  }
  const checkedAt = isoOf(run.nowMs);
  const base = {
    actionId: watched.actionId,
    status: watched.status,
    auditHead: watched.auditHead,
    sweepId: run.sweepId,
    checkedAt,
  };
  if (decision.kind === 'confirm') {
    const write = await deps.actions.recordCheck({ ...base, ...decision, change: null });
    return { status: v.status, write: write === 'recorded' ? 'confirmed' : 'superseded' };
  }
  const row = auditRowOf(
    action as Action,
    decision.next,
    checkAuditDetail(decision.reason, decision.next),
    deps.mode,
    checkedAt,
  );
  const evidenceUri = await deps.evidence.put(row);
  // After the evidence exists (its URI is the proof Security Hub is shown), before the state is
  // recorded: if publishing fails nothing is recorded, and the next run sends it again.
  if (v.status === 'verified' && previous?.status !== 'verified') {
    const detail = {
      ...lifecycleDetail(action as Action),
      evidence_uri: evidenceUri,
      verified_at: checkedAt,
    };
    await deps.events.publish([{ detailType: 'Action Verified', detail }]);
  }
  const write = await deps.actions.recordCheck({
    ...base,
    driftChecks: decision.next.driftChecks,
    unreachableChecks: decision.next.unreachableChecks ?? 0,
    change: { verification: decision.next, audit: row },
  });
  return { status: v.status, write };
}

function eventsOf(
  action: Action,
  subject: VerificationSubject,
  v: Verification,
  activity: DriftActivity | null,
  nowMs: number,
): LifecycleEvent[] {
  const previous = action.verification;
  // An update or a close belongs to the episode that began at the recorded driftSince.
  const firstSeen = Date.parse(
    previous?.status === 'drift' && previous.driftSince ? previous.driftSince : isoOf(nowMs),
  );
  const events: LifecycleEvent[] = [];
  if (activity) {
    events.push({
      detailType: 'OCSF Detection Finding',
      detail: buildDriftFinding(subject, v, activity, nowMs, firstSeen),
    });
  }
  if (v.status === 'drift') {
    const verification = buildVerificationRecord(subject, v, nowMs);
    events.push({ detailType: 'Drift Detected', detail: { ...lifecycleDetail(action), verification } });
  }
  return events;
}

function auditRowOf(
  action: Action,
  state: VerificationState,
  detail: string,
  mode: 'lambda' | 'cli',
  isoNow: string,
) {
  const f = action.finding;
  return buildAuditRow(
    {
      actionId: action.actionId,
      findingUid: f.findingUid,
      accountUid: f.accountUid,
      region: f.region,
      sgId: f.sgId,
      sgName: f.sgName ?? f.sgId,
      rules: action.plan?.targets ?? [],
      step: 'verify',
      status: state.status,
      detail,
      incidentId: action.approval?.incidentId ?? null,
      approver: action.approval?.approver ?? null,
      caller: 'sg-revoke reverify',
      mode,
    },
    isoNow,
    action.auditHead,
  );
}
