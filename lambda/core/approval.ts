import { canonicalJson, sha256Hex } from './hash';
import type { IngressRule } from './model';
import { isPublicCidr } from './permission';
import { type Plan, planHashOf, type RevokeTarget, ruleMatches } from './plan';

/** KMS signing algorithm of approvals (ECC_NIST_P256 key, SIGN_VERIFY). */
export const APPROVAL_SIGNING_ALGORITHM = 'ECDSA_SHA_256';

/**
 * How long a signed approval may be applied after it was given: the actions stream keeps retrying
 * a record for 6 hours (event-wiring), and an older approval is refused rather than replayed.
 */
export const APPROVAL_APPLY_WINDOW_MS = 6 * 3_600_000;

/** One rule the approver saw and approved: its id and its exact shape. */
export interface ApprovedRule {
  readonly ruleId: string;
  readonly protocol: RevokeTarget['protocol'];
  readonly fromPort: number | null;
  readonly toPort: number | null;
  readonly cidr: RevokeTarget['cidr'];
}

/** What an approver decided, and the signature that makes it trustworthy (DESIGN §11). */
export interface Approval {
  readonly approver: string;
  readonly incidentId: string;
  /** ISO time of the decision. */
  readonly at: string;
  /** ISO time after which the approval is no longer applied. */
  readonly deadline: string;
  /** The plan hash recomputed from the stored plan when the approval was given. */
  readonly planHash: string;
  /** Exactly the rules approved: apply revokes these ids and nothing resolved afresh. */
  readonly rules: readonly ApprovedRule[];
  /**
   * KMS key id and base64 DER ECDSA signature over `approvalPayload`. Both null for a CLI approval,
   * which is recorded in the same write that claims the action (it never reaches the stream).
   */
  readonly keyId: string | null;
  readonly signature: string | null;
}

export type UnsignedApproval = Omit<Approval, 'signature'>;

/**
 * Every target of the plan has the plan's own shape and one of its public CIDRs: a plan whose
 * headline says tcp/22 but whose targets name a tcp/443 rule (a row the plan role wrote) is refused.
 */
export function planTargetsConsistent(
  plan: Pick<Plan, 'protocol' | 'fromPort' | 'toPort' | 'publicCidrs' | 'targets'>,
): boolean {
  return plan.targets.every(
    (t) =>
      t.protocol === plan.protocol &&
      t.fromPort === plan.fromPort &&
      t.toPort === plan.toPort &&
      plan.publicCidrs.includes(t.cidr) &&
      isPublicCidr(t.cidr),
  );
}

/** The approved rules of a plan: its targets that have a rule id, in a stable order. */
export function approvedRulesOf(plan: Pick<Plan, 'targets'>): ApprovedRule[] {
  return plan.targets
    .filter((t): t is RevokeTarget & { ruleId: string } => t.ruleId !== null)
    .map(({ ruleId, protocol, fromPort, toPort, cidr }) => ({ ruleId, protocol, fromPort, toPort, cidr }))
    .sort((a, b) => (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0));
}

/**
 * The bytes that are signed: a canonical, versioned encoding of the action, where it acts, the
 * plan hash, the exact rules, who approved under which incident, when, until when, with which key.
 */
export function approvalPayload(
  actionId: string,
  plan: Pick<Plan, 'accountUid' | 'region' | 'sgId'>,
  approval: UnsignedApproval,
): string {
  return canonicalJson({
    v: 'sg-revoke/approval/1',
    action: actionId,
    account: plan.accountUid,
    region: plan.region,
    sg: plan.sgId,
    plan_hash: approval.planHash,
    rules: approval.rules,
    approver: approval.approver,
    incident: approval.incidentId,
    approved_at: approval.at,
    deadline: approval.deadline,
    key: approval.keyId,
  });
}

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export type ApprovalProblem =
  | { readonly kind: 'approval-invalid'; readonly detail: string }
  | { readonly kind: 'plan-tampered'; readonly detail: string };

/** What must still be verified with the public key, once every check that needs no key passed. */
export type ApprovalToVerify = {
  readonly kind: 'verify';
  readonly payload: string;
  readonly signature: string;
};

/**
 * Everything apply can check about a stored approval before verifying its signature: it is signed,
 * by the trusted key, still valid, and the stored plan still hashes to the signed value.
 */
export function checkStoredApproval(
  action: { readonly actionId: string; readonly plan: Plan | null; readonly approval: Approval | null },
  trustedKeyId: string,
  nowIso: string,
): ApprovalProblem | ApprovalToVerify {
  const { plan, approval } = action;
  if (!plan) return { kind: 'plan-tampered', detail: 'the action has no plan' };
  if (!approval || typeof approval.signature !== 'string' || typeof approval.keyId !== 'string') {
    return { kind: 'approval-invalid', detail: 'the approval carries no signature' };
  }
  if (approval.keyId !== trustedKeyId) {
    return {
      kind: 'approval-invalid',
      detail: `the approval is signed by ${approval.keyId}, not the approval key`,
    };
  }
  const { planHash, ...body } = plan;
  const recomputed = planHashOf(body);
  if (recomputed !== approval.planHash || recomputed !== planHash) {
    return { kind: 'plan-tampered', detail: 'the stored plan no longer hashes to the approved plan hash' };
  }
  if (!Array.isArray(approval.rules) || typeof approval.deadline !== 'string') {
    return { kind: 'approval-invalid', detail: 'the approval is malformed' };
  }
  if (!planTargetsConsistent(plan)) {
    return { kind: 'plan-tampered', detail: "the plan's targets are not of its own shape and public CIDRs" };
  }
  const rulesOfPlan = canonicalJson(approvedRulesOf(plan));
  if (canonicalJson(approval.rules) !== rulesOfPlan) {
    return { kind: 'plan-tampered', detail: 'the approved rules are not the rules of the plan' };
  }
  // ISO-8601 UTC times of one format compare as strings (the deadline is also signed).
  if (!ISO_UTC.test(approval.deadline) || nowIso > approval.deadline) {
    return { kind: 'approval-invalid', detail: `the approval was valid until ${approval.deadline}` };
  }
  const { signature, ...unsigned } = approval;
  return { kind: 'verify', payload: approvalPayload(action.actionId, plan, unsigned), signature };
}

export interface ApprovedSelection {
  /** Approved ids still live with the approved shape and a public CIDR: the only rules revoked. */
  readonly revoke: readonly RevokeTarget[];
  /** Approved ids whose live rule changed shape: left alone, named. */
  readonly changed: readonly string[];
  /** Live public rules of the plan's shape that nobody approved: left alone, named, raised as DRIFT. */
  readonly unapproved: readonly RevokeTarget[];
}

/** Apply's choice on live state: exactly the approved rule ids, never rules resolved afresh by shape. */
export function selectApprovedRules(
  approved: readonly ApprovedRule[],
  plan: Pick<Plan, 'protocol' | 'fromPort' | 'toPort' | 'publicCidrs'>,
  ingress: readonly IngressRule[],
): ApprovedSelection {
  const byId = new Map(approved.map((r) => [r.ruleId, r]));
  const revoke: RevokeTarget[] = [];
  const changed: string[] = [];
  const unapproved: RevokeTarget[] = [];
  for (const rule of ingress) {
    const approvedRule = byId.get(rule.ruleId);
    const target = {
      ruleId: rule.ruleId,
      protocol: rule.protocol,
      fromPort: rule.fromPort,
      toPort: rule.toPort,
    };
    if (approvedRule) {
      if (rule.cidr !== null && isPublicCidr(rule.cidr) && ruleMatches(rule, approvedRule)) {
        revoke.push({ ...target, cidr: rule.cidr });
      } else {
        changed.push(rule.ruleId);
      }
      continue;
    }
    const sameShape = { protocol: plan.protocol, fromPort: plan.fromPort, toPort: plan.toPort };
    if (
      rule.cidr !== null &&
      plan.publicCidrs.includes(rule.cidr) &&
      ruleMatches(rule, { ...sameShape, cidr: rule.cidr })
    ) {
      unapproved.push({ ...target, cidr: rule.cidr });
    }
  }
  return { revoke, changed, unapproved };
}

/**
 * The id an approval is consumed under: the hash of its signed payload (not of the signature, which
 * ECDSA lets anyone re-encode). Null when the stored approval is not even well-formed.
 */
export function approvalMarkerOf(action: {
  readonly actionId: string;
  readonly plan: Plan | null;
  readonly approval: Approval | null;
}): string | null {
  const { plan, approval } = action;
  if (!plan || !approval || typeof approval.signature !== 'string' || !Array.isArray(approval.rules))
    return null;
  const { signature: _signature, ...unsigned } = approval;
  return `approval#${sha256Hex(approvalPayload(action.actionId, plan, unsigned))}`;
}

/** The change field that retires an action's approval (a rejection, an expiry): idempotent. */
export function retiredApproval(action: Parameters<typeof approvalMarkerOf>[0]) {
  const marker = approvalMarkerOf(action);
  return marker === null ? undefined : { marker, firstUse: false };
}
