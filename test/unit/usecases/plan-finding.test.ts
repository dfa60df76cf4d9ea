import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseFinding } from '../../../lambda/core/finding';
import { applyAction } from '../../../lambda/usecases/apply-action';
import { decideApproval } from '../../../lambda/usecases/decide-approval';
import { planFinding, previewFinding } from '../../../lambda/usecases/plan-finding';
import { SG, sshFinding, world } from './world';

const event = (name: string) =>
  JSON.parse(readFileSync(join(__dirname, '../../../events/findings', name), 'utf8'));

describe('planFinding', () => {
  it('records PENDING_APPROVAL with the exact live rule ids, the before-image and a Planned event', async () => {
    const w = world();

    const result = await planFinding(w, sshFinding());

    expect(result.kind).toBe('recorded');
    const stored = [...w.actions.actions.values()];
    expect(stored).toHaveLength(1);
    expect(stored[0]?.status).toBe('PENDING_APPROVAL');
    expect(stored[0]?.plan?.targets.map((t) => t.ruleId)).toEqual([
      'sgr-00000000000000001',
      'sgr-00000000000000002',
    ]);
    expect(stored[0]?.plan?.beforeImage).toHaveLength(4);
    expect(w.events.ofType('Action Planned')).toHaveLength(1);
  });

  it('makes one action when the same finding is delivered twice', async () => {
    const w = world();

    await planFinding(w, sshFinding());
    const second = await planFinding(w, sshFinding());

    expect(second.kind).toBe('duplicate');
    expect(w.actions.actions.size).toBe(1);
    expect(w.events.ofType('Action Planned')).toHaveLength(1);
  });

  it('targets only the flagged CIDR: a sibling ::/0 rule on the same port stays after apply', async () => {
    const w = world();
    const finding = JSON.parse(
      readFileSync(join(__dirname, '../../../events/findings.ocsf.jsonl'), 'utf8').split('\n')[0] as string,
    );
    const planned = await planFinding(w, finding);
    if (planned.kind !== 'recorded') throw new Error('not planned');
    const { actionId, plan } = planned.action;
    await decideApproval(w.approvals, actionId, w.approver, {
      verb: 'approve',
      incidentId: 'INC-1',
      planHash: plan?.planHash ?? '',
    });

    await applyAction(w, actionId);

    expect(w.groups.ruleIdsOf(SG)).toEqual([
      'sgr-00000000000000002',
      'sgr-00000000000000003',
      'sgr-00000000000000004',
    ]);
  });

  it.each([
    [
      'the live group is the VPC default group',
      (w: ReturnType<typeof world>) => w.groups.put({ ...w.groups.groups.get(SG)!, groupName: 'default' }),
      'skipped_protected_sg',
    ],
    [
      'the group carries intentionally-open',
      (w: ReturnType<typeof world>) =>
        w.groups.put({ ...w.groups.groups.get(SG)!, tags: { 'intentionally-open': 'alb' } }),
      'skipped_protected_sg',
    ],
    [
      'the account is not allowed',
      (w: ReturnType<typeof world>) => w.config.allowedAccounts.clear(),
      'skipped_account_boundary',
    ],
    [
      'the rule is already gone',
      (w: ReturnType<typeof world>) => w.groups.put({ ...w.groups.groups.get(SG)!, ingress: [] }),
      'already_absent',
    ],
    ['the group was deleted', (w: ReturnType<typeof world>) => w.groups.groups.delete(SG), 'already_absent'],
  ])('stores SKIPPED when %s', async (_name, arrange, status) => {
    const w = world();
    arrange(w);

    await planFinding(w, sshFinding());

    const [action] = [...w.actions.actions.values()];
    expect(action?.status).toBe('SKIPPED');
    expect(action?.recordStatus).toBe(status);
    expect(w.events.ofType('Action Skipped')).toHaveLength(1);
  });

  it('does not read groups of an account outside the allow-list', async () => {
    const w = world();
    w.config.allowedAccounts.clear();

    await planFinding(w, sshFinding());

    expect(w.groups.describeCalls).toBe(0);
  });

  it('stores nothing for a finding it cannot parse, and says why in a Skipped event', async () => {
    const w = world();

    const result = await planFinding(w, event('bad-cidr.json'));

    expect(result.kind).toBe('rejected');
    expect(w.actions.actions.size).toBe(0);
    expect(w.events.ofType('Action Skipped')[0]?.detail).toMatchObject({ rejection: 'invalid' });
  });

  it('throws (so the event is retried) when the live group cannot be read, storing nothing', async () => {
    const w = world();
    w.groups.readErrors.set(SG, 'RequestLimitExceeded');

    await expect(planFinding(w, sshFinding())).rejects.toThrow(/RequestLimitExceeded/);
    expect(w.actions.actions.size).toBe(0);
  });
});

describe('previewFinding (plan --live): the plan use case without recording', () => {
  it('plans by live rule id in the caller account, records nothing and publishes nothing', async () => {
    const w = world();
    const parsed = parseFinding(sshFinding());
    if (!parsed.ok) throw new Error(parsed.error.reason);

    const { decision } = await previewFinding(
      { ...w, config: { ...w.config, allowedAccounts: null } },
      parsed.value,
    );

    expect(decision.kind).toBe('planned');
    expect(decision.kind === 'planned' && decision.plan.targets.map((t) => t.ruleId)).toEqual([
      'sgr-00000000000000001',
      'sgr-00000000000000002',
    ]);
    expect(w.actions.actions.size).toBe(0);
    expect(w.events.published).toEqual([]);
  });

  it('never reads a group of an account outside the allow-list', async () => {
    const w = world();
    const parsed = parseFinding(event('other-account.json'));
    if (!parsed.ok) throw new Error(parsed.error.reason);

    const { decision } = await previewFinding(w, parsed.value);

    expect(decision.kind === 'blocked' && decision.block.guardrail).toBe('account-allow-list');
    expect(w.groups.describeCalls).toBe(0);
  });
});
