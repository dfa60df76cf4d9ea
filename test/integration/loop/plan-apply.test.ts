import { CreateTagsCommand, EC2Client, RevokeSecurityGroupIngressCommand } from '@aws-sdk/client-ec2';
import { type AuditRow, verifyAuditChain } from '../../../lambda/core/audit';
import {
  createGroup,
  defaultGroupId,
  describeMoto,
  REGION,
  readAllObjects,
  readAllRows,
  readIngressRules,
  resetMoto,
} from '../moto/resources';
import { App, loadHandlers } from './app';
import { createStack, eventBridgeEnvelope, findingFor, lambdaContext } from './harness';

const SSH = (cidr: string) => ({ protocol: 'tcp', fromPort: 22, toPort: 22, cidr });
const WEB_TIER = [
  SSH('0.0.0.0/0'),
  SSH('::/0'),
  SSH('10.0.0.0/8'),
  { protocol: 'tcp', fromPort: 443, toPort: 443, cidr: '0.0.0.0/0' },
];

describeMoto('plan → approve → apply on moto, through the handlers', () => {
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

  /** Plans the SSH finding for a fresh group and approves it; the stream batch is what apply receives. */
  let groups = 0;
  async function planned(spec = WEB_TIER) {
    groups += 1;
    const group = await createGroup(REGION, { name: `web-tier-${groups}`, ingress: spec });
    const planned = await app.plan(findingFor(group.groupId));
    expect(planned.status).toBe('PENDING_APPROVAL');
    expect((await app.approve(planned.actionId!)).status).toBe(200);
    return { ...group, actionId: planned.actionId! };
  }
  const cidrsLeft = async (groupId: string) =>
    (await readIngressRules(REGION, groupId)).map((r) => `${r.CidrIpv4 ?? r.CidrIpv6}:${r.FromPort}`).sort();
  const auditOf = async (actionId: string) =>
    ((await readAllRows(app.stack.resources.auditTable)) as unknown as AuditRow[])
      .filter((r) => r.action_id === actionId)
      .sort((a, b) => a.action_at.localeCompare(b.action_at));

  it('revokes exactly the flagged rules, audits before and after in both stores, and ends APPLIED', async () => {
    const g = await planned();

    const result = await app.apply(await app.streamBatch());

    expect(result).toEqual({ batchItemFailures: [] });
    expect(await cidrsLeft(g.groupId)).toEqual(['0.0.0.0/0:443', '10.0.0.0/8:22']);
    const action = await app.action(g.actionId);
    expect(action.status).toBe('APPLIED');
    expect(action.outcome?.revokedRules.map((r) => r.ruleId).sort()).toEqual(
      [g.ruleIds[0], g.ruleIds[1]].sort(),
    );
    const rows = await auditOf(g.actionId);
    expect(rows.map((r) => `${r.step}:${r.status}`)).toEqual([
      'approve:approved',
      'revoke_before:in_progress',
      'revoke_after:success',
    ]);
    expect(verifyAuditChain(rows)).toBe(-1);
    const objects = (await readAllObjects(app.stack.resources.bucket)).filter((o) =>
      rows.some((r) => r.s3_key === o.key),
    );
    expect(objects).toHaveLength(3);
    for (const o of objects) {
      expect(o.serverSideEncryption).toBe('aws:kms');
      expect(o.kmsKeyId).toContain(app.stack.resources.kmsKeyArn.split('/').pop());
    }
  });

  it('makes one revoke and one audit pair when the approved record is delivered twice and races', async () => {
    const g = await planned();
    const batch = await app.streamBatch();

    // Two containers race (a Lambda process never runs two invocations at once). The loser sees the
    // idempotency record in progress and fails its batch; Lambda retries it.
    const container = loadHandlers();
    const raced = await Promise.allSettled([app.apply(batch), app.apply(batch, container)]);
    const retried = await app.apply(batch, container);
    container.destroy();

    expect(raced.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(retried).toEqual({ batchItemFailures: [] });

    expect((await app.action(g.actionId)).status).toBe('APPLIED');
    expect((await auditOf(g.actionId)).filter((r) => r.step.startsWith('revoke'))).toHaveLength(2);
  });

  it('ends ALREADY_ABSENT when the rule was removed by hand after approval', async () => {
    const g = await planned();
    await ec2.send(
      new RevokeSecurityGroupIngressCommand({
        GroupId: g.groupId,
        SecurityGroupRuleIds: [g.ruleIds[0]!, g.ruleIds[1]!],
      }),
    );

    await app.apply(await app.streamBatch());

    expect((await app.action(g.actionId)).status).toBe('ALREADY_ABSENT');
    expect(await cidrsLeft(g.groupId)).toEqual(['0.0.0.0/0:443', '10.0.0.0/8:22']);
  });

  it('blocks at apply when the intentionally-open tag was added after the plan', async () => {
    const g = await planned();
    await ec2.send(
      new CreateTagsCommand({
        Resources: [g.groupId],
        Tags: [{ Key: 'intentionally-open', Value: 'bastion' }],
      }),
    );

    await app.apply(await app.streamBatch());

    const action = await app.action(g.actionId);
    expect(action).toMatchObject({ status: 'BLOCKED', recordStatus: 'skipped_protected_sg' });
    expect(action.statusDetail).toContain('intentionally-open=bastion');
    expect(await cidrsLeft(g.groupId)).toHaveLength(4);
    expect((await auditOf(g.actionId)).at(-1)?.status_detail).toContain('intentionally-open=bastion');
  });

  it.each([
    [
      'the account left the allow-list',
      { AWS_SG_REVOKE_ALLOWED_ACCOUNT_IDS: '111122223333' },
      'skipped_account_boundary',
      /ALLOWED_ACCOUNT_IDS/,
    ],
    [
      'the group cannot be read',
      { AWS_ENDPOINT_URL_EC2: 'http://127.0.0.1:9' },
      'failure',
      /could not be read/,
    ],
  ])(
    'blocks at apply when %s, revoking nothing, with the reason in the action and the audit',
    async (_n, env, status, reason) => {
      const g = await planned();
      const other = loadHandlers(env);

      // SDK clients are built on first use: the override must hold while the handler runs.
      const saved = { ...process.env };
      Object.assign(process.env, env);
      try {
        await app.apply(await app.streamBatch(), other);
      } finally {
        process.env = saved;
        other.destroy();
      }

      const action = await app.action(g.actionId);
      expect(action).toMatchObject({ status: 'BLOCKED', recordStatus: status });
      expect(action.statusDetail).toMatch(reason);
      expect((await auditOf(g.actionId)).at(-1)?.status_detail).toMatch(reason);
      expect(await cidrsLeft(g.groupId)).toHaveLength(4);
    },
  );

  it.each([
    ['S3', { AWS_SG_REVOKE_AUDIT_BUCKET: 'no-such-audit-bucket' }],
    ['DynamoDB', { AWS_SG_REVOKE_AUDIT_DYNAMODB_TABLE: 'no-such-audit-table' }],
  ])(
    'revokes nothing when the BEFORE audit fails in %s, and leaves the action FAILED (re-approvable)',
    async (_n, env) => {
      const g = await planned();
      const broken = loadHandlers(env);

      await app.apply(await app.streamBatch(), broken);
      broken.destroy();

      const action = await app.action(g.actionId);
      expect(action.status).toBe('FAILED');
      expect(action.statusDetail).toMatch(/audit BEFORE failed/);
      expect(await cidrsLeft(g.groupId)).toHaveLength(4);
    },
  );

  it('skips a protected id at plan time, with the reason in the action', async () => {
    const planned = await app.plan(findingFor(protectedGroup, { cidrs: ['0.0.0.0/0'] }));

    const action = await app.action(planned.actionId!);
    expect(action).toMatchObject({ status: 'SKIPPED', recordStatus: 'skipped_protected_sg' });
    expect(action.statusDetail).toContain('AWS_SG_REVOKE_PROTECTED_IDS');
    expect(await readIngressRules(REGION, protectedGroup)).toHaveLength(1);
  });

  it('skips the VPC default group by its live name even when the finding names it by id', async () => {
    const groupId = await defaultGroupId(REGION);
    const planned = await app.plan(findingFor(groupId, { cidrs: ['0.0.0.0/0'], name: groupId }));

    const action = await app.action(planned.actionId!);
    expect(action).toMatchObject({ status: 'SKIPPED', recordStatus: 'skipped_protected_sg' });
    expect(action.statusDetail).toContain('live GroupName is `default`');
  });

  it('skips a finding whose account differs from the STS account', async () => {
    const g = await createGroup(REGION, { name: 'other-account', ingress: [SSH('0.0.0.0/0')] });
    const finding = findingFor(g.groupId);
    for (const o of finding.observables) if (o.name === 'account.uid') o.value = '111122223333';
    const other = loadHandlers({ AWS_SG_REVOKE_ALLOWED_ACCOUNT_IDS: '111122223333,123456789012' });

    const planned = await other.plan.handler(eventBridgeEnvelope(finding), lambdaContext('plan'));
    other.destroy();

    const action = await app.action((planned as { actionId: string }).actionId);
    expect(action).toMatchObject({ status: 'SKIPPED', recordStatus: 'skipped_account_boundary' });
    expect(action.statusDetail).toMatch(/differs from the caller's STS account/);
  });

  it('makes one action when the same finding arrives twice', async () => {
    const g = await createGroup(REGION, { name: 'dup', ingress: [SSH('0.0.0.0/0')] });

    const first = await app.plan(findingFor(g.groupId));
    const second = await app.plan(findingFor(g.groupId));

    expect(second).toMatchObject({ outcome: 'duplicate', actionId: first.actionId });
  });
});
