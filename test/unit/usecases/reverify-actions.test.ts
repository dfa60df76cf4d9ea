import { verifyAuditChain } from '../../../lambda/core/audit';
import { driftFindingUid } from '../../../lambda/core/drift-finding';
import { applyAction } from '../../../lambda/usecases/apply-action';
import { decideApproval } from '../../../lambda/usecases/decide-approval';
import { planFinding } from '../../../lambda/usecases/plan-finding';
import { reverifyActions } from '../../../lambda/usecases/reverify-actions';
import { approvedRules } from '../../../lambda/usecases/sweep-interrupted';
import { fleetWorld, seedApplied } from '../../support/fleet/watched-fleet';
import { rule, SG, sshFinding, type World, world } from './world';

async function applied(w: World): Promise<string> {
  const r = await planFinding(w, sshFinding());
  if (r.kind !== 'recorded') throw new Error('not planned');
  await decideApproval(w.approvals, r.action.actionId, w.approver, {
    verb: 'approve',
    incidentId: 'INC-9',
    planHash: r.action.plan?.planHash ?? '',
  });
  await applyAction(w, r.action.actionId);
  return r.action.actionId;
}

const reopen = (w: World, ...rules: ReturnType<typeof rule>[]) => {
  const g = w.groups.groups.get(SG)!;
  w.groups.put({ ...g, ingress: [...g.ingress, ...rules] });
};

describe('reverifyActions', () => {
  it('reports VERIFIED after a revoke, and records the check in the action and the audit', async () => {
    const w = world();
    const id = await applied(w);

    const summary = await reverifyActions(w);

    expect(summary).toMatchObject({ checked: 1, verified: 1, drift: 0, unreachable: 0, errors: 0 });
    expect((await w.actions.get(id))?.verification?.status).toBe('verified');
    expect(w.actions.rowsOf(id).at(-1)).toMatchObject({ step: 'verify', status: 'verified' });
    expect(w.events.ofType('OCSF Detection Finding')).toHaveLength(0);
  });

  it.each([
    ['the same rule', rule('sgr-0000000000000000a', '0.0.0.0/0')],
    ['a wider port range', rule('sgr-0000000000000000b', '0.0.0.0/0', 'tcp', 0, 1024)],
    ['protocol -1', rule('sgr-0000000000000000c', '::/0', '-1', null, null)],
  ])('raises DRIFT when %s comes back, with a drift finding that keeps its uid', async (_n, reopened) => {
    const w = world();
    const id = await applied(w);
    reopen(w, reopened);

    await reverifyActions(w);
    await reverifyActions(w);

    const findings = w.events
      .ofType('OCSF Detection Finding')
      .map((e) => e.detail as { activity_id: number; finding_info: { uid: string } });
    expect(findings.map((f) => f.activity_id)).toEqual([1, 2]);
    expect(new Set(findings.map((f) => f.finding_info.uid))).toEqual(new Set([driftFindingUid(id)]));
    expect(w.events.ofType('Drift Detected')).toHaveLength(2);
    expect((await w.actions.get(id))?.verification).toMatchObject({ status: 'drift', driftChecks: 2 });
  });

  it('closes the drift finding when the rule is revoked again', async () => {
    const w = world();
    const id = await applied(w);
    reopen(w, rule('sgr-0000000000000000a', '0.0.0.0/0'));
    await reverifyActions(w);
    const g = w.groups.groups.get(SG)!;
    w.groups.put({ ...g, ingress: g.ingress.filter((r) => r.ruleId !== 'sgr-0000000000000000a') });

    await reverifyActions(w);

    const last = w.events.ofType('OCSF Detection Finding').at(-1)?.detail as {
      activity_id: number;
      status_id: number;
    };
    expect(last).toMatchObject({ activity_id: 3, status_id: 4 });
    expect((await w.actions.get(id))?.verification?.status).toBe('verified');
  });

  it('does not count a non-public or other-port rule as drift', async () => {
    const w = world();
    await applied(w);
    reopen(
      w,
      rule('sgr-0000000000000000d', '10.0.0.0/8'),
      rule('sgr-0000000000000000e', '0.0.0.0/0', 'tcp', 8080, 8080),
    );

    expect(await reverifyActions(w)).toMatchObject({ verified: 1, drift: 0 });
  });

  it('reports UNREACHABLE, never VERIFIED, when the group cannot be read', async () => {
    const w = world();
    const id = await applied(w);
    w.groups.readErrors.set(SG, 'RequestLimitExceeded');

    expect(await reverifyActions(w)).toMatchObject({ unreachable: 1, verified: 0 });
    expect((await w.actions.get(id))?.verification?.status).toBe('unreachable');
  });

  it('reports VERIFIED when the group was deleted', async () => {
    const w = world();
    await applied(w);
    w.groups.groups.delete(SG);

    expect(await reverifyActions(w)).toMatchObject({ verified: 1 });
  });

  it('expires a stale PENDING_APPROVAL and leaves it unappliable', async () => {
    const w = world();
    const r = await planFinding(w, sshFinding());
    w.clock.advance(25 * 3_600_000);

    const summary = await reverifyActions(w);

    expect(summary.expired).toBe(1);
    const a = await w.actions.get(r.kind === 'recorded' ? r.action.actionId : '');
    expect(a?.status).toBe('EXPIRED');
    expect(w.events.ofType('Action Expired')).toHaveLength(1);
  });

  it('skips revokes older than the verification window', async () => {
    const w = world();
    await applied(w);
    w.clock.advance(31 * 86_400_000);

    expect(await reverifyActions(w)).toMatchObject({ checked: 0 });
  });

  it('does not lose the drift finding Create when publishing fails: the next run sends it', async () => {
    const w = world();
    const id = await applied(w);
    reopen(w, rule('sgr-0000000000000000a', '0.0.0.0/0'));
    const publish = w.events.publish.bind(w.events);
    w.events.publish = async () => {
      throw new Error('PutEvents failed');
    };

    const failed = await reverifyActions(w);
    w.events.publish = publish;
    await reverifyActions(w);

    expect(failed).toMatchObject({ errors: 1, drift: 0 });
    const activities = w.events
      .ofType('OCSF Detection Finding')
      .map((e) => (e.detail as { activity_id: number }).activity_id);
    expect(activities).toEqual([1]);
    expect((await w.actions.get(id))?.verification).toMatchObject({ status: 'drift', driftChecks: 1 });
  });

  it('turns an apply interrupted after its claim into FAILED (audited), which can be approved again', async () => {
    const w = world();
    const r = await planFinding(w, sshFinding());
    if (r.kind !== 'recorded') throw new Error('not planned');
    await decideApproval(w.approvals, r.action.actionId, w.approver, {
      verb: 'approve',
      incidentId: 'INC-9',
      planHash: r.action.plan?.planHash ?? '',
    });
    const approved = (await w.actions.get(r.action.actionId))!;
    await w.actions.commit(
      {
        actionId: approved.actionId,
        from: ['APPROVED'],
        to: 'APPLYING',
        patch: {},
        history: { at: '', from: 'APPROVED', to: 'APPLYING', by: 'a crashed apply', detail: 'claimed' },
      },
      null,
      new Date(w.clock.ms).toISOString(),
    );
    w.clock.advance(16 * 60_000);

    const summary = await reverifyActions(w);

    expect(summary.interrupted).toBe(1);
    const failed = await w.actions.get(approved.actionId);
    expect(failed).toMatchObject({ status: 'FAILED', recordStatus: 'failure' });
    expect(w.actions.rowsOf(approved.actionId).at(-1)).toMatchObject({
      step: 'revoke_after',
      status: 'failure',
    });
    const again = await decideApproval(w.approvals, approved.actionId, w.approver, {
      verb: 'approve',
      incidentId: 'INC-9',
      planHash: failed?.plan?.planHash ?? '',
    });
    expect(again.ok).toBe(true);
  });
});

describe('reverifyActions writes only what changed', () => {
  it('a check that confirms the recorded state writes no audit row, no S3 object and no history entry', async () => {
    const w = world();
    const id = await applied(w);
    await reverifyActions(w);
    const rows = w.actions.rowsOf(id).length;
    const objects = w.evidence.objects.size;
    const history = (await w.actions.get(id))?.history.length;

    w.clock.advance(15 * 60_000);
    const summary = await reverifyActions(w);

    expect(summary).toMatchObject({ checked: 1, verified: 1, confirmed: 1, recorded: 0 });
    const after = await w.actions.get(id);
    expect(w.actions.rowsOf(id)).toHaveLength(rows);
    expect(w.evidence.objects.size).toBe(objects);
    expect(after?.history).toHaveLength(history ?? -1);
    expect(after?.checks).toBe(2);
    expect(Date.parse(after?.lastCheckedAt ?? '')).toBeGreaterThan(
      Date.parse(after?.verification?.checkedAt ?? ''),
    );
  });

  it('writes one heartbeat row a day for an unchanged action', async () => {
    const w = world();
    const id = await applied(w);
    for (let run = 0; run <= 96 * 2; run++) {
      await reverifyActions(w);
      w.clock.advance(15 * 60_000);
    }

    const verifyRows = w.actions.rowsOf(id).filter((r) => r.step === 'verify');
    expect(verifyRows.map((r) => r.status_detail.split(':')[0])).toEqual([
      'first-check',
      'heartbeat',
      'heartbeat',
    ]);
  });

  it('audits an UNREACHABLE streak when it crosses a threshold, once', async () => {
    const w = world();
    const id = await applied(w);
    w.groups.readErrors.set(SG, 'RequestLimitExceeded');
    for (let run = 0; run < 6; run++) await reverifyActions(w);

    const verifyRows = w.actions.rowsOf(id).filter((r) => r.step === 'verify');
    expect(verifyRows.map((r) => r.status_detail.split(' ')[0])).toEqual([
      'first-check:',
      'unreachable-streak',
    ]);
    expect((await w.actions.get(id))?.verification).toMatchObject({
      status: 'unreachable',
      unreachableChecks: 6,
    });
  });

  it('keeps the item bounded: the verification keeps only the last transitions, the audit all of them', async () => {
    const w = world();
    const id = await applied(w);
    for (let flip = 0; flip < 30; flip++) {
      if (flip % 2 === 0) reopen(w, rule('sgr-0000000000000000a', '0.0.0.0/0'));
      else {
        const g = w.groups.groups.get(SG)!;
        w.groups.put({ ...g, ingress: g.ingress.filter((r) => r.ruleId !== 'sgr-0000000000000000a') });
      }
      await reverifyActions(w, { runId: `flip-${flip}` });
    }

    const action = await w.actions.get(id);
    expect(action?.verification?.recent).toHaveLength(20);
    expect(w.actions.rowsOf(id).filter((r) => r.step === 'verify')).toHaveLength(30);
    expect(verifyAuditChain(w.actions.rowsOf(id))).toBe(-1);
  });
});

describe('reverifyActions: a failed check is one failed check', () => {
  it('records a failing store for one action, checks the others once, and returns normally', async () => {
    const w = fleetWorld();
    const ids = await seedApplied(w, 5);
    w.actions.failChecksOf.set(ids[2]!, new Error('ProvisionedThroughputExceededException'));

    const summary = await reverifyActions(w, { runId: 'run-1' });

    expect(summary).toMatchObject({ checked: 4, verified: 4, errors: 1, complete: true });
    expect(summary.failures).toEqual([`${ids[2]}: ProvisionedThroughputExceededException`]);
    for (const id of ids.filter((_, i) => i !== 2)) expect(w.actions.writes.get(id)).toBe(2); // apply + this check
    expect(w.actions.writes.get(ids[2]!)).toBe(1);
  });

  it('stops between pages when out of time and the next run continues from the cursor, never starting over', async () => {
    const w = fleetWorld();
    const ids = await seedApplied(w, 10);
    // Every clock read moves 1 ms: the deadline passes while the first page is being checked.
    const first = await reverifyActions(w, { runId: 'run-1', pageSize: 4, deadlineMs: w.clock.ms + 5 });
    const second = await reverifyActions(w, { runId: 'run-2', pageSize: 4 });
    const retried = await reverifyActions(w, { runId: 'run-1', pageSize: 4 });

    expect(first.complete).toBe(false);
    expect(first.checked).toBeLessThan(10);
    expect(second).toMatchObject({ sweepId: 'run-1', complete: true, checked: 10 - first.checked });
    for (const id of ids) expect(w.actions.writes.get(id)).toBe(2);
    expect(retried).toMatchObject({ sweepId: 'run-1', checked: 0 });
  });

  it('a retried run re-reads a page it had started but records no action twice', async () => {
    const w = fleetWorld();
    const ids = await seedApplied(w, 3);
    await reverifyActions(w, { runId: 'run-1' });
    // The checkpoint was lost with a crash before the last save: the retry reads the page again.
    w.checkpoints.current = null;

    const retried = await reverifyActions(w, { runId: 'run-1' });

    expect(retried).toMatchObject({ checked: 3, superseded: 3, recorded: 0, confirmed: 0 });
    for (const id of ids) expect(w.actions.writes.get(id)).toBe(2);
  });
});

describe('interrupted applies and failed ones', () => {
  it('reconciles an apply that crashed after its revoke to APPLIED, audited, and watches it: a re-opened rule is DRIFT', async () => {
    const w = world();
    const r = await planFinding(w, sshFinding());
    if (r.kind !== 'recorded') throw new Error('not planned');
    await decideApproval(w.approvals, r.action.actionId, w.approver, {
      verb: 'approve',
      incidentId: 'INC-9',
      planHash: r.action.plan?.planHash ?? '',
    });
    const approved = (await w.actions.get(r.action.actionId))!;
    await w.actions.commit(
      {
        actionId: approved.actionId,
        from: ['APPROVED'],
        to: 'APPLYING',
        patch: {},
        history: { at: '', from: 'APPROVED', to: 'APPLYING', by: 'a crashed apply', detail: 'claimed' },
      },
      null,
      new Date(w.clock.ms).toISOString(),
    );
    // The crashed apply had revoked the approved rules before dying.
    await w.groups.revokeRules(
      { accountUid: '111122223333', region: 'us-east-1' },
      SG,
      approvedRules(approved).map((t) => t.ruleId!),
    );
    w.clock.advance(16 * 60_000);

    const summary = await reverifyActions(w);
    reopen(w, rule('sgr-0000000000000000a', '0.0.0.0/0'));
    const next = await reverifyActions(w);

    expect(summary).toMatchObject({ interrupted: 1, checked: 1, verified: 1 });
    const done = await w.actions.get(approved.actionId);
    expect(done).toMatchObject({ status: 'APPLIED', recordStatus: 'success' });
    expect(done?.statusDetail).toContain('reconciled after interruption');
    expect(w.actions.rowsOf(approved.actionId).map((row) => [row.step, row.status])).toEqual([
      ['approve', 'approved'],
      ['revoke_after', 'success'],
      ['verify', 'verified'],
      ['verify', 'drift'],
    ]);
    expect(next).toMatchObject({ drift: 1 });
    expect(w.events.ofType('Drift Detected')).toHaveLength(1);
  });

  it('expires a FAILED action whose approval window closed, audited', async () => {
    const w = world();
    const r = await planFinding(w, sshFinding());
    if (r.kind !== 'recorded') throw new Error('not planned');
    const id = r.action.actionId;
    for (const [from, to] of [
      ['PENDING_APPROVAL', 'APPROVED'],
      ['APPROVED', 'APPLYING'],
      ['APPLYING', 'FAILED'],
    ] as const) {
      await w.actions.commit(
        { actionId: id, from: [from], to, patch: {}, history: { at: '', from, to, by: 'test', detail: '' } },
        null,
        new Date(w.clock.ms).toISOString(),
      );
    }
    w.clock.advance(25 * 3_600_000);

    expect(await reverifyActions(w)).toMatchObject({ expired: 1 });
    expect((await w.actions.get(id))?.status).toBe('EXPIRED');
    expect(w.actions.rowsOf(id).at(-1)).toMatchObject({ step: 'expire', status: 'expired' });
  });
});
