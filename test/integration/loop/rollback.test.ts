import { AuthorizeSecurityGroupIngressCommand, CreateTagsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { runCli } from '../../../lambda/cli/run';
import { type AuditRow, verifyAuditChain } from '../../../lambda/core/audit';
import {
  createGroup,
  describeMoto,
  REGION,
  readAllObjects,
  readAllRows,
  readIngressRules,
  resetMoto,
} from '../moto/resources';
import { App, loadHandlers } from './app';
import { createStack, findingFor, NOT_APPROVER } from './harness';

const SSH = (cidr: string, description?: string) => ({
  protocol: 'tcp',
  fromPort: 22,
  toPort: 22,
  cidr,
  description,
});
const WEB_TIER = [
  SSH('0.0.0.0/0', 'bastion (legacy)'),
  SSH('::/0', 'ops v6'),
  SSH('10.0.0.0/8', 'office'),
  { protocol: 'tcp', fromPort: 443, toPort: 443, cidr: '0.0.0.0/0', description: 'web' },
];
const ROLLBACK = JSON.stringify({ incidentId: 'INC-2026-0043', reason: 'payments health checks broke' });

describeMoto('approve → apply → rollback on moto, through the handlers', () => {
  let app: App;
  let protectedGroup: string;
  const ec2 = new EC2Client({ region: REGION });

  beforeAll(async () => {
    await resetMoto();
    const stack = await createStack();
    protectedGroup = (await createGroup(REGION, { name: 'payments', ingress: [SSH('0.0.0.0/0')] })).groupId;
    app = new App(stack, loadHandlers({ AWS_SG_REVOKE_PROTECTED_IDS: protectedGroup }));
  });
  afterAll(() => {
    app.close();
    ec2.destroy();
  });

  let groups = 0;
  async function applied(opts: { beforeApply?: (groupId: string) => Promise<void> } = {}) {
    groups += 1;
    const group = await createGroup(REGION, { name: `web-tier-${groups}`, ingress: WEB_TIER });
    const planned = await app.plan(findingFor(group.groupId));
    expect((await app.approve(planned.actionId!)).status).toBe(200);
    await opts.beforeApply?.(group.groupId);
    expect(await app.apply(await app.streamBatch())).toEqual({ batchItemFailures: [] });
    return { ...group, actionId: planned.actionId! };
  }
  /** Every ingress rule's exact shape: protocol, ports, CIDR and description. */
  const shapesOf = async (groupId: string) =>
    (await readIngressRules(REGION, groupId))
      .map((r) => `${r.IpProtocol}:${r.FromPort}-${r.ToPort}:${r.CidrIpv4 ?? r.CidrIpv6}:${r.Description}`)
      .sort();
  const original = WEB_TIER.map(
    (r) => `${r.protocol}:${r.fromPort}-${r.toPort}:${r.cidr}:${r.description}`,
  ).sort();
  const rollback = (id: string, caller?: string) =>
    app.call('POST', '/actions/{id}/rollback', { id, caller, body: ROLLBACK });
  const auditOf = async (actionId: string) =>
    ((await readAllRows(app.stack.resources.auditTable)) as unknown as AuditRow[])
      .filter((r) => r.action_id === actionId)
      .sort((a, b) => a.action_at.localeCompare(b.action_at));

  async function auditVerify(actionId: string) {
    let out = '';
    const r = app.stack.resources;
    const code = await runCli(['audit', 'verify', '--action', actionId], {
      env: {
        ...process.env,
        AWS_SG_REVOKE_ACTIONS_TABLE: r.actionsTable,
        AWS_SG_REVOKE_AUDIT_DYNAMODB_TABLE: r.auditTable,
        AWS_SG_REVOKE_AUDIT_BUCKET: r.bucket,
        AWS_SG_REVOKE_APPROVAL_KEY_ARN: r.approvalKeyArn,
      },
      stdout: { write: (s: string) => (out += s) },
      stderr: { write: () => undefined },
      stdin: process.stdin,
      nowMs: () => Date.now(),
    } as never);
    return {
      code,
      verdicts: out
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
    };
  }

  it('restores the exact rules, audited BEFORE/AFTER with the chain intact; audit verify intact; no DRIFT after', async () => {
    const g = await applied();
    expect(await shapesOf(g.groupId)).toEqual(['tcp:22-22:10.0.0.0/8:office', 'tcp:443-443:0.0.0.0/0:web']);
    expect(await app.reverify()).toMatchObject({ verified: 1, drift: 0 });

    const requested = await rollback(g.actionId);
    const result = await app.rollback(await app.stack.stream.next());

    expect(requested.status).toBe(200);
    expect(result).toEqual({ batchItemFailures: [] });
    expect(await shapesOf(g.groupId)).toEqual(original);
    const action = (await app.action(g.actionId)) as Awaited<ReturnType<App['action']>> & {
      rollbackOutcome: { restoredRules: { newRuleId: string; description: string }[] };
    };
    expect(action.status).toBe('ROLLED_BACK');
    const live = (await readIngressRules(REGION, g.groupId)).map((r) => r.SecurityGroupRuleId);
    for (const restored of action.rollbackOutcome.restoredRules) expect(live).toContain(restored.newRuleId);
    const rows = await auditOf(g.actionId);
    expect(rows.map((r) => `${r.step}:${r.status}`)).toEqual([
      'approve:approved',
      'revoke_before:in_progress',
      'revoke_after:success',
      'verify:verified',
      'rollback_approve:approved',
      'rollback_before:in_progress',
      'rollback_after:success',
    ]);
    expect(
      rows
        .at(-1)
        ?.restored_rules?.map((r) => r.newRuleId)
        .sort(),
    ).toEqual(action.rollbackOutcome.restoredRules.map((r) => r.newRuleId).sort());
    expect(verifyAuditChain(rows)).toBe(-1);
    const objects = (await readAllObjects(app.stack.resources.bucket)).filter((o) =>
      rows.some((r) => r.s3_key === o.key),
    );
    expect(objects).toHaveLength(rows.length);
    expect(await auditVerify(g.actionId)).toEqual({
      code: 0,
      verdicts: [expect.objectContaining({ action_id: g.actionId, status: 'intact', problems: [] })],
    });

    const after = await app.reverify();

    expect(after).toMatchObject({ checked: 0, drift: 0 });
    expect((await app.action(g.actionId)).status).toBe('ROLLED_BACK');
  });

  it('answers 403 to a caller who is not an approver, and changes nothing', async () => {
    const g = await applied();

    const res = await rollback(g.actionId, NOT_APPROVER);

    expect(res.status).toBe(403);
    expect((await app.action(g.actionId)).status).toBe('APPLIED');
    expect((await auditOf(g.actionId)).map((r) => r.step)).not.toContain('rollback_approve');
  });

  it('answers 409 for a SKIPPED action and for a BLOCKED action', async () => {
    const skipped = await app.plan(findingFor(protectedGroup, { cidrs: ['0.0.0.0/0'] }));
    expect(skipped.status).toBe('SKIPPED');
    const blocked = await applied({
      beforeApply: async (groupId) => {
        await ec2.send(
          new CreateTagsCommand({ Resources: [groupId], Tags: [{ Key: 'intentionally-open', Value: 'x' }] }),
        );
      },
    });
    expect((await app.action(blocked.actionId)).status).toBe('BLOCKED');

    expect((await rollback(skipped.actionId!)).status).toBe(409);
    expect((await rollback(blocked.actionId)).status).toBe(409);
    expect(await shapesOf(blocked.groupId)).toEqual(original);
  });

  it('converges: a rule already back is not duplicated, and a second rollback changes nothing', async () => {
    const g = await applied();
    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: g.groupId,
        IpPermissions: [
          {
            IpProtocol: 'tcp',
            FromPort: 22,
            ToPort: 22,
            IpRanges: [{ CidrIp: '0.0.0.0/0', Description: 'bastion (legacy)' }],
          },
        ],
      }),
    );
    expect((await rollback(g.actionId)).status).toBe(200);
    const batch = await app.stack.stream.next();

    expect(await app.rollback(batch)).toEqual({ batchItemFailures: [] });
    expect(await shapesOf(g.groupId)).toEqual(original);
    const done = await app.action(g.actionId);
    expect(done.status).toBe('ROLLED_BACK');
    expect(done.statusDetail).toContain('1 already present (converged)');

    // The same records delivered again, and a second request: nothing added, no error state.
    expect(await app.rollback(batch)).toEqual({ batchItemFailures: [] });
    const second = await rollback(g.actionId);
    expect(second.status).toBe(409);
    expect(await shapesOf(g.groupId)).toEqual(original);
    expect((await app.action(g.actionId)).status).toBe('ROLLED_BACK');
    expect((await auditOf(g.actionId)).filter((r) => r.step === 'rollback_after')).toHaveLength(1);
    expect((await auditVerify(g.actionId)).code).toBe(0);
  });

  it('plans a new action for a later finding on a rolled-back rule; the old finding stays a duplicate', async () => {
    const g = await applied();
    await rollback(g.actionId);
    await app.rollback(await app.stack.stream.next());
    expect((await app.action(g.actionId)).status).toBe('ROLLED_BACK');

    const again = await app.plan(findingFor(g.groupId));
    const later = await app.plan(findingFor(g.groupId, { uid: 'asg-later-finding-0001' }));

    expect(again).toMatchObject({ outcome: 'duplicate', actionId: g.actionId });
    expect(later.status).toBe('PENDING_APPROVAL');
    expect(later.actionId).not.toBe(g.actionId);
  });
});
