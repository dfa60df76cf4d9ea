import { err, ok, type Result } from './result';

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
  APPLIED: [],
  ALREADY_ABSENT: [],
  BLOCKED: [],
  REJECTED: [],
  EXPIRED: [],
  SKIPPED: [],
};

export interface IllegalTransition {
  readonly kind: 'illegal-transition';
  readonly from: ActionStatus;
  readonly to: ActionStatus;
}

export function canTransition(from: ActionStatus, to: ActionStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

export function transition(from: ActionStatus, to: ActionStatus): Result<ActionStatus, IllegalTransition> {
  return canTransition(from, to) ? ok(to) : err({ kind: 'illegal-transition', from, to });
}

/** The states from which `to` may be entered: the condition of the conditional write. */
export function sourcesOf(to: ActionStatus): ActionStatus[] {
  return ACTION_STATUSES.filter((from) => TRANSITIONS[from].includes(to));
}

export const isApplied = (s: ActionStatus): boolean => s === 'APPLIED' || s === 'ALREADY_ABSENT';
