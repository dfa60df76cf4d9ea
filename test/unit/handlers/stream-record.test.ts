import type { DynamoDBRecord } from 'aws-lambda';
import { approvalKeyOf, rollbackKeyOf } from '../../../lambda/handlers/stream-record';

const record = (next: string, previous?: string): DynamoDBRecord => ({
  eventName: 'MODIFY',
  dynamodb: {
    NewImage: {
      action_id: { S: 'sgrev-0123456789abcdef' },
      status: { S: next },
      updated_at: { S: '2026-11-25T12:00:01.000Z' },
      approval: { M: { at: { S: '2026-11-25T12:00:00.000Z' } } },
    },
    ...(previous ? { OldImage: { status: { S: previous } } } : {}),
  },
});

describe('approvalKeyOf', () => {
  it('keys a transition to APPROVED by action id and approval time', () => {
    expect(approvalKeyOf(record('APPROVED', 'PENDING_APPROVAL'))).toEqual({
      actionId: 'sgrev-0123456789abcdef',
      approvedAt: '2026-11-25T12:00:00.000Z',
    });
  });

  it.each([
    ['a same-state update of an approved action', record('APPROVED', 'APPROVED')],
    ['any other status', record('APPLYING', 'APPROVED')],
    ['a record without images', { eventName: 'REMOVE' } as DynamoDBRecord],
  ])('ignores %s', (_name, r) => {
    expect(approvalKeyOf(r)).toBeNull();
  });
});

describe('rollbackKeyOf', () => {
  const rollbackRecord = (next?: string, previous?: string): DynamoDBRecord => ({
    eventName: 'MODIFY',
    dynamodb: {
      NewImage: {
        action_id: { S: 'sgrev-0123456789abcdef' },
        status: { S: 'APPLIED' },
        ...(next ? { rollback: { M: { at: { S: next } } } } : {}),
      },
      OldImage: {
        status: { S: 'APPLIED' },
        ...(previous ? { rollback: { M: { at: { S: previous } } } } : {}),
      },
    },
  });

  it('keys a newly recorded rollback request by action id and request time', () => {
    expect(rollbackKeyOf(rollbackRecord('2026-11-25T13:00:00.000Z'))).toEqual({
      actionId: 'sgrev-0123456789abcdef',
      requestedAt: '2026-11-25T13:00:00.000Z',
    });
    expect(
      rollbackKeyOf(rollbackRecord('2026-11-25T14:00:00.000Z', '2026-11-25T13:00:00.000Z')),
    ).toMatchObject({
      requestedAt: '2026-11-25T14:00:00.000Z',
    });
  });

  it.each([
    [
      'the rollback λ own audit writes (same request)',
      rollbackRecord('2026-11-25T13:00:00.000Z', '2026-11-25T13:00:00.000Z'),
    ],
    ['an image without a request', rollbackRecord()],
  ])('ignores %s', (_name, r) => {
    expect(rollbackKeyOf(r)).toBeNull();
  });
});
