import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { destroyClients, ec2Client } from '../../../lambda/adapters/clients';
import { toItem } from '../../../lambda/adapters/dynamodb-action-item';
import { DynamoDbActionStore } from '../../../lambda/adapters/dynamodb-action-store';
import { DynamoDbSweepCheckpoints } from '../../../lambda/adapters/dynamodb-sweep-checkpoints';
import { Ec2SecurityGroups } from '../../../lambda/adapters/ec2-security-groups';
import type { Action } from '../../../lambda/core/action';
import { approvedRulesOf } from '../../../lambda/core/approval';
import { parseFinding } from '../../../lambda/core/finding';
import { planRevoke } from '../../../lambda/core/plan';
import { WATCH_INDEX, WATCH_KEY, WATCH_KEY_VALUE, WATCH_SINCE } from '../../../lambda/core/watch-index';
import { reverifyActions } from '../../../lambda/usecases/reverify-actions';
import { InMemoryEventPublisher, InMemoryEvidenceStore } from '../../support/fakes/fakes';
import {
  type AuditResources,
  createAuditResources,
  createGroup,
  describeMoto,
  REGION,
  resetMoto,
} from '../moto/resources';
import { findingFor } from './harness';

const REGIONS = ['us-east-1', 'eu-west-1'];
const DAY_MS = 86_400_000;

type Call = { command: string; region: string; index?: string; ids: string[] };

/** Counts every SDK call and, for DynamoDB reads, the action ids they returned. */
function counting(calls: Call[], region: string) {
  return (
    next: (args: unknown) => Promise<{ output: Record<string, unknown> }>,
    ctx: { commandName: string },
  ) =>
    async (args: unknown) => {
      const result = await next(args);
      // Marshalled or not, depending on where the document client's own middleware sits.
      const items = (result.output.Items ?? []) as { action_id?: string | { S?: string } }[];
      const idOf = (v: string | { S?: string } | undefined) => (typeof v === 'string' ? v : (v?.S ?? ''));
      const index = (args as { input?: { IndexName?: string } }).input?.IndexName;
      calls.push({ command: ctx.commandName, region, index, ids: items.map((i) => idOf(i.action_id)) });
      return result;
    };
}

function appliedAction(groupId: string, region: string, i: number): Action {
  const raw = findingFor(groupId, { cidrs: ['0.0.0.0/0'], uid: `asg-scale${String(i).padStart(11, '0')}` });
  for (const o of raw.observables) if (o.name === 'region') o.value = region;
  const parsed = parseFinding(raw);
  if (!parsed.ok) throw new Error(parsed.error.reason);
  const planned = planRevoke(parsed.value, null);
  if (planned.kind !== 'planned') throw new Error(planned.kind);
  const at = new Date().toISOString();
  return {
    actionId: planned.plan.actionId,
    status: 'APPLYING',
    recordStatus: 'planned',
    statusDetail: 'claimed',
    createdAt: at,
    updatedAt: at,
    approvalDeadline: at,
    finding: parsed.value,
    plan: planned.plan,
    guardrails: [],
    approval: {
      approver: 'arn:aws:sts::123456789012:assumed-role/IncidentCommander/alice',
      incidentId: 'INC-1',
      at,
      deadline: at,
      planHash: planned.plan.planHash,
      rules: approvedRulesOf(planned.plan),
      keyId: null,
      signature: null,
    },
    rejection: null,
    outcome: null,
    verification: null,
    history: [],
    auditHead: null,
  };
}

describeMoto('reverify at scale on moto (300 actions, 2 regions)', () => {
  let resources: AuditResources;
  const ddbCalls: Call[] = [];
  const ec2Calls: Call[] = [];
  const ddb = new DynamoDBClient({ region: REGION });
  ddb.middlewareStack.add(counting(ddbCalls, REGION) as never, { step: 'initialize', name: 'count-ddb' });
  const doc = DynamoDBDocumentClient.from(ddb, { marshallOptions: { removeUndefinedValues: true } });

  beforeAll(async () => {
    await resetMoto();
    resources = await createAuditResources();
    for (const region of REGIONS) {
      ec2Client(region).middlewareStack.add(counting(ec2Calls, region) as never, {
        step: 'initialize',
        name: `count-ec2-${region}`,
      });
    }
  });
  afterAll(() => {
    ddb.destroy();
    destroyClients();
  });

  it('reads O(groups) from EC2, no action outside its window, and writes only a small update for unchanged actions', async () => {
    const store = new DynamoDbActionStore(doc, {
      actions: resources.actionsTable,
      audit: resources.auditTable,
    });
    const groups: { region: string; groupId: string }[] = [];
    for (const region of REGIONS) {
      for (let g = 0; g < 15; g++) {
        const ingress = [{ protocol: 'tcp', fromPort: 22, toPort: 22, cidr: '10.0.0.0/8' }];
        groups.push({
          region,
          groupId: (await createGroup(region, { name: `scale-${g}`, ingress })).groupId,
        });
      }
    }
    const old = new Set<string>();
    for (let i = 0; i < 320; i++) {
      const { region, groupId } = groups[i % groups.length]!;
      const action = appliedAction(groupId, region, i);
      // 20 actions were revoked 40 days ago: outside the 30-day window, they must not even be read.
      const at = new Date(Date.now() - (i >= 300 ? 40 * DAY_MS : 0)).toISOString();
      if (i >= 300) old.add(action.actionId);
      // Seeded as the apply λ and an earlier check leave it, with one PutItem: moto copies every
      // table on each transaction, which would make 340 audited seeds the slowest part of the suite.
      const applied: Action = {
        ...action,
        status: 'APPLIED',
        recordStatus: 'success',
        outcome: { status: 'success', detail: 'revoked', revokedRules: [], at },
        verification: {
          status: 'verified',
          checkedAt: at,
          detail: 'revoke confirmed',
          driftSince: null,
          driftChecks: 0,
        },
        history: [{ at, from: 'APPLYING', to: 'APPLIED', by: 'seed', detail: 'revoked' }],
      };
      await doc.send(
        new PutCommand({
          TableName: resources.actionsTable,
          Item: { ...toItem(applied), [WATCH_KEY]: WATCH_KEY_VALUE, [WATCH_SINCE]: at },
        }),
      );
    }
    const evidence = new InMemoryEvidenceStore();
    const deps = {
      securityGroups: new Ec2SecurityGroups((where) => ec2Client(where.region)),
      actions: store,
      evidence,
      events: new InMemoryEventPublisher(),
      checkpoints: new DynamoDbSweepCheckpoints(doc, resources.actionsTable),
      clock: { nowMs: () => Date.now() },
      mode: 'lambda' as const,
      config: { verifyWindowDays: 30 },
    };
    ddbCalls.length = 0;
    ec2Calls.length = 0;

    const second = await reverifyActions(deps, { runId: 'run-2' });

    expect(second).toMatchObject({ checked: 300, verified: 300, confirmed: 300, recorded: 0, errors: 0 });
    // Two describe calls per region for 15 groups each: O(groups), not O(actions).
    expect(ec2Calls.map((c) => `${c.region}:${c.command}`).sort()).toEqual([
      'eu-west-1:DescribeSecurityGroupRulesCommand',
      'eu-west-1:DescribeSecurityGroupsCommand',
      'us-east-1:DescribeSecurityGroupRulesCommand',
      'us-east-1:DescribeSecurityGroupsCommand',
    ]);
    const read = ddbCalls.filter((c) => c.command === 'QueryCommand').flatMap((c) => c.ids);
    expect(read.filter((id) => old.has(id))).toEqual([]);
    expect(new Set(read).size).toBe(300);
    const byCommand = (name: string) => ddbCalls.filter((c) => c.command === name).length;
    const watchPages = ddbCalls.filter((c) => c.index === WATCH_INDEX).length;
    expect(watchPages).toBe(3);
    // One small update per action, plus the sweep cursor after each page.
    expect(byCommand('UpdateItemCommand')).toBe(300 + watchPages);
    expect(byCommand('TransactWriteItemsCommand')).toBe(0);
    expect(byCommand('PutItemCommand')).toBe(0);
    expect(byCommand('GetItemCommand')).toBe(1); // the cursor
    expect(evidence.objects.size).toBe(0);
    const one = await store.get([...new Set(read)][0]!);
    expect(one).toMatchObject({ checks: 1, verification: { status: 'verified' } });
    expect(one?.history).toHaveLength(1);

    // A retried run whose cursor was lost records nothing twice.
    await deps.checkpoints.save({
      sweepId: 'run-2',
      startedAt: new Date().toISOString(),
      cursor: null,
      done: false,
    });
    const retried = await reverifyActions(deps, { runId: 'run-2' });
    expect(retried).toMatchObject({ checked: 300, superseded: 300, confirmed: 0, errors: 0 });
    expect((await store.get(one!.actionId))?.checks).toBe(1);
  }, 300_000);
});
