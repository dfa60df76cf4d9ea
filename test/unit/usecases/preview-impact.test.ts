import type { Action } from '../../../lambda/core/action';
import { planHashOf } from '../../../lambda/core/plan';
import type { AuditTrail, EvidenceArchive } from '../../../lambda/core/ports';
import { applyAction } from '../../../lambda/usecases/apply-action';
import { decideApproval } from '../../../lambda/usecases/decide-approval';
import { planFinding } from '../../../lambda/usecases/plan-finding';
import { FLOW_QUERY_BUDGET_MS } from '../../../lambda/usecases/preview-impact';
import { verifyAuditOf } from '../../../lambda/usecases/verify-audit';
import { eni, InMemoryFlowLogs } from '../../support/fakes/in-memory-impact';
import { SG, sshFinding, type World, webTier, world } from './world';

const OPEN = ['sgr-00000000000000001', 'sgr-00000000000000002'];

async function planned(w: World): Promise<Action> {
  const r = await planFinding(w, sshFinding());
  if (r.kind !== 'recorded') throw new Error(`not planned: ${r.kind}`);
  return r.action;
}

async function approve(w: World, a: Action) {
  return decideApproval(w.approvals, a.actionId, w.approver, {
    verb: 'approve',
    incidentId: 'INC-1',
    planHash: a.plan?.planHash ?? '',
  });
}

const withFlows = (w: World, flowLogs: InMemoryFlowLogs, flowDeadlineMs?: number): World => ({
  ...w,
  impact: { ...w.impact, flowLogs, ...(flowDeadlineMs === undefined ? {} : { flowDeadlineMs }) },
});

describe('the impact preview at plan time (DESIGN §13)', () => {
  it('stores an `exposed` preview listing the public interface, bound by the plan hash', async () => {
    const w = world();

    const a = await planned(w);

    expect(a.status).toBe('PENDING_APPROVAL');
    expect(a.plan?.impact).toEqual({
      status: 'computed',
      reason: null,
      verdict: 'exposed',
      interfaceCount: 1,
      publicInterfaceCount: 1,
      interfaces: [
        expect.objectContaining({
          interfaceId: 'eni-0a1b2c3d4e5f60001',
          usedBy: 'instance i-0a1b2c3d4e5f60001',
          publicIpv4: '203.0.113.10',
        }),
      ],
      flows: { status: 'not-configured' },
    });
    const { planHash, ...body } = a.plan!;
    expect(planHashOf(body)).toBe(planHash);
    expect(w.interfaces.calls).toEqual([
      { where: { accountUid: '111122223333', region: 'us-east-1' }, sgId: SG },
    ]);
  });

  it('puts the preview and its summary line in the `Action Planned` event', async () => {
    const w = world();

    const a = await planned(w);

    expect(w.events.ofType('Action Planned')).toEqual([
      expect.objectContaining({
        detail: expect.objectContaining({
          action_id: a.actionId,
          plan_hash: a.plan?.planHash,
          impact: a.plan?.impact,
          impact_summary:
            'impact: exposed; 1 interface, 1 with a public address; used by instance i-0a1b2c3d4e5f60001; ' +
            'flow logs: not configured',
        }),
      }),
    ]);
  });

  it.each([
    ['no interface', [], 'unused'],
    ['a private interface only', [eni('eni-0a1b2c3d4e5f60002')], 'not-reachable'],
  ])('%s → %s', async (_what, interfaces, verdict) => {
    const w = world();
    w.interfaces.byGroup.set(SG, interfaces);

    const a = await planned(w);

    expect(a.plan?.impact).toMatchObject({ status: 'computed', verdict, interfaceCount: interfaces.length });
  });

  it('a listing error still plans the action, with an `unavailable` preview that says why', async () => {
    const w = world();
    w.interfaces.failing = 'DescribeNetworkInterfaces: UnauthorizedOperation';

    const a = await planned(w);

    expect(a.status).toBe('PENDING_APPROVAL');
    expect(a.plan?.impact).toMatchObject({
      status: 'unavailable',
      reason: 'DescribeNetworkInterfaces: UnauthorizedOperation',
      verdict: null,
    });
    expect(w.events.ofType('Action Planned')[0]?.detail.impact_summary).toBe(
      'impact: unavailable (DescribeNetworkInterfaces: UnauthorizedOperation)',
    );
  });

  it('a port that throws is caught the same way: planning never fails on the preview', async () => {
    const w = world();
    const broken: World = {
      ...w,
      impact: {
        flowLogs: null,
        networkInterfaces: {
          listByGroup: async () => {
            throw new Error('socket hang up');
          },
        },
      },
    };

    const a = await planned(broken);

    expect(a.status).toBe('PENDING_APPROVAL');
    expect(a.plan?.impact).toMatchObject({
      status: 'unavailable',
      reason: "listing the group's interfaces failed: socket hang up",
    });
  });

  it('a skipped action (protected group) gets no preview and costs no call', async () => {
    const w = world();
    w.groups.put(webTier({ tags: { 'intentionally-open': 'bastion' } }));

    const r = await planFinding(w, sshFinding());

    expect(r.kind === 'recorded' && r.action.status).toBe('SKIPPED');
    expect(r.kind === 'recorded' && r.action.plan?.impact).toBeUndefined();
    expect(w.interfaces.calls).toEqual([]);
  });

  it('the approved preview is what apply acts under: approve → apply revokes the planned rules', async () => {
    const w = world();
    const a = await planned(w);

    expect((await approve(w, a)).ok).toBe(true);
    await applyAction(w, a.actionId);

    expect((await w.actions.get(a.actionId))?.status).toBe('APPLIED');
    expect(w.groups.ruleIdsOf(SG)).toEqual(['sgr-00000000000000003', 'sgr-00000000000000004']);
    // Later events carry the summary only: the whole preview is for the decision.
    expect(w.events.ofType('Action Applied')[0]?.detail).toMatchObject({
      impact: null,
      impact_summary: expect.stringMatching(/^impact: exposed; /),
    });
  });
});

describe('a preview edited in the table (the signature covers it)', () => {
  const rawWrite = (w: World, action: Action) =>
    w.actions.actions.set(action.actionId, structuredClone(action));

  it('after the approval: apply ends BLOCKED plan-tampered and revokes nothing', async () => {
    const w = world();
    const a = await planned(w);
    const approved = await approve(w, a);
    if (!approved.ok) throw new Error(approved.error.message);
    const impact = { ...approved.value.plan!.impact!, verdict: 'unused' as const, interfaces: [] };
    rawWrite(w, { ...approved.value, plan: { ...approved.value.plan!, impact } });

    await applyAction(w, a.actionId);

    const stored = await w.actions.get(a.actionId);
    expect(stored?.status).toBe('BLOCKED');
    expect(stored?.statusDetail).toMatch(/^plan-tampered: /);
    expect(w.groups.ruleIdsOf(SG)).toEqual([...OPEN, 'sgr-00000000000000003', 'sgr-00000000000000004']);
    expect(w.groups.revokeCalls).toBe(0);
  });

  it('before the approval: the approval API refuses it (409), and so it is never signed', async () => {
    const w = world();
    const a = await planned(w);
    rawWrite(w, { ...a, plan: { ...a.plan!, impact: { ...a.plan!.impact!, verdict: 'not-reachable' } } });

    const r = await approve(w, a);

    expect(r.ok ? 'approved' : r.error.kind).toBe('conflict');
    expect((await w.actions.get(a.actionId))?.status).toBe('PENDING_APPROVAL');
  });

  it('audit verify reports an applied action whose preview was edited afterwards as tampered', async () => {
    const w = world();
    const a = await planned(w);
    await approve(w, a);
    await applyAction(w, a.actionId);
    const applied = (await w.actions.get(a.actionId))!;
    rawWrite(w, {
      ...applied,
      plan: { ...applied.plan!, impact: { ...applied.plan!.impact!, interfaceCount: 0 } },
    });
    const trail: AuditTrail = { rowsOf: async ({ actionId }) => w.actions.rowsOf(actionId) };
    const archive: EvidenceArchive = {
      oldest: async (key) => {
        const row = w.evidence.objects.get(key);
        return row ? { body: JSON.stringify(row), versions: 1 } : null;
      },
    };

    const verdict = await verifyAuditOf(
      { actions: w.actions, trail, archive, verifier: w.approvalKey.verifier },
      a.actionId,
    );

    expect(verdict?.status).toBe('tampered');
  });
});

describe('Flow Logs evidence', () => {
  const ROWS = [
    [
      { field: 'srcAddr', value: '198.51.100.7' },
      { field: 'flows', value: '12' },
      { field: 'lastSeen', value: '2026-11-25 09:00:00.000' },
    ],
  ];

  it('queries the group interfaces over the last N days and stores the counts', async () => {
    const w = world();
    const flowLogs = new InMemoryFlowLogs({ kind: 'complete', results: ROWS });

    const a = await planned(withFlows(w, flowLogs));

    expect(a.plan?.impact?.flows).toEqual({
      status: 'computed',
      days: 7,
      logGroup: '/vpc/flow-logs',
      interfacesQueried: 1,
      acceptedInboundFromPublic: 12,
      sources: 1,
      truncated: false,
      topSources: [{ address: '198.51.100.7', flows: 12, lastSeen: '2026-11-25 09:00:00.000' }],
    });
    const [query] = flowLogs.queries;
    expect(query?.queryString).toContain(
      'interfaceId in ["eni-0a1b2c3d4e5f60001"] and protocol = 6 and dstPort = 22',
    );
    expect(query!.endTime - query!.startTime).toBe(7 * 86_400);
    expect(query!.deadlineMs - query!.endTime * 1000).toBeLessThanOrEqual(FLOW_QUERY_BUDGET_MS + 1000);
    expect(query?.limit).toBe(100);
  });

  it.each([
    [
      'an unavailable query',
      { kind: 'unavailable' as const, reason: 'the query ended Failed' },
      'the query ended Failed',
    ],
    [
      'malformed results',
      { kind: 'complete' as const, results: [[{ field: 'flows', value: '1' }]] },
      'unreadable results: row 0 has no source address',
    ],
  ])('%s → flows unavailable, the action still planned', async (_what, answer, reason) => {
    const w = world();

    const a = await planned(withFlows(w, new InMemoryFlowLogs(answer)));

    expect(a.status).toBe('PENDING_APPROVAL');
    expect(a.plan?.impact).toMatchObject({ status: 'computed', verdict: 'exposed' });
    expect(a.plan?.impact?.flows).toEqual({ status: 'unavailable', days: 7, reason });
  });

  it('no interface: nothing to query', async () => {
    const w = world();
    w.interfaces.byGroup.set(SG, []);
    const flowLogs = new InMemoryFlowLogs({ kind: 'complete', results: ROWS });

    const a = await planned(withFlows(w, flowLogs));

    expect(a.plan?.impact?.flows).toEqual({ status: 'skipped', reason: 'no interface carries the group' });
    expect(flowLogs.queries).toEqual([]);
  });

  it('a group in another region than the log group: not queried (its interfaces are not in it)', async () => {
    const w = world();
    const flowLogs = new InMemoryFlowLogs(
      { kind: 'complete', results: ROWS },
      '/vpc/flow-logs',
      7,
      'eu-west-1',
    );

    const a = await planned(withFlows(w, flowLogs));

    expect(a.plan?.impact?.flows).toEqual({
      status: 'skipped',
      reason: 'the Flow Logs group is in eu-west-1, the group in us-east-1',
    });
    expect(flowLogs.queries).toEqual([]);
  });

  it('a group of another account (a member): not queried in the hub log group; the same account is', async () => {
    const w = world();
    const hubOf = (account: string) => ({ ...w.impact, flowLogsAccount: async () => account });
    const elsewhere = new InMemoryFlowLogs({ kind: 'complete', results: ROWS });

    const a = await planned({ ...w, impact: { ...hubOf('444455556666'), flowLogs: elsewhere } });

    expect(a.plan?.impact?.flows).toEqual({
      status: 'skipped',
      reason: 'the Flow Logs group is in account 444455556666, the group in 111122223333',
    });
    expect(elsewhere.queries).toEqual([]);

    const here = new InMemoryFlowLogs({ kind: 'complete', results: ROWS });
    const w2 = world();
    const b = await planned({
      ...w2,
      impact: { ...w2.impact, flowLogs: here, flowLogsAccount: async () => '111122223333' },
    });
    expect(b.plan?.impact?.flows).toMatchObject({ status: 'computed', acceptedInboundFromPublic: 12 });
    expect(here.queries).toHaveLength(1);
  });

  it('past the plan run deadline: no query is started', async () => {
    const w = world();
    const flowLogs = new InMemoryFlowLogs({ kind: 'complete', results: ROWS });

    const a = await planned(withFlows(w, flowLogs, w.clock.ms - 1));

    expect(a.plan?.impact?.flows).toEqual({
      status: 'unavailable',
      days: 7,
      reason: 'no time left in this plan run for a Flow Logs query',
    });
    expect(flowLogs.queries).toEqual([]);
  });
});
