import { destroyClients, documentClient } from '../../../lambda/adapters/clients';
import { DynamoDbActionStore } from '../../../lambda/adapters/dynamodb-action-store';
import type { Action, ActionChange } from '../../../lambda/core/action';
import { type AuditFacts, buildAuditRow } from '../../../lambda/core/audit';
import { ApprovalReplayError, ConflictError } from '../../../lambda/core/errors';
import type { Finding } from '../../../lambda/core/model';
import type { Cidr } from '../../../lambda/core/permission';
import { planRevoke } from '../../../lambda/core/plan';
import {
  type AuditResources,
  createAuditResources,
  describeMoto,
  readAllRows,
  resetMoto,
} from '../moto/resources';

function sampleAction(n: number): Action {
  const finding: Finding = {
    findingUid: `det-${n}`,
    sgId: 'sg-0123456789abcdef0',
    sgName: 'web',
    region: 'us-east-1',
    accountUid: '123456789012',
    actor: 'alice',
    rule: 'open-ssh',
    permission: { protocol: 'tcp', fromPort: 22, toPort: 22, cidrs: ['0.0.0.0/0' as Cidr], ports: [22] },
    timeMs: null,
  };
  const planned = planRevoke(finding, null);
  if (planned.kind !== 'planned') throw new Error('fixture finding must plan');
  const at = `2024-05-01T10:00:0${n}.000Z`;
  return {
    actionId: planned.plan.actionId,
    status: 'PENDING_APPROVAL',
    recordStatus: 'planned',
    statusDetail: 'awaiting approval',
    createdAt: at,
    updatedAt: at,
    approvalDeadline: '2024-05-02T10:00:00.000Z',
    finding,
    plan: planned.plan,
    guardrails: [{ guardrail: 'protected-id', kind: 'allow', detail: 'not protected' }],
    approval: null,
    rejection: null,
    outcome: null,
    verification: null,
    history: [{ at, from: null, to: 'PENDING_APPROVAL', by: 'plan', detail: 'planned' }],
    auditHead: null,
  };
}

const APPROVER = 'arn:aws:iam::123456789012:role/lead';
const factsOf = (action: Action, step: AuditFacts['step'], status: AuditFacts['status']): AuditFacts => ({
  actionId: action.actionId,
  findingUid: action.finding.findingUid,
  accountUid: action.finding.accountUid,
  region: action.finding.region,
  sgId: action.finding.sgId,
  sgName: 'web',
  rules: action.plan?.targets ?? [],
  step,
  status,
  detail: status,
  incidentId: 'INC-7',
  approver: APPROVER,
  caller: 'arn:aws:sts::123456789012:assumed-role/fn/fn',
  mode: 'lambda',
});
const change = (action: Action, from: ActionChange['from'], to: ActionChange['to']): ActionChange => ({
  actionId: action.actionId,
  from,
  to,
  patch:
    to === 'APPROVED'
      ? {
          approval: {
            approver: APPROVER,
            incidentId: 'INC-7',
            at: 'T1',
            deadline: 'T9',
            planHash: 'h',
            rules: [],
            keyId: null,
            signature: null,
          },
        }
      : {},
  history: { at: 'T1', from: from[0] ?? null, to, by: APPROVER, detail: '' },
});

describeMoto('DynamoDbActionStore on moto_server', () => {
  let resources: AuditResources;
  let store: DynamoDbActionStore;
  const action = sampleAction(1);

  beforeEach(async () => {
    await resetMoto();
    resources = await createAuditResources();
    store = new DynamoDbActionStore(documentClient(), {
      actions: resources.actionsTable,
      audit: resources.auditTable,
    });
  });
  afterAll(destroyClients);

  it('creates once, reads back the same action, and keeps status a top-level string', async () => {
    await expect(store.create(action)).resolves.toBe('created');
    await expect(store.create({ ...action, statusDetail: 'again' })).resolves.toBe('exists');

    await expect(store.get(action.actionId)).resolves.toEqual(action);
    await expect(store.get('sgrev-missing')).resolves.toBeNull();
    const [item] = await readAllRows(resources.actionsTable);
    expect(item).toMatchObject({ action_id: action.actionId, status: 'PENDING_APPROVAL' });
  });

  it('lists by status oldest first, page by page through the cursor', async () => {
    const actions = [3, 1, 5, 2, 4].map(sampleAction);
    for (const a of actions) await store.create(a);
    await store.create({ ...sampleAction(6), status: 'APPLIED' });

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: Awaited<ReturnType<DynamoDbActionStore['listByStatus']>> = await store.listByStatus(
        'PENDING_APPROVAL',
        2,
        cursor,
      );
      seen.push(...page.items.map((a) => a.createdAt));
      cursor = page.cursor;
      pages++;
    } while (cursor && pages < 10);

    expect(seen).toEqual([1, 2, 3, 4, 5].map((n) => `2024-05-01T10:00:0${n}.000Z`));
  });

  it('lands the state change and its audit row together, chained', async () => {
    await store.create(action);
    const first = buildAuditRow(factsOf(action, 'approve', 'approved'), '2024-05-01T11:00:00.000Z', null);

    const approved = await store.commit(change(action, ['PENDING_APPROVAL'], 'APPROVED'), first, 'T1');
    const second = buildAuditRow(
      factsOf(action, 'revoke_before', 'in_progress'),
      '2024-05-01T12:00:00.000Z',
      first.row_hash,
    );
    const applying = await store.commit(change(approved, ['APPROVED'], 'APPLYING'), second, 'T2');

    expect(approved).toMatchObject({ status: 'APPROVED', auditHead: first.row_hash, updatedAt: 'T1' });
    expect(approved.approval).toEqual({
      approver: APPROVER,
      incidentId: 'INC-7',
      at: 'T1',
      deadline: 'T9',
      planHash: 'h',
      rules: [],
      keyId: null,
      signature: null,
    });
    expect(applying).toMatchObject({ status: 'APPLYING', auditHead: second.row_hash });
    expect(applying.history.map((h) => h.to)).toEqual(['PENDING_APPROVAL', 'APPROVED', 'APPLYING']);
    await expect(readAllRows(resources.auditTable)).resolves.toEqual([first, second]);
  });

  it('changes nothing and throws ConflictError when the action is in another state', async () => {
    await store.create(action);
    const row = buildAuditRow(
      factsOf(action, 'revoke_before', 'in_progress'),
      '2024-05-01T11:00:00.000Z',
      null,
    );

    const error = await store
      .commit(change(action, ['APPROVED'], 'APPLYING'), row, 'T1')
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ConflictError);
    expect((error as Error).message).toMatch(/wrong state: .* is PENDING_APPROVAL/);
    await expect(store.get(action.actionId)).resolves.toEqual(action);
    await expect(readAllRows(resources.auditTable)).resolves.toEqual([]);
  });

  it('throws ConflictError when the audit head moved (a concurrent writer chained first)', async () => {
    await store.create(action);
    const first = buildAuditRow(factsOf(action, 'approve', 'approved'), '2024-05-01T11:00:00.000Z', null);
    await store.commit(change(action, ['PENDING_APPROVAL'], 'APPROVED'), first, 'T1');
    const stale = buildAuditRow(
      factsOf(action, 'revoke_before', 'in_progress'),
      '2024-05-01T12:00:00.000Z',
      null,
    );

    const error = await store
      .commit(change(action, ['APPROVED'], 'APPLYING'), stale, 'T2')
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ConflictError);
    expect((error as Error).message).toContain('audit head moved');
    await expect(store.get(action.actionId)).resolves.toMatchObject({
      status: 'APPROVED',
      auditHead: first.row_hash,
    });
    await expect(readAllRows(resources.auditTable)).resolves.toEqual([first]);
  });

  it('throws ConflictError when the audit row already exists, and leaves the action as it was', async () => {
    await store.create(action);
    const first = buildAuditRow(factsOf(action, 'approve', 'approved'), '2024-05-01T11:00:00.000Z', null);
    await store.commit(change(action, ['PENDING_APPROVAL'], 'APPROVED'), first, 'T1');
    const sameKey = buildAuditRow(
      factsOf(action, 'approve', 'approved'),
      '2024-05-01T11:00:00.000Z',
      first.row_hash,
    );

    const error = await store
      .commit(change(action, ['APPROVED'], 'APPLYING'), sameKey, 'T2')
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ConflictError);
    expect((error as Error).message).toContain('already exists');
    await expect(store.get(action.actionId)).resolves.toMatchObject({ status: 'APPROVED', updatedAt: 'T1' });
  });

  it('consumes an approval once: a second claim with the same marker is an ApprovalReplayError', async () => {
    await store.create(action);
    await store.commit(change(action, ['PENDING_APPROVAL'], 'APPROVED'), null, 'T1');
    const consumes = { marker: 'approval#0123', firstUse: true };
    await store.commit({ ...change(action, ['APPROVED'], 'APPLYING'), consumes }, null, 'T2');
    await store.commit(change(action, ['APPLYING'], 'FAILED'), null, 'T3');
    await store.commit(change(action, ['FAILED'], 'APPROVED'), null, 'T4');

    const replay = await store
      .commit({ ...change(action, ['APPROVED'], 'APPLYING'), consumes }, null, 'T5')
      .catch((e: unknown) => e);

    expect(replay).toBeInstanceOf(ApprovalReplayError);
    expect((await store.get(action.actionId))?.status).toBe('APPROVED');
    const markers = (await readAllRows(resources.auditTable)).filter((r) => r.sg_id === 'consumed-approvals');
    expect(markers).toEqual([
      expect.objectContaining({ action_at: 'approval#0123', consumed_by: action.actionId }),
    ]);
  });

  it('applies a same-state update (verification) without changing the status', async () => {
    await store.create({ ...action, status: 'APPLIED' });
    const verification = {
      status: 'verified' as const,
      checkedAt: 'T3',
      detail: 'ok',
      driftSince: null,
      driftChecks: 0,
    };
    const patch: ActionChange['patch'] & Partial<Pick<Action, 'verification'>> = { verification };
    const verify: ActionChange = {
      actionId: action.actionId,
      from: ['APPLIED', 'ALREADY_ABSENT'],
      to: 'APPLIED',
      patch,
      history: { at: 'T3', from: 'APPLIED', to: 'APPLIED', by: 'reverify', detail: 'verified' },
    };

    const after = await store.commit(verify, null, 'T3');

    expect(after).toMatchObject({ status: 'APPLIED', verification, updatedAt: 'T3' });
    expect(after.history).toHaveLength(2);
  });
});
