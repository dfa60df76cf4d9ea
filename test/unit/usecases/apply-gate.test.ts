import { verifyAuditChain } from '../../../lambda/core/audit';
import { AwsCallError, ThrottledError } from '../../../lambda/core/errors';
import { BREAKER_KEY, limitsKeyOf, PAUSE_KEY } from '../../../lambda/core/limits';
import type { Where } from '../../../lambda/core/model';
import { applyGated, drainApproved, type GatedApplyDeps } from '../../../lambda/usecases/apply-gate';
import { decideApproval } from '../../../lambda/usecases/decide-approval';
import { PacedSecurityGroups, RevokePacer } from '../../../lambda/usecases/paced-security-groups';
import {
  QUICK_DRIFT_CALLER,
  setPause,
  tripBreakerOnQuickDrift,
} from '../../../lambda/usecases/pause-control';
import { planFinding } from '../../../lambda/usecases/plan-finding';
import { reverifyActions } from '../../../lambda/usecases/reverify-actions';
import { InMemoryControlStore } from '../../support/fakes/in-memory-control-store';
import { rule, SG, sshFinding, webTier, world } from './world';

const HOUR = 3_600_000;
const OPERATOR = 'arn:aws:sts::111122223333:assumed-role/SecurityOperator/bob';

/** The world with the apply λ's limits: a cap of `cap` revokes per hour, a breaker at 3. */
function limitedWorld(cap = 20) {
  const w = world();
  const control = new InMemoryControlStore();
  const order: string[] = [];
  const revoke = w.groups.revokeRules.bind(w.groups);
  w.groups.revokeRules = async (region, sgId, ids) => {
    order.push(sgId);
    return revoke(region, sgId, ids);
  };
  const trips: string[] = [];
  const deps: GatedApplyDeps = {
    ...w,
    control,
    limits: { maxRevokesPerHour: cap },
    breaker: {
      threshold: 3,
      by: w.callerIdentity.arn,
      mode: 'lambda',
      accountUid: '111122223333',
      region: 'us-east-1',
    },
    onTrip: (reason) => trips.push(reason),
  };
  return { w, deps, control, order, trips };
}

/** A group of its own (sg-0a1b2c3d4e5f6XXXX) with the web tier's rules, and its finding. */
function sgOf(n: number): string {
  return `sg-0a1b2c3d4e5f6${String(n).padStart(4, '0')}`;
}

async function planAndApprove(w: ReturnType<typeof world>, n: number): Promise<string> {
  const sgId = n === 1 ? SG : sgOf(n);
  if (n !== 1) w.groups.put(webTier({ groupId: sgId }));
  const finding = sshFinding() as {
    observables: { name: string; value: string }[];
    finding_info: { uid: string };
  };
  for (const o of finding.observables) if (o.name === 'target.uid') o.value = sgId;
  finding.finding_info.uid = `asg-${String(n).padStart(16, '0')}`;
  const planned = await planFinding(w, finding);
  if (planned.kind !== 'recorded') throw new Error(`not planned: ${planned.kind}`);
  const approved = await decideApproval(w.approvals, planned.action.actionId, w.approver, {
    verb: 'approve',
    incidentId: 'INC-2026-0042',
    planHash: planned.action.plan?.planHash ?? '',
  });
  if (!approved.ok) throw new Error(approved.error.message);
  w.clock.advance(1_000);
  return planned.action.actionId;
}

const openRulesOf = (w: ReturnType<typeof world>, sgId: string) =>
  w.groups.ruleIdsOf(sgId).filter((id) => id === 'sgr-00000000000000001' || id === 'sgr-00000000000000002');

describe('the rate cap (per account and region, per rolling hour)', () => {
  it('delays the 21st revoke of the hour and applies it after the hour, never dropping it', async () => {
    const { w, deps, control } = limitedWorld(20);
    const ids: string[] = [];
    for (let n = 1; n <= 21; n++) ids.push(await planAndApprove(w, n));

    const results = [];
    for (const id of ids) results.push(await applyGated(deps, id, 'stream'));

    expect(results.slice(0, 20).map((r) => r.kind)).toEqual(Array(20).fill('done'));
    expect(results[20]).toEqual({ kind: 'waiting', reason: 'rate-limited' });
    const last = await w.actions.get(ids[20] as string);
    expect([last?.status, last?.statusDetail]).toEqual(['APPROVED', 'rate-limited']);
    expect(openRulesOf(w, sgOf(21))).toEqual(['sgr-00000000000000001', 'sgr-00000000000000002']);
    expect(control.stamps.get(limitsKeyOf('111122223333', 'us-east-1'))?.value).toHaveLength(20);

    // Within the hour the drain still finds the window full: it keeps waiting.
    expect(await drainApproved(deps)).toMatchObject({ seen: 1, applied: 0, waiting: 1 });
    w.clock.advance(HOUR);
    const drained = await drainApproved(deps);

    expect(drained).toMatchObject({ seen: 1, applied: 1, waiting: 0 });
    expect((await w.actions.get(ids[20] as string))?.status).toBe('APPLIED');
    expect(openRulesOf(w, sgOf(21))).toEqual([]);
    expect(w.groups.ruleIdsOf(sgOf(21))).toEqual(['sgr-00000000000000003', 'sgr-00000000000000004']);
    expect(verifyAuditChain(w.actions.rowsOf(ids[20] as string))).toBe(-1);
  });

  it('counts accounts and regions apart: a full us-east-1 does not hold another region', async () => {
    const { w, deps, control } = limitedWorld(1);
    control.stamps.set(limitsKeyOf('111122223333', 'eu-west-1'), { value: [w.clock.ms], version: 1 });
    const id = await planAndApprove(w, 1);

    expect((await applyGated(deps, id, 'stream')).kind).toBe('done');
  });

  it('a new approval does not overtake an older one waiting in the same account and region', async () => {
    const { w, deps, order } = limitedWorld(1);
    const first = await planAndApprove(w, 1);
    const waiting = await planAndApprove(w, 2);
    await applyGated(deps, first, 'stream');
    expect(await applyGated(deps, waiting, 'stream')).toEqual({ kind: 'waiting', reason: 'rate-limited' });
    w.clock.advance(HOUR);
    const newer = await planAndApprove(w, 3);

    expect(await applyGated(deps, newer, 'stream')).toEqual({ kind: 'waiting', reason: 'rate-limited' });
    await drainApproved(deps);

    expect(order).toEqual([SG, sgOf(2)]);
    expect((await w.actions.get(newer))?.statusDetail).toBe('rate-limited');
    w.clock.advance(HOUR);
    await drainApproved(deps);
    expect(order).toEqual([SG, sgOf(2), sgOf(3)]);
  });

  it('ends an action whose approval deadline passed while it waited FAILED, audited, nothing revoked', async () => {
    const { w, deps } = limitedWorld(1);
    await applyGated(deps, await planAndApprove(w, 1), 'stream');
    const id = await planAndApprove(w, 2);
    await applyGated(deps, id, 'stream');
    w.clock.advance(6 * HOUR + 1);

    const drained = await drainApproved(deps);

    expect(drained).toMatchObject({ deadlinePassed: 1, applied: 0 });
    const action = await w.actions.get(id);
    expect([action?.status, action?.statusDetail]).toEqual([
      'FAILED',
      'approval-deadline-passed-while-waiting',
    ]);
    expect(openRulesOf(w, sgOf(2))).toHaveLength(2);
    const rows = w.actions.rowsOf(id);
    expect(rows.map((r) => [r.step, r.status])).toEqual([
      ['approve', 'approved'],
      ['revoke_after', 'failure'],
    ]);
    expect(verifyAuditChain(rows)).toBe(-1);
    expect(w.events.ofType('Approval Deadline Passed')).toHaveLength(1);
  });
});

describe('the kill switch', () => {
  const pause = (deps: GatedApplyDeps, paused: boolean) =>
    setPause(deps, {
      paused,
      reason: paused ? 'INC-2026-0042: apply storm' : 'looked at it',
      by: OPERATOR,
      mode: 'cli',
      accountUid: '111122223333',
      region: 'us-east-1',
    });

  it('paused: zero revokes, approvals still recorded (APPROVED, paused); resume applies them in order', async () => {
    const { w, deps, control, order } = limitedWorld();
    expect((await pause(deps, true)).kind).toBe('changed');
    const ids = [await planAndApprove(w, 3), await planAndApprove(w, 1), await planAndApprove(w, 2)];

    for (const id of ids)
      expect(await applyGated(deps, id, 'stream')).toEqual({ kind: 'waiting', reason: 'paused' });
    expect(await drainApproved(deps)).toMatchObject({ seen: 3, waiting: 3, applied: 0 });

    expect(w.groups.revokeCalls).toBe(0);
    for (const id of ids) {
      const action = await w.actions.get(id);
      expect([action?.status, action?.statusDetail, action?.approval?.approver]).toEqual([
        'APPROVED',
        'paused',
        w.approver,
      ]);
      expect(w.actions.rowsOf(id).map((r) => r.step)).toEqual(['approve']);
    }
    expect(openRulesOf(w, SG)).toHaveLength(2);

    expect((await pause(deps, false)).kind).toBe('changed');
    expect(await drainApproved(deps)).toMatchObject({ seen: 3, applied: 3 });

    expect(order).toEqual([sgOf(3), SG, sgOf(2)]);
    for (const sgId of [SG, sgOf(2), sgOf(3)]) expect(openRulesOf(w, sgId)).toEqual([]);
    expect(control.operatorRows.map((r) => [r.sg_id, r.step, r.status, r.caller])).toEqual([
      ['operator', 'pause', 'paused', OPERATOR],
      ['operator', 'resume', 'resumed', OPERATOR],
    ]);
    expect(verifyAuditChain(control.operatorRows)).toBe(-1);
    expect(w.evidence.objects.has(control.operatorRows[0]?.s3_key as string)).toBe(true);
  });

  it('answers from its own snapshot: an action re-approved between two reads is never claimed around the switch', async () => {
    const { w, deps, control } = limitedWorld();
    const id = await planAndApprove(w, 1);
    control.pause = {
      value: { paused: true, reason: 'INC-9', by: 'op', at: null, auditHead: null },
      version: 1,
    };
    const stored = (await w.actions.get(id))!;
    let reads = 0;
    const actions = Object.assign(Object.create(w.actions), {
      get: async (actionId: string) => {
        reads += 1;
        // A retried record of the old FAILED attempt, read just before the re-approval lands.
        return reads === 1 ? { ...stored, status: 'FAILED' } : w.actions.get(actionId);
      },
    });

    const result = await applyGated({ ...deps, actions }, id, 'stream');

    expect(result).toEqual({ kind: 'not-approved', status: 'FAILED' });
    expect(w.groups.revokeCalls).toBe(0);
    expect((await w.actions.get(id))?.status).toBe('APPROVED');
  });

  it('pausing twice writes one audit row; the switch is read fail-closed', async () => {
    const { w, deps, control } = limitedWorld();
    await pause(deps, true);
    expect((await pause(deps, true)).kind).toBe('unchanged');
    expect(control.operatorRows).toHaveLength(1);
    await pause(deps, false);
    control.failReadsWith = new Error('DynamoDB unreachable');
    const id = await planAndApprove(w, 1);

    expect(await applyGated(deps, id, 'stream')).toEqual({
      kind: 'waiting',
      reason: 'pause-state-unreadable',
    });
    expect(w.groups.revokeCalls).toBe(0);
    expect((await w.actions.get(id))?.statusDetail).toBe('pause-state-unreadable');
    control.failReadsWith = null;
    expect((await drainApproved(deps)).applied).toBe(1);
  });
});

describe('the circuit breaker', () => {
  it('trips after 3 failed applies in the window: applies pause, an alarm metric and event, revokes stop', async () => {
    const { w, deps, control, trips } = limitedWorld();
    const ids = [];
    for (let n = 1; n <= 4; n++) ids.push(await planAndApprove(w, n));
    w.groups.revokeError = new AwsCallError(
      'RevokeSecurityGroupIngress failed: InternalError',
      'InternalError',
    );

    for (const id of ids.slice(0, 3)) {
      const result = await applyGated(deps, id, 'stream');
      expect(result.kind === 'done' && result.action.status).toBe('FAILED');
    }

    expect(control.pause.value.paused).toBe(true);
    expect(control.pause.value.reason).toMatch(
      /^circuit-breaker: 3 failed or tampered applies within 15 min/,
    );
    expect(trips).toHaveLength(1);
    expect(w.events.ofType('Circuit Breaker Tripped')).toHaveLength(1);
    expect(control.operatorRows.map((r) => [r.step, r.caller])).toEqual([['pause', w.callerIdentity.arn]]);
    w.groups.revokeError = null;
    const calls = w.groups.revokeCalls;

    expect(await applyGated(deps, ids[3] as string, 'stream')).toEqual({ kind: 'waiting', reason: 'paused' });
    expect(w.groups.revokeCalls).toBe(calls);
    expect(openRulesOf(w, sgOf(4))).toHaveLength(2);

    await setPause(deps, {
      paused: false,
      reason: 'fixed',
      by: OPERATOR,
      mode: 'cli',
      accountUid: '111122223333',
      region: 'us-east-1',
    });
    expect(control.stamps.get(BREAKER_KEY)?.value).toEqual([]);
    await drainApproved(deps);
    expect((await w.actions.get(ids[3] as string))?.status).toBe('APPLIED');
  });

  it('counts only failures inside the window, and a tamper block like a failure', async () => {
    const { w, deps, control } = limitedWorld();
    w.groups.revokeError = new AwsCallError('boom', 'InternalError');
    await applyGated(deps, await planAndApprove(w, 1), 'stream');
    await applyGated(deps, await planAndApprove(w, 2), 'stream');
    w.clock.advance(16 * 60_000);
    w.groups.revokeError = null;
    const forged = await planAndApprove(w, 3);
    const stored = w.actions.actions.get(forged);
    if (stored?.approval)
      w.actions.actions.set(forged, { ...stored, approval: { ...stored.approval, signature: 'AAAA' } });

    const result = await applyGated(deps, forged, 'stream');

    expect(result.kind === 'done' && result.action.status).toBe('BLOCKED');
    expect(control.stamps.get(BREAKER_KEY)?.value).toHaveLength(1);
    expect(control.pause.value.paused).toBe(false);
    expect(control.pause.version).toBe(0);
    expect(PAUSE_KEY).toBe('control#pause');
  });
});

describe('pacing and RequestLimitExceeded', () => {
  it('retries a throttled revoke: the rules are revoked once and the action is APPLIED', async () => {
    const { w, deps } = limitedWorld();
    const slept: number[] = [];
    const sleep = async (ms: number) => {
      slept.push(ms);
      w.clock.advance(ms);
    };
    const inner = w.groups;
    let throttles = 1;
    const throttling = Object.assign(Object.create(inner), {
      revokeRules: async (where: Where, sgId: string, ids: readonly string[]) => {
        if (throttles-- > 0) {
          inner.revokeCalls += 1;
          throw new ThrottledError('RevokeSecurityGroupIngress failed: RequestLimitExceeded');
        }
        return inner.revokeRules(where, sgId, ids);
      },
    });
    const paced = new PacedSecurityGroups(throttling, new RevokePacer(w.clock, sleep), sleep);
    const id = await planAndApprove(w, 1);

    const result = await applyGated({ ...deps, securityGroups: paced }, id, 'stream');

    expect(result.kind === 'done' && result.action.status).toBe('APPLIED');
    expect(w.groups.revokeCalls).toBe(2);
    expect(slept).toEqual([1_000]);
    expect(openRulesOf(w, SG)).toEqual([]);
  });

  it('a throttle that outlasts the retries ends FAILED with nothing revoked, re-approvable', async () => {
    const { w, deps } = limitedWorld();
    const sleep = async (ms: number) => w.clock.advance(ms);
    w.groups.revokeError = new ThrottledError('RevokeSecurityGroupIngress failed: RequestLimitExceeded');
    const paced = new PacedSecurityGroups(w.groups, new RevokePacer(w.clock, sleep), sleep);
    const id = await planAndApprove(w, 1);

    const result = await applyGated({ ...deps, securityGroups: paced }, id, 'stream');

    expect(result.kind === 'done' && result.action.status).toBe('FAILED');
    expect(result.kind === 'done' && result.action.statusDetail).toMatch(/RequestLimitExceeded/);
    expect(w.groups.revokeCalls).toBe(4);
    expect(openRulesOf(w, SG)).toHaveLength(2);
    const again = await decideApproval(w.approvals, id, w.approver, {
      verb: 'approve',
      incidentId: 'INC-2026-0042',
      planHash: (await w.actions.get(id))?.plan?.planHash ?? '',
    });
    expect(again.ok).toBe(true);
    w.groups.revokeError = null;
    expect((await applyGated({ ...deps, securityGroups: paced }, id, 'stream')).kind).toBe('done');
    expect(openRulesOf(w, SG)).toEqual([]);
  });

  it('paces a burst under EC2 mutating bucket: 50 at once, then one every 200 ms', async () => {
    const { w } = limitedWorld();
    const slept: number[] = [];
    const sleep = async (ms: number) => {
      slept.push(ms);
      w.clock.ms += ms;
    };
    const frozen = { nowMs: () => w.clock.ms };
    const pacer = new RevokePacer(frozen, sleep);

    for (let i = 0; i < 52; i++) await pacer.acquire('111122223333#us-east-1');
    await pacer.acquire('111122223333#eu-west-1');

    expect(slept).toEqual([200, 200]);
  });
});

describe('the circuit breaker on a quick DRIFT', () => {
  it('trips when reverify finds DRIFT within the hour after a revoke, and not for an old revoke', async () => {
    const { w, deps, control } = limitedWorld();
    const id = await planAndApprove(w, 1);
    await applyGated(deps, id, 'stream');
    const g = w.groups.groups.get(SG);
    if (g) w.groups.put({ ...g, ingress: [...g.ingress, rule('sgr-0000000000000000a', '0.0.0.0/0')] });
    const breaker = { control, evidence: w.evidence, events: w.events, clock: w.clock };
    const reverify = {
      ...w,
      onQuickDrift: (action: { finding: { accountUid: string; region: string } }, why: string) =>
        tripBreakerOnQuickDrift(breaker, action.finding, why),
    };
    w.clock.advance(20 * 60_000);

    const summary = await reverifyActions(reverify);

    expect(summary.drift).toBe(1);
    expect(control.pause.value).toMatchObject({ paused: true, by: QUICK_DRIFT_CALLER });
    expect(control.pause.value.reason).toMatch(
      new RegExp(`^circuit-breaker: DRIFT on ${id} 20 min after its revoke`),
    );
    expect(control.operatorRows.map((r) => [r.step, r.account_uid, r.region])).toEqual([
      ['pause', '111122223333', 'us-east-1'],
    ]);
    const next = await planAndApprove(w, 2);
    expect(await applyGated(deps, next, 'stream')).toEqual({ kind: 'waiting', reason: 'paused' });
  });

  it('does not trip on a DRIFT found long after the revoke', async () => {
    const { w, deps, control } = limitedWorld();
    await applyGated(deps, await planAndApprove(w, 1), 'stream');
    const g = w.groups.groups.get(SG);
    if (g) w.groups.put({ ...g, ingress: [...g.ingress, rule('sgr-0000000000000000a', '0.0.0.0/0')] });
    const breaker = { control, evidence: w.evidence, events: w.events, clock: w.clock };
    w.clock.advance(2 * HOUR);

    const summary = await reverifyActions({
      ...w,
      onQuickDrift: (action, why) => tripBreakerOnQuickDrift(breaker, action.finding, why),
    });

    expect(summary.drift).toBe(1);
    expect(control.pause.value.paused).toBe(false);
  });
});

describe('the drain', () => {
  it('one action that cannot be applied now neither stops the drain nor is overtaken; the next drain applies', async () => {
    const { w, deps, order } = limitedWorld();
    const first = await planAndApprove(w, 1);
    await planAndApprove(w, 2);
    const get = w.actions.get.bind(w.actions);
    let failing = true;
    const actions = Object.assign(Object.create(w.actions), {
      get: async (id: string) => {
        if (failing && id === first) throw new Error('ProvisionedThroughputExceededException');
        return get(id);
      },
    });
    const flaky: GatedApplyDeps = { ...deps, actions };

    // The failing action keeps its place: its account and region wait behind it, nothing throws.
    expect(await drainApproved(flaky)).toMatchObject({ seen: 2, applied: 0, failed: 1, waiting: 1 });
    expect(order).toEqual([]);
    expect((await w.actions.get(first))?.status).toBe('APPROVED');

    failing = false;
    expect(await drainApproved(flaky)).toMatchObject({ seen: 2, applied: 2, failed: 0, waiting: 0 });
    expect([...order].sort()).toEqual([SG, sgOf(2)].sort());
  });
});
