import type { AwsCredentialIdentity } from '@smithy/types';
import type { AuditRow } from '../../../lambda/core/audit';
import {
  createGroup,
  describeMoto,
  REGION,
  readAllRows,
  readIngressRules,
  resetMoto,
} from '../moto/resources';
import { App, loadHandlers } from './app';
import { createStack, findingFor, lambdaContext, MOTO_ACCOUNT } from './harness';
import {
  accountCredentials,
  createMemberRoles,
  MEMBER_ACCOUNT,
  memberRolesAssumed,
  ORGANIZATION_ID,
  OUTSIDER_ACCOUNT,
} from './member-accounts';
import { securityHubEvent } from './securityhub-events';

const SSH = (cidr: string) => ({ protocol: 'tcp', fromPort: 22, toPort: 22, cidr });
const WEB_TIER = [
  SSH('0.0.0.0/0'),
  SSH('::/0'),
  SSH('10.0.0.0/8'),
  { protocol: 'tcp', fromPort: 443, toPort: 443, cidr: '0.0.0.0/0' },
];
const ALL_RULES = ['0.0.0.0/0:22', '0.0.0.0/0:443', '10.0.0.0/8:22', '::/0:22'];

type Planned = { outcome: string; actionId?: string; status?: string };

/**
 * Each source of findings for a group, in the finding's account. A Security Hub control finding
 * names only the group: the plan reads it through the member role and takes the rules the control
 * fails on (the two public ssh rules, for EC2.19 and for EC2.18 with its default 80/443), so every
 * source ends with the same rules left.
 */
const SOURCES: readonly {
  name: string;
  plan: (app: App, groupId: string, account: string) => Promise<Planned>;
}[] = [
  {
    name: 'a detector OCSF 2004 finding',
    plan: (app, groupId, account) =>
      app.plan(findingFor(groupId, { account, uid: `member-${account}-${groupId.slice(3, 11)}` })),
  },
  {
    name: 'a Security Hub OCSF 2003 EC2.19 finding (Findings Imported V2)',
    plan: async (app, groupId, account) =>
      (await app.h.plan.handler(
        securityHubEvent('v2.compliance.ec2-19.json', groupId, account) as never,
        lambdaContext('plan'),
      )) as Planned,
  },
  {
    name: 'a Security Hub ASFF EC2.18 finding',
    plan: async (app, groupId, account) =>
      (await app.h.plan.handler(
        securityHubEvent('asff.ec2-18.json', groupId, account) as never,
        lambdaContext('plan'),
      )) as Planned,
  },
];

describeMoto('member accounts of an organization, on moto, through the handlers', () => {
  let app: App;
  let member: AwsCredentialIdentity;
  let outsider: AwsCredentialIdentity;

  beforeAll(async () => {
    await resetMoto();
    const stack = await createStack();
    member = await accountCredentials(MEMBER_ACCOUNT);
    outsider = await accountCredentials(OUTSIDER_ACCOUNT);
    await createMemberRoles(member);
    await createMemberRoles(outsider);
    app = new App(
      stack,
      loadHandlers({
        AWS_SG_REVOKE_ALLOWED_ACCOUNT_IDS: `${MOTO_ACCOUNT},${MEMBER_ACCOUNT}`,
        AWS_SG_REVOKE_ORGANIZATION_ID: ORGANIZATION_ID,
      }),
    );
  });
  afterAll(() => app.close());

  const rulesLeft = async (groupId: string, credentials?: AwsCredentialIdentity) =>
    (await readIngressRules(REGION, groupId, credentials))
      .map((r) => `${r.CidrIpv4 ?? r.CidrIpv6}:${r.FromPort}`)
      .sort();
  const auditOf = async (actionId: string) =>
    ((await readAllRows(app.stack.resources.auditTable)) as unknown as AuditRow[])
      .filter((r) => r.action_id === actionId)
      .sort((a, b) => a.action_at.localeCompare(b.action_at));

  describe.each(SOURCES)('$name', ({ plan }) => {
    it('plans, approves, revokes in the member account only, and re-verifies VERIFIED', async () => {
      const name = `web-tier-${Math.random().toString(16).slice(2, 8)}`;
      const inMember = await createGroup(REGION, { name, ingress: WEB_TIER }, member);
      // The same group in the hub account: nothing may touch it.
      const inHub = await createGroup(REGION, { name, ingress: WEB_TIER });
      const assumedBefore = (await memberRolesAssumed()).length;

      const planned = await plan(app, inMember.groupId, MEMBER_ACCOUNT);
      expect(planned.status).toBe('PENDING_APPROVAL');
      const approved = await app.approve(planned.actionId!);
      expect(approved.status).toBe(200);
      expect(await app.apply(await app.streamBatch())).toEqual({ batchItemFailures: [] });
      await app.reverify();

      expect(await rulesLeft(inMember.groupId, member)).toEqual(['0.0.0.0/0:443', '10.0.0.0/8:22']);
      expect(await rulesLeft(inHub.groupId)).toEqual(ALL_RULES);
      const action = await app.action(planned.actionId!);
      expect(action.status).toBe('APPLIED');
      expect(action.outcome?.revokedRules.map((r) => r.ruleId).sort()).toEqual(
        inMember.ruleIds.slice(0, 2).sort(),
      );
      expect(action.verification?.status).toBe('verified');
      const rows = await auditOf(planned.actionId!);
      expect(rows.map((r) => `${r.step}:${r.status}`)).toEqual([
        'approve:approved',
        'revoke_before:in_progress',
        'revoke_after:success',
        'verify:verified',
      ]);
      expect(new Set(rows.map((r) => r.account_uid))).toEqual(new Set([MEMBER_ACCOUNT]));
      // The revoke was made with the member's revoke role, by the apply function.
      expect(rows[1]?.caller).toBe(
        `arn:aws:sts::${MEMBER_ACCOUNT}:assumed-role/sg-revoke-member-revoke/sg-revoke-apply`,
      );
      // Credentials are cached per container (account and purpose): the first source assumes each
      // role once, the later sources reuse them. Either way, these and only these were ever assumed.
      const assumed = await memberRolesAssumed();
      expect(assumed.length).toBeGreaterThanOrEqual(assumedBefore);
      const role = (purpose: string) => `arn:aws:iam::${MEMBER_ACCOUNT}:role/sg-revoke-member-${purpose}`;
      expect(new Set(assumed.map((a) => `${a.roleArn} ${a.sessionName}`))).toEqual(
        new Set([
          `${role('read')} sg-revoke-plan`,
          `${role('read')} sg-revoke-apply`,
          `${role('revoke')} sg-revoke-apply`,
          `${role('read')} sg-revoke-reverify`,
        ]),
      );
    });

    it('skips an account off the allow-list (skipped_account_boundary) without any AssumeRole', async () => {
      const inOutsider = await createGroup(
        REGION,
        { name: `outsider-web-${Math.random().toString(16).slice(2, 8)}`, ingress: WEB_TIER },
        outsider,
      );
      const assumedBefore = await memberRolesAssumed();

      const planned = await plan(app, inOutsider.groupId, OUTSIDER_ACCOUNT);

      expect(planned.status).toBe('SKIPPED');
      const action = await app.action(planned.actionId!);
      expect(action.recordStatus).toBe('skipped_account_boundary');
      expect(action.statusDetail).toMatch(new RegExp(`${OUTSIDER_ACCOUNT}.*not listed`));
      expect(await memberRolesAssumed()).toEqual(assumedBefore);
      expect((await memberRolesAssumed()).filter((a) => a.roleArn.includes(OUTSIDER_ACCOUNT))).toEqual([]);
      expect(await rulesLeft(inOutsider.groupId, outsider)).toEqual(ALL_RULES);
    });
  });
});
