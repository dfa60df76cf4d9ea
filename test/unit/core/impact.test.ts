import { buildImpact, IMPACT_LIMITS, summarizeImpact, verdictOf } from '../../../lambda/core/impact';
import type { Cidr } from '../../../lambda/core/permission';
import { eni } from '../../support/fakes/in-memory-impact';

const BOTH = ['0.0.0.0/0', '::/0'] as Cidr[];
const V4 = ['0.0.0.0/0'] as Cidr[];
const V6 = ['::/0'] as Cidr[];

describe('verdictOf', () => {
  it.each([
    ['no interface', [], BOTH, 'unused'],
    ['a private interface', [eni('eni-0a1b2c3d4e5f60001')], BOTH, 'not-reachable'],
    [
      'a public IPv4 and 0.0.0.0/0',
      [eni('eni-0a1b2c3d4e5f60001', { publicIpv4: '203.0.113.10' })],
      V4,
      'exposed',
    ],
    [
      'a public IPv4 but only ::/0 flagged',
      [eni('eni-0a1b2c3d4e5f60001', { publicIpv4: '203.0.113.10' })],
      V6,
      'not-reachable',
    ],
    ['an IPv6 address and ::/0', [eni('eni-0a1b2c3d4e5f60001', { ipv6: true })], V6, 'exposed'],
    [
      'an IPv6 address but only 0.0.0.0/0 flagged',
      [eni('eni-0a1b2c3d4e5f60001', { ipv6: true })],
      V4,
      'not-reachable',
    ],
    [
      'one public among private ones',
      [eni('eni-0a1b2c3d4e5f60001'), eni('eni-0a1b2c3d4e5f60002', { publicIpv4: '203.0.113.10' })],
      BOTH,
      'exposed',
    ],
  ] as const)('%s → %s', (_what, interfaces, cidrs, verdict) => {
    expect(verdictOf(interfaces, cidrs)).toBe(verdict);
  });
});

describe('buildImpact', () => {
  it('lists public interfaces first and caps the list, counting every interface', () => {
    const many = Array.from({ length: 120 }, (_, i) => eni(`eni-${String(i).padStart(17, '0')}`));
    const publicOne = eni('eni-fffffffffffffffff', { publicIpv4: '198.51.100.7', attachment: null });

    const impact = buildImpact({ kind: 'listed', interfaces: [...many, publicOne] }, BOTH, {
      status: 'not-configured',
    });

    expect(impact).toMatchObject({
      status: 'computed',
      reason: null,
      verdict: 'exposed',
      interfaceCount: 121,
      publicInterfaceCount: 1,
    });
    expect(impact.interfaces).toHaveLength(IMPACT_LIMITS.interfaces);
    expect(impact.interfaces[0]).toMatchObject({
      interfaceId: 'eni-fffffffffffffffff',
      publicIpv4: '198.51.100.7',
    });
  });

  it('says unavailable, with the reason and no verdict, when the interfaces could not be listed', () => {
    const impact = buildImpact({ kind: 'error', message: 'UnauthorizedOperation: denied' }, BOTH, {
      status: 'not-configured',
    });

    expect(impact).toEqual({
      status: 'unavailable',
      reason: 'UnauthorizedOperation: denied',
      verdict: null,
      interfaceCount: 0,
      publicInterfaceCount: 0,
      interfaces: [],
      flows: { status: 'not-configured' },
    });
  });

  it('names what uses an interface: the instance, else the AWS description, bounded', () => {
    const lb = eni('eni-0a1b2c3d4e5f60002', {
      attachment: null,
      interfaceType: 'network_load_balancer',
      requesterId: 'amazon-elb',
      requesterManaged: true,
      description: `ELB net/${'x'.repeat(300)}`,
    });

    const [first, second] = buildImpact(
      { kind: 'listed', interfaces: [eni('eni-0a1b2c3d4e5f60001'), lb] },
      BOTH,
      { status: 'not-configured' },
    ).interfaces;

    expect(first?.usedBy).toBe('instance i-0a1b2c3d4e5f60001');
    expect(second?.usedBy.startsWith('ELB net/')).toBe(true);
    expect(second?.description).toHaveLength(IMPACT_LIMITS.description);
  });
});

describe('summarizeImpact', () => {
  it('gives the verdict, the counts, who uses the group and the flow evidence in one line', () => {
    const impact = buildImpact(
      { kind: 'listed', interfaces: [eni('eni-0a1b2c3d4e5f60001', { publicIpv4: '203.0.113.10' })] },
      BOTH,
      {
        status: 'computed',
        days: 7,
        logGroup: '/vpc/flow-logs',
        interfacesQueried: 1,
        acceptedInboundFromPublic: 42,
        sources: 3,
        truncated: false,
        topSources: [],
      },
    );

    expect(summarizeImpact(impact)).toBe(
      'impact: exposed; 1 interface, 1 with a public address; used by instance i-0a1b2c3d4e5f60001; ' +
        'flow logs: 42 accepted inbound flows from 3 public sources in 7 d',
    );
  });

  it.each([
    ['no preview', undefined, 'impact: not previewed'],
    [
      'unused',
      buildImpact({ kind: 'listed', interfaces: [] }, BOTH, { status: 'not-configured' }),
      'impact: unused; 0 interfaces, 0 with a public address; flow logs: not configured',
    ],
    [
      'unavailable',
      buildImpact({ kind: 'error', message: 'throttled' }, BOTH, { status: 'skipped', reason: 'no list' }),
      'impact: unavailable (throttled)',
    ],
  ])('%s', (_what, impact, line) => {
    expect(summarizeImpact(impact)).toBe(line);
  });
});
