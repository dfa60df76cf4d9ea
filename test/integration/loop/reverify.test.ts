import { AuthorizeSecurityGroupIngressCommand, EC2Client } from '@aws-sdk/client-ec2';
import { ec2Client } from '../../../lambda/adapters/clients';
import { Ec2SecurityGroups } from '../../../lambda/adapters/ec2-security-groups';
import type { Action } from '../../../lambda/core/action';
import { approvedRulesOf } from '../../../lambda/core/approval';
import { driftFindingUid } from '../../../lambda/core/drift-finding';
import { parseFinding } from '../../../lambda/core/finding';
import { planRevoke } from '../../../lambda/core/plan';
import { reverifyActions } from '../../../lambda/usecases/reverify-actions';
import { InMemoryEventPublisher, InMemoryEvidenceStore } from '../../support/fakes/fakes';
import { InMemoryActionStore } from '../../support/fakes/in-memory-action-store';
import { createGroup, describeMoto, REGION, resetMoto } from '../moto/resources';
import { App } from './app';
import { createStack, findingFor } from './harness';

const SSH = (cidr: string) => ({ protocol: 'tcp', fromPort: 22, toPort: 22, cidr });

describeMoto('scheduled reverify on moto, through the handler', () => {
  let app: App;
  const ec2 = new EC2Client({ region: REGION });

  beforeAll(async () => {
    await resetMoto();
    app = new App(await createStack());
  });
  afterAll(() => {
    app.close();
    ec2.destroy();
  });

  it('reports VERIFIED after apply, DRIFT with a drift finding on the bus when the rule returns, and keeps the uid', async () => {
    const g = await createGroup(REGION, { name: 'drifty', ingress: [SSH('0.0.0.0/0'), SSH('10.0.0.0/8')] });
    const { actionId } = await app.plan(findingFor(g.groupId, { cidrs: ['0.0.0.0/0'] }));
    await app.approve(actionId!);
    await app.apply(await app.streamBatch());
    await app.stack.capture.receive(50, 1_500);

    const first = await app.reverify();
    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: g.groupId,
        IpPermissions: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
      }),
    );
    const second = await app.reverify();
    const third = await app.reverify();

    expect(first).toMatchObject({ checked: 1, verified: 1 });
    expect(second).toMatchObject({ checked: 1, drift: 1 });
    expect(third).toMatchObject({ drift: 1 });
    expect((await app.action(actionId!)).verification).toMatchObject({ status: 'drift', driftChecks: 2 });
    const events = await app.stack.capture.receive(4, 5_000);
    const findings = events
      .filter((e) => e['detail-type'] === 'OCSF Detection Finding')
      .map((e) => e.detail as { activity_id: number; finding_info: { uid: string; types: string[] } });
    expect(findings.map((f) => f.activity_id)).toEqual([1, 2]);
    expect(findings.every((f) => f.finding_info.uid === driftFindingUid(actionId!))).toBe(true);
    expect(findings[0]?.finding_info.types).toEqual(['remediation-drift']);
    expect(events.filter((e) => e['detail-type'] === 'Drift Detected')).toHaveLength(2);
  });

  // moto copies every table on each TransactWriteItems (for rollback), so 500 audited checks grow
  // quadratically there; the describe batching asserted here runs on moto, the stores in memory.
  it('checks 500 applied actions on 50 groups in 2 regions with one describe page per region per API, in one run', async () => {
    const regions = ['us-east-1', 'eu-west-1'];
    const groups: { region: string; groupId: string }[] = [];
    for (const region of regions) {
      for (let i = 0; i < 25; i++) {
        const ingress = [SSH(i === 0 ? '0.0.0.0/0' : '10.0.0.0/8')];
        groups.push({
          region,
          groupId: (await createGroup(region, { name: `fleet-${i}`, ingress })).groupId,
        });
      }
    }
    const actions = new InMemoryActionStore();
    const appliedAt = new Date().toISOString();
    for (let i = 0; i < 500; i++) {
      const { region, groupId } = groups[i % groups.length]!;
      const action = appliedAction(groupId, region, i, appliedAt);
      await actions.create(action);
      // Created APPLIED, as the apply λ would have left it: in the watch index since its revoke.
      actions.watchedSince.set(action.actionId, appliedAt);
    }
    const calls: string[] = [];
    for (const region of regions) {
      ec2Client(region).middlewareStack.add(
        (next, ctx) => (args) => {
          calls.push(`${region}:${ctx.commandName}`);
          return next(args);
        },
        { step: 'initialize', name: `count-${region}` },
      );
    }
    const deps = {
      securityGroups: new Ec2SecurityGroups((where) => ec2Client(where.region)),
      actions,
      evidence: new InMemoryEvidenceStore(),
      events: new InMemoryEventPublisher(),
      clock: { nowMs: () => Date.now() },
      mode: 'lambda' as const,
      config: { verifyWindowDays: 30 },
    };

    // One page holds all 500: every group then appears in the first (and only) describe round. With
    // smaller pages each group is still read once per run, when it first appears.
    const summary = await reverifyActions(deps, { pageSize: 500 });

    // Group 0 of each region still has tcp/22 open to the world: 10 actions each, DRIFT.
    expect(summary).toMatchObject({ checked: 500, verified: 480, drift: 20, unreachable: 0, errors: 0 });
    expect(calls.filter((c) => c.includes('Describe')).sort()).toEqual([
      'eu-west-1:DescribeSecurityGroupRulesCommand',
      'eu-west-1:DescribeSecurityGroupsCommand',
      'us-east-1:DescribeSecurityGroupRulesCommand',
      'us-east-1:DescribeSecurityGroupsCommand',
    ]);
    expect(actions.auditRows).toHaveLength(500);
  }, 60_000);
});

/** An APPLIED action as the apply λ leaves it, for a tcp/22 revoke on `groupId`. */
function appliedAction(groupId: string, region: string, i: number, at: string): Action {
  const raw = findingFor(groupId, { cidrs: ['0.0.0.0/0'], uid: `asg-fleet${String(i).padStart(11, '0')}` });
  for (const o of raw.observables) if (o.name === 'region') o.value = region;
  const parsed = parseFinding(raw);
  if (!parsed.ok) throw new Error(parsed.error.reason);
  const outcome = planRevoke(parsed.value, null);
  if (outcome.kind !== 'planned') throw new Error(outcome.kind);
  return {
    actionId: outcome.plan.actionId,
    status: 'APPLIED',
    recordStatus: 'success',
    statusDetail: 'revoked 1 rule(s) by id',
    createdAt: at,
    updatedAt: at,
    approvalDeadline: at,
    finding: parsed.value,
    plan: outcome.plan,
    guardrails: [],
    approval: {
      approver: 'arn:aws:sts::123456789012:assumed-role/IncidentCommander/alice',
      incidentId: 'INC-1',
      at,
      deadline: at,
      planHash: outcome.plan.planHash,
      rules: approvedRulesOf(outcome.plan),
      keyId: null,
      signature: null,
    },
    rejection: null,
    outcome: { status: 'success', detail: 'revoked', revokedRules: [], at },
    verification: null,
    history: [],
    auditHead: null,
  };
}
