import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDbControlStore, versionedSet } from '../../../lambda/adapters/dynamodb-control-store';
import { buildAuditRow } from '../../../lambda/core/audit';
import { ThrottledError } from '../../../lambda/core/errors';
import { PAUSE_KEY } from '../../../lambda/core/limits';

const base = new DynamoDBClient({ region: 'us-east-1' });
const doc = DynamoDBDocumentClient.from(base);
const docMock = mockClient(DynamoDBDocumentClient);
const store = new DynamoDbControlStore(doc, { actions: 'actions', audit: 'audit' });
const KEY = 'limits#111122223333#us-east-1';

beforeEach(() => docMock.reset());
afterAll(() => base.destroy());

const row = buildAuditRow(
  {
    actionId: PAUSE_KEY,
    findingUid: PAUSE_KEY,
    accountUid: '111122223333',
    region: 'us-east-1',
    sgId: 'operator',
    sgName: 'operator',
    rules: [],
    step: 'pause',
    status: 'paused',
    detail: 'storm',
    incidentId: null,
    approver: null,
    caller: 'arn:aws:sts::111122223333:assumed-role/SecurityOperator/bob',
    mode: 'cli',
  },
  '2026-11-25T12:00:00.000Z',
  null,
);

describe('DynamoDbControlStore', () => {
  it('creates a list only where none exists, and replaces it only at the version read', () => {
    expect(versionedSet({ stamps: [1] }, 0)).toEqual({
      UpdateExpression: 'SET #version = :next, #f_stamps = :f_stamps',
      ConditionExpression: 'attribute_not_exists(#key)',
      ExpressionAttributeNames: { '#version': 'version', '#f_stamps': 'stamps', '#key': 'action_id' },
      ExpressionAttributeValues: { ':next': 1, ':f_stamps': [1] },
    });
    expect(versionedSet({ stamps: [1, 2] }, 7)).toMatchObject({
      ConditionExpression: '#version = :expected',
      ExpressionAttributeValues: { ':next': 8, ':expected': 7, ':f_stamps': [1, 2] },
    });
  });

  it('answers conflict when another container wrote the list first (the 20th slot is taken once)', async () => {
    docMock
      .on(UpdateCommand)
      .rejectsOnce(new ConditionalCheckFailedException({ message: 'no', $metadata: {} }))
      .resolves({});

    expect(await store.writeStamps(KEY, [1, 2], 3)).toBe('conflict');
    expect(await store.writeStamps(KEY, [1, 2], 3)).toBe('written');
    expect(docMock.commandCalls(UpdateCommand)[0]?.args[0].input).toMatchObject({
      TableName: 'actions',
      Key: { action_id: KEY },
      ConditionExpression: '#version = :expected',
    });
  });

  it('reads a missing item as not paused and an empty list, strongly consistent', async () => {
    docMock.on(GetCommand).resolves({});

    expect(await store.readPause()).toEqual({
      value: expect.objectContaining({ paused: false }),
      version: 0,
    });
    expect(await store.readStamps(KEY)).toEqual({ value: [], version: 0 });
    expect(docMock.commandCalls(GetCommand).every((c) => c.args[0].input.ConsistentRead === true)).toBe(true);
  });

  it('fails closed on a malformed pause item or a throttled read', async () => {
    docMock.on(GetCommand).resolvesOnce({ Item: { action_id: PAUSE_KEY, paused: 'no', version: 1 } });
    await expect(store.readPause()).rejects.toThrow(/paused/);
    docMock.on(GetCommand).rejects(
      Object.assign(new Error('slow down'), {
        name: 'ProvisionedThroughputExceededException',
        $metadata: {},
      }),
    );
    await expect(store.readPause()).rejects.toBeInstanceOf(ThrottledError);
  });

  it('writes the pause item and its operator audit row in one transaction; a lost condition is a conflict', async () => {
    const next = {
      paused: true,
      reason: 'storm',
      by: row.caller,
      at: '2026-11-25T12:00:00.000Z',
      auditHead: row.row_hash,
    };
    docMock
      .on(TransactWriteCommand)
      .rejectsOnce(
        new TransactionCanceledException({
          message: 'cancelled',
          $metadata: {},
          CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }],
        }),
      )
      .resolves({});

    expect(await store.writePause(next, row, 2)).toBe('conflict');
    expect(await store.writePause(next, row, 2)).toBe('written');
    const items = docMock.commandCalls(TransactWriteCommand)[1]?.args[0].input.TransactItems ?? [];
    expect(items[0]?.Update).toMatchObject({
      Key: { action_id: PAUSE_KEY },
      ConditionExpression: '#version = :expected',
    });
    expect(items[1]?.Put).toMatchObject({
      TableName: 'audit',
      Item: { sg_id: 'operator', step: 'pause' },
      ConditionExpression: 'attribute_not_exists(sg_id)',
    });
  });
});
