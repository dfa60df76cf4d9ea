import type { Cidr } from './permission';

/**
 * The impact preview (DESIGN §13): what uses a group and whether anyone reaches it from the
 * internet, computed once at plan time and bound by the plan hash, so an approval covers exactly
 * the preview the approver saw. Every list is capped: the preview lives inside the action's item
 * (DynamoDB's 400 KB) and the `Action Planned` event (EventBridge's 256 KB).
 */
export const IMPACT_LIMITS = {
  /** Interfaces listed in the preview; the total is always counted. */
  interfaces: 50,
  /** Characters kept of an interface's free-text description. */
  description: 120,
} as const;

export type ImpactVerdict = 'exposed' | 'not-reachable' | 'unused';

/** One network interface that carries the group, as DescribeNetworkInterfaces reports it. */
export interface InterfaceUse {
  readonly interfaceId: string;
  /** `interface`, `network_load_balancer`, `lambda`, `nat_gateway`, `vpc_endpoint`, … */
  readonly interfaceType: string;
  /** What uses it, for a human: `instance i-…`, else the AWS description (`ELB app/…`, `RDSNetworkInterface`, …). */
  readonly usedBy: string;
  readonly requesterId: string | null;
  readonly requesterManaged: boolean;
  readonly description: string | null;
  readonly attachment: { readonly instanceId: string | null; readonly status: string | null } | null;
  /** The public IPv4 address associated with the interface (primary or secondary), if any. */
  readonly publicIpv4: string | null;
  readonly ipv6: boolean;
}

/** What listing the group's interfaces gave: the interfaces, or why they could not be read. */
export type InterfaceListing =
  | { readonly kind: 'listed'; readonly interfaces: readonly InterfaceUse[] }
  | { readonly kind: 'error'; readonly message: string };

export interface FlowSource {
  readonly address: string;
  readonly flows: number;
  readonly lastSeen: string | null;
}

/** Accepted inbound flows on the flagged ports from outside private ranges (optional evidence). */
export type FlowEvidence =
  | { readonly status: 'not-configured' }
  | { readonly status: 'skipped'; readonly reason: string }
  | { readonly status: 'unavailable'; readonly days: number; readonly reason: string }
  | {
      readonly status: 'computed';
      readonly days: number;
      readonly logGroup: string;
      /** Interfaces the query named (at most FLOW_QUERY.interfaces of the group's). */
      readonly interfacesQueried: number;
      /** Flow records counted over the sources returned (a lower bound when `truncated`). */
      readonly acceptedInboundFromPublic: number;
      readonly sources: number;
      /** True when the query hit its row limit: more sources exist than were counted. */
      readonly truncated: boolean;
      readonly topSources: readonly FlowSource[];
    };

export interface Impact {
  readonly status: 'computed' | 'unavailable';
  /** Why the preview could not be computed (null when computed). */
  readonly reason: string | null;
  /** Null when unavailable: an unknown impact is never presented as a verdict. */
  readonly verdict: ImpactVerdict | null;
  readonly interfaceCount: number;
  readonly publicInterfaceCount: number;
  /** At most IMPACT_LIMITS.interfaces, public ones first. */
  readonly interfaces: readonly InterfaceUse[];
  readonly flows: FlowEvidence;
}

/** A public address only matters to the rules being revoked: IPv4 to 0.0.0.0/0, IPv6 to ::/0. */
function reachableFromRules(i: InterfaceUse, publicCidrs: readonly Cidr[]): boolean {
  return (
    (i.publicIpv4 !== null && publicCidrs.includes('0.0.0.0/0' as Cidr)) ||
    (i.ipv6 && publicCidrs.includes('::/0' as Cidr))
  );
}

/** `exposed` when an interface has a public address the flagged CIDRs reach, `unused` with none. */
export function verdictOf(interfaces: readonly InterfaceUse[], publicCidrs: readonly Cidr[]): ImpactVerdict {
  if (interfaces.length === 0) return 'unused';
  return interfaces.some((i) => reachableFromRules(i, publicCidrs)) ? 'exposed' : 'not-reachable';
}

/** The preview from a listing (and flow evidence): pure, bounded, deterministic in its order. */
export function buildImpact(
  listing: InterfaceListing,
  publicCidrs: readonly Cidr[],
  flows: FlowEvidence,
): Impact {
  if (listing.kind === 'error') {
    return {
      status: 'unavailable',
      reason: listing.message,
      verdict: null,
      interfaceCount: 0,
      publicInterfaceCount: 0,
      interfaces: [],
      flows,
    };
  }
  const all = listing.interfaces;
  const isPublic = (i: InterfaceUse) => reachableFromRules(i, publicCidrs);
  const ordered = [...all].sort(
    (a, b) =>
      Number(isPublic(b)) - Number(isPublic(a)) ||
      (a.interfaceId < b.interfaceId ? -1 : a.interfaceId > b.interfaceId ? 1 : 0),
  );
  return {
    status: 'computed',
    reason: null,
    verdict: verdictOf(all, publicCidrs),
    interfaceCount: all.length,
    publicInterfaceCount: all.filter(isPublic).length,
    interfaces: ordered.slice(0, IMPACT_LIMITS.interfaces),
    flows,
  };
}

/** An interface whose description is bounded and whose `usedBy` names its user for a human. */
export function interfaceUse(fields: Omit<InterfaceUse, 'usedBy'>): InterfaceUse {
  const description =
    fields.description === null || fields.description === ''
      ? null
      : fields.description.slice(0, IMPACT_LIMITS.description);
  const instance = fields.attachment?.instanceId ?? null;
  const usedBy = instance
    ? `instance ${instance}`
    : (description ?? fields.requesterId ?? fields.interfaceType ?? 'unknown');
  return { ...fields, description, usedBy };
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** One line an approver reads first: the verdict and the counts. */
export function summarizeImpact(impact: Impact | null | undefined): string {
  if (!impact) return 'impact: not previewed';
  if (impact.status === 'unavailable') return `impact: unavailable (${impact.reason ?? 'unknown reason'})`;
  const parts = [
    `impact: ${impact.verdict}`,
    `${plural(impact.interfaceCount, 'interface')}, ${impact.publicInterfaceCount} with a public address`,
  ];
  const used = [...new Set(impact.interfaces.map((i) => i.usedBy))].slice(0, 3);
  if (used.length > 0)
    parts.push(`used by ${used.join(', ')}${impact.interfaceCount > used.length ? ', …' : ''}`);
  parts.push(flowsSummary(impact.flows));
  return parts.join('; ');
}

function flowsSummary(flows: FlowEvidence): string {
  switch (flows.status) {
    case 'not-configured':
      return 'flow logs: not configured';
    case 'skipped':
      return `flow logs: not queried (${flows.reason})`;
    case 'unavailable':
      return `flow logs: unavailable (${flows.reason})`;
    case 'computed':
      return (
        `flow logs: ${flows.truncated ? 'at least ' : ''}${plural(flows.acceptedInboundFromPublic, 'accepted inbound flow')} ` +
        `from ${plural(flows.sources, 'public source')} in ${flows.days} d`
      );
  }
}
