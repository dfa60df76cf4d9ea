import type { Action, ActionChange, VerificationState } from './action';
import type { AuditRow } from './audit';
import type { InterfaceListing } from './impact';
import type { Ec2Purpose } from './member-roles';
import type { LiveRead, Where } from './model';
import type { RestoreRule } from './rollback';
import type { ActionStatus } from './state-machine';

/**
 * EC2 security groups, in any account and region: the hub's own with its role, a member's with the
 * member role of the call's purpose (reads with `read`, the revoke with `revoke`). Credentials that
 * cannot be had (AssumeRole denied) are read errors and revoke failures, never an empty answer.
 */
export interface SecurityGroups {
  /** The group's name, tags and ingress rules with their ids. Errors are values (`kind: 'error'`). */
  readGroup(where: Where, sgId: string): Promise<LiveRead>;
  /** Many groups of one account and region in as few describe pages as AWS allows (reverify). */
  readGroups(where: Where, sgIds: readonly string[]): Promise<ReadonlyMap<string, LiveRead>>;
  /** Revokes exactly these rule ids. Throws AccessDeniedError / ThrottledError / AwsCallError. */
  revokeRules(where: Where, sgId: string, ruleIds: readonly string[]): Promise<RevokeResult>;
}

/** Re-authorizes revoked ingress rules (the rollback λ's role alone may: DESIGN §13). */
export interface IngressRestorer {
  /**
   * Authorizes exactly these rules (protocol, ports, CIDR, description) in one call. Throws
   * AccessDeniedError / ThrottledError / AwsCallError; a duplicate or a missing group is a value.
   */
  authorizeRules(where: Where, sgId: string, rules: readonly RestoreRule[]): Promise<AuthorizeResult>;
}

export type AuthorizeResult =
  /** The ids AWS reports for the new rules (empty when it reports none: the describe tells). */
  | { readonly kind: 'authorized'; readonly ruleIds: readonly string[] }
  /** `InvalidPermission.Duplicate`: AWS added nothing because one rule of the call exists already. */
  | { readonly kind: 'duplicate'; readonly message: string }
  | { readonly kind: 'group-not-found'; readonly message: string };

export interface RevokedRule {
  readonly ruleId: string;
  readonly protocol: string;
  readonly fromPort: number | null;
  readonly toPort: number | null;
  readonly cidr: string | null;
}

export type RevokeResult =
  | {
      readonly kind: 'revoked';
      readonly revoked: readonly RevokedRule[];
      readonly unknownRuleIds: readonly string[];
      /** False when AWS sent no `RevokedSecurityGroupRules`: only the confirming describe can tell. */
      readonly afterImageReported: boolean;
    }
  /** `InvalidPermission.NotFound` / `InvalidSecurityGroupRuleId.NotFound` / the group is gone: converged. */
  | { readonly kind: 'not-found'; readonly message: string };

export interface CallerIdentity {
  /** The STS account and principal ARN of the credentials in use (cached per process). */
  whoAmI(): Promise<{ readonly account: string; readonly arn: string }>;
}

/**
 * Whose credentials sg-revoke acts with in an account: the STS identity (GetCallerIdentity made
 * with them) of the hub's own role in its own account, of the member role for `purpose` elsewhere.
 * Without member roles (single account) every account gets the hub's own identity, which the
 * caller-account guardrail then refuses for any other account. Throws when the credentials cannot
 * be had (AssumeRole denied): never an identity that was not checked.
 */
export interface AccountIdentity {
  identityIn(where: Where, purpose: Ec2Purpose): Promise<{ readonly account: string; readonly arn: string }>;
}

export interface Page<T> {
  readonly items: readonly T[];
  readonly cursor: string | null;
}

/**
 * The actions table, with the DynamoDB audit table written in the same transaction: a state
 * change and its audit row land together or not at all, and the audit chain cannot fork.
 */
export interface ActionStore {
  /** Write-once create; 'exists' when the action was already planned (duplicate delivery). */
  create(action: Action): Promise<'created' | 'exists'>;
  get(actionId: string): Promise<Action | null>;
  listByStatus(status: ActionStatus, limit: number, cursor: string | null): Promise<Page<Action>>;
  /**
   * Applies `change` only if the action is in one of `change.from` and its audit head is still
   * `audit.prev_hash`; appends `audit` (write-once). Throws ConflictError when the condition fails.
   */
  commit(change: ActionChange, audit: AuditRow | null, isoNow: string): Promise<Action>;
  /**
   * Actions whose rules were revoked at or after `sinceIso`, oldest first, from the sparse watch index
   * (eventually consistent, projected: no plan, no history). Actions revoked earlier are never read.
   */
  listWatched(sinceIso: string, limit: number, cursor: string | null): Promise<Page<WatchedAction>>;
  /**
   * Records one reverify check, never a status change or a history entry: without `change` only
   * `lastCheckedAt`, `checks` and the streak counters move; with it the verification state and its
   * audit row land together. 'superseded' when the action changed meanwhile or this sweep already
   * recorded it (a retried run): nothing was written and nothing is lost.
   */
  recordCheck(check: CheckWrite): Promise<'recorded' | 'superseded'>;
}

/** What reverify reads of a watched action. */
export type WatchedAction = Pick<
  Action,
  'actionId' | 'status' | 'finding' | 'outcome' | 'verification' | 'auditHead'
> & {
  /** When the action entered its watch (the revoke): the verify window counts from here. */
  readonly watchedSince: string;
};

export interface CheckWrite {
  readonly actionId: string;
  /** The state and audit head the check was made against: the write's condition. */
  readonly status: Action['status'];
  readonly auditHead: string | null;
  /** One write per action per sweep: a retried run cannot record an action twice. */
  readonly sweepId: string;
  readonly checkedAt: string;
  readonly driftChecks: number;
  readonly unreachableChecks: number;
  readonly change: { readonly verification: VerificationState; readonly audit: AuditRow } | null;
}

/** Where a reverify sweep stands, so a run out of time (or retried) continues instead of starting over. */
export interface SweepCheckpoint {
  readonly sweepId: string;
  readonly startedAt: string;
  /** The watch-index page to read next; null before the first page. */
  readonly cursor: string | null;
  readonly done: boolean;
}

export interface SweepCheckpoints {
  load(): Promise<SweepCheckpoint | null>;
  save(checkpoint: SweepCheckpoint): Promise<void>;
}

/** The S3 half of the dual audit: one SSE-KMS object per audit row. Returns its s3:// URI. */
export interface EvidenceStore {
  put(row: AuditRow): Promise<string>;
}

export interface LifecycleEvent {
  readonly detailType: string;
  readonly detail: Record<string, unknown>;
}

export interface EventPublisher {
  /** Batches of at most 10; failed entries retried; throws if any entry still fails. */
  publish(events: readonly LifecycleEvent[]): Promise<void>;
}

export interface Clock {
  nowMs(): number;
}

/** Signs approvals with the stack's asymmetric key: only the approval API's role may (DESIGN §11). */
export interface ApprovalSigner {
  readonly keyId: string;
  /** Base64 DER ECDSA signature of the payload's UTF-8 bytes. */
  sign(payload: string): Promise<string>;
}

/** Checks approval signatures with the public key (fetched once), so apply makes no KMS call each time. */
export interface ApprovalVerifier {
  readonly keyId: string;
  verify(payload: string, signature: string): Promise<boolean>;
}

/** The DynamoDB half of the audit, read back (audit verify). */
export interface AuditTrail {
  /** Every audit row of the action, oldest first. */
  rowsOf(action: { readonly actionId: string; readonly sgId: string }): Promise<AuditRow[]>;
}

/** The S3 half of the audit, read back: the OLDEST version of an object is its anchor. */
export interface EvidenceArchive {
  /** The body of the key's oldest version and how many versions exist; null when absent. */
  oldest(s3Key: string): Promise<{ readonly body: string; readonly versions: number } | null>;
}

/** The network interfaces that carry a group (the impact preview). */
export interface NetworkInterfaces {
  /** Every interface with `sgId` among its groups. Errors are values (`kind: 'error'`), never thrown. */
  listByGroup(where: Where, sgId: string): Promise<InterfaceListing>;
}

/** One bounded Logs Insights query over the deployment's VPC Flow Logs group. */
export interface FlowLogQuery {
  readonly queryString: string;
  /** Epoch seconds. */
  readonly startTime: number;
  readonly endTime: number;
  readonly limit: number;
  /** Epoch ms after which the query is stopped and reported unavailable. */
  readonly deadlineMs: number;
}

export type FlowLogAnswer =
  | { readonly kind: 'complete'; readonly results: unknown }
  | { readonly kind: 'unavailable'; readonly reason: string };

/** VPC Flow Logs evidence (optional: only when the deployment names a log group). */
export interface FlowLogs {
  readonly logGroup: string;
  /** The log group's region: interfaces of another region are never in it. */
  readonly region: string;
  readonly days: number;
  /** Never throws: a failed, cancelled or slow query is `unavailable` with its reason. */
  run(query: FlowLogQuery): Promise<FlowLogAnswer>;
}
