import type { Finding, FlaggedPermission } from './model';
import {
  type Cidr,
  hasPorts,
  isIcmp,
  isPort,
  normalizeProtocol,
  type Protocol,
  parseCidr,
} from './permission';
import { err, ok, type Result } from './result';

export const DETECTOR = 'detect-aws-open-security-group';
export const DETECTION_FINDING_CLASS = 2004;

const SG_ID = /^sg-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
const ACCOUNT_ID = /^\d{12}$/;
const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/;
const INTEGER = /^-?\d{1,6}$/;

/** The observables a finding carries, by exact name, before validation (kept for skip records). */
export interface RawFields {
  readonly findingUid: string;
  readonly sgId: string;
  readonly sgName: string;
  readonly region: string;
  readonly accountUid: string;
  readonly actor: string;
  readonly rule: string;
  readonly cidrs: readonly string[];
  readonly ports: readonly string[];
  readonly protocol: string;
  readonly fromPort: string;
  readonly toPort: string;
}

export type FindingRejection =
  | { readonly kind: 'not-object'; readonly reason: string; readonly raw: null }
  | { readonly kind: 'wrong-source'; readonly reason: string; readonly raw: RawFields }
  | { readonly kind: 'no-sg-pointer'; readonly reason: string; readonly raw: RawFields }
  | { readonly kind: 'invalid'; readonly reason: string; readonly raw: RawFields }
  /** A Security Hub finding that is suppressed, resolved, archived or passing: nothing to act on. */
  | { readonly kind: 'inactive'; readonly reason: string; readonly raw: RawFields };

/** The parts of an OCSF finding this parser reads; everything else is ignored. */
interface Envelope {
  readonly class_uid?: unknown;
  readonly time?: unknown;
  readonly metadata?: { readonly uid?: unknown; readonly product?: unknown };
  readonly finding_info?: { readonly uid?: unknown };
  readonly observables?: readonly unknown[];
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The envelope's shape, checked by hand rather than with a schema library: it is four checks, on
 * the dry-run hot path, and a schema library would add ~400 KB to every Lambda bundle. Fields
 * are then validated one by one below; the property tests feed it random JSON.
 */
function envelopeOf(input: unknown): Envelope | null {
  if (!isRecord(input)) return null;
  const { metadata, finding_info, observables } = input;
  const shaped =
    (metadata === undefined || isRecord(metadata)) &&
    (finding_info === undefined || isRecord(finding_info)) &&
    (observables === undefined || Array.isArray(observables));
  return shaped ? (input as Envelope) : null;
}

function readObservables(observables: readonly unknown[] | undefined): Map<string, string[]> {
  const byName = new Map<string, string[]>();
  for (const item of observables ?? []) {
    if (!isRecord(item) || typeof item.name !== 'string') continue;
    const { name, value } = item;
    const text = typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : '';
    if (text === '') continue;
    const list = byName.get(name);
    if (list) list.push(text);
    else byName.set(name, [text]);
  }
  return byName;
}

function asText(value: unknown): string {
  return typeof value === 'string' ? value.trim() : '';
}

function rawFields(envelope: Envelope): RawFields {
  const obs = readObservables(envelope.observables);
  const first = (name: string) => obs.get(name)?.[0] ?? '';
  return {
    findingUid: asText(envelope.finding_info?.uid) || asText(envelope.metadata?.uid),
    sgId: first('target.uid'),
    sgName: first('target.name'),
    region: first('region'),
    accountUid: first('account.uid'),
    actor: first('actor.name'),
    rule: first('rule'),
    cidrs: obs.get('permission.cidr') ?? [],
    ports: obs.get('permission.port') ?? [],
    protocol: first('permission.protocol'),
    fromPort: first('permission.from_port'),
    toPort: first('permission.to_port'),
  };
}

function producerOf(envelope: Envelope): unknown {
  const product = envelope.metadata?.product;
  if (!product || typeof product !== 'object') return undefined;
  const feature = (product as { feature?: unknown }).feature;
  return feature && typeof feature === 'object' ? (feature as { name?: unknown }).name : undefined;
}

/**
 * An EventBridge event (`detail-type` + `detail`) stands for the finding in its `detail`: the
 * platform's sample events and the detector's bus deliver findings that way, and every mode that
 * accepts a finding accepts its envelope too.
 */
export function unwrapEventBridge(input: unknown): unknown {
  return isRecord(input) && typeof input['detail-type'] === 'string' && 'detail' in input
    ? input.detail
    : input;
}

/** Parse untrusted input into a Finding, or a typed rejection with its reason. Never throws. */
export function parseFinding(input: unknown): Result<Finding, FindingRejection> {
  const envelope = envelopeOf(unwrapEventBridge(input));
  if (envelope === null) {
    return err({ kind: 'not-object', reason: 'finding is not a JSON object of the OCSF shape', raw: null });
  }
  const raw = rawFields(envelope);
  if (envelope.class_uid !== DETECTION_FINDING_CLASS) {
    const reason = `class_uid is ${JSON.stringify(envelope.class_uid) ?? 'missing'}, expected ${DETECTION_FINDING_CLASS}`;
    return err({ kind: 'wrong-source', reason, raw });
  }
  const producer = producerOf(envelope);
  if (producer !== DETECTOR) {
    const reason = `producer is ${JSON.stringify(producer) ?? 'missing'}, expected ${DETECTOR}`;
    return err({ kind: 'wrong-source', reason, raw });
  }
  if (raw.sgId === '') {
    return err({
      kind: 'no-sg-pointer',
      reason: 'finding did not carry a target.uid (sg id) observable',
      raw,
    });
  }
  const invalid = (reason: string) => err<FindingRejection>({ kind: 'invalid', reason, raw });
  if (!SG_ID.test(raw.sgId))
    return invalid(`target.uid \`${raw.sgId}\` is not sg- followed by 8 or 17 hex digits`);
  if (raw.findingUid === '') return invalid('finding has neither finding_info.uid nor metadata.uid');
  if (raw.accountUid === '') return invalid('finding has no account.uid observable');
  if (!ACCOUNT_ID.test(raw.accountUid)) return invalid(`account.uid \`${raw.accountUid}\` is not 12 digits`);
  if (raw.region === '') return invalid('finding has no region observable');
  if (!REGION.test(raw.region)) return invalid(`region \`${raw.region}\` is not an AWS region name`);
  const permission = parsePermission(raw);
  if (!permission.ok) return invalid(permission.error);
  return ok({
    findingUid: raw.findingUid,
    sgId: raw.sgId,
    sgName: raw.sgName || null,
    region: raw.region,
    accountUid: raw.accountUid,
    actor: raw.actor || null,
    rule: raw.rule || null,
    permission: permission.value,
    timeMs: typeof envelope.time === 'number' && Number.isFinite(envelope.time) ? envelope.time : null,
  });
}

function parseInteger(text: string, field: string): Result<number, string> {
  if (!INTEGER.test(text)) return err(`${field} \`${text}\` is not an integer`);
  return ok(Number(text));
}

function parsePermission(raw: RawFields): Result<FlaggedPermission, string> {
  if (raw.protocol === '') return err('finding has no permission.protocol observable');
  const protocol = normalizeProtocol(raw.protocol);
  if (!protocol.ok) return protocol;
  if (raw.cidrs.length === 0) return err('finding has no permission.cidr observable');
  // Sets, not Array.includes: a finding may carry 100k CIDRs, and de-duplication must stay linear.
  const cidrs = new Set<Cidr>();
  for (const text of raw.cidrs) {
    const cidr = parseCidr(text);
    if (!cidr.ok) return cidr;
    cidrs.add(cidr.value);
  }
  const ports = new Set<number>();
  for (const text of raw.ports) {
    const port = parseInteger(text, 'permission.port');
    if (!port.ok) return port;
    if (!isPort(port.value)) return err(`permission.port ${port.value} is outside 0-65535`);
    ports.add(port.value);
  }
  return permissionOf(protocol.value, raw, [...cidrs], [...ports]);
}

function permissionOf(
  protocol: Protocol,
  raw: RawFields,
  cidrs: readonly Cidr[],
  ports: readonly number[],
): Result<FlaggedPermission, string> {
  const range = parseRange(protocol, raw);
  if (!range.ok) return range;
  const reach = checkReach(protocol, range.value, ports);
  if (!reach.ok) return reach;
  const permission = { protocol, fromPort: range.value.from, toPort: range.value.to, cidrs, ports };
  const declared = declaredPortsOf(protocol, raw);
  return ok(declared ? { ...permission, declaredPorts: declared } : permission);
}

/** The integer from/to of a protocol without ports, when the finding carries both (records only). */
function declaredPortsOf(protocol: Protocol, raw: RawFields): { from: number; to: number } | null {
  if (hasPorts(protocol) || isIcmp(protocol)) return null;
  if (!INTEGER.test(raw.fromPort) || !INTEGER.test(raw.toPort)) return null;
  return { from: Number(raw.fromPort), to: Number(raw.toPort) };
}

type Range = { from: number | null; to: number | null };

function parseRange(protocol: Protocol, raw: RawFields): Result<Range, string> {
  if (!hasPorts(protocol) && !isIcmp(protocol)) return ok({ from: null, to: null });
  if (raw.fromPort === '' || raw.toPort === '') {
    if (isIcmp(protocol) && raw.fromPort === '' && raw.toPort === '') return ok({ from: -1, to: -1 });
    return err(`protocol ${protocol} needs both permission.from_port and permission.to_port`);
  }
  const from = parseInteger(raw.fromPort, 'permission.from_port');
  if (!from.ok) return from;
  const to = parseInteger(raw.toPort, 'permission.to_port');
  if (!to.ok) return to;
  if (isIcmp(protocol)) {
    const valid = (n: number) => n >= -1 && n <= 255;
    if (!valid(from.value) || !valid(to.value)) return err(`${protocol} type/code must be -1 to 255`);
    return ok({ from: from.value, to: to.value });
  }
  if (!isPort(from.value) || !isPort(to.value)) {
    return err(`port range ${from.value}-${to.value} is outside 0-65535`);
  }
  if (from.value > to.value) return err(`from_port ${from.value} is greater than to_port ${to.value}`);
  return ok({ from: from.value, to: to.value });
}

/**
 * The detector lists the risky ports it saw reachable. A permission that reaches none of them
 * (an ICMP rule, or a TCP range that excludes every listed port) is a detector false positive:
 * the original revokes it anyway; this project refuses the finding instead.
 */
function checkReach(protocol: Protocol, range: Range, ports: readonly number[]): Result<true, string> {
  if (ports.length === 0) return ok(true);
  if (isIcmp(protocol)) {
    return err(`permission is ${protocol}, which reaches none of the flagged ports [${ports.join(', ')}]`);
  }
  if (hasPorts(protocol) && !ports.some((p) => p >= (range.from ?? 0) && p <= (range.to ?? 65535))) {
    return err(
      `port range ${range.from}-${range.to} reaches none of the flagged ports [${ports.join(', ')}]`,
    );
  }
  return ok(true);
}
