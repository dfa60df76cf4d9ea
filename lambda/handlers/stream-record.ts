import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';

export interface ApprovalKey {
  readonly actionId: string;
  /** The approval's time: with the id, the idempotency key (a re-approval after FAILED is new work). */
  readonly approvedAt: string;
}

/**
 * The stream filter already keeps only images whose status is APPROVED; this also drops records
 * whose old image was APPROVED too (a same-state update), so one approval means one apply.
 */
export function approvalKeyOf(record: DynamoDBRecord): ApprovalKey | null {
  const next = imageOf(record.dynamodb?.NewImage);
  const previous = imageOf(record.dynamodb?.OldImage);
  if (next?.status !== 'APPROVED' || previous?.status === 'APPROVED') return null;
  const actionId = textOf(next.action_id);
  const approval = next.approval as { at?: unknown } | undefined;
  const approvedAt = textOf(approval?.at) ?? textOf(next.updated_at);
  return actionId && approvedAt ? { actionId, approvedAt } : null;
}

type StreamImage = NonNullable<NonNullable<DynamoDBRecord['dynamodb']>['NewImage']>;

/** The SDK's own unmarshalling of a stream image (the Lambda event's types are structurally the same). */
const imageOf = (image: StreamImage | undefined): Record<string, unknown> | null =>
  image ? unmarshall(image as Record<string, AttributeValue>) : null;

const textOf = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

/** A newly recorded rollback request: the work of the rollback λ (one request, one rollback). */
export interface RollbackKey {
  readonly actionId: string;
  readonly requestedAt: string;
}

/**
 * The stream filter keeps only images that carry a rollback request; this also drops records whose
 * old image carried the same request (the λ's own audit writes), so a request is acted on once.
 */
export function rollbackKeyOf(record: DynamoDBRecord): RollbackKey | null {
  const next = imageOf(record.dynamodb?.NewImage);
  const previous = imageOf(record.dynamodb?.OldImage);
  const requestedAt = textOf((next?.rollback as { at?: unknown } | undefined)?.at);
  const before = textOf((previous?.rollback as { at?: unknown } | undefined)?.at);
  const actionId = textOf(next?.action_id);
  if (!actionId || !requestedAt || before === requestedAt) return null;
  return { actionId, requestedAt };
}
