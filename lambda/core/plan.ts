import { canonicalJson, sha256Hex, shortHash } from './hash';
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
  /** Binds an approval to exactly what the approver saw (DESIGN §8). */
  readonly planHash: string;
}

export type PlanOutcome =
  | { readonly kind: 'planned'; readonly plan: Plan }
  | { readonly kind: 'not-public'; readonly reason: string }
  | { readonly kind: 'already-absent'; readonly plan: Plan; readonly reason: string };

/**
 * Deterministic per flagged permission, not per finding uid: the detector gives one uid to
 * every permission of one API call, and each permission must be its own action.
 */
export function actionIdOf(finding: Finding): string {
  const p = finding.permission;
  return shortHash('sgrev', {
    finding: finding.findingUid,
    sg: finding.sgId,
    region: finding.region,
    account: finding.accountUid,
    protocol: p.protocol,
    from: p.fromPort,
    to: p.toPort,
    cidrs: [...p.cidrs].sort(),
  });
}

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

export function planHashOf(plan: Omit<Plan, 'planHash'>): string {
  const targets = [...plan.targets].map(canonicalJson).sort();
  return sha256Hex(
    canonicalJson({
      action: plan.actionId,
      sg: plan.sgId,
      region: plan.region,
      account: plan.accountUid,
      targets,
    }),
  );
}

/** Finding (+ live group when read) → the exact rules to revoke. */
export function planRevoke(finding: Finding, live: LiveGroup | null): PlanOutcome {
  const p = finding.permission;
  const publicCidrs = p.cidrs.filter(isPublicCidr);
  if (publicCidrs.length === 0) {
    return { kind: 'not-public', reason: `no internet-wide CIDR among [${p.cidrs.join(', ')}]` };
  }
  const base = {
    actionId: actionIdOf(finding),
    findingUid: finding.findingUid,
    sgId: finding.sgId,
    region: finding.region,
    accountUid: finding.accountUid,
    protocol: p.protocol,
    fromPort: p.fromPort,
    toPort: p.toPort,
    publicCidrs,
    ports: p.ports,
  };
  const targets = live ? resolveTargets(base, live.ingress) : shapesOf(base);
  const unhashed = {
    ...base,
    mode: live ? ('by-rule-id' as const) : ('by-shape' as const),
    targets,
    beforeImage: live ? live.ingress : null,
  };
  const plan: Plan = { ...unhashed, planHash: planHashOf(unhashed) };
  if (live && targets.length === 0) {
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
