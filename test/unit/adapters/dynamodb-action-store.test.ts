import {
  DynamoDBClient,
  DynamoDBServiceException,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { toItem } from '../../../lambda/adapters/dynamodb-action-item';
import { DynamoDbActionStore, InvalidCursorError } from '../../../lambda/adapters/dynamodb-action-store';
import type { Action, ActionChange } from '../../../lambda/core/action';
import { buildAuditRow } from '../../../lambda/core/audit';
import {
  AccessDeniedError,
  ApprovalReplayError,
  AwsCallError,
  ConflictError,
  ThrottledError,
} from '../../../lambda/core/errors';
import type { Finding } from '../../../lambda/core/model';
import type { Cidr } from '../../../lambda/core/permission';
import { planRevoke } from '../../../lambda/core/plan';

const base = new DynamoDBClient({ region: 'us-east-1' });
const doc = DynamoDBDocumentClient.from(base, { marshallOptions: { removeUndefinedValues: true } });
const ddbMock = mockClient(DynamoDBDocumentClient);
const tables = { actions: 'actions', audit: 'audit' };
const store = new DynamoDbActionStore(doc, tables);

const finding: Finding = {
  findingUid: 'det-1',
  sgId: 'sg-0123456789abcdef0',
  sgName: 'web',
  region: 'us-east-1',
  accountUid: '111122223333',
  actor: 'alice',
  rule: 'open-ssh',
  permission: { protocol: 'tcp', fromPort: 22, toPort: 22, cidrs: ['0.0.0.0/0' as Cidr], ports: [22] },
  timeMs: 1714557600000,
};
const planned = planRevoke(finding, null);
if (planned.kind !== 'planned') throw new Error('fixture finding must plan');
const action: Action = {
  actionId: planned.plan.actionId,
  status: 'PENDING_APPROVAL',
  recordStatus: 'planned',
  statusDetail: 'awaiting approval',
  createdAt: '2024-05-01T10:00:00.000Z',
  updatedAt: '2024-05-01T10:00:00.000Z',
  approvalDeadline: '2024-05-02T10:00:00.000Z',
  finding,
  plan: planned.plan,
  guardrails: [{ guardrail: 'protected-id', kind: 'allow', detail: 'not protected' }],
  approval: null,
  rejection: null,
  outcome: null,
  verification: null,
  history: [
    { at: '2024-05-01T10:00:00.000Z', from: null, to: 'PENDING_APPROVAL', by: 'plan', detail: 'planned' },
  ],
  auditHead: null,
};
const approve: ActionChange = {
  actionId: action.actionId,
  from: ['PENDING_APPROVAL'],
  to: 'APPROVED',
  patch: {
    approval: {
      approver: 'arn:aws:iam::111122223333:role/lead',
      incidentId: 'INC-7',
      at: 'T1',
      deadline: 'T9',
      planHash: 'h',
      rules: [],
      keyId: null,
      signature: null,
    },
  },
  history: {
    at: 'T1',
    from: 'PENDING_APPROVAL',
    to: 'APPROVED',
    by: 'arn:aws:iam::111122223333:role/lead',
    detail: '',
  },
};
const auditFacts = {
  actionId: action.actionId,
  findingUid: 'det-1',
  accountUid: '111122223333',
  region: 'us-east-1',
  sgId: finding.sgId,
  sgName: 'web',
  rules: planned.plan.targets,
  step: 'approve' as const,
  status: 'approved' as const,
  detail: 'approved',
  incidentId: 'INC-7',
  approver: 'arn:aws:iam::111122223333:role/lead',
  caller: 'arn:aws:sts::111122223333:assumed-role/approve/fn',
  mode: 'lambda' as const,
};
const firstRow = buildAuditRow(auditFacts, '2024-05-01T11:00:00.000Z', null);
const secondRow = buildAuditRow(auditFacts, '2024-05-01T12:00:00.000Z', firstRow.row_hash);

const itemOf = async (a: Action) => toItem(a);
const canceled = (reasons: TransactionCanceledException['CancellationReasons']) =>
  new TransactionCanceledException({
    message: 'Transaction cancelled',
    $metadata: {},
    CancellationReasons: reasons,
  });
const transactInput = () => ddbMock.commandCalls(TransactWriteCommand)[0]!.args[0].input;

beforeEach(() => ddbMock.reset());
afterAll(() => base.destroy());

describe('DynamoDbActionStore.create / get', () => {
  it('writes the action once, as snake_case attributes with a top-level status and a TTL', async () => {
    ddbMock.on(PutCommand).resolves({});

    await expect(store.create(action)).resolves.toBe('created');

    const item = ddbMock.commandCalls(PutCommand)[0]!.args[0].input.Item!;

    expect(item).toMatchObject({
      action_id: action.actionId,
      status: 'PENDING_APPROVAL',
      created_at: action.createdAt,
      record_status: 'planned',
      audit_head: null,
      plan: action.plan,
      expires_at_epoch: Date.parse('2024-05-02T10:00:00.000Z') / 1000 + 90 * 86_400,
    });
    expect(Object.keys(item).filter((k) => /[A-Z]/.test(k))).toEqual([]);
  });

  it('puts with attribute_not_exists and answers exists on a duplicate', async () => {
    ddbMock.on(PutCommand).rejects(
      new DynamoDBServiceException({
        name: 'ConditionalCheckFailedException',
        $fault: 'client',
        $metadata: {},
      }),
    );

    await expect(store.create(action)).resolves.toBe('exists');
    expect(ddbMock.commandCalls(PutCommand)[0]?.args[0].input).toMatchObject({
      TableName: 'actions',
      ConditionExpression: 'attribute_not_exists(action_id)',
    });
  });

  it('reads back exactly the action it wrote (consistent read), and null for an unknown id', async () => {
    const item = await itemOf(action);
    ddbMock.on(GetCommand, { Key: { action_id: action.actionId } }).resolves({ Item: item });
    ddbMock.on(GetCommand, { Key: { action_id: 'nope' } }).resolves({});

    await expect(store.get(action.actionId)).resolves.toEqual(action);
    await expect(store.get('nope')).resolves.toBeNull();
    expect(ddbMock.commandCalls(GetCommand)[0]?.args[0].input.ConsistentRead).toBe(true);
  });

  it('translates errors', async () => {
    ddbMock
      .on(GetCommand)
      .rejects(
        new DynamoDBServiceException({ name: 'AccessDeniedException', $fault: 'client', $metadata: {} }),
      );

    await expect(store.get('x')).rejects.toBeInstanceOf(AccessDeniedError);
  });
});

describe('DynamoDbActionStore.listByStatus', () => {
  const lastKey = { action_id: 'a2', status: 'APPLIED', created_at: '2024-05-01T10:00:00.000Z' };

  it('queries the by-status index oldest first and round-trips the cursor', async () => {
    const item = await itemOf({ ...action, status: 'APPLIED' });
    ddbMock
      .on(QueryCommand)
      .resolvesOnce({ Items: [item], LastEvaluatedKey: lastKey })
      .resolves({ Items: [] });

    const first = await store.listByStatus('APPLIED', 1, null);
    const second = await store.listByStatus('APPLIED', 1, first.cursor);

    expect(first.items.map((a) => a.status)).toEqual(['APPLIED']);
    expect(first.cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(second).toEqual({ items: [], cursor: null });
    const [q1, q2] = ddbMock.commandCalls(QueryCommand).map((c) => c.args[0].input);
    expect(q1).toMatchObject({
      TableName: 'actions',
      IndexName: 'by-status',
      KeyConditionExpression: '#status = :status',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':status': 'APPLIED' },
      ScanIndexForward: true,
      Limit: 1,
      ExclusiveStartKey: undefined,
    });
    expect(q2?.ExclusiveStartKey).toEqual(lastKey);
  });

  it.each([
    ['not base64url', 'a+b/c=='],
    ['not JSON', Buffer.from('{oops').toString('base64url')],
    ['another status', Buffer.from(JSON.stringify({ ...lastKey, status: 'FAILED' })).toString('base64url')],
    ['extra keys', Buffer.from(JSON.stringify({ ...lastKey, x: 1 })).toString('base64url')],
    ['a non-object', Buffer.from('[1,2,3]').toString('base64url')],
  ])('refuses a cursor that is %s, before any call', async (_what, cursor) => {
    await expect(store.listByStatus('APPLIED', 10, cursor)).rejects.toBeInstanceOf(InvalidCursorError);
    expect(ddbMock.calls()).toHaveLength(0);
  });

  it('refuses a non-positive limit', async () => {
    await expect(store.listByStatus('APPLIED', 0, null)).rejects.toBeInstanceOf(RangeError);
  });
});

describe('DynamoDbActionStore.commit', () => {
  it('updates the action and appends the first audit row in one transaction', async () => {
    const after = { ...action, status: 'APPROVED' as const, auditHead: firstRow.row_hash };
    ddbMock.on(TransactWriteCommand).resolves({});
    ddbMock.on(GetCommand).resolves({ Item: await itemOf(after) });

    const result = await store.commit(approve, firstRow, 'T1');

    expect(result).toEqual(after);
    const { TransactItems } = transactInput();
    expect(TransactItems).toHaveLength(2);
    const update = TransactItems![0]!.Update!;
    expect(update).toMatchObject({ TableName: 'actions', Key: { action_id: action.actionId } });
    expect(update.ReturnValuesOnConditionCheckFailure).toBe('ALL_OLD');
    expect(update.ConditionExpression).toBe(
      '#status IN (:from0) AND (attribute_not_exists(#head) OR attribute_type(#head, :nullType))',
    );
    expect(update.UpdateExpression).toContain('#status = :to');
    expect(update.UpdateExpression).toContain(
      '#history = list_append(if_not_exists(#history, :none), :entry)',
    );
    expect(update.UpdateExpression).toContain('#p_approval = :p_approval');
    expect(update.UpdateExpression).toContain('#head = :head');
    expect(update.ExpressionAttributeValues).toMatchObject({
      ':from0': 'PENDING_APPROVAL',
      ':to': 'APPROVED',
      ':head': firstRow.row_hash,
      ':nullType': 'NULL',
      ':entry': [approve.history],
      ':now': 'T1',
      ':p_approval': approve.patch.approval,
    });
    expect(TransactItems![1]!.Put).toEqual({
      TableName: 'audit',
      Item: firstRow,
      ConditionExpression: 'attribute_not_exists(sg_id)',
    });
  });

  it('chains a later row to the audit head and sets no status for a same-state update', async () => {
    const verification = {
      status: 'verified' as const,
      checkedAt: 'T2',
      detail: 'ok',
      driftSince: null,
      driftChecks: 0,
    };
    const patch: ActionChange['patch'] & Partial<Pick<Action, 'verification'>> = { verification };
    const reverify: ActionChange = {
      actionId: action.actionId,
      from: ['APPLIED', 'ALREADY_ABSENT'],
      to: 'APPLIED',
      patch,
      history: { at: 'T2', from: 'APPLIED', to: 'APPLIED', by: 'reverify', detail: 'verified' },
    };
    ddbMock.on(TransactWriteCommand).resolves({});
    ddbMock.on(GetCommand).resolves({ Item: await itemOf(action) });

    await store.commit(reverify, secondRow, 'T2');

    const update = transactInput().TransactItems![0]!.Update!;
    expect(update.ConditionExpression).toBe('#status IN (:from0, :from1) AND #head = :prev');
    expect(update.ExpressionAttributeValues).toMatchObject({
      ':prev': firstRow.row_hash,
      ':p_verification': verification,
    });
    expect(update.UpdateExpression).not.toContain('#status =');
    expect(update.ExpressionAttributeNames).toMatchObject({ '#p_verification': 'verification' });
  });

  it('without an audit row: one Update, no audit-head condition', async () => {
    ddbMock.on(TransactWriteCommand).resolves({});
    ddbMock.on(GetCommand).resolves({ Item: await itemOf(action) });

    await store.commit(approve, null, 'T1');

    const { TransactItems } = transactInput();
    expect(TransactItems).toHaveLength(1);
    expect(TransactItems![0]!.Update!.ConditionExpression).toBe('#status IN (:from0)');
  });

  it.each([
    [
      'wrong state',
      [{ Code: 'ConditionalCheckFailed', Item: { status: { S: 'REJECTED' } } }, { Code: 'None' }],
    ],
    [
      'audit head moved',
      [
        {
          Code: 'ConditionalCheckFailed',
          Item: { status: { S: 'PENDING_APPROVAL' }, audit_head: { S: 'h9' } },
        },
        { Code: 'None' },
      ],
    ],
    ['does not exist', [{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }]],
    ['already exists', [{ Code: 'None' }, { Code: 'ConditionalCheckFailed' }]],
  ])('turns a lost condition into a ConflictError that says %s', async (why, reasons) => {
    const cause = canceled(reasons);
    ddbMock.on(TransactWriteCommand).rejects(cause);

    const error = await store.commit(approve, firstRow, 'T1').catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ConflictError);
    expect((error as Error).message).toContain(why);
    expect((error as Error).cause).toBe(cause);
    expect(ddbMock.commandCalls(GetCommand)).toHaveLength(0);
  });

  it.each([
    [
      'a transaction conflict that outlasts the retries',
      canceled([{ Code: 'TransactionConflict' }, { Code: 'None' }]),
      ThrottledError,
    ],
    [
      'throttling',
      new DynamoDBServiceException({ name: 'ThrottlingException', $fault: 'client', $metadata: {} }),
      ThrottledError,
    ],
    [
      'a validation error',
      new DynamoDBServiceException({ name: 'ValidationException', $fault: 'client', $metadata: {} }),
      AwsCallError,
    ],
  ])('translates %s into %p', async (_what, cause, type) => {
    ddbMock.on(TransactWriteCommand).rejects(cause);

    await expect(store.commit(approve, firstRow, 'T1')).rejects.toBeInstanceOf(type);
  });

  it('retries a transaction that DynamoDB cancelled for a conflict, and re-evaluates its conditions', async () => {
    ddbMock
      .on(TransactWriteCommand)
      .rejectsOnce(canceled([{ Code: 'TransactionConflict' }, { Code: 'None' }]))
      .resolves({});
    ddbMock.on(GetCommand).resolves({ Item: await itemOf({ ...action, status: 'APPROVED' }) });

    const result = await store.commit(approve, firstRow, 'T1');

    expect(result.status).toBe('APPROVED');
    expect(ddbMock.commandCalls(TransactWriteCommand)).toHaveLength(2);
  });

  it('gives the loser of a real race a ConflictError once the retried condition fails: never two winners', async () => {
    ddbMock
      .on(TransactWriteCommand)
      .rejectsOnce(canceled([{ Code: 'TransactionConflict' }, { Code: 'None' }]))
      .rejects(
        canceled([
          { Code: 'ConditionalCheckFailed', Item: { status: { S: 'APPROVED' }, audit_head: { S: 'h9' } } },
          { Code: 'None' },
        ]),
      );

    const error = await store.commit(approve, firstRow, 'T1').catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ConflictError);
    expect(ddbMock.commandCalls(TransactWriteCommand)).toHaveLength(2);
  });

  it('consumes an approval with a write-once marker in the audit table, in the same transaction', async () => {
    ddbMock.on(TransactWriteCommand).resolves({});
    ddbMock.on(GetCommand).resolves({ Item: await itemOf({ ...action, status: 'APPROVED' }) });

    await store.commit({ ...approve, consumes: { marker: 'approval#abc', firstUse: true } }, null, 'T1');

    expect(transactInput().TransactItems?.[1]).toEqual({
      Put: {
        TableName: 'audit',
        Item: {
          sg_id: 'consumed-approvals',
          action_at: 'approval#abc',
          consumed_by: action.actionId,
          at: 'T1',
        },
        ConditionExpression: 'attribute_not_exists(sg_id)',
      },
    });
  });

  it('turns a consumed marker into an ApprovalReplayError', async () => {
    ddbMock
      .on(TransactWriteCommand)
      .rejects(canceled([{ Code: 'None' }, { Code: 'ConditionalCheckFailed' }]));

    const error = await store
      .commit({ ...approve, consumes: { marker: 'approval#abc', firstUse: true } }, null, 'T1')
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ApprovalReplayError);
  });
});
