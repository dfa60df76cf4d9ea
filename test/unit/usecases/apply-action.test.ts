import { verifyAuditChain } from '../../../lambda/core/audit';
import { AccessDeniedError } from '../../../lambda/core/errors';
import { applyAction } from '../../../lambda/usecases/apply-action';
import { decideApproval } from '../../../lambda/usecases/decide-approval';
import { planFinding } from '../../../lambda/usecases/plan-finding';
import { SG, sshFinding, type World, world } from './world';

async function planAndApprove(w: World): Promise<string> {
  const planned = await planFinding(w, sshFinding());
  if (planned.kind !== 'recorded') throw new Error(`not planned: ${planned.kind}`);
  const { actionId, plan } = planned.action;
  const approved = await decideApproval(w.approvals, actionId, w.approver, {
    verb: 'approve',
    incidentId: 'INC-2026-0042',
    planHash: plan?.planHash ?? '',
  });
  if (!approved.ok) throw new Error(approved.error.message);
  return actionId;
}

describe('applyAction', () => {
  it('revokes exactly the flagged public rules and leaves siblings, with a before and after audit', async () => {
    const w = world();
    const id = await planAndApprove(w);

    const result = await applyAction(w, id);

    expect(result.kind).toBe('done');
    expect(w.groups.ruleIdsOf(SG)).toEqual(['sgr-00000000000000003', 'sgr-00000000000000004']);
    const action = await w.actions.get(id);
    expect(action?.status).toBe('APPLIED');
    expect(action?.outcome?.revokedRules.map((r) => r.ruleId)).toEqual([
      'sgr-00000000000000001',
      'sgr-00000000000000002',
    ]);
    const rows = w.actions.rowsOf(id);
    expect(rows.map((r) => [r.step, r.status])).toEqual([
      ['approve', 'approved'],
      ['revoke_before', 'in_progress'],
      ['revoke_after', 'success'],
    ]);
    expect(rows[1]?.approver).toBe(w.approver);
    expect(rows[1]?.incident_id).toBe('INC-2026-0042');
    expect(verifyAuditChain(rows)).toBe(-1);
    expect(w.evidence.objects.size).toBe(3);
  });

  it.each([
    [
      'protected id',
      (w: World) => w.config.protectedIds.add(SG),
      'skipped_protected_sg',
      /AWS_SG_REVOKE_PROTECTED_IDS/,
    ],
    [
      'live default name',
      (w: World) => w.groups.put({ ...w.groups.groups.get(SG)!, groupName: 'default' }),
      'skipped_protected_sg',
      /default/,
    ],
    [
      'tag added after plan',
      (w: World) => w.groups.put({ ...w.groups.groups.get(SG)!, tags: { 'intentionally-open': 'alb-443' } }),
      'skipped_protected_sg',
      /intentionally-open=alb-443/,
    ],
    [
      'account left the allow-list',
      (w: World) => w.config.allowedAccounts.clear(),
      'skipped_account_boundary',
      /ALLOWED_ACCOUNT_IDS/,
    ],
    [
      'STS account differs',
      (w: World) => {
        w.callerIdentity.account = '444455556666';
      },
      'skipped_account_boundary',
      /STS account/,
    ],
    [
      'group unreadable',
      (w: World) => w.groups.readErrors.set(SG, 'UnauthorizedOperation'),
      'failure',
      /could not be read/,
    ],
  ])(
    'blocks when %s, revokes nothing, records the reason in the action and the audit',
    async (_name, change, status, reason) => {
      const w = world();
      const id = await planAndApprove(w);
      const before = w.groups.ruleIdsOf(SG);
      change(w);

      await applyAction(w, id);

      expect(w.groups.ruleIdsOf(SG)).toEqual(before);
      expect(w.groups.revokeCalls).toBe(0);
      const action = await w.actions.get(id);
      expect(action?.status).toBe('BLOCKED');
      expect(action?.recordStatus).toBe(status);
      expect(action?.statusDetail).toMatch(reason);
      const last = w.actions.rowsOf(id).at(-1);
      expect(last?.status).toBe(status);
      expect(last?.status_detail).toMatch(reason);
    },
  );

  it('ends FAILED (approvable again), revokes and reads nothing, when the credentials cannot be had', async () => {
    const w = world();
    const id = await planAndApprove(w);
    w.callerIdentity.failWith = new Error('ExpiredToken');

    await applyAction(w, id);

    expect(w.groups.ruleIdsOf(SG)).toHaveLength(4);
    expect(w.groups.calls.filter((c) => c.startsWith('revoke'))).toEqual([]);
    const action = await w.actions.get(id);
    expect(action?.status).toBe('FAILED');
    expect(action?.recordStatus).toBe('failure');
    expect(action?.statusDetail).toMatch(
      /no credentials for account 111122223333, nothing revoked: ExpiredToken/,
    );
    expect(w.actions.rowsOf(id).at(-1)).toMatchObject({ step: 'revoke_after', status: 'failure' });
  });

  it('asks for no credentials at all when the account left the allow-list', async () => {
    const w = world();
    const id = await planAndApprove(w);
    const asked = w.callerIdentity.identityCalls.length;
    w.config.allowedAccounts.clear();

    await applyAction(w, id);

    expect(w.callerIdentity.identityCalls).toHaveLength(asked);
    expect((await w.actions.get(id))?.recordStatus).toBe('skipped_account_boundary');
    expect(w.groups.ruleIdsOf(SG)).toHaveLength(4);
  });

  it("revokes with the revoke credentials of the plan's account and region", async () => {
    const w = world();
    const id = await planAndApprove(w);

    await applyAction(w, id);

    expect(w.callerIdentity.identityCalls.at(-1)).toBe('revoke 111122223333');
    expect(w.groups.calls.filter((c) => c.startsWith('revoke'))).toEqual(['revoke 111122223333/us-east-1']);
  });

  it('revokes nothing in a member account whose credentials report another account', async () => {
    const w = world();
    const id = await planAndApprove(w);
    w.callerIdentity.members.set('111122223333', {
      account: '444455556666',
      arn: 'arn:aws:sts::444455556666:assumed-role/sg-revoke-member-revoke/sg-revoke-apply',
    });

    await applyAction(w, id);

    const action = await w.actions.get(id);
    expect(action?.status).toBe('BLOCKED');
    expect(action?.recordStatus).toBe('skipped_account_boundary');
    expect(action?.statusDetail).toMatch(/444455556666/);
    expect(w.groups.ruleIdsOf(SG)).toHaveLength(4);
    expect(w.groups.revokeCalls).toBe(0);
  });

  it('revokes nothing when the BEFORE audit fails in S3, and leaves the action FAILED with the reason', async () => {
    const w = world();
    const id = await planAndApprove(w);
    w.evidence.failWith = new AccessDeniedError('s3:PutObject denied');

    await applyAction(w, id);

    expect(w.groups.revokeCalls).toBe(0);
    expect(w.groups.ruleIdsOf(SG)).toHaveLength(4);
    const action = await w.actions.get(id);
    expect(action?.status).toBe('FAILED');
    expect(action?.statusDetail).toMatch(/audit BEFORE failed.*s3:PutObject denied/);
  });

  it('revokes nothing when the BEFORE audit fails in DynamoDB', async () => {
    const w = world();
    const id = await planAndApprove(w);
    w.actions.failAuditWith = new Error('ProvisionedThroughputExceeded');

    await applyAction(w, id);

    expect(w.groups.revokeCalls).toBe(0);
    expect((await w.actions.get(id))?.status).toBe('FAILED');
  });

  it('records a failing revoke as FAILED with the failure row, and a new approval may retry it', async () => {
    const w = world();
    const id = await planAndApprove(w);
    w.groups.revokeError = new AccessDeniedError('UnauthorizedOperation: explicit deny');

    await applyAction(w, id);

    const failed = await w.actions.get(id);
    expect(failed?.status).toBe('FAILED');
    expect(w.actions.rowsOf(id).at(-1)).toMatchObject({ step: 'revoke_after', status: 'failure' });
    w.groups.revokeError = null;
    const again = await decideApproval(w.approvals, id, w.approver, {
      verb: 'approve',
      incidentId: 'INC-2026-0043',
      planHash: failed?.plan?.planHash ?? '',
    });
    expect(again.ok).toBe(true);
    await applyAction(w, id);
    expect((await w.actions.get(id))?.status).toBe('APPLIED');
    expect(w.groups.ruleIdsOf(SG)).toEqual(['sgr-00000000000000003', 'sgr-00000000000000004']);
  });

  it('gives ALREADY_ABSENT when the rule is gone before apply', async () => {
    const w = world();
    const id = await planAndApprove(w);
    const g = w.groups.groups.get(SG)!;
    w.groups.put({ ...g, ingress: g.ingress.filter((r) => r.fromPort === 443 || r.cidr === '10.0.0.0/8') });

    await applyAction(w, id);

    expect((await w.actions.get(id))?.status).toBe('ALREADY_ABSENT');
    expect(w.groups.revokeCalls).toBe(0);
  });

  it('makes one revoke and one audit pair when the same approval is delivered twice or races', async () => {
    const w = world();
    const id = await planAndApprove(w);

    const results = await Promise.all([applyAction(w, id), applyAction(w, id)]);
    const third = await applyAction(w, id);

    expect(results.map((r) => r.kind).sort()).toEqual(['done', 'lost-claim']);
    expect(third).toEqual({ kind: 'not-approved', status: 'APPLIED' });
    expect(w.groups.revokeCalls).toBe(1);
    expect(w.actions.rowsOf(id).filter((r) => r.step.startsWith('revoke'))).toHaveLength(2);
  });
});
