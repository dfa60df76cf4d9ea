import {
  buildFlowQuery,
  FLOW_QUERY,
  flowTimeRange,
  parseFlowResults,
  queriedInterfaces,
} from '../../../lambda/core/flow-query';

const ENIS = ['eni-0a1b2c3d4e5f60001', 'eni-0a1b2c3d4e5f60002'];
const NOT_PRIVATE =
  'filter not isIpv4InSubnet(srcAddr, "10.0.0.0/8") and not isIpv4InSubnet(srcAddr, "172.16.0.0/12") and ' +
  'not isIpv4InSubnet(srcAddr, "192.168.0.0/16") and not isIpv4InSubnet(srcAddr, "100.64.0.0/10") and ' +
  'not isIpv6InSubnet(srcAddr, "fc00::/7") and not isIpv6InSubnet(srcAddr, "fe80::/10")';
const TAIL = [
  'stats count(*) as flows, max(@timestamp) as lastSeen by srcAddr',
  'sort flows desc',
  'limit 100',
];

describe('buildFlowQuery', () => {
  it('tcp 22: accepted flows to the group interfaces on port 22 from public sources', () => {
    expect(buildFlowQuery({ protocol: 'tcp', fromPort: 22, toPort: 22, interfaceIds: ENIS })).toBe(
      [
        'fields srcAddr, dstPort',
        'filter action = "ACCEPT" and interfaceId in ["eni-0a1b2c3d4e5f60001", "eni-0a1b2c3d4e5f60002"] and protocol = 6 and dstPort = 22',
        NOT_PRIVATE,
        ...TAIL,
      ].join('\n| '),
    );
  });

  it('a port range: udp 8000-8100', () => {
    const query = buildFlowQuery({
      protocol: 'udp',
      fromPort: 8000,
      toPort: 8100,
      interfaceIds: ENIS.slice(0, 1),
    });

    expect(query.split('\n| ')[1]).toBe(
      'filter action = "ACCEPT" and interfaceId in ["eni-0a1b2c3d4e5f60001"] and protocol = 17 and dstPort >= 8000 and dstPort <= 8100',
    );
  });

  it('all traffic (-1): no protocol and no port clause', () => {
    const query = buildFlowQuery({
      protocol: '-1',
      fromPort: null,
      toPort: null,
      interfaceIds: ENIS.slice(0, 1),
    });

    expect(query.split('\n| ')[1]).toBe(
      'filter action = "ACCEPT" and interfaceId in ["eni-0a1b2c3d4e5f60001"]',
    );
  });

  it.each([
    ['icmp (type/code are not ports)', 'icmp', 8, 0, 'protocol = 1'],
    ['icmpv6', 'icmpv6', -1, -1, 'protocol = 58'],
    ['another protocol number opens the whole protocol', '47', null, null, 'protocol = 47'],
  ] as const)('%s', (_what, protocol, fromPort, toPort, clause) => {
    const query = buildFlowQuery({ protocol, fromPort, toPort, interfaceIds: ENIS.slice(0, 1) });

    expect(query.split('\n| ')[1]).toBe(
      `filter action = "ACCEPT" and interfaceId in ["eni-0a1b2c3d4e5f60001"] and ${clause}`,
    );
  });

  it('never splices anything but an interface id into the query, and names at most 50', () => {
    const many = Array.from({ length: 80 }, (_, i) => `eni-${String(i).padStart(17, '0')}`);
    const hostile = ['eni-0a1b2c3d"] or action = "REJECT', 'sg-0a1b2c3d4e5f60001', ...many, many[0]!];

    const named = queriedInterfaces(hostile);

    expect(named).toHaveLength(FLOW_QUERY.interfaces);
    expect(named).toEqual(many.slice(0, FLOW_QUERY.interfaces));
    expect(
      buildFlowQuery({ protocol: 'tcp', fromPort: 22, toPort: 22, interfaceIds: hostile }),
    ).not.toContain('REJECT');
  });
});

const row = (srcAddr: string, flows: string, lastSeen = '2026-11-30 08:15:00.000') => [
  { field: 'srcAddr', value: srcAddr },
  { field: 'flows', value: flows },
  { field: 'lastSeen', value: lastSeen },
];

describe('parseFlowResults', () => {
  it('sums the flows, counts the sources and orders the top sources by flows', () => {
    const parsed = parseFlowResults([
      row('198.51.100.7', '3'),
      row('203.0.113.10', '40'),
      row('2001:db8::1', '3'),
    ]);

    expect(parsed).toEqual({
      ok: true,
      value: {
        acceptedInboundFromPublic: 46,
        sources: 3,
        truncated: false,
        topSources: [
          { address: '203.0.113.10', flows: 40, lastSeen: '2026-11-30 08:15:00.000' },
          { address: '198.51.100.7', flows: 3, lastSeen: '2026-11-30 08:15:00.000' },
          { address: '2001:db8::1', flows: 3, lastSeen: '2026-11-30 08:15:00.000' },
        ],
      },
    });
  });

  it('an empty result is zero flows from zero sources', () => {
    expect(parseFlowResults([])).toEqual({
      ok: true,
      value: { acceptedInboundFromPublic: 0, sources: 0, truncated: false, topSources: [] },
    });
  });

  it('a result at the row limit is a lower bound, and shows the top 10 only', () => {
    const rows = Array.from({ length: FLOW_QUERY.rowLimit }, (_, i) => row(`198.51.100.${i}`, String(i + 1)));

    const parsed = parseFlowResults(rows);

    expect(parsed.ok && parsed.value).toMatchObject({
      acceptedInboundFromPublic: (100 * 101) / 2,
      sources: 100,
      truncated: true,
    });
    expect(parsed.ok && parsed.value.topSources.map((s) => s.flows)).toEqual([
      100, 99, 98, 97, 96, 95, 94, 93, 92, 91,
    ]);
  });

  it.each([
    ['not a list', { rows: [] }, 'the query results are not a list of rows'],
    ['a row that is not a list', [{ field: 'srcAddr', value: '1.2.3.4' }], 'row 0 is not a list of fields'],
    ['a field without a value', [[{ field: 'srcAddr' }]], 'row 0 has a field without a name or value'],
    ['no source address', [[{ field: 'flows', value: '3' }]], 'row 0 has no source address'],
    ['a source that is not an address', [row('<script>', '3')], 'row 0 has no source address'],
    [
      'a flow count that is not a number',
      [row('1.2.3.4', '3'), row('1.2.3.5', 'many')],
      'row 1 has no flow count',
    ],
    ['a negative flow count', [row('1.2.3.4', '-1')], 'row 0 has no flow count'],
  ])('refuses %s (a partly read answer could understate usage)', (_what, results, error) => {
    expect(parseFlowResults(results)).toEqual({ ok: false, error });
  });
});

describe('flowTimeRange', () => {
  it('is the last N days in whole seconds', () => {
    expect(flowTimeRange(Date.parse('2026-12-01T00:00:00.900Z'), 7)).toEqual({
      startTime: Date.parse('2026-11-24T00:00:00Z') / 1000,
      endTime: Date.parse('2026-12-01T00:00:00Z') / 1000,
    });
  });
});
