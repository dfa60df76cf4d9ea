import type { Approval } from './approval';
import type { Verdict } from './guardrails';
import type { Finding } from './model';
import type { Plan, RevokeTarget } from './plan';
import type { RollbackApproval, RollbackOutcome } from './rollback';
import type { ActionStatus } from './state-machine';

/** §6 status words, shared by the records, the audit rows and the actions table. */
export const RECORD_STATUSES = [
  'planned',
  'would-violate-protected-sg',
  'skipped_protected_sg',
  'skipped_no_sg_pointer',
  'skipped_wrong_source',
  'skipped_invalid_finding',
  'skipped_not_public',
  'skipped_account_boundary',
  'success',
  'already_absent',
  'failure',
  'verified',
  'drift',
  'unreachable',
] as const;
export type RecordStatus = (typeof RECORD_STATUSES)[number];

export type VerificationStatus = 'verified' | 'drift' | 'unreachable';

export interface HistoryEntry {
  readonly at: string;
  readonly from: ActionStatus | null;
  readonly to: ActionStatus;
  readonly by: string;
  readonly detail: string;
}

export type { Approval } from './approval';
export type { RollbackApproval, RollbackOutcome } from './rollback';

export interface Outcome {
  readonly status: RecordStatus;
  readonly detail: string;
  /** The rules AWS reported revoked (`RevokedSecurityGroupRules`): the after-image. */
  readonly revokedRules: readonly RevokeTarget[];
  readonly at: string;
  /** Live public rules of the approved shape that nobody approved: named, never revoked (DRIFT). */
  readonly unapprovedRules?: readonly RevokeTarget[];
}

export interface VerificationState {
  readonly status: VerificationStatus;
  /** When this state was last recorded with an audit row (a change, a threshold or a heartbeat). */
  readonly checkedAt: string;
  readonly detail: string;
  /** When the current drift episode began (null when not drifting). */
  readonly driftSince: string | null;
  readonly driftChecks: number;
  /** Consecutive UNREACHABLE checks (0 otherwise): crossing a threshold is audited. */
  readonly unreachableChecks?: number;
  /** The last transitions of the verification, newest last, bounded (the audit trail keeps all). */
  readonly recent?: readonly VerificationTransition[];
}

/** One recorded change of verification status (or an UNREACHABLE streak crossing a threshold). */
export interface VerificationTransition {
  readonly at: string;
  readonly status: VerificationStatus;
  readonly reason: string;
}

/** One row of the actions table: a flagged permission and everything that happened to it. */
export interface Action {
  readonly actionId: string;
  readonly status: ActionStatus;
  readonly recordStatus: RecordStatus;
  readonly statusDetail: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** Approval deadline: a PENDING_APPROVAL action past it becomes EXPIRED. */
  readonly approvalDeadline: string;
  readonly finding: Finding;
  /** Null only when no plan was possible (the finding has no public CIDR). */
  readonly plan: Plan | null;
  readonly guardrails: readonly Verdict[];
  readonly approval: Approval | null;
  readonly rejection: { readonly by: string; readonly reason: string; readonly at: string } | null;
  readonly outcome: Outcome | null;
  readonly verification: VerificationState | null;
  readonly history: readonly HistoryEntry[];
  /** Hash of the last audit row written for this action: the next row chains to it. */
  readonly auditHead: string | null;
  /** When reverify last checked the action (a check that changed nothing writes only this and `checks`). */
  readonly lastCheckedAt?: string | null;
  readonly checks?: number;
  /** The signed rollback request (set by the approval API; the rollback λ acts on it). */
  readonly rollback?: RollbackApproval | null;
  /** What the last rollback did: the restored rules with their new ids, or why nothing was. */
  readonly rollbackOutcome?: RollbackOutcome | null;
}

/**
 * A change to an action, applied by the store only if the action is still in `from`. `to` may equal
 * the current status: a same-state update (an audit row during APPLYING, a verification result).
 */
export interface ActionChange {
  readonly actionId: string;
  readonly from: readonly ActionStatus[];
  readonly to: ActionStatus;
  readonly patch: Partial<
    Pick<
      Action,
      | 'recordStatus'
      | 'statusDetail'
      | 'approval'
      | 'rejection'
      | 'outcome'
      | 'verification'
      | 'auditHead'
      | 'rollback'
      | 'rollbackOutcome'
    >
  >;
  readonly history: HistoryEntry;
  /**
   * An approval marker written with the change (in the audit table, where nothing is deleted): the
   * claim of an apply consumes its signed approval (`firstUse`: the write fails if it was consumed
   * before), and a rejection retires it, so it can never be replayed by writing the row back.
   */
  readonly consumes?: { readonly marker: string; readonly firstUse: boolean };
}
