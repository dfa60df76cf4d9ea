export const ACTION_STATUSES = [
  'PENDING_APPROVAL',
  'APPROVED',
  'APPLYING',
  'APPLIED',
  'ALREADY_ABSENT',
  'BLOCKED',
  'FAILED',
  'REJECTED',
  'EXPIRED',
  'SKIPPED',
  'ROLLED_BACK',
] as const;
export type ActionStatus = (typeof ACTION_STATUSES)[number];

/**
 * DESIGN §2. FAILED may be approved again, rejected, or expire like a pending plan (so it is never a
 * state nobody can leave); SKIPPED and the other end states are final.
 */
const TRANSITIONS: Readonly<Record<ActionStatus, readonly ActionStatus[]>> = {
  // → APPLYING: the CLI's local approval, recorded in the same write as its claim (never streamed).
  PENDING_APPROVAL: ['APPROVED', 'APPLYING', 'REJECTED', 'EXPIRED'],
  APPROVED: ['APPLYING'],
  APPLYING: ['APPLIED', 'ALREADY_ABSENT', 'BLOCKED', 'FAILED'],
  FAILED: ['APPROVED', 'APPLYING', 'REJECTED', 'EXPIRED'],
  // An approved rollback re-authorized the revoked rules (DESIGN §13); the request and its claim
  // are recorded on the action without a status of their own (same-state, audited).
  APPLIED: ['ROLLED_BACK'],
  ALREADY_ABSENT: ['ROLLED_BACK'],
  BLOCKED: [],
  REJECTED: [],
  EXPIRED: [],
  SKIPPED: [],
  ROLLED_BACK: [],
};

export function canTransition(from: ActionStatus, to: ActionStatus): boolean {
  return TRANSITIONS[from].includes(to);
}
