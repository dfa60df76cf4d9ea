import { applyFinding } from '../../../lambda/usecases/apply-finding';
import { planFinding } from '../../../lambda/usecases/plan-finding';
import { InMemoryControlStore } from '../../support/fakes/in-memory-control-store';
import { SG, sshFinding, world } from './world';

const CLI = {
  approver: 'alice@security (arn:aws:sts::111122223333:assumed-role/ops/alice)',
  incidentId: 'INC-7',
};
const cliWorld = () => {
  const w = world();
  return { w, deps: { ...w, mode: 'cli' as const } };
};

describe('applyFinding (sg-revoke apply): plan, approve under the gate, apply — the Lambdas use cases', () => {
  it('revokes the flagged rules with the CLI approval, and a re-run revokes nothing and says already-applied', async () => {
    const { w, deps } = cliWorld();

    const first = await applyFinding(deps, sshFinding(), CLI);
    const second = await applyFinding(deps, sshFinding(), CLI);

    expect(first.kind).toBe('applied');
    expect(first.kind === 'applied' && first.action).toMatchObject({
      status: 'APPLIED',
      approval: { approver: CLI.approver, incidentId: 'INC-7' },
    });
    expect(w.groups.ruleIdsOf(SG)).toEqual(['sgr-00000000000000003', 'sgr-00000000000000004']);
    expect(second.kind).toBe('already-applied');
    expect(w.groups.revokeCalls).toBe(1);
  });

  it('revokes nothing while the kill switch is on, or cannot be read (fail closed)', async () => {
    const { w, deps } = cliWorld();
    const control = new InMemoryControlStore();
    control.pause = {
      value: { paused: true, reason: 'INC-9: apps failing', by: 'carol', at: null, auditHead: null },
      version: 1,
    };

    const paused = await applyFinding({ ...deps, control }, sshFinding(), CLI);
    control.pause = { value: { ...control.pause.value, paused: false }, version: 2 };
    control.failReadsWith = new Error('dynamodb unreachable');
    const unreadable = await applyFinding({ ...deps, control }, sshFinding(), CLI);

    expect(paused.kind === 'paused' && paused.reason).toMatch(/kill switch on \(INC-9: apps failing\)/);
    expect(unreadable.kind === 'paused' && unreadable.reason).toMatch(/kill switch unreadable/);
    expect(w.groups.revokeCalls).toBe(0);
    expect(w.groups.ruleIdsOf(SG)).toHaveLength(4);
    expect(w.actions.actions.size).toBe(0);
    // Resumed: the same finding applies as usual.
    control.failReadsWith = null;
    expect((await applyFinding({ ...deps, control }, sshFinding(), CLI)).kind).toBe('applied');
    expect(w.groups.ruleIdsOf(SG)).toEqual(['sgr-00000000000000003', 'sgr-00000000000000004']);
  });

  it('leaves an action the platform planned to the approval API, unchanged', async () => {
    const { w, deps } = cliWorld();
    await planFinding(w, sshFinding());

    const result = await applyFinding(deps, sshFinding(), CLI);

    expect(result.kind).toBe('left-to-approvers');
    expect(result.kind === 'left-to-approvers' && result.action.status).toBe('PENDING_APPROVAL');
    expect(w.groups.ruleIdsOf(SG)).toHaveLength(4);
  });

  it('returns the rejection of a finding it cannot parse, and a skipped action as final', async () => {
    const { w, deps } = cliWorld();
    w.config.protectedIds.add(SG);

    const rejected = await applyFinding(deps, { class_uid: 2003 }, CLI);
    const skipped = await applyFinding(deps, sshFinding(), CLI);

    expect(rejected.kind === 'rejected' && rejected.rejection.kind).toBe('wrong-source');
    expect(skipped.kind === 'final' && [skipped.action.status, skipped.action.recordStatus]).toEqual([
      'SKIPPED',
      'skipped_protected_sg',
    ]);
    expect(w.groups.revokeCalls).toBe(0);
  });
});
