import type { Action } from '../../../lambda/core/action';
import { approvalPayload } from '../../../lambda/core/approval';
import { buildAuditRow, verifyAuditChain } from '../../../lambda/core/audit';
import { rollbackPayload } from '../../../lambda/core/rollback';
import { applyAction } from '../../../lambda/usecases/apply-action';
import { decideApproval } from '../../../lambda/usecases/decide-approval';
import { planFinding } from '../../../lambda/usecases/plan-finding';
import { requestRollback } from '../../../lambda/usecases/request-rollback';
import { reverifyActions } from '../../../lambda/usecases/reverify-actions';
import { rollbackAction } from '../../../lambda/usecases/rollback-action';
import { verifyAuditOf } from '../../../lambda/usecases/verify-audit';
import { InMemoryApprovalKey } from '../../support/fakes/fakes';
import { rule, SG, sshFinding, type World, webTier, world } from './world';

const OPEN = ['sgr-00000000000000001', 'sgr-00000000000000002'];
const ROLLBACK = { incidentId: 'INC-2026-0043', reason: 'payments health checks broke' };

/** web-tier whose open SSH rules carry descriptions: the rollback must bring them back too. */
function describedWorld(): World {
  const w = world();
  const [v4, v6, ...rest] = webTier().ingress;
  w.groups.put(
    webTier({
      ingress: [{ ...v4!, description: 'bastion (legacy)' }, { ...v6!, description: 'ops v6' }, ...rest],
    }),
  );
  return w;
}

async function planned(w: World): Promise<Action> {
  const r = await planFinding(w, sshFinding());
  if (r.kind !== 'recorded') throw new Error(`not planned: ${r.kind}`);
  return r.action;
}

async function approved(w: World): Promise<string> {
  const a = await planned(w);
  const r = await decideApproval(w.approvals, a.actionId, w.approver, {
    verb: 'approve',
    incidentId: 'INC-1',
    planHash: a.plan?.planHash ?? '',
  });
  if (!r.ok) throw new Error(r.error.message);
  return a.actionId;
}

async function applied(w: World): Promise<string> {
  const id = await approved(w);
  await applyAction(w, id);
  return id;
}

const readers = (w: World) => ({
  actions: w.actions,
  trail: w.rollbacks.trail,
  archive: {
    oldest: async (key: string) => {
      const row = w.evidence.objects.get(key);
      return row ? { body: JSON.stringify(row), versions: 1 } : null;
    },
  },
  verifier: w.approvalKey.verifier,
});

const rawWrite = (w: World, action: Action) =>
  w.actions.actions.set(action.actionId, structuredClone(action));
const shapes = (w: World) =>
  w.groups.groups
    .get(SG)!
    .ingress.map((r) => `${r.protocol}:${r.fromPort}-${r.toPort}:${r.cidr}:${r.description}`)
    .sort();

async function requested(w: World, id: string): Promise<Action> {
  const r = await requestRollback(w.approvals, id, w.approver, ROLLBACK);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

async function expectNothingAuthorized(w: World, id: string, detail: RegExp) {
  const before = shapes(w);
  const result = await rollbackAction(w.rollbacks, id);

  expect(result.kind).toBe('done');
  expect(w.restorer.calls).toHaveLength(0);
  expect(shapes(w)).toEqual(before);
  const stored = (await w.actions.get(id))!;
  expect(stored.status).toBe('APPLIED');
  expect(stored.statusDetail).toMatch(detail);
  expect(w.actions.rowsOf(id).at(-1)).toMatchObject({ step: 'rollback_before', status: 'blocked' });
  expect(w.events.ofType('Tamper Detected').at(-1)?.detail).toMatchObject({ reason: 'rollback-invalid' });
}

describe('rollback (issue 12 §2)', () => {
  it('re-authorizes exactly the revoked rules with their descriptions, audited, and ends ROLLED_BACK', async () => {
    const w = describedWorld();
    const original = shapes(w);
    const id = await applied(w);
    expect(w.groups.ruleIdsOf(SG)).not.toContain(OPEN[0]);

    const view = await requested(w, id);
    const result = await rollbackAction(w.rollbacks, id);

    expect(view.rollback).toMatchObject({ approver: w.approver, incidentId: ROLLBACK.incidentId });
    expect(view.rollback?.rules.map((r) => r.ruleId)).toEqual(OPEN);
    expect(result.kind).toBe('done');
    expect(shapes(w)).toEqual(original);
    const stored = (await w.actions.get(id))!;
    expect(stored.status).toBe('ROLLED_BACK');
    const newIds = stored.rollbackOutcome?.restoredRules.map((r) => r.newRuleId) ?? [];
    expect(newIds).toHaveLength(2);
    for (const newId of newIds) expect(w.groups.ruleIdsOf(SG)).toContain(newId);
    const rows = w.actions.rowsOf(id);
    expect(rows.map((r) => `${r.step}:${r.status}`)).toEqual([
      'approve:approved',
      'revoke_before:in_progress',
      'revoke_after:success',
      'rollback_approve:approved',
      'rollback_before:in_progress',
      'rollback_after:success',
    ]);
    expect(rows.at(-1)?.restored_rules?.map((r) => r.newRuleId)).toEqual(newIds);
    expect(rows.at(-1)?.restored_rules?.map((r) => r.description)).toEqual(['bastion (legacy)', 'ops v6']);
    expect(verifyAuditChain(rows)).toBe(-1);
    expect(await verifyAuditOf(readers(w), id)).toMatchObject({ status: 'intact', problems: [] });
    expect(w.events.ofType('Action Rolled Back')).toHaveLength(1);
  });

  it('leaves the watch: reverify raises no DRIFT for the restored rules', async () => {
    const w = world();
    const id = await applied(w);
    await requested(w, id);
    await rollbackAction(w.rollbacks, id);

    const summary = await reverifyActions(w);

    expect(summary).toMatchObject({ checked: 0, drift: 0 });
    expect(w.events.ofType('OCSF Detection Finding')).toHaveLength(0);
    expect((await w.actions.get(id))?.status).toBe('ROLLED_BACK');
  });

  it('refuses a caller who is not an approver, and changes nothing', async () => {
    const w = world();
    const id = await applied(w);
    const before = await w.actions.get(id);

    const r = await requestRollback(
      w.approvals,
      id,
      'arn:aws:sts::111122223333:assumed-role/Dev/bob',
      ROLLBACK,
    );

    expect(r).toMatchObject({ ok: false, error: { kind: 'forbidden' } });
    expect(await w.actions.get(id)).toEqual(before);
  });

  it.each([
    ['PENDING_APPROVAL', async (w: World) => (await planned(w)).actionId],
    [
      'REJECTED',
      async (w: World) => {
        const a = await planned(w);
        await decideApproval(w.approvals, a.actionId, w.approver, { verb: 'reject', reason: 'not now' });
        return a.actionId;
      },
    ],
    [
      'BLOCKED',
      async (w: World) => {
        const id = await approved(w);
        w.groups.put(webTier({ tags: { 'intentionally-open': 'true' } }));
        await applyAction(w, id);
        return id;
      },
    ],
    [
      'SKIPPED',
      async (w: World) => {
        w.config.protectedIds.add(SG);
        const r = await planFinding(w, sshFinding());
        if (r.kind !== 'recorded') throw new Error(r.kind);
        return r.action.actionId;
      },
    ],
    [
      'ALREADY_ABSENT',
      async (w: World) => {
        const id = await approved(w);
        w.groups.put(webTier({ ingress: webTier().ingress.filter((r) => !OPEN.includes(r.ruleId)) }));
        await applyAction(w, id);
        return id;
      },
    ],
  ])('answers conflict for a %s action (nothing was revoked by it)', async (status, make) => {
    const w = world();
    const id = await make(w);
    expect((await w.actions.get(id))?.status).toBe(status);

    const r = await requestRollback(w.approvals, id, w.approver, ROLLBACK);

    expect(r).toMatchObject({ ok: false, error: { kind: 'conflict' } });
    expect((await w.actions.get(id))?.rollback ?? null).toBeNull();
  });

  it('answers not-found for an unknown action', async () => {
    const w = world();
    const r = await requestRollback(w.approvals, 'sgrev-0000000000000000', w.approver, ROLLBACK);
    expect(r).toMatchObject({ ok: false, error: { kind: 'not-found' } });
  });

  it('authorizes nothing for a rollback written into the table without a signature', async () => {
    const w = world();
    const id = await applied(w);
    const real = await requested(w, id);
    rawWrite(w, { ...real, rollback: { ...real.rollback!, signature: null } });

    await expectNothingAuthorized(w, id, /^rollback failed: rollback-invalid: .*no signature/);
  });

  it('authorizes nothing for a rollback signed with another key', async () => {
    const w = world();
    const id = await applied(w);
    const real = await requested(w, id);
    const other = new InMemoryApprovalKey(w.approvalKey.verifier.keyId);
    const { signature: _s, ...unsigned } = real.rollback!;
    const forged = await other.signer.sign(rollbackPayload(id, real.plan!, unsigned));
    rawWrite(w, { ...real, rollback: { ...real.rollback!, signature: forged } });

    await expectNothingAuthorized(w, id, /signature does not verify/);
  });

  it('authorizes nothing when the signed rules were edited to open another rule', async () => {
    const w = world();
    const id = await applied(w);
    const real = await requested(w, id);
    const extra = {
      ...real.rollback!.rules[0]!,
      ruleId: 'sgr-00000000000000009',
      fromPort: 3389,
      toPort: 3389,
    };
    rawWrite(w, { ...real, rollback: { ...real.rollback!, rules: [...real.rollback!.rules, extra] } });

    await expectNothingAuthorized(w, id, /not the rules the action revoked/);
  });

  it('never takes an apply approval signature as a rollback approval', async () => {
    const w = world();
    const id = await applied(w);
    const real = await requested(w, id);
    const a = real.approval!;
    const { signature: _s, ...unsignedApproval } = a;
    expect(
      await w.approvalKey.verifier.verify(approvalPayload(id, real.plan!, unsignedApproval), a.signature!),
    ).toBe(true);
    rawWrite(w, { ...real, rollback: { ...real.rollback!, signature: a.signature } });

    await expectNothingAuthorized(w, id, /signature does not verify/);
  });

  it('authorizes nothing when the action row claims a revoke the audit does not record', async () => {
    const w = world();
    const id = await approved(w);
    // Only the IPv4 rule is still open at apply: the audit records one revoked rule.
    w.groups.put(webTier({ ingress: webTier().ingress.filter((r) => r.ruleId !== OPEN[1]) }));
    await applyAction(w, id);
    const applied1 = (await w.actions.get(id))!;
    expect(applied1.outcome?.revokedRules.map((r) => r.ruleId)).toEqual([OPEN[0]]);
    // A role with UpdateItem adds the ::/0 rule to the outcome; an approver then asks for a rollback.
    const v6 = applied1.plan!.targets.find((t) => t.ruleId === OPEN[1])!;
    const outcome = { ...applied1.outcome!, revokedRules: [...applied1.outcome!.revokedRules, v6] };
    rawWrite(w, { ...applied1, outcome });
    await requested(w, id);

    await expectNothingAuthorized(w, id, /sgr-00000000000000002 is not audited as revoked/);
  });

  it('authorizes nothing for a rule added to the approval and to a forged, re-chained audit row', async () => {
    // A role with UpdateItem (actions) and PutItem (audit) adds a never-approved public https rule to
    // approval.rules and outcome.revokedRules and appends a correctly chained revoke_after row for it.
    const w = world();
    const id = await applied(w);
    const a = (await w.actions.get(id))!;
    const https = a.plan!.beforeImage!.find((r) => r.ruleId === 'sgr-00000000000000004')!;
    const target = {
      ruleId: https.ruleId,
      protocol: https.protocol,
      fromPort: https.fromPort,
      toPort: https.toPort,
      cidr: https.cidr as NonNullable<typeof https.cidr>,
    };
    w.groups.put(webTier({ ingress: webTier().ingress.filter((r) => r.ruleId === 'sgr-00000000000000003') }));
    const head = w.actions.rowsOf(id).at(-1)!;
    const forged = buildAuditRow(
      {
        actionId: id,
        findingUid: a.finding.findingUid,
        accountUid: a.plan!.accountUid,
        region: a.plan!.region,
        sgId: a.plan!.sgId,
        sgName: 'web-tier',
        rules: [target],
        revokedRules: [target],
        step: 'revoke_after',
        status: 'success',
        detail: 'forged',
        incidentId: 'INC-1',
        approver: null,
        caller: 'sg-revoke apply',
        mode: 'lambda',
      },
      '2099-01-01T00:00:00.000Z',
      head.row_hash,
    );
    w.actions.auditRows.push(forged);
    rawWrite(w, {
      ...a,
      auditHead: forged.row_hash,
      approval: { ...a.approval!, rules: [...a.approval!.rules, target as never] },
      outcome: { ...a.outcome!, revokedRules: [...a.outcome!.revokedRules, target as never] },
    });
    await requested(w, id);

    await expectNothingAuthorized(w, id, /the apply approval signature does not verify/);
    expect(shapes(w).filter((r) => r.startsWith('tcp:443-443:0.0.0.0/0'))).toEqual([]);
  });

  it('acts once: a consumed rollback request written back is a replay and authorizes nothing', async () => {
    const w = world();
    const id = await applied(w);
    const real = await requested(w, id);
    await rollbackAction(w.rollbacks, id);
    // Remove the restored rules again, and write the action back to APPLIED with its old request.
    w.groups.put(webTier({ ingress: webTier().ingress.filter((r) => !OPEN.includes(r.ruleId)) }));
    const done = (await w.actions.get(id))!;
    rawWrite(w, { ...done, status: 'APPLIED', rollback: real.rollback });
    const calls = w.restorer.calls.length;

    const result = await rollbackAction(w.rollbacks, id);

    expect(result).toEqual({ kind: 'replayed' });
    expect(w.restorer.calls).toHaveLength(calls);
    expect(w.groups.ruleIdsOf(SG)).not.toContain(OPEN[0]);
  });

  it('converges when a rule is already back: no duplicate, ROLLED_BACK', async () => {
    const w = world();
    const id = await applied(w);
    const g = w.groups.groups.get(SG)!;
    w.groups.put({ ...g, ingress: [...g.ingress, rule('sgr-000000000000000aa', '0.0.0.0/0')] });
    await requested(w, id);

    await rollbackAction(w.rollbacks, id);

    const cidrs = w.groups.groups
      .get(SG)!
      .ingress.filter((r) => r.fromPort === 22)
      .map((r) => r.cidr);
    expect(cidrs.sort()).toEqual(['0.0.0.0/0', '10.0.0.0/8', '::/0']);
    expect(w.restorer.calls.map((c) => c.rules.map((r) => r.cidr))).toEqual([['::/0']]);
    const stored = (await w.actions.get(id))!;
    expect(stored.status).toBe('ROLLED_BACK');
    expect(stored.statusDetail).toMatch(/1 already present \(converged\)/);
  });

  it('converges on a second rollback: a re-delivery does nothing and a new request is refused', async () => {
    const w = world();
    const id = await applied(w);
    await requested(w, id);
    await rollbackAction(w.rollbacks, id);
    const after = shapes(w);
    const rows = w.actions.rowsOf(id).length;

    const again = await rollbackAction(w.rollbacks, id);
    const second = await requestRollback(w.approvals, id, w.approver, ROLLBACK);

    expect(again).toEqual({ kind: 'not-requested', status: 'ROLLED_BACK' });
    expect(second).toMatchObject({ ok: false, error: { kind: 'conflict' } });
    expect(shapes(w)).toEqual(after);
    expect(w.actions.rowsOf(id)).toHaveLength(rows);
    expect(w.restorer.calls).toHaveLength(1);
  });

  it('fails closed when the caller identity cannot be read: nothing authorized, reason audited', async () => {
    const w = world();
    const id = await applied(w);
    await requested(w, id);
    w.callerIdentity.failWith = new Error('sts down');

    await rollbackAction(w.rollbacks, id);

    expect(w.restorer.calls).toHaveLength(0);
    const stored = (await w.actions.get(id))!;
    expect(stored.status).toBe('APPLIED');
    expect(stored.statusDetail).toMatch(/caller identity unknown, nothing authorized: sts down/);
    expect(w.actions.rowsOf(id).at(-1)).toMatchObject({ step: 'rollback_before', status: 'failure' });
    expect(await verifyAuditOf(readers(w), id)).toMatchObject({ status: 'intact' });
  });

  it('fails closed when the group cannot be read', async () => {
    const w = world();
    const id = await applied(w);
    await requested(w, id);
    w.groups.readErrors.set(SG, 'RequestLimitExceeded');

    await rollbackAction(w.rollbacks, id);

    expect(w.restorer.calls).toHaveLength(0);
    expect((await w.actions.get(id))?.statusDetail).toMatch(/could not be read: RequestLimitExceeded/);
  });

  it('records a failed authorize as a failed rollback, still APPLIED and audited intact', async () => {
    const w = world();
    const id = await applied(w);
    await requested(w, id);
    w.restorer.authorizeError = new Error('UnauthorizedOperation');

    await rollbackAction(w.rollbacks, id);

    const stored = (await w.actions.get(id))!;
    expect(stored.status).toBe('APPLIED');
    expect(stored.rollbackOutcome?.status).toBe('failure');
    expect(w.actions.rowsOf(id).at(-1)).toMatchObject({ step: 'rollback_after', status: 'failure' });
    expect(await verifyAuditOf(readers(w), id)).toMatchObject({ status: 'intact' });
    expect(w.events.ofType('Rollback Failed')).toHaveLength(1);
  });

  it('lets audit verify catch a rollback request edited after it was audited', async () => {
    const w = world();
    const id = await applied(w);
    await requested(w, id);
    await rollbackAction(w.rollbacks, id);
    const done = (await w.actions.get(id))!;
    rawWrite(w, {
      ...done,
      rollback: { ...done.rollback!, approver: 'arn:aws:sts::111122223333:assumed-role/X/y' },
    });

    const verdict = await verifyAuditOf(readers(w), id);

    expect(verdict?.status).toBe('tampered');
    expect(verdict?.problems).toEqual(
      expect.arrayContaining([
        'the rollback request signature does not verify',
        'the rollback request differs from its audited row (approver or incident)',
      ]),
    );
  });
});
