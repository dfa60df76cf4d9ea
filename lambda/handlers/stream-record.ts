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
