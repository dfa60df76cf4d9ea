import type { VerificationState } from '../../../lambda/core/action';
import type { Verification } from '../../../lambda/core/verification';
import { DEFAULT_VERIFY_POLICY, decideCheck } from '../../../lambda/core/verification-change';

const seen = (status: Verification['status']): Verification => ({
  status,
  expectedState: 'closed',
  actualState: status,
  detail: 'd',
  offending: [],
});
const state = (
  status: Verification['status'],
  extra: Partial<VerificationState> = {},
): VerificationState => ({
  status,
  checkedAt: '2026-11-25T12:00:00.000Z',
  detail: 'x',
  driftSince: status === 'drift' ? '2026-11-25T12:00:00.000Z' : null,
  driftChecks: status === 'drift' ? 1 : 0,
  unreachableChecks: status === 'unreachable' ? 1 : 0,
  recent: [],
  ...extra,
});
const decide = (previous: VerificationState | null, now: Verification['status'], msSinceRecorded = 900_000) =>
  decideCheck(
    { previous, verification: seen(now), isoNow: '2026-11-25T12:15:00.000Z', msSinceRecorded },
    DEFAULT_VERIFY_POLICY,
  );

describe('decideCheck', () => {
  it.each([
    [null, 'verified', 'first-check'],
    [state('verified'), 'drift', 'drift-opened'],
    [state('drift'), 'verified', 'drift-closed'],
    [state('drift'), 'unreachable', 'drift-closed'],
    [state('verified'), 'unreachable', 'status-change'],
    [state('unreachable'), 'verified', 'status-change'],
  ] as const)('records a change: %j → %s is %s', (previous, now, reason) => {
    expect(decide(previous, now)).toMatchObject({ kind: 'record', reason, next: { status: now } });
  });

  it('confirms an unchanged state with counters only', () => {
    expect(decide(state('verified'), 'verified')).toEqual({
      kind: 'confirm',
      driftChecks: 0,
      unreachableChecks: 0,
    });
    expect(decide(state('drift', { driftChecks: 4 }), 'drift')).toEqual({
      kind: 'confirm',
      driftChecks: 5,
      unreachableChecks: 0,
    });
  });

  it('records an UNREACHABLE streak at each threshold, and a heartbeat after a day', () => {
    expect(decide(state('unreachable', { unreachableChecks: 3 }), 'unreachable')).toMatchObject({
      kind: 'record',
      reason: 'unreachable-streak',
    });
    expect(decide(state('unreachable', { unreachableChecks: 4 }), 'unreachable').kind).toBe('confirm');
    expect(decide(state('verified'), 'verified', 86_400_000)).toMatchObject({
      kind: 'record',
      reason: 'heartbeat',
    });
  });

  it('keeps the drift episode start while drifting, and bounds the transitions kept', () => {
    const recent = Array.from({ length: 20 }, (_, i) => ({
      at: `t${i}`,
      status: 'verified' as const,
      reason: 'x',
    }));
    const d = decide(state('verified', { recent }), 'drift');
    if (d.kind !== 'record') throw new Error('expected a record');
    expect(d.next.recent).toHaveLength(20);
    expect(d.next.recent?.at(-1)).toMatchObject({ status: 'drift', reason: 'drift-opened' });
    expect(d.next.driftSince).toBe('2026-11-25T12:15:00.000Z');
    const heartbeat = decide(state('drift', { recent }), 'drift', 86_400_000);
    if (heartbeat.kind !== 'record') throw new Error('expected a record');
    expect(heartbeat.next).toMatchObject({ driftSince: '2026-11-25T12:00:00.000Z', driftChecks: 2 });
    expect(heartbeat.next.recent).toEqual(recent);
  });
});
