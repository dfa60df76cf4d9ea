import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { Action } from '../../../lambda/core/action';
import {
  type PrincipalPattern,
  parsePrincipalPatterns,
  principalMatches,
} from '../../../lambda/core/principals';
import { type ApiDeps, route } from '../../../lambda/handlers/api-routes';
import { planFinding } from '../../../lambda/usecases/plan-finding';
import { sshFinding, world } from '../usecases/world';

const ACCT = '111122223333';
const APPROVER = `arn:aws:sts::${ACCT}:assumed-role/IncidentCommander/alice`;
const VIEWER = `arn:aws:sts::${ACCT}:assumed-role/Auditor/vic`;
const STRANGER = `arn:aws:sts::${ACCT}:assumed-role/Developer/bob`;
// Issue 8: a role whose name only starts with the approver role's.
const LOOKALIKE = `arn:aws:sts::${ACCT}:assumed-role/IncidentCommanderSandbox/mallory`;
const UNKNOWN_ID = 'sgrev-0000000000000000';

const patterns = (...raw: string[]): PrincipalPattern[] => {
  const parsed = parsePrincipalPatterns(raw);
  if (!parsed.ok) throw new Error(parsed.error.join('; '));
  return parsed.value;
};

/** The handler's wiring, on in-memory ports: the same grammar decides approvers and viewers. */
async function setUp() {
  const w = world();
  const approvers = patterns(`arn:aws:sts::${ACCT}:assumed-role/IncidentCommander/*`);
  const viewers = patterns(`arn:aws:iam::${ACCT}:role/audit/Auditor`);
  const deps: ApiDeps = {
    actions: w.actions,
    approvals: { ...w.approvals, isApprover: (arn) => principalMatches(arn, approvers) },
    isViewer: (arn) => principalMatches(arn, viewers),
  };
  const planned = await planFinding(w, sshFinding());
  if (planned.kind !== 'recorded') throw new Error('not planned');
  return { w, deps, action: planned.action };
}

type Setup = Awaited<ReturnType<typeof setUp>>;

interface Request {
  readonly method: 'GET' | 'POST';
  readonly resource: string;
  readonly id?: string;
  readonly body?: unknown;
  readonly query?: Record<string, string>;
  readonly caller?: string | null;
}

function eventOf(r: Request): APIGatewayProxyEvent {
  return {
    httpMethod: r.method,
    resource: r.resource,
    path: r.resource.replace('{id}', r.id ?? ''),
    pathParameters: r.id === undefined ? null : { id: r.id },
    queryStringParameters: r.query ?? null,
    body: r.body === undefined ? null : typeof r.body === 'string' ? r.body : JSON.stringify(r.body),
    requestContext: { identity: { userArn: r.caller === undefined ? APPROVER : r.caller } },
  } as unknown as APIGatewayProxyEvent;
}

async function call(s: Setup, r: Request) {
  const response = await route(s.deps, eventOf(r));
  return { status: response.statusCode, body: JSON.parse(response.body) as Record<string, unknown> };
}

const approveBody = (a: Action, overrides: Record<string, unknown> = {}) => ({
  incidentId: 'INC-2026-0042',
  planHash: a.plan?.planHash,
  ...overrides,
});

/** Nothing changed: same status, no audit row, no lifecycle event beyond the plan's own. */
async function expectUnchanged(s: Setup, eventsBefore: number) {
  expect((await s.w.actions.get(s.action.actionId))?.status).toBe('PENDING_APPROVAL');
  expect(s.w.actions.auditRows).toHaveLength(0);
  expect(s.w.events.published).toHaveLength(eventsBefore);
}

describe('approval routes: who may call', () => {
  const routes = (a: Action): Request[] => [
    { method: 'GET', resource: '/actions' },
    { method: 'GET', resource: '/actions/{id}', id: a.actionId },
    { method: 'GET', resource: '/actions/{id}', id: UNKNOWN_ID },
    { method: 'POST', resource: '/actions/{id}/approve', id: a.actionId, body: approveBody(a) },
    { method: 'POST', resource: '/actions/{id}/reject', id: a.actionId, body: { reason: 'not now' } },
  ];

  it.each([
    ['an unsigned request', null, /not SigV4-authenticated/],
    ['a principal that is neither approver nor viewer', STRANGER, /neither an approver nor a viewer/],
    ['a role whose name only starts with the approver role', LOOKALIKE, /neither an approver nor a viewer/],
    [
      'a federated user named like the approver role',
      `arn:aws:sts::${ACCT}:federated-user/IncidentCommander`,
      /neither/,
    ],
    [
      'the approver role in another account',
      'arn:aws:sts::444455556666:assumed-role/IncidentCommander/alice',
      /neither/,
    ],
  ])('%s gets 403 on every route, reads nothing and changes nothing', async (_name, caller, message) => {
    const s = await setUp();
    const before = s.w.events.published.length;

    for (const request of routes(s.action)) {
      const response = await call(s, { ...request, caller });

      expect(response).toEqual({
        status: 403,
        body: { error: 'forbidden', message: expect.stringMatching(message) },
      });
      expect(JSON.stringify(response.body)).not.toContain(s.action.actionId);
    }
    await expectUnchanged(s, before);
  });

  it('a viewer reads the list and an action, and gets 403 on approve and reject', async () => {
    const s = await setUp();
    const before = s.w.events.published.length;

    const list = await call(s, { method: 'GET', resource: '/actions', caller: VIEWER });
    const one = await call(s, {
      method: 'GET',
      resource: '/actions/{id}',
      id: s.action.actionId,
      caller: VIEWER,
    });
    const approve = await call(s, {
      method: 'POST',
      resource: '/actions/{id}/approve',
      id: s.action.actionId,
      body: approveBody(s.action),
      caller: VIEWER,
    });
    const reject = await call(s, {
      method: 'POST',
      resource: '/actions/{id}/reject',
      id: s.action.actionId,
      body: { reason: 'not now' },
      caller: VIEWER,
    });

    expect(list.status).toBe(200);
    expect(list.body.items).toEqual([expect.objectContaining({ actionId: s.action.actionId })]);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ actionId: s.action.actionId, status: 'PENDING_APPROVAL' });
    expect(approve).toEqual({
      status: 403,
      body: { error: 'forbidden', message: expect.stringContaining('not an approver') },
    });
    expect(reject.status).toBe(403);
    await expectUnchanged(s, before);
  });

  it('an approver reads too; the view leaves out the internal audit head', async () => {
    const s = await setUp();

    const one = await call(s, { method: 'GET', resource: '/actions/{id}', id: s.action.actionId });

    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({
      actionId: s.action.actionId,
      plan: { planHash: s.action.plan?.planHash },
    });
    expect(one.body).not.toHaveProperty('auditHead');
  });
});

describe('approval routes: errors change nothing', () => {
  it.each(
    (
      [
        [
          'approve body that is not JSON',
          (a) => ({ method: 'POST', resource: '/actions/{id}/approve', id: a.actionId, body: '{' }),
          400,
          'bad-request',
        ],
        [
          'approve without a body',
          (a) => ({ method: 'POST', resource: '/actions/{id}/approve', id: a.actionId }),
          400,
          'bad-request',
        ],
        [
          'approve without planHash',
          (a) => ({
            method: 'POST',
            resource: '/actions/{id}/approve',
            id: a.actionId,
            body: { incidentId: 'INC-1234' },
          }),
          400,
          'bad-request',
        ],
        [
          'approve with a malformed planHash',
          (a) => ({
            method: 'POST',
            resource: '/actions/{id}/approve',
            id: a.actionId,
            body: approveBody(a, { planHash: 'abc' }),
          }),
          400,
          'bad-request',
        ],
        [
          'approve with a malformed incident id',
          (a) => ({
            method: 'POST',
            resource: '/actions/{id}/approve',
            id: a.actionId,
            body: approveBody(a, { incidentId: '#1' }),
          }),
          400,
          'bad-request',
        ],
        [
          'approve naming its own approver',
          (a) => ({
            method: 'POST',
            resource: '/actions/{id}/approve',
            id: a.actionId,
            body: approveBody(a, { approver: 'someone-else' }),
          }),
          400,
          'bad-request',
        ],
        [
          'reject with a too-short reason',
          (a) => ({
            method: 'POST',
            resource: '/actions/{id}/reject',
            id: a.actionId,
            body: { reason: ' x ' },
          }),
          400,
          'bad-request',
        ],
        [
          'list with an unknown status',
          () => ({ method: 'GET', resource: '/actions', query: { status: 'DONE' } }),
          400,
          'bad-request',
        ],
        [
          'list with limit 0',
          () => ({ method: 'GET', resource: '/actions', query: { limit: '0' } }),
          400,
          'bad-request',
        ],
        [
          'list with a cursor the service did not issue',
          () => ({ method: 'GET', resource: '/actions', query: { cursor: 'forged' } }),
          400,
          'bad-request',
        ],
        [
          'GET of an unknown id',
          () => ({ method: 'GET', resource: '/actions/{id}', id: UNKNOWN_ID }),
          404,
          'not-found',
        ],
        [
          'GET of a malformed id',
          () => ({ method: 'GET', resource: '/actions/{id}', id: '../etc' }),
          404,
          'not-found',
        ],
        [
          'approve of an unknown id',
          (a) => ({
            method: 'POST',
            resource: '/actions/{id}/approve',
            id: UNKNOWN_ID,
            body: approveBody(a),
          }),
          404,
          'not-found',
        ],
        [
          'an unknown route',
          (a) => ({ method: 'POST', resource: '/actions/{id}/undo', id: a.actionId, body: {} }),
          404,
          'not-found',
        ],
        [
          'approve with another plan hash',
          (a) => ({
            method: 'POST',
            resource: '/actions/{id}/approve',
            id: a.actionId,
            body: approveBody(a, { planHash: 'f'.repeat(64) }),
          }),
          409,
          'conflict',
        ],
      ] as [string, (a: Action) => Request, number, string][]
    ).map(([name, request, status, error]) => ({ name, request, status, error })),
  )('$name → $status', async ({ request, status, error }) => {
    const s = await setUp();
    const before = s.w.events.published.length;

    const response = await call(s, request(s.action));

    expect(response).toEqual({ status, body: { error, message: expect.any(String) } });
    await expectUnchanged(s, before);
  });

  it.each([
    ['approve', { incidentId: 'INC-2026-0042' }],
    ['reject', { reason: 'not now' }],
  ])('%s after the approval window closed → 410, still pending', async (verb, body) => {
    const s = await setUp();
    const before = s.w.events.published.length;
    s.w.clock.advance(25 * 3_600_000);

    const response = await call(s, {
      method: 'POST',
      resource: `/actions/{id}/${verb}`,
      id: s.action.actionId,
      body: verb === 'approve' ? approveBody(s.action, body) : body,
    });

    expect(response).toEqual({
      status: 410,
      body: { error: 'expired', message: expect.stringContaining('closed') },
    });
    await expectUnchanged(s, before);
  });

  it.each([
    ['approve', 'approve'],
    ['approve', 'reject'],
    ['reject', 'approve'],
    ['reject', 'reject'],
  ])('%s, then %s → 409, and the first decision stands', async (first, second) => {
    const s = await setUp();
    const bodyOf = (verb: string) => (verb === 'approve' ? approveBody(s.action) : { reason: 'not now' });
    const decide = (verb: string) =>
      call(s, {
        method: 'POST',
        resource: `/actions/{id}/${verb}`,
        id: s.action.actionId,
        body: bodyOf(verb),
      });

    expect((await decide(first)).status).toBe(200);
    const rowsAfterFirst = s.w.actions.auditRows.length;
    const response = await decide(second);

    expect(response).toEqual({ status: 409, body: { error: 'conflict', message: expect.any(String) } });
    const stored = await s.w.actions.get(s.action.actionId);
    expect(stored?.status).toBe(first === 'approve' ? 'APPROVED' : 'REJECTED');
    expect(s.w.actions.auditRows).toHaveLength(rowsAfterFirst);
  });
});

describe('approval routes: 200 paths', () => {
  it('approve records the caller as approver, audits it, emits Approved and returns the view', async () => {
    const s = await setUp();

    const response = await call(s, {
      method: 'POST',
      resource: '/actions/{id}/approve',
      id: s.action.actionId,
      body: approveBody(s.action),
    });

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      status: 'APPROVED',
      approval: { approver: APPROVER, incidentId: 'INC-2026-0042' },
    });
    expect(response.body).not.toHaveProperty('auditHead');
    const stored = await s.w.actions.get(s.action.actionId);
    expect(stored?.status).toBe('APPROVED');
    expect(stored?.approval?.approver).toBe(APPROVER);
    expect(s.w.actions.rowsOf(s.action.actionId)).toEqual([
      expect.objectContaining({ step: 'approve', approver: APPROVER, incident_id: 'INC-2026-0042' }),
    ]);
    expect(s.w.events.ofType('Action Approved')).toHaveLength(1);
  });

  it('reject records who and why, audited', async () => {
    const s = await setUp();

    const response = await call(s, {
      method: 'POST',
      resource: '/actions/{id}/reject',
      id: s.action.actionId,
      body: { reason: '  planned maintenance  ' },
    });

    expect(response.status).toBe(200);
    const stored = await s.w.actions.get(s.action.actionId);
    expect(stored?.status).toBe('REJECTED');
    expect(stored?.rejection).toMatchObject({ by: APPROVER, reason: 'planned maintenance' });
    expect(s.w.actions.rowsOf(s.action.actionId)).toEqual([expect.objectContaining({ step: 'reject' })]);
    expect(s.w.events.ofType('Action Rejected')).toHaveLength(1);
  });

  it('lists by status, paginated with the store cursor', async () => {
    const s = await setUp();
    const second = await planFinding(s.w, { ...sshFinding(), finding_info: { uid: 'finding-2' } });
    expect(second.kind).toBe('recorded');

    const first = await call(s, { method: 'GET', resource: '/actions', query: { limit: '1' } });
    const next = await call(s, {
      method: 'GET',
      resource: '/actions',
      query: { limit: '1', cursor: String(first.body.cursor) },
    });
    const approved = await call(s, { method: 'GET', resource: '/actions', query: { status: 'APPROVED' } });

    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(1);
    expect(first.body.cursor).not.toBeNull();
    expect(next.body.items).toHaveLength(1);
    expect(next.body.cursor).toBeNull();
    const ids = [...(first.body.items as Action[]), ...(next.body.items as Action[])].map((a) => a.actionId);
    expect(new Set(ids).size).toBe(2);
    expect(approved.body).toEqual({ items: [], cursor: null });
  });
});

describe('POST /actions/{id}/rollback', () => {
  const rollback = (id: string, body: unknown, caller?: string) => ({
    method: 'POST' as const,
    resource: '/actions/{id}/rollback',
    id,
    body,
    ...(caller === undefined ? {} : { caller }),
  });

  it.each([
    ['no reason', { incidentId: 'INC-2026-0043' }, 400],
    ['an extra field', { incidentId: 'INC-2026-0043', reason: 'broke it', rules: [] }, 400],
    ['a bad incident id', { incidentId: '!', reason: 'broke it' }, 400],
  ])('answers 400 to a body with %s, and changes nothing', async (_name, body, status) => {
    const s = await setUp();
    const events = s.w.events.published.length;

    expect((await call(s, rollback(s.action.actionId, body))).status).toBe(status);
    await expectUnchanged(s, events);
  });

  it('answers 403 to a viewer and 409 to an approver for a pending action; nothing changes', async () => {
    const s = await setUp();
    const events = s.w.events.published.length;
    const body = { incidentId: 'INC-2026-0043', reason: 'broke it' };

    const viewer = await call(s, rollback(s.action.actionId, body, VIEWER));
    const approver = await call(s, rollback(s.action.actionId, body));

    expect(viewer).toMatchObject({ status: 403, body: { error: 'forbidden' } });
    expect(approver).toMatchObject({ status: 409, body: { error: 'conflict' } });
    await expectUnchanged(s, events);
  });
});
