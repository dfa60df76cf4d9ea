import { AccessDeniedError, AwsCallError } from '../../../lambda/core/errors';
import { planFinding } from '../../../lambda/usecases/plan-finding';
import { sshFinding, type World, world } from './world';

const MEMBER = '444455556666';
const MEMBER_READ = `arn:aws:sts::${MEMBER}:assumed-role/sg-revoke-member-read/sg-revoke-plan`;

/** The SSH finding of the world, for a group in another account. */
function findingIn(account: string): Record<string, unknown> {
  const finding = sshFinding() as { observables: { name: string; value: string }[] };
  for (const o of finding.observables) if (o.name === 'account.uid') o.value = account;
  return finding;
}

function memberWorld(): World {
  const w = world();
  w.config.allowedAccounts.add(MEMBER);
  w.callerIdentity.members.set(MEMBER, { account: MEMBER, arn: MEMBER_READ });
  return w;
}

describe('planFinding across accounts', () => {
  it("reads the group with the member account's read credentials and plans it", async () => {
    const w = memberWorld();

    const result = await planFinding(w, findingIn(MEMBER));

    expect(result.kind === 'recorded' && result.action.status).toBe('PENDING_APPROVAL');
    expect(w.callerIdentity.identityCalls).toEqual([`read ${MEMBER}`]);
    expect(w.groups.calls).toEqual([`read ${MEMBER}/us-east-1`]);
    expect(result.kind === 'recorded' && result.action.plan?.accountUid).toBe(MEMBER);
  });

  it('skips an account off the allow-list without asking for its credentials or reading', async () => {
    const w = memberWorld();
    w.config.allowedAccounts.delete(MEMBER);

    const result = await planFinding(w, findingIn(MEMBER));

    expect(result.kind === 'recorded' && result.action.recordStatus).toBe('skipped_account_boundary');
    expect(w.callerIdentity.identityCalls).toEqual([]);
    expect(w.groups.calls).toEqual([]);
  });

  it('skips, reading nothing, when the member credentials report another account', async () => {
    const w = memberWorld();
    w.callerIdentity.members.set(MEMBER, { account: '999988887777', arn: 'arn:aws:sts::999988887777:x/y' });

    const result = await planFinding(w, findingIn(MEMBER));

    expect(result.kind === 'recorded' && result.action.recordStatus).toBe('skipped_account_boundary');
    expect(result.kind === 'recorded' && result.action.statusDetail).toMatch(/999988887777/);
    expect(w.groups.calls).toEqual([]);
  });

  it('records nothing and throws (the event is retried) when the member role cannot be assumed', async () => {
    const w = memberWorld();
    w.callerIdentity.members.set(MEMBER, new AccessDeniedError('AssumeRole sg-revoke-member-read denied'));

    await expect(planFinding(w, findingIn(MEMBER))).rejects.toBeInstanceOf(AwsCallError);

    expect(w.actions.actions.size).toBe(0);
    expect(w.groups.calls).toEqual([]);
  });

  it("keeps the hub's own account on the hub's own identity", async () => {
    const w = memberWorld();

    const result = await planFinding(w, sshFinding());

    expect(result.kind === 'recorded' && result.action.status).toBe('PENDING_APPROVAL');
    expect(w.groups.calls).toEqual(['read 111122223333/us-east-1']);
  });
});
