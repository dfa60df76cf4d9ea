import { type DynamoDBDocumentClient, paginateQuery } from '@aws-sdk/lib-dynamodb';
import type { AuditRow } from '../core/audit';
import type { AuditTrail } from '../core/ports';
import { translated } from './aws-errors';

/** The audit table read back: rows are keyed by group, so one action's rows are a filtered query. */
export class DynamoDbAuditTrail implements AuditTrail {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async rowsOf(action: { readonly actionId: string; readonly sgId: string }): Promise<AuditRow[]> {
    const rows: AuditRow[] = [];
    const pages = paginateQuery(
      { client: this.doc },
      {
        TableName: this.table,
        KeyConditionExpression: 'sg_id = :sg',
        FilterExpression: 'action_id = :id',
        ExpressionAttributeValues: { ':sg': action.sgId, ':id': action.actionId },
        ConsistentRead: true,
      },
    );
    await translated(`Query ${this.table} ${action.sgId}`, async () => {
      // The row's TTL (when a retention is configured) is storage metadata, outside the hashed body.
      for await (const page of pages) {
        for (const { expires_at_epoch: _ttl, ...row } of page.Items ?? []) rows.push(row as AuditRow);
      }
    });
    return rows;
  }
}
