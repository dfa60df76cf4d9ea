import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Action, ActionChange } from '../core/action';
import type { AuditRow } from '../core/audit';
import { AwsCallError } from '../core/errors';
import type { ActionStore, CheckWrite, Page, WatchedAction } from '../core/ports';
import type { ActionStatus } from '../core/state-machine';
import { WATCH_INDEX, WATCH_KEY, WATCH_KEY_VALUE, WATCH_SINCE } from '../core/watch-index';
import { awsErrorCode, translateAwsError, translated } from './aws-errors';
import {
  BY_STATUS_INDEX,
  decodeCursor,
  decodeWatchCursor,
  encodeCursor,
  fromItem,
  toItem,
  watchedFromItem,
} from './dynamodb-action-item';
import { checkUpdateOf, withWatch } from './dynamodb-check';
import { sendTransaction, translateCommitError, updateOf } from './dynamodb-commit';

export { InvalidCursorError } from '../core/errors';

/** The audit-table partition of consumed approvals (never a security group id). */
export const CONSUMED_APPROVALS = 'consumed-approvals';

export interface ActionTables {
  readonly actions: string;
  /** Needed only by callers that commit audit rows (not by the plan λ). */
  readonly audit?: string;
  /**
   * Days after which the audit table's TTL may remove a row (attribute `expires_at_epoch`, not part of
   * the hashed body); unset keeps rows for ever. The S3 object, under Object Lock, is the anchor.
   */
  readonly auditRowRetentionDays?: number;
}

/** The audit table's TTL attribute: storage metadata, outside the row's hash. */
export const AUDIT_ROW_EXPIRY = 'expires_at_epoch';

export class DynamoDbActionStore implements ActionStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tables: ActionTables,
  ) {}

  async create(action: Action): Promise<'created' | 'exists'> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tables.actions,
          Item: toItem(action),
          ConditionExpression: 'attribute_not_exists(action_id)',
        }),
      );
      return 'created';
    } catch (error) {
      if (awsErrorCode(error) === 'ConditionalCheckFailedException') return 'exists';
      throw translateAwsError(error, `PutItem ${action.actionId}`);
    }
  }

  async get(actionId: string): Promise<Action | null> {
    const out = await translated(`GetItem ${actionId}`, () =>
      this.doc.send(
        new GetCommand({
          TableName: this.tables.actions,
          Key: { action_id: actionId },
          ConsistentRead: true,
        }),
      ),
    );
    return out.Item ? fromItem(out.Item) : null;
  }

  async listByStatus(status: ActionStatus, limit: number, cursor: string | null): Promise<Page<Action>> {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be positive: ${limit}`);
    const startKey = cursor === null ? undefined : decodeCursor(cursor, status);
    const out = await translated(`Query ${BY_STATUS_INDEX} ${status}`, () =>
      this.doc.send(
        new QueryCommand({
          TableName: this.tables.actions,
          IndexName: BY_STATUS_INDEX,
          KeyConditionExpression: '#status = :status',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':status': status },
          ScanIndexForward: true,
          Limit: limit,
          ExclusiveStartKey: startKey,
        }),
      ),
    );
    return {
      items: (out.Items ?? []).map(fromItem),
      cursor: out.LastEvaluatedKey ? encodeCursor(out.LastEvaluatedKey) : null,
    };
  }

  /** State change and audit row in one transaction: both land or neither (DESIGN §7). */
  async commit(change: ActionChange, audit: AuditRow | null, isoNow: string): Promise<Action> {
    const update = {
      Update: {
        TableName: this.tables.actions,
        Key: { action_id: change.actionId },
        ...withWatch(updateOf(change, audit, isoNow), change, isoNow),
        // Lets a lost condition say why: the current item comes back in the cancellation reason.
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
      },
    };
    if ((audit || change.consumes) && !this.tables.audit) {
      throw new Error('this action store has no audit table configured');
    }
    const put = audit && {
      Put: {
        TableName: this.tables.audit,
        Item: this.auditItem(audit, isoNow),
        ConditionExpression: 'attribute_not_exists(sg_id)',
      },
    };
    try {
      // The consumed-approval marker lives in the audit table, where no role may delete: once written,
      // that signed approval can never be applied again.
      const marker = change.consumes && {
        Put: {
          TableName: this.tables.audit,
          Item: {
            sg_id: CONSUMED_APPROVALS,
            action_at: change.consumes.marker,
            consumed_by: change.actionId,
            at: isoNow,
          },
          // A claim must be the approval's first use; a rejection retires it whether or not it was.
          ...(change.consumes.firstUse && { ConditionExpression: 'attribute_not_exists(sg_id)' }),
        },
      };
      const input = { TransactItems: [update, ...(put ? [put] : []), ...(marker ? [marker] : [])] };
      await sendTransaction(() => this.doc.send(new TransactWriteCommand(input)));
    } catch (error) {
      throw translateCommitError(error, change, audit);
    }
    const action = await this.get(change.actionId);
    if (!action) throw new AwsCallError(`action ${change.actionId} vanished after its commit`, undefined);
    return action;
  }

  async listWatched(sinceIso: string, limit: number, cursor: string | null): Promise<Page<WatchedAction>> {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be positive: ${limit}`);
    const out = await translated(`Query ${WATCH_INDEX} since ${sinceIso}`, () =>
      this.doc.send(
        new QueryCommand({
          TableName: this.tables.actions,
          IndexName: WATCH_INDEX,
          // The range condition is what keeps actions past the window from being read at all.
          KeyConditionExpression: '#wk = :wk AND #ws >= :since',
          ExpressionAttributeNames: { '#wk': WATCH_KEY, '#ws': WATCH_SINCE },
          ExpressionAttributeValues: { ':wk': WATCH_KEY_VALUE, ':since': sinceIso },
          ScanIndexForward: true,
          Limit: limit,
          ExclusiveStartKey: cursor === null ? undefined : decodeWatchCursor(cursor),
        }),
      ),
    );
    return {
      items: (out.Items ?? []).map(watchedFromItem),
      cursor: out.LastEvaluatedKey ? encodeCursor(out.LastEvaluatedKey) : null,
    };
  }

  /** A confirming check is one small UpdateItem; a recorded one adds its audit row in a transaction. */
  async recordCheck(check: CheckWrite): Promise<'recorded' | 'superseded'> {
    const update = {
      TableName: this.tables.actions,
      Key: { action_id: check.actionId },
      ...checkUpdateOf(check),
    };
    try {
      if (!check.change) {
        await this.doc.send(new UpdateCommand(update));
        return 'recorded';
      }
      if (!this.tables.audit) throw new Error('this action store has no audit table configured');
      const put = {
        TableName: this.tables.audit,
        Item: this.auditItem(check.change.audit, check.checkedAt),
        ConditionExpression: 'attribute_not_exists(sg_id)',
      };
      await this.doc.send(new TransactWriteCommand({ TransactItems: [{ Update: update }, { Put: put }] }));
      return 'recorded';
    } catch (error) {
      const code = awsErrorCode(error);
      const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
      if (code === 'ConditionalCheckFailedException') return 'superseded';
      if (code === 'TransactionCanceledException' && reasons[0]?.Code === 'ConditionalCheckFailed') {
        return 'superseded';
      }
      throw translateAwsError(error, `record check ${check.actionId}`);
    }
  }

  private auditItem(audit: AuditRow, isoNow: string): Record<string, unknown> {
    const days = this.tables.auditRowRetentionDays;
    if (days === undefined) return { ...audit };
    return { ...audit, [AUDIT_ROW_EXPIRY]: Math.floor(Date.parse(isoNow) / 1000) + days * 86_400 };
  }
}
