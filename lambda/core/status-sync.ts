import { canonicalJson } from './hash';
import type { FindingOrigin } from './model';

/**
 * What Security Hub is told about the finding an action came from (DESIGN §12). Pure: one lifecycle
 * event in, at most one update out, the same update for the same event (the write-back is idempotent).
 */
export type OcsfStatusId = 1 | 2 | 3 | 4;
export type AsffWorkflowStatus = 'NEW' | 'NOTIFIED' | 'SUPPRESSED' | 'RESOLVED';

export type StatusUpdate =
  | {
      readonly kind: 'securityhub-ocsf';
      readonly identifier: {
        readonly CloudAccountUid: string;
        readonly FindingInfoUid: string;
        readonly MetadataProductUid: string;
      };
      readonly statusId: OcsfStatusId;
      readonly comment: string;
    }
  | {
      readonly kind: 'securityhub-asff';
      readonly identifier: { readonly Id: string; readonly ProductArn: string };
      readonly workflowStatus: AsffWorkflowStatus;
      readonly note: string;
    };

/** The port the status-sync function writes through (adapters/securityhub-finding-status.ts). */
export interface FindingStatusWriter {
  write(update: StatusUpdate): Promise<void>;
}

/** Both APIs cap the comment / note at 512 characters. */
export const COMMENT_LIMIT = 512;

/** The lifecycle events that change a source finding's status (the status-sync rule matches these). */
export const STATUS_SYNC_DETAIL_TYPES = [
  'Action Planned',
  'Action Verified',
  'Drift Detected',
  'Action Skipped',
  'Action Rejected',
  'Action Rolled Back',
] as const;

/** Skips decided by a guardrail: Security Hub hears "Suppressed" with the reason. */
// Never `skipped_account_boundary`: a finding of an account this deployment may not touch is not ours
// to suppress (it would hide an open group from its own account's owners).
const GUARDRAIL_SKIPS: ReadonlySet<string> = new Set(['skipped_protected_sg']);

type Transition = {
  readonly status: 'new' | 'in-progress' | 'suppressed' | 'resolved';
  readonly text: string;
};

const OCSF: Record<Transition['status'], OcsfStatusId> = {
  new: 1,
  'in-progress': 2,
  suppressed: 3,
  resolved: 4,
};
const ASFF: Record<Transition['status'], AsffWorkflowStatus> = {
  new: 'NEW',
  'in-progress': 'NOTIFIED',
  suppressed: 'SUPPRESSED',
  resolved: 'RESOLVED',
};

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const str = (value: unknown): string => (typeof value === 'string' ? value : '');

/** Cut to the limit on a code-point boundary (never half a surrogate pair), marking the cut. */
export function truncateComment(text: string, limit = COMMENT_LIMIT): string {
  if (text.length <= limit) return text;
  let out = '';
  for (const ch of text) {
    if (out.length + ch.length > limit - 1) break;
    out += ch;
  }
  return `${out}…`;
}

function ruleIdsOf(detail: Record<string, unknown>): string {
  const rules = Array.isArray(detail.rules) ? detail.rules : [];
  const ids = rules.map((r) => (isRecord(r) ? str(r.ruleId) : '')).filter(Boolean);
  return ids.length > 0 ? ids.join(', ') : 'none';
}

function transitionOf(detailType: string, d: Record<string, unknown>): Transition | null {
  const id = str(d.action_id);
  switch (detailType) {
    case 'Action Planned':
      return {
        status: 'in-progress',
        text: `sg-revoke action ${id} planned, awaiting approval; rules: ${ruleIdsOf(d)}`,
      };
    case 'Action Verified':
      return {
        status: 'resolved',
        text: `sg-revoke action ${id} revoked and re-verified; audit evidence ${str(d.evidence_uri)}; rules: ${ruleIdsOf(d)}`,
      };
    case 'Drift Detected':
      return { status: 'new', text: `sg-revoke action ${id}: DRIFT, the revoked exposure is open again` };
    case 'Action Skipped':
      if (!GUARDRAIL_SKIPS.has(str(d.record_status))) return null;
      return { status: 'suppressed', text: `sg-revoke skipped action ${id}: ${str(d.status_detail)}` };
    case 'Action Rejected':
      return { status: 'suppressed', text: `sg-revoke action ${id} rejected: ${str(d.status_detail)}` };
    case 'Action Rolled Back':
      return { status: 'new', text: `sg-revoke action ${id} rolled back: the revoked rules are open again` };
    default:
      return null;
  }
}

/**
 * Security Hub's own product (its controls' findings): ASFF `product/aws/securityhub`, OCSF
 * `productv2/aws/securityhub`. sg-revoke writes back to nothing else (another product's findings,
 * a custom import) whatever an event or a row names.
 */
export const SECURITY_HUB_PRODUCT =
  /^arn:aws(?:-[a-z]+)*:securityhub:[a-z0-9-]+::product(?:v2)?\/aws\/securityhub$/;

export function originOf(value: unknown): FindingOrigin | null {
  if (!isRecord(value)) return null;
  if (value.kind === 'securityhub-ocsf') {
    const [a, f, p] = [str(value.cloudAccountUid), str(value.findingInfoUid), str(value.metadataProductUid)];
    return a && f && SECURITY_HUB_PRODUCT.test(p)
      ? { kind: value.kind, cloudAccountUid: a, findingInfoUid: f, metadataProductUid: p }
      : null;
  }
  if (value.kind === 'securityhub-asff') {
    const [id, productArn] = [str(value.id), str(value.productArn)];
    return id && SECURITY_HUB_PRODUCT.test(productArn) ? { kind: value.kind, id, productArn } : null;
  }
  return null;
}

/** The update one lifecycle event asks for, or null (no origin: a detector finding; or no change). */
export function statusUpdateOf(detailType: string, detail: unknown): StatusUpdate | null {
  if (!isRecord(detail)) return null;
  const origin = originOf(detail.origin);
  const transition = origin ? transitionOf(detailType, detail) : null;
  if (!origin || !transition) return null;
  const text = truncateComment(transition.text);
  if (origin.kind === 'securityhub-ocsf') {
    return {
      kind: origin.kind,
      identifier: {
        CloudAccountUid: origin.cloudAccountUid,
        FindingInfoUid: origin.findingInfoUid,
        MetadataProductUid: origin.metadataProductUid,
      },
      statusId: OCSF[transition.status],
      comment: text,
    };
  }
  return {
    kind: origin.kind,
    identifier: { Id: origin.id, ProductArn: origin.productArn },
    workflowStatus: ASFF[transition.status],
    note: text,
  };
}

/**
 * Whether the stored action backs what a lifecycle event says (the event alone is never trusted: a
 * role that may put to the lifecycle bus could name any finding or claim any outcome). The action
 * must hash to its id, its finding must come from this origin (the origin's id and account are the
 * finding's, which the action id covers), its account must be on the allow-list, and its state must
 * be the one the event reports. `pending` when the state is not recorded yet (reverify publishes
 * `Action Verified` / `Drift Detected` just before it records the check): retried, then alarmed.
 */
export function backingProblem(
  detailType: string,
  detail: Readonly<Record<string, unknown>>,
  action: {
    readonly actionIdMatches: boolean;
    readonly status: string;
    readonly recordStatus: string;
    readonly verification: string | null;
    readonly findingUid: string;
    readonly accountUid: string;
    readonly origin: FindingOrigin | null;
  },
  allowedAccounts: ReadonlySet<string>,
): { readonly kind: 'refused' | 'pending'; readonly reason: string } | null {
  const refused = (reason: string) => ({ kind: 'refused' as const, reason });
  if (!action.actionIdMatches) return refused("the stored finding does not hash to the action's id");
  const origin = action.origin;
  if (!origin || canonicalJson(origin) !== canonicalJson(originOf(detail.origin))) {
    return refused("the event's origin is not the stored finding's");
  }
  const originId = origin.kind === 'securityhub-ocsf' ? origin.findingInfoUid : origin.id;
  if (originId !== action.findingUid) return refused("the origin is not the action's finding");
  if (origin.kind === 'securityhub-ocsf' && origin.cloudAccountUid !== action.accountUid) {
    return refused("the origin's account is not the finding's");
  }
  if (!allowedAccounts.has(action.accountUid)) return refused(`account ${action.accountUid} is not allowed`);
  const pending = (reason: string) => ({ kind: 'pending' as const, reason });
  switch (detailType) {
    case 'Action Planned':
      return action.status === 'SKIPPED' ? refused('the action was never planned') : null;
    case 'Action Verified':
      return action.verification === 'verified' ? null : pending('the action is not recorded as verified');
    case 'Drift Detected':
      return action.verification === 'drift' ? null : pending('the action is not recorded as drifting');
    case 'Action Skipped':
      return action.status === 'SKIPPED' && action.recordStatus === str(detail.record_status)
        ? null
        : refused('the action is not skipped so');
    case 'Action Rejected':
      return action.status === 'REJECTED' ? null : refused('the action is not rejected');
    case 'Action Rolled Back':
      return action.status === 'ROLLED_BACK' ? null : refused('the action is not rolled back');
    default:
      return refused(`no write-back for ${detailType}`);
  }
}
