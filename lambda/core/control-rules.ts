import type { ControlSource, Finding, IngressRule, SecurityControl } from './model';
import { type Cidr, hasPorts, isPublicCidr, type Protocol } from './permission';
import type { ControlFinding } from './securityhub-finding';

/**
 * The ports the two controls judge by (both are configuration: the controls' own parameters).
 * EC2.19 fails a public rule that reaches a high-risk port; EC2.18 one that reaches any port outside
 * `authorizedTcpPorts` / `authorizedUdpPorts`.
 */
export interface ControlPorts {
  readonly highRiskPorts: readonly number[];
  readonly authorizedTcpPorts: readonly number[];
  readonly authorizedUdpPorts: readonly number[];
}

/** AWS's EC2.19 list of high-risk ports, and EC2.18's defaults (tcp 80 and 443, no udp). */
export const DEFAULT_CONTROL_PORTS: ControlPorts = {
  highRiskPorts: [
    20, 21, 22, 23, 25, 110, 135, 143, 445, 1433, 1434, 3000, 3306, 3389, 4333, 5000, 5432, 5500, 5601, 8080,
    8088, 8888, 9200, 9300,
  ],
  authorizedTcpPorts: [80, 443],
  authorizedUdpPorts: [],
};

/** The environment variables that carry them (read by lambda/config, set by infra/lib/functions.ts). */
export const CONTROL_PORT_VARIABLES = {
  highRiskPorts: 'AWS_SG_REVOKE_EC2_19_HIGH_RISK_PORTS',
  authorizedTcpPorts: 'AWS_SG_REVOKE_EC2_18_AUTHORIZED_TCP_PORTS',
  authorizedUdpPorts: 'AWS_SG_REVOKE_EC2_18_AUTHORIZED_UDP_PORTS',
} as const;

/** The rule's port range (all ports for all traffic). */
function rangeOf(rule: IngressRule): [number, number] {
  return [rule.fromPort ?? 0, rule.toPort ?? 65535];
}

function reachesAny(rule: IngressRule, ports: readonly number[]): boolean {
  const [from, to] = rangeOf(rule);
  return ports.some((p) => p >= from && p <= to);
}

/** True when the range holds a port that is not in `authorized` (a range wider than the list counts). */
function reachesOutside(rule: IngressRule, authorized: readonly number[]): boolean {
  const [from, to] = rangeOf(rule);
  const inside = new Set(authorized.filter((p) => p >= from && p <= to));
  return to - from + 1 > inside.size;
}

/** Does this ingress rule make the control fail? Only public CIDRs count (DESIGN §5). */
export function failsControl(rule: IngressRule, control: SecurityControl, ports: ControlPorts): boolean {
  if (rule.cidr === null || !isPublicCidr(rule.cidr)) return false;
  if (rule.protocol === '-1') return true;
  if (control === 'EC2.19') return hasPorts(rule.protocol) && reachesAny(rule, ports.highRiskPorts);
  if (rule.protocol === 'tcp') return reachesOutside(rule, ports.authorizedTcpPorts);
  if (rule.protocol === 'udp') return reachesOutside(rule, ports.authorizedUdpPorts);
  // ICMP and other protocols have no authorized ports: unrestricted, so EC2.18 fails them.
  return true;
}

export function failingRules(
  control: SecurityControl,
  ingress: readonly IngressRule[],
  ports: ControlPorts,
): IngressRule[] {
  return ingress.filter((rule) => failsControl(rule, control, ports));
}

interface Shape {
  readonly protocol: Protocol;
  readonly fromPort: number | null;
  readonly toPort: number | null;
  readonly rules: IngressRule[];
}

function shapesOf(rules: readonly IngressRule[]): Shape[] {
  const byKey = new Map<string, Shape>();
  for (const rule of rules) {
    const key = `${rule.protocol}|${rule.fromPort}|${rule.toPort}`;
    const shape = byKey.get(key);
    if (shape) shape.rules.push(rule);
    else
      byKey.set(key, {
        protocol: rule.protocol,
        fromPort: rule.fromPort,
        toPort: rule.toPort,
        rules: [rule],
      });
  }
  return [...byKey.values()];
}

function findingOf(cf: ControlFinding, shape: Omit<Shape, 'rules'>, extra: Extra): Finding {
  return {
    findingUid: cf.findingUid,
    sgId: cf.sgId,
    sgName: null,
    region: cf.region,
    accountUid: cf.accountUid,
    actor: null,
    rule: cf.control,
    permission: {
      protocol: shape.protocol,
      fromPort: shape.fromPort,
      toPort: shape.toPort,
      cidrs: extra.cidrs,
      ports: extra.ports,
    },
    timeMs: cf.timeMs,
    source: extra.source,
  };
}

interface Extra {
  readonly cidrs: readonly Cidr[];
  readonly ports: readonly number[];
  readonly source: ControlSource;
}

/**
 * The failing rules, grouped by shape (protocol, from, to): one internal finding per shape, with
 * those rules' public CIDRs, planned exactly like a detector finding. For EC2.19 the finding's ports
 * are the high-risk ports the shape reaches (reverify watches those); for EC2.18 the whole range.
 */
export function controlFindings(
  cf: ControlFinding,
  failing: readonly IngressRule[],
  ports: ControlPorts,
): Finding[] {
  return shapesOf(failing).map((shape) => {
    const cidrs = [...new Set(shape.rules.map((r) => r.cidr as Cidr))];
    const [from, to] = rangeOf(shape.rules[0] as IngressRule);
    const reached = cf.control === 'EC2.19' ? ports.highRiskPorts.filter((p) => p >= from && p <= to) : [];
    const source = { control: cf.control, origin: cf.origin, ruleIds: shape.rules.map((r) => r.ruleId) };
    return findingOf(cf, shape, { cidrs, ports: reached, source });
  });
}

/**
 * The group as a whole, when no rule can be named (the account may not be read, the group is gone
 * or no rule fails the control now): it carries the record and the write-back, never a revoke.
 */
export function groupLevelFinding(cf: ControlFinding): Finding {
  const cidrs = ['0.0.0.0/0', '::/0'] as Cidr[];
  const source = { control: cf.control, origin: cf.origin, ruleIds: [] };
  return findingOf(cf, { protocol: '-1', fromPort: null, toPort: null }, { cidrs, ports: [], source });
}
