import type { RecordStatus, VerificationStatus } from './action';
import { AUDIT_PREFIX } from './constants';
import { canonicalJson, sha256Hex, shortHash } from './hash';
import type { RevokeTarget } from './plan';
import { SCHEMA_VERSION, SOURCE_SKILL } from './records';
import type { RestoredRule } from './rollback';

export type AuditStep =
  | 'approve'
  | 'reject'
  | 'expire'
  | 'revoke_before'
  | 'revoke_after'
  | 'verify'
  /** Operator rows (kill switch, circuit breaker): the `operator` partition, never an action's trail. */
  | 'pause'
  | 'resume'
  | 'rollback_approve'
  | 'rollback_before'
  | 'rollback_after';
export type AuditStatus =
  | RecordStatus
  | VerificationStatus
  | 'in_progress'
  | 'approved'
  | 'rejected'
  | 'expired'
  | 'blocked'
  | 'paused'
  | 'resumed';

/** The facts of one audited step, before the keys and the hash chain are added. */
export interface AuditFacts {
  readonly actionId: string;
  readonly findingUid: string;
  readonly accountUid: string;
  readonly region: string;
  readonly sgId: string;
  readonly sgName: string;
  readonly rules: readonly RevokeTarget[];
  readonly step: AuditStep;
  readonly status: AuditStatus;
  readonly detail: string;
  readonly incidentId: string | null;
  readonly approver: string | null;
  /** The principal whose credentials act (the Lambda role, or the CLI user). */
  readonly caller: string;
  readonly mode: 'lambda' | 'cli';
  /** The after-image on revoke_after: what AWS reported revoked. */
  readonly revokedRules?: readonly RevokeTarget[];
  /** Rollback rows only: the rules to restore (BEFORE) or restored, with their new ids (AFTER). */
  readonly restoredRules?: readonly RestoredRule[];
}

/** One write-once audit row: the same body goes to DynamoDB and to S3. */
export interface AuditRow {
  readonly schema_mode: 'native';
  readonly canonical_schema_version: string;
  readonly record_type: 'remediation_audit';
  readonly source_skill: string;
  readonly sg_id: string;
  readonly action_at: string;
  readonly row_uid: string;
  readonly action_id: string;
  readonly finding_uid: string;
  readonly account_uid: string;
  readonly region: string;
  readonly sg_name: string;
  readonly rules: readonly RevokeTarget[];
  readonly revoked_rules: readonly RevokeTarget[];
  /** Present on rollback rows only, so every earlier row keeps its hash. */
  readonly restored_rules?: readonly RestoredRule[];
  readonly step: AuditStep;
  readonly status: AuditStatus;
  readonly status_detail: string;
  readonly incident_id: string | null;
  readonly approver: string | null;
  readonly caller: string;
  readonly mode: 'lambda' | 'cli';
  readonly prev_hash: string | null;
  readonly row_hash: string;
  readonly s3_key: string;
}

export { AUDIT_PREFIX };

const safe = (text: string) => text.replace(/[^A-Za-z0-9._-]/g, '-');

/**
 * The sort key is the ISO time plus the action and step, so two actions on one group in the same
 * millisecond never collide on the write-once key.
 */
export function auditKeyOf(facts: Pick<AuditFacts, 'actionId' | 'step'>, isoNow: string): string {
  return `${isoNow}#${facts.actionId}#${facts.step}`;
}

export function s3KeyOf(sgId: string, actionAt: string): string {
  const [year, month, day] = actionAt.slice(0, 10).split('-');
  return `${AUDIT_PREFIX}${year}/${month}/${day}/${safe(sgId)}/${safe(actionAt)}.json`;
}

/** Builds the row and chains it to the previous row of the same action (tamper evidence). */
export function buildAuditRow(facts: AuditFacts, isoNow: string, prevHash: string | null): AuditRow {
  const actionAt = auditKeyOf(facts, isoNow);
  const body = {
    schema_mode: 'native' as const,
    canonical_schema_version: SCHEMA_VERSION,
    record_type: 'remediation_audit' as const,
    source_skill: SOURCE_SKILL,
    sg_id: facts.sgId,
    action_at: actionAt,
    row_uid: shortHash('sgrev', { action: facts.actionId, at: actionAt }),
    action_id: facts.actionId,
    finding_uid: facts.findingUid,
    account_uid: facts.accountUid,
    region: facts.region,
    sg_name: facts.sgName,
    rules: facts.rules,
    revoked_rules: facts.revokedRules ?? [],
    ...(facts.restoredRules ? { restored_rules: facts.restoredRules } : {}),
    step: facts.step,
    status: facts.status,
    status_detail: facts.detail,
    incident_id: facts.incidentId,
    approver: facts.approver,
    caller: facts.caller,
    mode: facts.mode,
    prev_hash: prevHash,
    s3_key: s3KeyOf(facts.sgId, actionAt),
  };
  return { ...body, row_hash: sha256Hex(canonicalJson(body)) };
}

/** Recomputes each row's hash and its link to the one before: the index of the first bad row, or -1. */
export function verifyAuditChain(rows: readonly AuditRow[]): number {
  let prev: string | null = null;
  for (const [i, row] of rows.entries()) {
    const { row_hash, ...body } = row;
    if (row.prev_hash !== prev || sha256Hex(canonicalJson(body)) !== row_hash) return i;
    prev = row_hash;
  }
  return -1;
}
