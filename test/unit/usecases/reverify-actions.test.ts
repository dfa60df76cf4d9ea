import { driftFindingUid } from '../../../lambda/core/drift-finding';
import { applyAction } from '../../../lambda/usecases/apply-action';
import { decideApproval } from '../../../lambda/usecases/decide-approval';
import { planFinding } from '../../../lambda/usecases/plan-finding';
import { reverifyActions } from '../../../lambda/usecases/reverify-actions';
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
