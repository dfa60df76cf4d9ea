import { commitAudited, commitPlain } from '../../../lambda/usecases/deps';
import { planFinding } from '../../../lambda/usecases/plan-finding';
import { sshFinding, world } from './world';

describe('commit helpers', () => {
  it('refuse a change the state machine forbids, writing nothing', async () => {
    const w = world();
    const r = await planFinding(w, sshFinding());
    if (r.kind !== 'recorded') throw new Error('not planned');
    const action = r.action;

    await expect(
      commitPlain(w, action, { from: ['PENDING_APPROVAL'], to: 'APPLIED', patch: {} }, 'test', 'skip ahead'),
    ).rejects.toThrow(/illegal transition PENDING_APPROVAL → APPLIED/);
    await expect(
      commitAudited(
        w,
        action,
        { from: ['PENDING_APPROVAL', 'REJECTED'], to: 'APPROVED', patch: {} },
        {
          rules: [],
          step: 'approve',
          status: 'approved',
          detail: 'x',
          incidentId: 'INC-1',
          approver: 'a',
          caller: 'a',
          mode: 'lambda',
        },
        'test',
      ),
    ).rejects.toThrow(/illegal transition REJECTED → APPROVED/);

    expect((await w.actions.get(action.actionId))?.status).toBe('PENDING_APPROVAL');
    expect(w.actions.auditRows).toHaveLength(0);
    expect(w.evidence.objects.size).toBe(0);
  });
});
