import {
  type DynamoDBDocumentClient,
  GetCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { AuditRow } from '../core/audit';
import { type ControlStore, NOT_PAUSED, PAUSE_KEY, type PauseState, type Versioned } from '../core/limits';
import { awsErrorCode, translateAwsError, translated } from './aws-errors';

/**
 * The kill switch and the limit counters, as items of the actions table keyed outside the action-id
 * space (`control#…`, `limits#…`). They carry no `status`, so no index of actions ever lists them.
 */
export class DynamoDbControlStore implements ControlStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tables: { readonly actions: string; readonly audit: string },
  ) {}

  async readPause(): Promise<Versioned<PauseState>> {
    const item = await this.read(PAUSE_KEY);
    if (!item) return { value: NOT_PAUSED, version: 0 };
    if (typeof item.paused !== 'boolean') throw new Error(`${PAUSE_KEY} has no boolean \`paused\``);
    return {
      value: {
        paused: item.paused,
        reason: textOrNull(item.reason),
        by: textOrNull(item.by),
        at: textOrNull(item.at),
        auditHead: textOrNull(item.audit_head),
      },
      version: versionOf(item),
    };
  }

  async writePause(
    next: PauseState,
    audit: AuditRow,
    expectedVersion: number,
  ): Promise<'written' | 'conflict'> {
    const update = {
      TableName: this.tables.actions,
      Key: { action_id: PAUSE_KEY },
      ...versionedSet(
        { paused: next.paused, reason: next.reason, by: next.by, at: next.at, audit_head: next.auditHead },
        expectedVersion,
      ),
    };
    const put = {
      TableName: this.tables.audit,
      Item: { ...audit },
      ConditionExpression: 'attribute_not_exists(sg_id)',
    };
    try {
      await this.doc.send(new TransactWriteCommand({ TransactItems: [{ Update: update }, { Put: put }] }));
      return 'written';
    } catch (error) {
      const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
      if (
        awsErrorCode(error) === 'TransactionCanceledException' &&
        reasons[0]?.Code === 'ConditionalCheckFailed'
      ) {
        return 'conflict';
      }
      throw translateAwsError(error, `TransactWriteItems ${PAUSE_KEY}`);
    }
  }

  async readStamps(key: string): Promise<Versioned<readonly number[]>> {
    const item = await this.read(key);
    if (!item) return { value: [], version: 0 };
    const stamps = item.stamps;
    if (!Array.isArray(stamps) || !stamps.every((s) => typeof s === 'number')) {
      throw new Error(`${key} has no list of timestamps`);
    }
    return { value: stamps as number[], version: versionOf(item) };
  }

  async writeStamps(
    key: string,
    stamps: readonly number[],
    expectedVersion: number,
  ): Promise<'written' | 'conflict'> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tables.actions,
          Key: { action_id: key },
          ...versionedSet({ stamps: [...stamps] }, expectedVersion),
        }),
      );
      return 'written';
    } catch (error) {
      if (awsErrorCode(error) === 'ConditionalCheckFailedException') return 'conflict';
      throw translateAwsError(error, `UpdateItem ${key}`);
    }
  }

  private async read(key: string): Promise<Record<string, unknown> | undefined> {
    const out = await translated(`GetItem ${key}`, () =>
      this.doc.send(
        new GetCommand({ TableName: this.tables.actions, Key: { action_id: key }, ConsistentRead: true }),
      ),
    );
    return out.Item;
  }
}

/**
 * SET the fields and bump `version`, only if the version is still the one read (absent for 0): two
 * containers that read the same list cannot both write it, so neither can take the same last slot.
 */
export function versionedSet(fields: Record<string, unknown>, expectedVersion: number) {
  const names: Record<string, string> = { '#version': 'version' };
  const values: Record<string, unknown> = { ':next': expectedVersion + 1 };
  const sets = ['#version = :next'];
  for (const [name, value] of Object.entries(fields)) {
    names[`#f_${name}`] = name;
    values[`:f_${name}`] = value;
    sets.push(`#f_${name} = :f_${name}`);
  }
  let condition = '#version = :expected';
  if (expectedVersion > 0) values[':expected'] = expectedVersion;
  else {
    condition = 'attribute_not_exists(#key)';
    names['#key'] = 'action_id';
  }
  return {
    UpdateExpression: `SET ${sets.join(', ')}`,
    ConditionExpression: condition,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

const textOrNull = (value: unknown): string | null => (typeof value === 'string' ? value : null);

function versionOf(item: Record<string, unknown>): number {
  const version = item.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    throw new Error(`control item ${String(item.action_id)} has no valid version`);
  }
  return version;
}
