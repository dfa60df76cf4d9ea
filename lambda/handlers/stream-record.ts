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
  const next = record.dynamodb?.NewImage;
  const previous = record.dynamodb?.OldImage;
  if (next?.status?.S !== 'APPROVED' || previous?.status?.S === 'APPROVED') return null;
  const actionId = next.action_id?.S;
  const approvedAt = next.approval?.M?.at?.S ?? next.updated_at?.S;
  return actionId && approvedAt ? { actionId, approvedAt } : null;
}
