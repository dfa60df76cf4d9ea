import type { FlowSource } from './impact';
import type { Protocol } from './permission';
import { err, ok, type Result } from './result';

/**
 * The optional Flow Logs evidence of the impact preview: one CloudWatch Logs Insights query over a
 * VPC Flow Logs group (default format, whose fields Logs Insights discovers: srcAddr, dstPort,
 * protocol, action, interfaceId), bounded in time (days), in rows (`limit`) and in the ENIs it names.
 */
export const FLOW_QUERY = {
  days: { default: 7, max: 14 },
  /** Sources returned per query: a larger count is reported as a lower bound (`truncated`). */
  rowLimit: 100,
  /** Sources shown to the approver. */
  topSources: 10,
  /** Interface ids named in one query (the query string stays far under Logs Insights' 10,000 characters). */
  interfaces: 50,
} as const;

/** Sources that are not "the internet": RFC 1918, CGNAT, IPv6 unique-local and link-local. */
export const PRIVATE_RANGES = {
  ipv4: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10'],
  ipv6: ['fc00::/7', 'fe80::/10'],
} as const;

/** IANA protocol numbers, as flow log records carry them. */
const PROTOCOL_NUMBERS: Partial<Record<Protocol, number>> = { tcp: 6, udp: 17, icmp: 1, icmpv6: 58 };

export interface FlowQuerySpec {
  readonly protocol: Protocol;
  readonly fromPort: number | null;
  readonly toPort: number | null;
  readonly interfaceIds: readonly string[];
}

// Interface ids come from AWS, but they are spliced into a query: anything else is dropped.
const ENI_ID = /^eni-[0-9a-f]{8,17}$/;

function protocolClause(spec: FlowQuerySpec): string[] {
  if (spec.protocol === '-1') return [];
  const number = PROTOCOL_NUMBERS[spec.protocol] ?? Number(spec.protocol);
  const clauses = [`protocol = ${number}`];
  // Only TCP and UDP rules have port ranges; any other protocol number opens the whole protocol.
  const ported = spec.protocol === 'tcp' || spec.protocol === 'udp';
  if (ported && spec.fromPort !== null && spec.toPort !== null) {
    clauses.push(
      spec.fromPort === spec.toPort
        ? `dstPort = ${spec.fromPort}`
        : `dstPort >= ${spec.fromPort} and dstPort <= ${spec.toPort}`,
    );
  }
  return clauses;
}

/** The interface ids a query would name (valid ids, first FLOW_QUERY.interfaces of them). */
export const queriedInterfaces = (ids: readonly string[]): string[] =>
  [...new Set(ids.filter((id) => ENI_ID.test(id)))].slice(0, FLOW_QUERY.interfaces);

/** The Logs Insights query for accepted inbound flows on the flagged permission from public sources. */
export function buildFlowQuery(spec: FlowQuerySpec): string {
  const enis = queriedInterfaces(spec.interfaceIds).map((id) => JSON.stringify(id));
  const accepted = ['action = "ACCEPT"', `interfaceId in [${enis.join(', ')}]`, ...protocolClause(spec)];
  const notPrivate = [
    ...PRIVATE_RANGES.ipv4.map((r) => `not isIpv4InSubnet(srcAddr, "${r}")`),
    ...PRIVATE_RANGES.ipv6.map((r) => `not isIpv6InSubnet(srcAddr, "${r}")`),
  ];
  return [
    'fields srcAddr, dstPort',
    `filter ${accepted.join(' and ')}`,
    `filter ${notPrivate.join(' and ')}`,
    'stats count(*) as flows, max(@timestamp) as lastSeen by srcAddr',
    'sort flows desc',
    `limit ${FLOW_QUERY.rowLimit}`,
  ].join('\n| ');
}

export interface FlowCounts {
  readonly acceptedInboundFromPublic: number;
  readonly sources: number;
  readonly truncated: boolean;
  readonly topSources: readonly FlowSource[];
}

const ADDRESS = /^[0-9A-Fa-f:.]{2,45}$/;

function fieldsOf(row: unknown, index: number): Result<Map<string, string>, string> {
  if (!Array.isArray(row)) return err(`row ${index} is not a list of fields`);
  const fields = new Map<string, string>();
  for (const cell of row) {
    const c = cell as { field?: unknown; value?: unknown } | null;
    if (typeof c?.field !== 'string' || typeof c.value !== 'string') {
      return err(`row ${index} has a field without a name or value`);
    }
    fields.set(c.field, c.value);
  }
  return ok(fields);
}

function sourceOf(row: unknown, index: number): Result<FlowSource, string> {
  const fields = fieldsOf(row, index);
  if (!fields.ok) return fields;
  const address = fields.value.get('srcAddr') ?? '';
  const flows = Number(fields.value.get('flows'));
  if (!ADDRESS.test(address)) return err(`row ${index} has no source address`);
  if (!Number.isSafeInteger(flows) || flows < 0) return err(`row ${index} has no flow count`);
  const lastSeen = fields.value.get('lastSeen') ?? null;
  return ok({ address, flows, lastSeen: lastSeen === null ? null : lastSeen.slice(0, 40) });
}

/**
 * GetQueryResults' `results` (a list of rows, each a list of {field, value}) → counts. Any row that
 * is not what the query asks for makes the whole result an error: a partly read answer could
 * understate who uses the opening.
 */
export function parseFlowResults(results: unknown): Result<FlowCounts, string> {
  if (!Array.isArray(results)) return err('the query results are not a list of rows');
  const sources: FlowSource[] = [];
  for (const [index, row] of results.entries()) {
    const source = sourceOf(row, index);
    if (!source.ok) return source;
    sources.push(source.value);
  }
  sources.sort((a, b) => b.flows - a.flows || (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  return ok({
    acceptedInboundFromPublic: sources.reduce((sum, s) => sum + s.flows, 0),
    sources: sources.length,
    truncated: sources.length >= FLOW_QUERY.rowLimit,
    topSources: sources.slice(0, FLOW_QUERY.topSources),
  });
}

/** Whole seconds, as StartQuery takes them: the last `days` days up to `nowMs`. */
export function flowTimeRange(nowMs: number, days: number): { startTime: number; endTime: number } {
  const endTime = Math.floor(nowMs / 1000);
  return { startTime: endTime - days * 86_400, endTime };
}
