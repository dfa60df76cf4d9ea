import ipaddr from 'ipaddr.js';
import { err, ok, type Result } from './result';

/**
 * Normalised IP protocol. `tcp`/`udp`/`icmp`/`icmpv6` by name, `-1` for all traffic, and any
 * other IANA number as its decimal string (AWS treats such a rule as all ports of that protocol).
 */
export type Protocol = 'tcp' | 'udp' | 'icmp' | 'icmpv6' | '-1' | `${number}`;

const NAMED: Record<string, Protocol> = {
  tcp: 'tcp',
  '6': 'tcp',
  udp: 'udp',
  '17': 'udp',
  icmp: 'icmp',
  '1': 'icmp',
  icmpv6: 'icmpv6',
  '58': 'icmpv6',
  '-1': '-1',
  all: '-1',
};

/**
 * A number is read as an integer first (`06`, `017`, `058` are tcp, udp, icmpv6, as the
 * original's `int()` reads them): a leading zero must never turn tcp into "some other protocol".
 */
export function normalizeProtocol(raw: string): Result<Protocol, string> {
  const value = raw.trim().toLowerCase();
  const number = /^-?\d{1,4}$/.test(value) ? Number(value) : null;
  const key = number === null ? value : String(number);
  const named = NAMED[key];
  if (named) return ok(named);
  if (number !== null && number >= 0 && number <= 255) return ok(key as Protocol);
  return err(`unknown protocol \`${raw}\``);
}

/** Protocols whose from/to are TCP/UDP ports (the others carry ICMP type/code or nothing). */
export const hasPorts = (p: Protocol): boolean => p === 'tcp' || p === 'udp';
export const isIcmp = (p: Protocol): boolean => p === 'icmp' || p === 'icmpv6';

export interface PortRange {
  readonly from: number;
  readonly to: number;
}

export function isPort(n: number): boolean {
  return Number.isInteger(n) && n >= 0 && n <= 65535;
}

/** A CIDR in canonical form: network address, lower-case, compressed IPv6 (`::/0`, `10.0.0.0/8`). */
export type Cidr = string & { readonly __brand: 'Cidr' };

export function parseCidr(raw: string): Result<Cidr, string> {
  const text = raw.trim();
  // Almost every flagged CIDR is one of these, already canonical: skip the general parser.
  if (text === '0.0.0.0/0' || text === '::/0') return ok(text as Cidr);
  if (!text.includes('/')) return err(`CIDR \`${raw}\` has no prefix length`);
  const v4 = plainIpv4Cidr(text);
  if (v4 !== null) return ok(v4);
  try {
    const [addr, bits] = ipaddr.parseCIDR(text);
    const network =
      addr.kind() === 'ipv4'
        ? ipaddr.IPv4.networkAddressFromCIDR(text)
        : ipaddr.IPv6.networkAddressFromCIDR(text);
    return ok(`${network.toString()}/${bits}` as Cidr);
  } catch {
    return err(`unparsable CIDR \`${raw}\``);
  }
}

const PLAIN_IPV4 = /^(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\/(0|[1-9]\d?)$/;

/**
 * Plain dotted-decimal IPv4 (no leading zeros, which ipaddr.js would read as octal) is computed
 * here: the general parser costs ~20 µs a CIDR, and one finding may carry 100k of them.
 */
function plainIpv4Cidr(text: string): Cidr | null {
  const m = PLAIN_IPV4.exec(text);
  if (m === null) return null;
  const octets = [m[1], m[2], m[3], m[4]].map(Number);
  const bits = Number(m[5]);
  if (bits > 32 || octets.some((o) => o > 255)) return null;
  const address = octets.reduce((acc, o) => acc * 256 + o, 0);
  const size = 2 ** (32 - bits);
  const network = Math.floor(address / size) * size;
  const parts = [network >>> 24, (network >>> 16) & 255, (network >>> 8) & 255, network & 255];
  return `${parts.join('.')}/${bits}` as Cidr;
}

export const PUBLIC_CIDRS: ReadonlySet<string> = new Set(['0.0.0.0/0', '::/0']);

/** Only the internet-wide ranges are revoked (DESIGN §5): a /0 of either family. */
export const isPublicCidr = (cidr: Cidr): boolean => PUBLIC_CIDRS.has(cidr);

/** True when `outer` contains every address of `inner` (same family, shorter or equal prefix). */
export function cidrContains(outer: Cidr, inner: Cidr): boolean {
  const [oAddr, oBits] = ipaddr.parseCIDR(outer);
  const [iAddr, iBits] = ipaddr.parseCIDR(inner);
  if (oAddr.kind() !== iAddr.kind() || oBits > iBits) return false;
  return iAddr.match(oAddr, oBits);
}
