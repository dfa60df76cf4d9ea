import type { AuditRow } from '../../../lambda/core/audit';
import { createGroup, describeMoto, REGION, readAllRows, resetMoto } from '../moto/resources';
import { App, loadHandlers } from './app';
import {
  APPROVER,
  createStack,
  eventBridgeEnvelope,
  findingFor,
  lambdaContext,
  NOT_APPROVER,
} from './harness';

const SSH = { protocol: 'tcp', fromPort: 22, toPort: 22, cidr: '0.0.0.0/0' };
const body = (value: unknown) => JSON.stringify(value);

describeMoto('approval API (DESIGN §8) on moto, through the handler', () => {
  let app: App;
  let n = 0;

  beforeAll(async () => {
    await resetMoto();
    app = new App(await createStack());
  });
  afterAll(() => app.close());

  async function pending(handlers = app.h) {
    n += 1;
    const g = await createGroup(REGION, { name: `api-${n}`, ingress: [SSH] });
    const planned = (await handlers.plan.handler(
      eventBridgeEnvelope(findingFor(g.groupId, { cidrs: ['0.0.0.0/0'] })),
      lambdaContext('plan'),
    )) as { actionId: string };
    const view = await app.call('GET', '/actions/{id}', { id: planned.actionId });
    return { id: planned.actionId, planHash: view.body.plan?.planHash ?? '' };
  }

  /** Status, history length and audit rows of one action: "nothing changed" means all three are equal. */
  async function snapshot(id: string) {
    const action = await app.action(id);
    const rows = ((await readAllRows(app.stack.resources.auditTable)) as unknown as AuditRow[]).filter(
      (r) => r.action_id === id,
    );
    return { status: action.status, history: (action.history as unknown[]).length, audit: rows.length };
  }

  it('lists pending actions, paginated, and shows one with its plan, before-image and verdicts', async () => {
    const a = await pending();
    await pending();

    const page1 = await app.call('GET', '/actions', { query: { status: 'PENDING_APPROVAL', limit: '1' } });
    const page2 = await app.call('GET', '/actions', {
      query: { status: 'PENDING_APPROVAL', limit: '1', cursor: String(page1.body.cursor) },
    });
    const one = await app.call('GET', '/actions/{id}', { id: a.id });

    expect(page1.status).toBe(200);
    expect((page1.body.items as unknown[]).length).toBe(1);
    expect(page2.status).toBe(200);
    expect((page2.body.items as { actionId: string }[])[0]?.actionId).not.toBe(
      (page1.body.items as { actionId: string }[])[0]?.actionId,
    );
    expect(one.body).toMatchObject({
      status: 'PENDING_APPROVAL',
      guardrails: expect.any(Array),
      plan: { beforeImage: expect.any(Array) },
    });
  });

  type Case = [
    string,
    number,
    string,
    (a: { id: string; planHash: string }) => Promise<{ status: number; body: Record<string, unknown> }>,
  ];
  const cases: Case[] = [
    [
      'bad JSON',
      400,
      'bad-request',
      (a) => app.call('POST', '/actions/{id}/approve', { id: a.id, body: '{"incidentId": ' }),
    ],
    [
      'missing incidentId',
      400,
      'bad-request',
      (a) => app.call('POST', '/actions/{id}/approve', { id: a.id, body: body({ planHash: a.planHash }) }),
    ],
    [
      'malformed incidentId',
      400,
      'bad-request',
      (a) =>
        app.call('POST', '/actions/{id}/approve', {
          id: a.id,
          body: body({ incidentId: 'x;rm', planHash: a.planHash }),
        }),
    ],
    [
      'an approver field in the body',
      400,
      'bad-request',
      (a) =>
        app.call('POST', '/actions/{id}/approve', {
          id: a.id,
          body: body({ incidentId: 'INC-1', planHash: a.planHash, approver: APPROVER }),
        }),
    ],
    [
      'a non-approver',
      403,
      'forbidden',
      (a) =>
        app.call('POST', '/actions/{id}/approve', {
          id: a.id,
          caller: NOT_APPROVER,
          body: body({ incidentId: 'INC-1', planHash: a.planHash }),
        }),
    ],
    [
      'an unsigned call',
      403,
      'forbidden',
      (a) =>
        app.call('POST', '/actions/{id}/approve', {
          id: a.id,
          caller: null,
          body: body({ incidentId: 'INC-1', planHash: a.planHash }),
        }),
    ],
    [
      'a wrong planHash',
      409,
      'conflict',
      (a) =>
        app.call('POST', '/actions/{id}/approve', {
          id: a.id,
          body: body({ incidentId: 'INC-1', planHash: 'a'.repeat(64) }),
        }),
    ],
    [
      'a reject without reason',
      400,
      'bad-request',
      (a) => app.call('POST', '/actions/{id}/reject', { id: a.id, body: body({}) }),
    ],
  ];

  it.each(cases)('answers %s with %i and changes nothing', async (_name, status, error, call) => {
    const a = await pending();
    const before = await snapshot(a.id);

    const res = await call(a);

    expect(res.status).toBe(status);
    expect(res.body).toMatchObject({ error, message: expect.any(String) });
    expect(await snapshot(a.id)).toEqual(before);
  });

  it('answers an unknown id with 404', async () => {
    const res = await app.call('POST', '/actions/{id}/approve', {
      id: 'sgrev-0123456789abcdef',
      body: body({ incidentId: 'INC-1', planHash: 'a'.repeat(64) }),
    });

    expect(res).toMatchObject({ status: 404, body: { error: 'not-found' } });
  });

  it('answers an already approved action with 409, and a rejected one with 409, changing nothing', async () => {
    const approved = await pending();
    const rejected = await pending();
    await app.approve(approved.id);
    await app.call('POST', '/actions/{id}/reject', {
      id: rejected.id,
      body: body({ reason: 'false positive: lab VPC' }),
    });
    const before = [await snapshot(approved.id), await snapshot(rejected.id)];

    const again = await app.approve(approved.id);
    const late = await app.approve(rejected.id);

    expect([again.status, late.status]).toEqual([409, 409]);
    expect([await snapshot(approved.id), await snapshot(rejected.id)]).toEqual(before);
    expect(before[1]).toMatchObject({ status: 'REJECTED', audit: 1 });
  });

  it('answers an expired plan with 410, changing nothing; the schedule then marks it EXPIRED', async () => {
    const shortLived = loadHandlers({ AWS_SG_REVOKE_APPROVAL_TTL_HOURS: '0.0002' });
    const a = await pending(shortLived);
    await new Promise((r) => setTimeout(r, 900));
    const before = await snapshot(a.id);

    const res = await app.call('POST', '/actions/{id}/approve', {
      id: a.id,
      body: body({ incidentId: 'INC-1', planHash: a.planHash }),
    });

    expect(res).toMatchObject({ status: 410, body: { error: 'expired' } });
    expect(await snapshot(a.id)).toEqual(before);
    await app.reverify();
    expect((await app.action(a.id)).status).toBe('EXPIRED');
    shortLived.destroy();
  });

  // Smoke test only: moto does not serialise DynamoDB transactions (TOOLCHAIN.md), so on moto two racing
  // conditional writes can both pass, or one can undo the other. The guarantee itself (one 200, one
  // 409, one audit row) is proven deterministically in test/unit/usecases/decide-approval.test.ts, and
  // the retry of AWS's TransactionConflict in test/unit/adapters/dynamodb-action-store.test.ts.
  it('answers two racing approvals with 200 or 409 only, never a server error (smoke)', async () => {
    const a = await pending();
    await app.streamBatch();
    const approve = () =>
      app.call('POST', '/actions/{id}/approve', {
        id: a.id,
        body: body({ incidentId: 'INC-9', planHash: a.planHash }),
      });

    const results = await Promise.all([approve(), approve()]);

    for (const r of results) expect([200, 409]).toContain(r.status);
    expect(results.some((r) => r.status === 200)).toBe(true);
  });
});
