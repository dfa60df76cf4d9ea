import type { Action } from '../../../lambda/core/action';
import { approvedRulesOf } from '../../../lambda/core/approval';
import { verifyAuditChain } from '../../../lambda/core/audit';
import type { Cidr } from '../../../lambda/core/permission';
import { planHashOf } from '../../../lambda/core/plan';
import { applyAction, applyClaimed } from '../../../lambda/usecases/apply-action';
import { decideApproval } from '../../../lambda/usecases/decide-approval';
import { approveAndClaim } from '../../../lambda/usecases/local-approval';
import { planFinding } from '../../../lambda/usecases/plan-finding';
import { InMemoryApprovalKey } from '../../support/fakes/fakes';
import { rule, SG, sshFinding, type World, world } from './world';

const OPEN = ['sgr-00000000000000001', 'sgr-00000000000000002'];
const ALL = [...OPEN, 'sgr-00000000000000003', 'sgr-00000000000000004'];

async function planned(w: World): Promise<Action> {
  const r = await planFinding(w, sshFinding());
  if (r.kind !== 'recorded') throw new Error(`not planned: ${r.kind}`);
  return r.action;
}

async function approved(w: World): Promise<Action> {
  const a = await planned(w);
  const r = await decideApproval(w.approvals, a.actionId, w.approver, {
    verb: 'approve',
    incidentId: 'INC-1',
    planHash: a.plan?.planHash ?? '',
  });
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

/** A write straight to the table, as another function's role could make (no use case, no checks). */
function rawWrite(w: World, action: Action): void {
  w.actions.actions.set(action.actionId, structuredClone(action));
}

async function expectTamperBlocked(w: World, id: string, reason: 'approval-invalid' | 'plan-tampered') {
  const result = await applyAction(w, id);

  expect(result.kind).toBe('done');
  expect(w.groups.ruleIdsOf(SG)).toEqual(ALL);
  expect(w.groups.revokeCalls).toBe(0);
  const stored = await w.actions.get(id);
  expect(stored?.status).toBe('BLOCKED');
  expect(stored?.statusDetail).toMatch(new RegExp(`^${reason}: `));
  const last = w.actions.rowsOf(id).at(-1);
  expect(last).toMatchObject({ step: 'revoke_before', status: 'failure' });
  expect(last?.status_detail).toContain(reason);
  expect(w.events.ofType('Tamper Detected')).toEqual([
    expect.objectContaining({ detail: expect.objectContaining({ action_id: id, reason }) }),
  ]);
}

describe('apply trusts a signature, not the table (DESIGN §11)', () => {
  it('refuses an APPROVED written with PutItem over a pending action (no signature)', async () => {
    const w = world();
    const a = await planned(w);
    const forged: Action = {
      ...a,
      status: 'APPROVED',
      approval: {
        approver: 'arn:aws:sts::111122223333:assumed-role/sg-revoke-plan/fn',
        incidentId: 'INC-FAKE',
        at: '2026-11-25T12:00:00.000Z',
        deadline: '2099-01-01T00:00:00.000Z',
        planHash: a.plan?.planHash ?? '',
        rules: approvedRulesOf(a.plan!),
        keyId: w.approvalKey.keyId,
        signature: null,
      },
    };
    rawWrite(w, forged);

    await expectTamperBlocked(w, a.actionId, 'approval-invalid');
  });

  it('refuses an action rejected through the API and then moved to APPROVED with UpdateItem', async () => {
    const w = world();
    const a = await planned(w);
    const rejected = await decideApproval(w.approvals, a.actionId, w.approver, {
      verb: 'reject',
      reason: 'no',
    });
    expect(rejected.ok).toBe(true);
    const row = (await w.actions.get(a.actionId))!;
    rawWrite(w, { ...row, status: 'APPROVED' });

    await expectTamperBlocked(w, a.actionId, 'approval-invalid');
  });

  it('refuses an approval signed with another key, even a well-formed one', async () => {
    const w = world();
    const a = await planned(w);
    const other = new InMemoryApprovalKey(w.approvalKey.keyId);
    const r = await decideApproval({ ...w.approvals, signer: other.signer }, a.actionId, w.approver, {
      verb: 'approve',
      incidentId: 'INC-1',
      planHash: a.plan?.planHash ?? '',
    });
    expect(r.ok).toBe(true);

    await expectTamperBlocked(w, a.actionId, 'approval-invalid');
  });

  it('refuses an approval whose signed fields were edited (approver, incident)', async () => {
    const w = world();
    const a = await approved(w);
    rawWrite(w, { ...a, approval: { ...a.approval!, incidentId: 'INC-OTHER' } });

    await expectTamperBlocked(w, a.actionId, 'approval-invalid');
  });

  it('refuses a plan whose publicCidrs were rewritten after the approval', async () => {
    const w = world();
    const a = await approved(w);
    rawWrite(w, { ...a, plan: { ...a.plan!, publicCidrs: ['10.0.0.0/8' as Cidr] } });

    await expectTamperBlocked(w, a.actionId, 'plan-tampered');
  });

  it('refuses a plan edited and re-hashed after the approval (the signed hash still differs)', async () => {
    const w = world();
    const a = await approved(w);
    const { planHash: _old, ...body } = a.plan!;
    const edited = { ...body, targets: [{ ...body.targets[0]!, ruleId: 'sgr-00000000000000003' }] };
    rawWrite(w, { ...a, plan: { ...edited, planHash: planHashOf(edited) } });

    await expectTamperBlocked(w, a.actionId, 'plan-tampered');
  });

  it('refuses an approval replayed after its deadline', async () => {
    const w = world();
    const a = await approved(w);
    w.clock.advance(7 * 3_600_000);

    await expectTamperBlocked(w, a.actionId, 'approval-invalid');
  });

  it('revokes nothing when the signature cannot be checked, and leaves the action to the sweep', async () => {
    const w = world();
    const a = await approved(w);
    const broken = {
      keyId: w.approvalKey.keyId,
      verify: async () => {
        throw new Error('kms:GetPublicKey failed: ThrottlingException');
      },
    };

    await expect(applyAction({ ...w, verifier: broken }, a.actionId)).rejects.toThrow(/GetPublicKey/);

    expect(w.groups.ruleIdsOf(SG)).toEqual(ALL);
    expect(w.groups.revokeCalls).toBe(0);
    // Not BLOCKED: a KMS outage is no tampering. The interrupted-apply sweep makes it FAILED.
    expect((await w.actions.get(a.actionId))?.status).toBe('APPLYING');
  });

  it('refuses a signed approval replayed after the action was rejected', async () => {
    const w = world();
    const a = await approved(w);
    w.evidence.failWith = new Error('S3 down');
    await applyAction(w, a.actionId);
    w.evidence.failWith = null;
    expect((await w.actions.get(a.actionId))?.status).toBe('FAILED');
    const r = await decideApproval(w.approvals, a.actionId, w.approver, {
      verb: 'reject',
      reason: 'stand down',
    });
    expect(r.ok).toBe(true);
    rawWrite(w, { ...(await w.actions.get(a.actionId))!, status: 'APPROVED', approval: a.approval });

    await expectTamperBlocked(w, a.actionId, 'approval-invalid');
    expect((await w.actions.get(a.actionId))?.statusDetail).toContain('replay');
  });

  it('refuses an applied approval written back to APPROVED (one approval, one apply)', async () => {
    const w = world();
    const a = await approved(w);
    await applyAction(w, a.actionId);
    const group = w.groups.groups.get(SG)!;
    w.groups.put({ ...group, ingress: [...group.ingress, rule('sgr-00000000000000001', '0.0.0.0/0')] });
    const revokes = w.groups.revokeCalls;
    rawWrite(w, { ...(await w.actions.get(a.actionId))!, status: 'APPROVED' });

    const result = await applyAction(w, a.actionId);

    expect(result.kind === 'done' && result.action.statusDetail).toMatch(/replay/);
    expect(w.groups.revokeCalls).toBe(revokes);
    expect(w.groups.ruleIdsOf(SG)).toContain('sgr-00000000000000001');
  });

  it('applies a genuine approval with one local verification, revoking exactly the approved ids', async () => {
    const w = world();
    const a = await approved(w);

    const result = await applyAction(w, a.actionId);

    expect(result.kind === 'done' && result.action.status).toBe('APPLIED');
    expect(w.groups.ruleIdsOf(SG)).toEqual(ALL.filter((id) => !OPEN.includes(id)));
    expect(w.approvalKey.verifications).toBe(1);
    expect(verifyAuditChain(w.actions.rowsOf(a.actionId))).toBe(-1);
  });
});

describe('apply revokes exactly the approved rule ids (DESIGN §11)', () => {
  it('leaves a public rule of the same shape added after the approval, and names it', async () => {
    const w = world();
    const a = await approved(w);
    const group = w.groups.groups.get(SG)!;
    w.groups.put({ ...group, ingress: [...group.ingress, rule('sgr-0000000000000000f', '::/0')] });

    const result = await applyAction(w, a.actionId);

    expect(result.kind === 'done' && result.action.status).toBe('APPLIED');
    expect(w.groups.ruleIdsOf(SG)).toEqual([
      'sgr-00000000000000003',
      'sgr-00000000000000004',
      'sgr-0000000000000000f',
    ]);
    const stored = await w.actions.get(a.actionId);
    expect(stored?.outcome?.unapprovedRules?.map((r) => r.ruleId)).toEqual(['sgr-0000000000000000f']);
    expect(stored?.statusDetail).toContain('unapproved public rule(s) left open: sgr-0000000000000000f');
    expect(w.events.ofType('Unapproved Rules Found')).toHaveLength(1);
  });

  it('leaves an approved rule whose shape changed since the approval (same id, now private)', async () => {
    const w = world();
    const a = await approved(w);
    const group = w.groups.groups.get(SG)!;
    const ingress = group.ingress.map((r) =>
      r.ruleId === 'sgr-00000000000000001' ? { ...r, cidr: '192.0.2.0/24' as Cidr } : r,
    );
    w.groups.put({ ...group, ingress });

    await applyAction(w, a.actionId);

    expect(w.groups.ruleIdsOf(SG)).toEqual([
      'sgr-00000000000000001',
      'sgr-00000000000000003',
      'sgr-00000000000000004',
    ]);
    expect((await w.actions.get(a.actionId))?.statusDetail).toContain('changed since approval, left alone');
  });
});

describe('the approval API recomputes the plan hash before it signs', () => {
  it('refuses a plan whose targets are not of its own shape, even with a recomputed hash', async () => {
    const w = world();
    const a = await planned(w);
    const { planHash: _stale, ...body } = a.plan!;
    const edited = { ...body, targets: [{ ...body.targets[0]!, fromPort: 443, toPort: 443 }] };
    const plan = { ...edited, planHash: planHashOf(edited) };
    rawWrite(w, { ...a, plan });

    const r = await decideApproval(w.approvals, a.actionId, w.approver, {
      verb: 'approve',
      incidentId: 'INC-1',
      planHash: plan.planHash,
    });

    expect(r).toMatchObject({
      ok: false,
      error: { kind: 'conflict', message: expect.stringMatching(/own shape/) },
    });
    expect((await w.actions.get(a.actionId))?.status).toBe('PENDING_APPROVAL');
  });

  it('treats an approval deadline that is not a date as passed', async () => {
    const w = world();
    const a = await planned(w);
    rawWrite(w, { ...a, approvalDeadline: 'never' });

    const r = await decideApproval(w.approvals, a.actionId, w.approver, {
      verb: 'approve',
      incidentId: 'INC-1',
      planHash: a.plan?.planHash ?? '',
    });

    expect(r).toMatchObject({ ok: false, error: { kind: 'expired' } });
  });

  it('refuses to approve a plan edited in the table before approval (its stored hash is stale)', async () => {
    const w = world();
    const a = await planned(w);
    rawWrite(w, { ...a, plan: { ...a.plan!, publicCidrs: ['10.0.0.0/8' as Cidr] } });

    const r = await decideApproval(w.approvals, a.actionId, w.approver, {
      verb: 'approve',
      incidentId: 'INC-1',
      planHash: a.plan?.planHash ?? '',
    });

    expect(r).toMatchObject({ ok: false, error: { kind: 'conflict' } });
    expect((await w.actions.get(a.actionId))?.status).toBe('PENDING_APPROVAL');
  });

  it('signs the exact approved rule ids, the recomputed hash and a bounded deadline', async () => {
    const w = world();
    const a = await approved(w);

    expect(a.approval).toMatchObject({
      approver: w.approver,
      planHash: a.plan?.planHash,
      keyId: w.approvalKey.keyId,
      signature: expect.stringMatching(/^[A-Za-z0-9+/]+=*$/),
    });
    expect(a.approval?.rules.map((r) => r.ruleId)).toEqual(OPEN);
    expect(Date.parse(a.approval!.deadline) - Date.parse(a.approval!.at)).toBe(6 * 3_600_000);
  });
});

describe('FAILED is a state one can leave', () => {
  async function failed(w: World): Promise<Action> {
    const a = await approved(w);
    w.evidence.failWith = new Error('S3 down');
    await applyAction(w, a.actionId);
    w.evidence.failWith = null;
    const stored = (await w.actions.get(a.actionId))!;
    expect(stored.status).toBe('FAILED');
    return stored;
  }

  it('can be rejected', async () => {
    const w = world();
    const a = await failed(w);

    const r = await decideApproval(w.approvals, a.actionId, w.approver, {
      verb: 'reject',
      reason: 'gave up',
    });

    expect(r.ok).toBe(true);
    expect((await w.actions.get(a.actionId))?.status).toBe('REJECTED');
  });

  it('cannot be approved once its approval window has closed', async () => {
    const w = world();
    const a = await failed(w);
    w.clock.advance(25 * 3_600_000);

    const r = await decideApproval(w.approvals, a.actionId, w.approver, {
      verb: 'approve',
      incidentId: 'INC-2',
      planHash: a.plan?.planHash ?? '',
    });

    expect(r).toMatchObject({ ok: false, error: { kind: 'expired' } });
    expect((await w.actions.get(a.actionId))?.status).toBe('FAILED');
  });
});

describe('the CLI approves and claims in one write', () => {
  it('never leaves an unsigned APPROVED for the apply λ, and revokes the approved rules', async () => {
    const w = world();
    const a = await planned(w);
    const seen: string[] = [];
    const store = w.actions;
    const watching = Object.create(store) as typeof store;
    watching.commit = async (change, audit, iso) => {
      seen.push(change.to);
      return store.commit(change, audit, iso);
    };
    const deps = { ...w, actions: watching, mode: 'cli' as const };

    const claimed = await approveAndClaim(deps, a, {
      approver: 'INC-commander (arn:aws:iam::111122223333:user/alice)',
      incidentId: 'INC-1',
      planHash: a.plan?.planHash ?? '',
    });
    if (!claimed.ok) throw new Error(claimed.error.message);
    const result = await applyClaimed(deps, claimed.value);

    expect(seen).not.toContain('APPROVED');
    expect(seen[0]).toBe('APPLYING');
    expect(result.action.status).toBe('APPLIED');
    expect(w.groups.ruleIdsOf(SG)).toEqual(ALL.filter((id) => !OPEN.includes(id)));
    expect(store.rowsOf(a.actionId).map((r) => r.step)).toEqual(['approve', 'revoke_before', 'revoke_after']);
  });

  it('an unsigned CLI approval that reaches APPROVED anyway is refused by the apply λ', async () => {
    const w = world();
    const a = await planned(w);
    const claimed = await approveAndClaim({ ...w, mode: 'cli' }, a, {
      approver: 'cli',
      incidentId: 'INC-1',
      planHash: a.plan?.planHash ?? '',
    });
    if (!claimed.ok) throw new Error(claimed.error.message);
    rawWrite(w, { ...claimed.value, status: 'APPROVED' });

    await expectTamperBlocked(w, a.actionId, 'approval-invalid');
  });
});
