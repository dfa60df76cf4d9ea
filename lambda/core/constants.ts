/**
 * Facts that the functions and the stack both rely on (STYLE §13): one copy, imported by
 * lambda/ and infra/, so the IAM policy, the table and the code cannot disagree.
 */

/** A security group carrying this tag key (any case, any value) is never revoked (DESIGN §5, §10). */
export const INTENTIONALLY_OPEN_TAG = 'intentionally-open';

/** The actions table's index by status (GET /actions, the sweeps). */
export const BY_STATUS_INDEX = 'by-status';

/** `source` of every lifecycle event sg-revoke puts, and of the rules that read them. */
export const EVENT_SOURCE = 'sg-revoke';

/**
 * Audit objects live under this prefix (DESIGN §7: `aws-sg-revoke/audit/YYYY/MM/DD/<sg_id>/`).
 * The trailing slash matters: the IAM grant `${AUDIT_PREFIX}*` must not reach a sibling such as
 * `aws-sg-revoke/audit-old/`.
 */
export const AUDIT_PREFIX = 'aws-sg-revoke/audit/';

/**
 * How long a plan waits for approval. At most a week: past that the live group has likely moved
 * away from what the approver would review; plan again instead.
 */
export const APPROVAL_TTL_HOURS = { default: 24, max: 168 } as const;

/** How long applied revokes are re-verified: at most a year, the default audit retention. */
export const VERIFY_WINDOW_DAYS = { default: 30, max: 365 } as const;
