import type { IngressRule } from './model';
import { type Cidr, cidrContains, hasPorts, isIcmp, type Protocol } from './permission';

export interface Exposure {
  readonly protocol: Protocol;
  readonly fromPort: number | null;
  readonly toPort: number | null;
  readonly publicCidrs: readonly Cidr[];
  readonly ports: readonly number[];
}

/** The ports the exposure is about: the detector's list, else the flagged range. */
function portsOf(exposure: Exposure): readonly [number, number][] {
  if (exposure.ports.length > 0) return exposure.ports.map((p) => [p, p] as [number, number]);
  if (hasPorts(exposure.protocol) && exposure.fromPort !== null && exposure.toPort !== null) {
    return [[exposure.fromPort, exposure.toPort]];
  }
  return [[0, 65535]];
}

function reachesPorts(rule: IngressRule, exposure: Exposure): boolean {
  if (rule.protocol === '-1') return true;
  if (exposure.protocol === '-1') {
    // "All traffic" with no flagged ports comes back through any protocol that is opened again.
    if (exposure.ports.length === 0) return true;
    if (!hasPorts(rule.protocol)) return false;
  } else if (rule.protocol !== exposure.protocol) {
    return false;
  }
  if (isIcmp(rule.protocol)) {
    const matches = (a: number | null, b: number | null) => a === -1 || a === null || a === b;
    return matches(rule.fromPort, exposure.fromPort) && matches(rule.toPort, exposure.toPort);
  }
  if (!hasPorts(rule.protocol)) return true;
  const from = rule.fromPort ?? 0;
  const to = rule.toPort ?? 65535;
  return portsOf(exposure).some(([lo, hi]) => lo <= to && hi >= from);
}

/**
 * Drift is coverage, not shape (DESIGN §5): any rule that lets one of the finding's public
 * CIDRs reach one of its ports counts — a wider range, protocol -1, `6` for `tcp`.
 */
export function findCoveringRules(exposure: Exposure, ingress: readonly IngressRule[]): IngressRule[] {
  return ingress.filter(
    (rule) =>
      rule.cidr !== null &&
      exposure.publicCidrs.some((cidr) => cidrContains(rule.cidr as Cidr, cidr)) &&
      reachesPorts(rule, exposure),
  );
}
