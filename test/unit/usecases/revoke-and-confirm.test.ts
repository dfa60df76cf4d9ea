import type { Where } from '../../../lambda/core/model';
import { resolveTargets } from '../../../lambda/core/plan';
import type { RevokeResult } from '../../../lambda/core/ports';
import { revokeAndConfirm } from '../../../lambda/usecases/revoke-and-confirm';
import { InMemorySecurityGroups } from '../../support/fakes/fakes';
import { SG, webTier } from './world';

/** EC2 that answers Return=true with no after-image (as moto, and older API versions, do). */
class SilentEc2 extends InMemorySecurityGroups {
  keepRules = false;
  override async revokeRules(where: Where, sgId: string, ruleIds: readonly string[]): Promise<RevokeResult> {
    if (this.keepRules)
      return { kind: 'revoked', revoked: [], unknownRuleIds: [], afterImageReported: false };
    await super.revokeRules(where, sgId, ruleIds);
    return { kind: 'revoked', revoked: [], unknownRuleIds: [], afterImageReported: false };
  }
}

const HERE = { accountUid: '111122223333', region: 'us-east-1' };

const shape = {
  protocol: 'tcp' as const,
  fromPort: 22,
  toPort: 22,
  publicCidrs: ['0.0.0.0/0', '::/0'] as never,
};

describe('revokeAndConfirm', () => {
  it('without an after-image, counts as revoked exactly the rules a fresh describe no longer shows', async () => {
    const ec2 = new SilentEc2();
    ec2.put(webTier());
    const targets = resolveTargets(shape, webTier().ingress);

    const outcome = await revokeAndConfirm(ec2, HERE, SG, targets);

    expect(outcome.state).toBe('APPLIED');
    expect(outcome.revoked.map((t) => t.ruleId)).toEqual(['sgr-00000000000000001', 'sgr-00000000000000002']);
  });

  it('is FAILED, never success, when the rules are still there after a revoke that said yes', async () => {
    const ec2 = new SilentEc2();
    ec2.put(webTier());
    ec2.keepRules = true;

    const outcome = await revokeAndConfirm(ec2, HERE, SG, resolveTargets(shape, webTier().ingress));

    expect(outcome).toMatchObject({ state: 'FAILED', status: 'failure' });
    expect(outcome.detail).toMatch(/still present/);
  });

  it('is FAILED when the confirming describe errors', async () => {
    const ec2 = new InMemorySecurityGroups();
    ec2.put(webTier());
    const targets = resolveTargets(shape, webTier().ingress);
    const original = ec2.readGroup.bind(ec2);
    ec2.readGroup = async (where, id) =>
      ec2.revokeCalls > 0 ? { kind: 'error', message: 'RequestLimitExceeded' } : original(where, id);

    const outcome = await revokeAndConfirm(ec2, HERE, SG, targets);

    expect(outcome).toMatchObject({ state: 'FAILED' });
    expect(outcome.detail).toMatch(/confirmation failed: RequestLimitExceeded/);
  });
});

describe('revokeAndConfirm when one rule vanished before the revoke', () => {
  it('revokes the others that are still open instead of calling the whole action converged', async () => {
    const ec2 = new InMemorySecurityGroups();
    ec2.put(webTier());
    const targets = resolveTargets(shape, webTier().ingress);
    // AWS answers NotFound for the whole call when one id is unknown, revoking nothing.
    const original = ec2.revokeRules.bind(ec2);
    ec2.revokeRules = async (where, sgId, ids) => {
      const known = new Set(ec2.ruleIdsOf(sgId));
      if (ids.some((id) => !known.has(id)))
        return { kind: 'not-found', message: 'InvalidPermission.NotFound' };
      return original(where, sgId, ids);
    };
    const g = ec2.groups.get(SG)!;
    ec2.put({ ...g, ingress: g.ingress.filter((r) => r.ruleId !== 'sgr-00000000000000001') });

    const outcome = await revokeAndConfirm(ec2, HERE, SG, targets);

    expect(outcome.state).toBe('APPLIED');
    expect(outcome.revoked.map((t) => t.ruleId)).toEqual(['sgr-00000000000000002']);
    expect(ec2.ruleIdsOf(SG)).toEqual(['sgr-00000000000000003', 'sgr-00000000000000004']);
  });
});
