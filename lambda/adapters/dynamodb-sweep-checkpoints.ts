import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { SweepCheckpoint, SweepCheckpoints } from '../core/ports';
import { translated } from './aws-errors';

/**
 * The reverify sweep's cursor, one item in the actions table. Its key is no action id (the API only
 * serves `sgrev-…` ids) and it has no `status` or watch keys, so no index and no listing sees it.
 */
export const CHECKPOINT_KEY = 'reverify#sweep';

export class DynamoDbSweepCheckpoints implements SweepCheckpoints {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async load(): Promise<SweepCheckpoint | null> {
    const out = await translated(`GetItem ${CHECKPOINT_KEY}`, () =>
      this.doc.send(
        new GetCommand({ TableName: this.table, Key: { action_id: CHECKPOINT_KEY }, ConsistentRead: true }),
      ),
    );
    const item = out.Item;
    if (!item || typeof item.sweep_id !== 'string') return null;
    return {
      sweepId: item.sweep_id,
      startedAt: item.started_at as string,
      cursor: (item.cursor ?? null) as string | null,
      done: item.done === true,
    };
  }

  async save(c: SweepCheckpoint): Promise<void> {
    await translated(`UpdateItem ${CHECKPOINT_KEY}`, () =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { action_id: CHECKPOINT_KEY },
          UpdateExpression: 'SET sweep_id = :s, started_at = :t, #cursor = :c, done = :d',
          ExpressionAttributeNames: { '#cursor': 'cursor' },
          ExpressionAttributeValues: { ':s': c.sweepId, ':t': c.startedAt, ':c': c.cursor, ':d': c.done },
        }),
      ),
    );
  }
}
