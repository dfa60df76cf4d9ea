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
] as const;

/** Skips decided by a guardrail: Security Hub hears "Suppressed" with the reason. */
const GUARDRAIL_SKIPS: ReadonlySet<string> = new Set(['skipped_protected_sg', 'skipped_account_boundary']);

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
    default:
      return null;
  }
}

function originOf(value: unknown): FindingOrigin | null {
  if (!isRecord(value)) return null;
  if (value.kind === 'securityhub-ocsf') {
    const [a, f, p] = [str(value.cloudAccountUid), str(value.findingInfoUid), str(value.metadataProductUid)];
    return a && f && p
      ? { kind: value.kind, cloudAccountUid: a, findingInfoUid: f, metadataProductUid: p }
      : null;
  }
  if (value.kind === 'securityhub-asff') {
    const [id, productArn] = [str(value.id), str(value.productArn)];
    return id && productArn ? { kind: value.kind, id, productArn } : null;
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
