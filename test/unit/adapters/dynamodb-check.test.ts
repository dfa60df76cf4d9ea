import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDbActionStore } from '../../../lambda/adapters/dynamodb-action-store';
import { checkUpdateOf, entersWatch, withWatch } from '../../../lambda/adapters/dynamodb-check';
import { buildAuditRow } from '../../../lambda/core/audit';
import type { CheckWrite } from '../../../lambda/core/ports';

const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
const ddbMock = mockClient(DynamoDBDocumentClient);
const store = new DynamoDbActionStore(doc, {
  actions: 'actions',
  audit: 'audit',
  auditRowRetentionDays: 400,
});
afterEach(() => ddbMock.reset());

const confirm: CheckWrite = {
  actionId: 'sgrev-0123456789abcdef',
  status: 'APPLIED',
  auditHead: 'h1',
  sweepId: 'run-1',
  checkedAt: '2026-11-25T12:15:00.000Z',
  driftChecks: 0,
  unreachableChecks: 0,
  change: null,
};
const row = buildAuditRow(
  {
    actionId: confirm.actionId,
    findingUid: 'f',
    accountUid: '111122223333',
    region: 'us-east-1',
    sgId: 'sg-0a1b2c3d4e5f60001',
    sgName: 'web',
    rules: [],
    step: 'verify',
    status: 'drift',
    detail: 'drift-opened',
    incidentId: null,
    approver: null,
    caller: 'sg-revoke reverify',
    mode: 'lambda',
  },
  confirm.checkedAt,
  'h1',
);
const state = {
  status: 'drift' as const,
  checkedAt: confirm.checkedAt,
  detail: 'x',
  driftSince: null,
  driftChecks: 1,
};

describe('checkUpdateOf', () => {
  it('confirms with last_checked_at, the sweep id and the counter only: the projected verification is untouched', () => {
    const e = checkUpdateOf(confirm);

    expect(e.UpdateExpression).toBe('SET #last = :now, #sweep = :sweep ADD #checks :one');
    expect(Object.values(e.ExpressionAttributeNames)).not.toContain('verification');
    expect(e.ConditionExpression).toBe(
      '#status = :status AND (attribute_not_exists(#sweep) OR #sweep <> :sweep) AND #head = :prev',
    );
  });

  it('moves the streak counters inside the verification only while a streak runs', () => {
    expect(checkUpdateOf({ ...confirm, driftChecks: 3 }).UpdateExpression).toBe(
      'SET #last = :now, #sweep = :sweep, #v.#dc = :dc, #v.#uc = :uc ADD #checks :one',
    );
  });

  it('puts revoked actions in the watch index once, when they enter APPLIED or ALREADY_ABSENT', () => {
    const base = {
      ConditionExpression: 'c',
      UpdateExpression: 'SET a = :a',
      ExpressionAttributeNames: {},
      ExpressionAttributeValues: {},
    };
    const history = { at: '', from: null, to: 'APPLIED' as const, by: '', detail: '' };
    const entering = withWatch(
      base,
      { actionId: 'x', from: ['APPLYING'], to: 'APPLIED', patch: {}, history },
      't',
    );
    const same = withWatch(
      base,
      { actionId: 'x', from: ['APPLIED'], to: 'APPLIED', patch: {}, history },
      't',
    );

    expect(entering.UpdateExpression).toBe('SET a = :a, #wk = :wk, #ws = :ws');
    expect(entering.ExpressionAttributeValues).toEqual({ ':wk': 'revoked', ':ws': 't' });
    expect(same).toBe(base);
  });
});

describe('DynamoDbActionStore.recordCheck / listWatched', () => {
  it('writes a confirming check with one UpdateItem', async () => {
    ddbMock.on(UpdateCommand).resolves({});

    expect(await store.recordCheck(confirm)).toBe('recorded');
    expect(ddbMock.commandCalls(UpdateCommand)).toHaveLength(1);
    expect(ddbMock.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('writes a change with its audit row (and the row TTL) in one transaction', async () => {
    ddbMock.on(TransactWriteCommand).resolves({});

    await store.recordCheck({ ...confirm, change: { verification: state, audit: row } });

    const items = ddbMock.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
    expect(items[0]?.Update?.ExpressionAttributeValues?.[':head']).toBe(row.row_hash);
    expect(items[1]?.Put?.Item).toMatchObject({
      row_hash: row.row_hash,
      expires_at_epoch: Math.floor(Date.parse(confirm.checkedAt) / 1000) + 400 * 86_400,
    });
  });

  it('answers superseded when the condition fails (moved on, or already recorded by this sweep)', async () => {
    ddbMock
      .on(UpdateCommand)
      .rejects(Object.assign(new Error('failed'), { name: 'ConditionalCheckFailedException' }));
    ddbMock.on(TransactWriteCommand).rejects(
      new TransactionCanceledException({
        message: 'cancelled',
        $metadata: {},
        CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }],
      }),
    );

    expect(await store.recordCheck(confirm)).toBe('superseded');
    expect(await store.recordCheck({ ...confirm, change: { verification: state, audit: row } })).toBe(
      'superseded',
    );
  });

  it('queries the watch index from the start of the window, one page at a time', async () => {
    const key = { action_id: 'a', watch_key: 'revoked', watch_since: '2026-11-01T00:00:00.000Z' };
    ddbMock
      .on(QueryCommand)
      .resolves({ Items: [{ ...key, status: 'APPLIED', finding: {} }], LastEvaluatedKey: key });

    const page = await store.listWatched('2026-10-26T00:00:00.000Z', 100, null);
    await store.listWatched('2026-10-26T00:00:00.000Z', 100, page.cursor);

    const [first, second] = ddbMock.commandCalls(QueryCommand).map((c) => c.args[0].input);
    expect(first).toMatchObject({
      IndexName: 'by-watch',
      KeyConditionExpression: '#wk = :wk AND #ws >= :since',
      ExpressionAttributeValues: { ':wk': 'revoked', ':since': '2026-10-26T00:00:00.000Z' },
      Limit: 100,
    });
    expect(second?.ExclusiveStartKey).toEqual(key);
    expect(page.items[0]).toMatchObject({ actionId: 'a', status: 'APPLIED', watchedSince: key.watch_since });
  });
});

describe('entersWatch', () => {
  it('watches a FAILED apply whose outcome reports revoked rules', () => {
    const history = { at: '', from: 'APPLYING' as const, to: 'FAILED' as const, by: '', detail: '' };
    const rule = {
      ruleId: 'sgr-1',
      protocol: 'tcp' as const,
      fromPort: 22,
      toPort: 22,
      cidr: '0.0.0.0/0' as never,
    };
    const outcome = (revokedRules: (typeof rule)[]) => ({
      status: 'failure' as const,
      detail: '',
      revokedRules,
      at: '',
    });
    const change = (revokedRules: (typeof rule)[]) => ({
      actionId: 'x',
      from: ['APPLYING' as const],
      to: 'FAILED' as const,
      patch: { outcome: outcome(revokedRules) },
      history,
    });

    expect(entersWatch(change([rule]))).toBe(true);
    expect(entersWatch(change([]))).toBe(false);
  });
});
