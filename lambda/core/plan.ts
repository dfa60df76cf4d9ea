import { findCoveringRules } from './coverage';
import { canonicalJson, type Sha256Hex, sha256Hex, shortHashOfCanonical } from './hash';
import type { Impact } from './impact';
import type { Finding, IngressRule, LiveGroup } from './model';
import { type Cidr, isPublicCidr, type Protocol } from './permission';

/** One ingress rule to revoke: by id when live rules were read, else by shape. */
export interface RevokeTarget {
  readonly ruleId: string | null;
  readonly protocol: Protocol;
  readonly fromPort: number | null;
  readonly toPort: number | null;
  readonly cidr: Cidr;
}

export interface Plan {
  readonly actionId: string;
  readonly findingUid: string;
  readonly sgId: string;
  readonly region: string;
  readonly accountUid: string;
  /** The finding's `target.name` (the default-name guardrail reads it): bound by the plan hash too. */
  readonly sgName: string | null;
  readonly protocol: Protocol;
  readonly fromPort: number | null;
  readonly toPort: number | null;
  /** The public CIDRs of the finding: the only ones ever revoked. */
  readonly publicCidrs: readonly Cidr[];
  readonly ports: readonly number[];
  readonly mode: 'by-rule-id' | 'by-shape';
  readonly targets: readonly RevokeTarget[];
  /** The group's live ingress rules when the plan was made (null offline). */
  readonly beforeImage: readonly IngressRule[] | null;
  /**
   * What the revoke would touch, previewed at plan time (DESIGN §13). Absent on plans made before the
   * preview existed and offline: the hash then leaves it out, so those plans still verify.
   */
  readonly impact?: Impact;
  /**
   * Binds an approval to exactly what the approver saw (DESIGN §8, §11): a hash of every other
   * field, recomputed by the approval API before it signs and by apply before it acts.
   */
  readonly planHash: string;
}

export type PlanOutcome =
  | { readonly kind: 'planned'; readonly plan: Plan }
  | { readonly kind: 'not-public'; readonly reason: string }
  | { readonly kind: 'already-absent'; readonly plan: Plan; readonly reason: string }
  | { readonly kind: 'unmatched'; readonly plan: Plan; readonly reason: string };

/**
 * Deterministic per flagged permission, not per finding uid: the detector gives one uid to
 * every permission of one API call, and each permission must be its own action.
 */
export function actionIdOf(finding: Finding, hash: Sha256Hex = sha256Hex): string {
  return shortHashOfCanonical('sgrev', actionIdText(finding), hash);
}

const json = JSON.stringify;

/**
 * canonicalJson of {finding, sg, region, account, protocol, from, to, cidrs (sorted), and for a
 * control-derived finding its rules (sorted)}, written in
 * its sorted key order: this runs once per finding on the dry-run hot path, where the generic
 * walk cost more than the hash. test/unit/core/plan.test.ts checks it against canonicalJson.
 */
function actionIdText(f: Finding): string {
  const p = f.permission;
  return (
    `{"account":${json(f.accountUid)},"cidrs":${json([...p.cidrs].sort())},"finding":${json(f.findingUid)},` +
    `"from":${json(p.fromPort)},"protocol":${json(p.protocol)},"region":${json(f.region)},` +
    rulesText(f) +
    `"sg":${json(f.sgId)},"to":${json(p.toPort)}}`
  );
}

/** A control-derived finding adds its rule ids (sorted); a detector finding's id is unchanged. */
const rulesText = (f: Finding): string =>
  f.source === undefined ? '' : `"rules":${json([...f.source.ruleIds].sort())},`;

/** Same protocol, same from/to, same CIDR: the exact rule the finding is about, nothing wider. */
export function ruleMatches(rule: IngressRule, target: Omit<RevokeTarget, 'ruleId'>): boolean {
  return (
    rule.cidr === target.cidr &&
    rule.protocol === target.protocol &&
    rule.fromPort === target.fromPort &&
    rule.toPort === target.toPort
  );
}

/** The live rules that match the approved shapes now (ids can change if a rule was re-created). */
export function resolveTargets(
  plan: Pick<Plan, 'protocol' | 'fromPort' | 'toPort' | 'publicCidrs'>,
  ingress: readonly IngressRule[],
): RevokeTarget[] {
  const shapes = shapesOf(plan);
  return ingress
    .filter((rule) => shapes.some((shape) => ruleMatches(rule, shape)))
    .map((rule) => ({ ...shapeOf(plan, rule.cidr as Cidr), ruleId: rule.ruleId }));
}

function shapeOf(plan: Pick<Plan, 'protocol' | 'fromPort' | 'toPort'>, cidr: Cidr): RevokeTarget {
  return { ruleId: null, protocol: plan.protocol, fromPort: plan.fromPort, toPort: plan.toPort, cidr };
}

const shapesOf = (plan: Pick<Plan, 'protocol' | 'fromPort' | 'toPort' | 'publicCidrs'>) =>
  plan.publicCidrs.map((cidr) => shapeOf(plan, cidr));

/** canonicalJson of a target, spelled out in sorted key order (hot path, as actionIdText). */
const targetText = (t: RevokeTarget): string =>
  `{"cidr":${json(t.cidr)},"fromPort":${json(t.fromPort)},"protocol":${json(t.protocol)},` +
  `"ruleId":${json(t.ruleId)},"toPort":${json(t.toPort)}}`;

export type PlanBody = Omit<Plan, 'planHash'>;

/**
 * SHA-256 of canonicalJson({account, action, before, cidrs (sorted), finding, from, impact (when
 * present), mode, name, ports, protocol, region, sg, targets (sorted), to}), spelled out in sorted key
 * order because the offline dry-run computes it per finding (test/unit/core/plan.test.ts checks it
 * against canonicalJson). Every field an approver sees is in it, the impact preview included, so a
 * plan edited after its approval no longer matches and the approval's signature covers the preview.
 */
export function planHashOf(plan: PlanBody, hash: Sha256Hex = sha256Hex): string {
  const targets = plan.targets.map(targetText).sort();
  const before = plan.beforeImage === null ? 'null' : canonicalJson(plan.beforeImage);
  return hash(
    `{"account":${json(plan.accountUid)},"action":${json(plan.actionId)},"before":${before},` +
      `"cidrs":${json([...plan.publicCidrs].sort())},"finding":${json(plan.findingUid)},` +
      `"from":${json(plan.fromPort)},${impactText(plan.impact)}"mode":${json(plan.mode)},"name":${json(plan.sgName)},` +
      `"ports":${json(plan.ports)},"protocol":${json(plan.protocol)},"region":${json(plan.region)},` +
      `"sg":${json(plan.sgId)},"targets":${json(targets)},"to":${json(plan.toPort)}}`,
  );
}

const impactText = (impact: Impact | undefined): string =>
  impact === undefined ? '' : `"impact":${canonicalJson(impact)},`;

/** The plan with its impact preview, re-hashed: the approval then binds the preview too. */
export function withImpact(plan: Plan, impact: Impact, hash: Sha256Hex = sha256Hex): Plan {
  const { planHash: _previous, ...body } = plan;
  const next: PlanBody = { ...body, impact };
  return { ...next, planHash: planHashOf(next, hash) };
}

/** Finding (+ live group when read) → the exact rules to revoke. Any SHA-256 gives the same plan. */
export function planRevoke(
  finding: Finding,
  live: LiveGroup | null,
  hash: Sha256Hex = sha256Hex,
): PlanOutcome {
  const p = finding.permission;
  const publicCidrs = p.cidrs.filter(isPublicCidr);
  if (publicCidrs.length === 0) {
    return { kind: 'not-public', reason: `no internet-wide CIDR among [${p.cidrs.join(', ')}]` };
  }
  const shape = { protocol: p.protocol, fromPort: p.fromPort, toPort: p.toPort, publicCidrs };
  const targets = live ? resolveTargets(shape, live.ingress) : shapesOf(shape);
  const actionId = actionIdOf(finding, hash);
  const { sgId, region, accountUid } = finding;
  // One literal, no spreads: this runs once per finding on the dry-run hot path.
  const body: PlanBody = {
    actionId,
    findingUid: finding.findingUid,
    sgId,
    region,
    accountUid,
    sgName: finding.sgName,
    protocol: p.protocol,
    fromPort: p.fromPort,
    toPort: p.toPort,
    publicCidrs,
    ports: p.ports,
    mode: live ? 'by-rule-id' : 'by-shape',
    targets,
    beforeImage: live ? live.ingress : null,
  };
  const plan: Plan = { ...body, planHash: planHashOf(body, hash) };
  if (live && targets.length === 0) {
    // Already absent means nothing exposes the flagged ports any more; a rule of another shape
    // that still does (wider range, all traffic, another spelling) is named, never called absent.
    const covering = findCoveringRules({ ...shape, ports: p.ports }, live.ingress);
    if (covering.length > 0) {
      const ids = covering.map((rule) => rule.ruleId).join(', ');
      const reason =
        `no live ingress rule has the flagged shape (${describeTargets(shape)}), but [${ids}] still ` +
        'expose its ports: not revoked automatically (a wider rule needs a finding of its own)';
      return { kind: 'unmatched', plan, reason };
    }
    return { kind: 'already-absent', plan, reason: 'no live ingress rule matches the flagged permission' };
  }
  return { kind: 'planned', plan };
}

export function describeTargets(
  plan: Pick<Plan, 'protocol' | 'fromPort' | 'toPort' | 'publicCidrs'>,
): string {
  const ports = plan.fromPort === null ? 'all' : `${plan.fromPort}-${plan.toPort}`;
  return `[${plan.publicCidrs.join(', ')}] protocol=${plan.protocol} ports=${ports}`;
}
