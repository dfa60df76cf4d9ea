import { decideApproval } from '../../../lambda/usecases/decide-approval';
import { planFinding } from '../../../lambda/usecases/plan-finding';
import { sshFinding, type World, world } from './world';

async function planned(w: World) {
  const r = await planFinding(w, sshFinding());
  if (r.kind !== 'recorded') throw new Error('not planned');
  return r.action;
}

describe('decideApproval', () => {
  it('approves with the caller ARN as approver, audits it, and emits Approved', async () => {
    const w = world();
    const a = await planned(w);

    const r = await decideApproval(w.approvals, a.actionId, w.approver, {
      verb: 'approve',
      incidentId: 'INC-7',
      planHash: a.plan?.planHash ?? '',
    });

    expect(r.ok).toBe(true);
    const stored = await w.actions.get(a.actionId);
    expect(stored?.status).toBe('APPROVED');
    expect(stored?.approval).toMatchObject({ approver: w.approver, incidentId: 'INC-7' });
    expect(w.actions.rowsOf(a.actionId)).toEqual([
      expect.objectContaining({ step: 'approve', approver: w.approver, incident_id: 'INC-7' }),
    ]);
    expect(w.events.ofType('Action Approved')).toHaveLength(1);
  });

  it.each([
    [
      'a non-approver',
      (_w: World) => 'arn:aws:sts::111122223333:assumed-role/Dev/bob',
      (h: string) => h,
      'forbidden',
    ],
    ['a wrong plan hash', (w: World) => w.approver, () => 'f'.repeat(64), 'conflict'],
  ])('refuses %s and changes nothing', async (_n, who, hash, kind) => {
    const w = world();
    const a = await planned(w);

    const r = await decideApproval(w.approvals, a.actionId, who(w), {
      verb: 'approve',
      incidentId: 'INC-7',
      planHash: hash(a.plan?.planHash ?? ''),
    });

    expect(r).toMatchObject({ ok: false, error: { kind } });
    expect((await w.actions.get(a.actionId))?.status).toBe('PENDING_APPROVAL');
    expect(w.actions.auditRows).toHaveLength(0);
  });

  it('refuses an expired plan with expired, changing nothing', async () => {
    const w = world();
    const a = await planned(w);
    w.clock.advance(25 * 3_600_000);

    const r = await decideApproval(w.approvals, a.actionId, w.approver, {
      verb: 'approve',
      incidentId: 'INC-7',
      planHash: a.plan?.planHash ?? '',
    });

    expect(r).toMatchObject({ ok: false, error: { kind: 'expired' } });
    expect((await w.actions.get(a.actionId))?.status).toBe('PENDING_APPROVAL');
  });

  it('gives one APPROVED when two approvals race; the other is a conflict', async () => {
    const w = world();
    const a = await planned(w);
    const approve = () =>
      decideApproval(w.approvals, a.actionId, w.approver, {
        verb: 'approve',
        incidentId: 'INC-7',
        planHash: a.plan?.planHash ?? '',
      });

    const results = await Promise.all([approve(), approve()]);

    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok && r.error.kind === 'conflict')).toHaveLength(1);
    expect(w.actions.rowsOf(a.actionId)).toHaveLength(1);
  });

  it('rejects with a reason, after which approval is a conflict', async () => {
    const w = world();
    const a = await planned(w);

    const rejected = await decideApproval(w.approvals, a.actionId, w.approver, {
      verb: 'reject',
      reason: 'change window closed',
    });
    const late = await decideApproval(w.approvals, a.actionId, w.approver, {
      verb: 'approve',
      incidentId: 'INC-7',
      planHash: a.plan?.planHash ?? '',
    });

    expect(rejected.ok && rejected.value.status).toBe('REJECTED');
    expect(late).toMatchObject({ ok: false, error: { kind: 'conflict' } });
    expect(w.actions.rowsOf(a.actionId).map((r) => r.status)).toEqual(['rejected']);
  });

  it('keeps a committed approval when the lifecycle event cannot be published, and reports it', async () => {
    const w = world();
    const a = await planned(w);
    const warnings: string[] = [];
    w.events.publish = async () => {
      throw new Error('PutEvents throttled');
    };

    const r = await decideApproval(
      { ...w.approvals, warn: (m, e) => warnings.push(`${m}: ${(e as Error).message}`) },
      a.actionId,
      w.approver,
      {
        verb: 'approve',
        incidentId: 'INC-7',
        planHash: a.plan?.planHash ?? '',
      },
    );

    expect(r.ok).toBe(true);
    expect((await w.actions.get(a.actionId))?.status).toBe('APPROVED');
    expect(warnings).toEqual(['lifecycle event not published: PutEvents throttled']);
  });

  it('gives one approval and one conflict when two approvals interleave, and audits one', async () => {
    const w = world();
    const a = await planned(w);
    // Both requests read the PENDING action before either writes: the interleaving that a real race
    // produces. The conditional commit is what must let exactly one of them through.
    let arrived = 0;
    let release: () => void = () => {};
    const bothRead = new Promise<void>((resolve) => {
      release = resolve;
    });
    const store = w.actions;
    const racing = Object.create(store) as typeof store;
    racing.get = async (id: string) => {
      const read = await store.get(id);
      if (++arrived === 2) release();
      await bothRead;
      return read;
    };
    const deps = { ...w.approvals, actions: racing };
    const approve = (incidentId: string) =>
      decideApproval(deps, a.actionId, w.approver, {
        verb: 'approve',
        incidentId,
        planHash: a.plan?.planHash ?? '',
      });

    const results = await Promise.all([approve('INC-1'), approve('INC-2')]);

    expect(results.map((r) => (r.ok ? 'ok' : r.error.kind)).sort()).toEqual(['conflict', 'ok']);
    const winner = results.find((r) => r.ok);
    const stored = await store.get(a.actionId);
    expect(stored?.status).toBe('APPROVED');
    expect(stored?.approval?.incidentId).toBe(winner?.ok ? winner.value.approval?.incidentId : 'none');
    expect(store.rowsOf(a.actionId).filter((r) => r.step === 'approve')).toHaveLength(1);
    expect(w.events.ofType('Action Approved')).toHaveLength(1);
  });
});
