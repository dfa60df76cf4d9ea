import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import {
  type Cidr,
  cidrContains,
  hasPorts,
  isIcmp,
  isPort,
  isPublicCidr,
  normalizeProtocol,
  parseCidr,
} from '../../../lambda/core/permission';

const cidr = (text: string) => text as Cidr;

describe('normalizeProtocol (DESIGN §5)', () => {
  it.each([
    ['tcp', 'tcp'],
    ['6', 'tcp'],
    ['TCP', 'tcp'],
    [' tcp ', 'tcp'],
    ['udp', 'udp'],
    ['17', 'udp'],
    ['icmp', 'icmp'],
    ['1', 'icmp'],
    ['icmpv6', 'icmpv6'],
    ['58', 'icmpv6'],
    ['-1', '-1'],
    ['all', '-1'],
    ['ALL', '-1'],
    ['47', '47'],
    ['050', '50'],
    // The original reads protocol numbers with int(): a leading zero names the same protocol.
    ['06', 'tcp'],
    ['017', 'udp'],
    ['058', 'icmpv6'],
    ['001', 'icmp'],
    ['0047', '47'],
    ['0', '0'],
    ['255', '255'],
  ])('%j → %j', (raw, expected) => {
    expect(normalizeProtocol(raw)).toEqual({ ok: true, value: expected });
  });

  it.each(['sctp', 'gre', '', '256', '-2', '6.0', 'tcp6', '1000'])('rejects %j as unknown', (raw) => {
    expect(normalizeProtocol(raw)).toEqual({ ok: false, error: `unknown protocol \`${raw}\`` });
  });

  it('says which protocols carry ports and which carry ICMP type/code', () => {
    const protocols = ['tcp', 'udp', 'icmp', 'icmpv6', '-1', '47'] as const;

    expect(protocols.map((p) => [hasPorts(p), isIcmp(p)])).toEqual([
      [true, false],
      [true, false],
      [false, true],
      [false, true],
      [false, false],
      [false, false],
    ]);
  });

  it.each([
    [0, true],
    [65535, true],
    [-1, false],
    [65536, false],
    [22.5, false],
    [Number.NaN, false],
  ])('isPort(%d) is %s', (n, expected) => {
    expect(isPort(n)).toBe(expected);
  });
});

describe('parseCidr: canonical form', () => {
  it.each([
    ['0.0.0.0/0', '0.0.0.0/0'],
    ['::/0', '::/0'],
    [' 0.0.0.0/0 ', '0.0.0.0/0'],
    ['10.1.2.3/8', '10.0.0.0/8'],
    ['192.168.1.77/24', '192.168.1.0/24'],
    ['203.0.113.42/32', '203.0.113.42/32'],
    ['1.2.3.4/0', '0.0.0.0/0'],
    ['2001:DB8:0:0:0:0:0:1/32', '2001:db8::/32'],
    ['0:0:0:0:0:0:0:0/0', '::/0'],
    ['2001:db8::1/128', '2001:db8::1/128'],
  ])('%j → %j', (raw, expected) => {
    expect(parseCidr(raw)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['0.0.0.0', 'CIDR `0.0.0.0` has no prefix length'],
    ['0.0.0.0/33', 'unparsable CIDR `0.0.0.0/33`'],
    ['::/129', 'unparsable CIDR `::/129`'],
    ['256.0.0.0/8', 'unparsable CIDR `256.0.0.0/8`'],
    ['anywhere/0', 'unparsable CIDR `anywhere/0`'],
    ['/0', 'unparsable CIDR `/0`'],
  ])('rejects %j', (raw, error) => {
    expect(parseCidr(raw)).toEqual({ ok: false, error });
  });

  it('computes plain IPv4 CIDRs exactly as ipaddr.js does (the fast path and the general parser agree)', () => {
    fc.assert(
      fc.property(fc.ipV4(), fc.integer({ min: 0, max: 32 }), (address, bits) => {
        const text = `${address}/${bits}`;
        const network = ipaddr.IPv4.networkAddressFromCIDR(text).toString();

        expect(parseCidr(text)).toEqual({ ok: true, value: `${network}/${bits}` });
      }),
      { numRuns: 2000 },
    );
  });

  it('leaves leading-zero octets to the general parser, which reads them as octal', () => {
    expect(parseCidr('010.0.0.1/32')).toEqual({ ok: true, value: '8.0.0.1/32' });
  });
});

describe('public detection and containment', () => {
  it.each([
    ['0.0.0.0/0', true],
    ['::/0', true],
    ['0.0.0.0/1', false],
    ['128.0.0.0/1', false],
    ['10.0.0.0/8', false],
    ['::/1', false],
    ['2000::/3', false],
  ])('isPublicCidr(%s) is %s', (text, expected) => {
    expect(isPublicCidr(cidr(text))).toBe(expected);
  });

  it.each([
    ['0.0.0.0/0', '0.0.0.0/0', true],
    ['0.0.0.0/0', '10.0.0.0/8', true],
    ['10.0.0.0/8', '10.1.0.0/16', true],
    ['10.1.0.0/16', '10.0.0.0/8', false],
    ['10.0.0.0/8', '11.0.0.0/8', false],
    ['10.0.0.0/8', '0.0.0.0/0', false],
    ['::/0', '2001:db8::/32', true],
    ['2001:db8::/32', '::/0', false],
    ['::/0', '0.0.0.0/0', false],
    ['0.0.0.0/0', '::/0', false],
  ])('cidrContains(%s, %s) is %s', (outer, inner, expected) => {
    expect(cidrContains(cidr(outer), cidr(inner))).toBe(expected);
  });
});
