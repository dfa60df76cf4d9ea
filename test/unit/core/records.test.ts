import { parseFinding } from '../../../lambda/core/finding';
import { planRevoke } from '../../../lambda/core/plan';
import { buildRecord, revokeEndpoint, targetOfFinding, targetOfRaw } from '../../../lambda/core/records';
import { findingOf, readEvent } from './support';

function planOf(file: string) {
  const outcome = planRevoke(findingOf(`findings/${file}`), null);
  if (outcome.kind === 'not-public') throw new Error('expected a plan');
  return outcome.plan;
}

describe('targets of a record', () => {
  it('uses the SG id as the name when the finding has no target.name', () => {
    const finding = { ...findingOf('findings/ssh-open.ipv4.json'), sgName: null, actor: null, rule: null };

    expect(targetOfFinding(finding)).toMatchObject({ sg_name: 'sg-0a1b2c3d4e5f60001', actor: '', rule: '' });
  });

  it('keeps what a rejected finding carried, numbers where they parse', () => {
    const parsed = parseFinding(readEvent('findings/bad-port.json'));
    const raw = parsed.ok ? null : parsed.error.raw;

    expect(targetOfRaw(raw)).toMatchObject({
      from_port: 22,
      to_port: 70000,
      ports: [22],
      ip_protocol: 'tcp',
    });
  });

  it('is empty for a value that was not an object', () => {
    expect(targetOfRaw(null)).toEqual({
      provider: 'AWS',
      sg_id: '',
      sg_name: '',
      region: '',
      account_uid: '',
      cidrs: [],
      ports: [],
      ip_protocol: '',
      from_port: null,
      to_port: null,
      actor: '',
      rule: '',
    });
  });
});

describe('revokeEndpoint', () => {
  it('revokes by shape offline, FromPort/ToPort -1 for protocol -1 (EC2 and the original say so)', () => {
    const plan = planOf('protocol-all.json');

    expect(revokeEndpoint(plan.sgId, plan.targets, plan)).toBe(
      'POST ec2:RevokeSecurityGroupIngress GroupId=sg-0a1b2c3d4e5f60004 IpProtocol=-1 FromPort=-1 ToPort=-1',
    );
  });

  it('revokes by rule ids when it has them', () => {
    const plan = planOf('dual-stack.json');
    const targets = plan.targets.map((t, i) => ({ ...t, ruleId: `sgr-00000000000000${i}0` }));

    expect(revokeEndpoint(plan.sgId, targets, plan)).toBe(
      'POST ec2:RevokeSecurityGroupIngress GroupId=sg-0a1b2c3d4e5f60006 SecurityGroupRuleIds=sgr-0000000000000000,sgr-0000000000000010',
    );
  });
});

describe('buildRecord', () => {
  it('adds action id and plan hash only with a plan, status_detail only when given', () => {
    const plan = planOf('ssh-open.ipv4.json');
    const base = {
      recordType: 'remediation_action' as const,
      target: targetOfRaw(null),
      findingUid: 'asg-1',
      status: 'success' as const,
      steps: [],
      nowMs: 5,
    };

    const withPlan = buildRecord({ ...base, plan, statusDetail: 'revoked' });
    const bare = buildRecord(base);

    expect(withPlan).toMatchObject({
      action_id: plan.actionId,
      plan_hash: plan.planHash,
      status_detail: 'revoked',
      dry_run: false,
    });
    expect(Object.keys(bare)).not.toEqual(
      expect.arrayContaining(['action_id', 'plan_hash', 'status_detail']),
    );
    expect(bare.dry_run).toBe(false);
  });
});
