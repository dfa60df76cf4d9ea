import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import { dryRunRecord } from '../../../lambda/core/dry-run';
import { parseFinding } from '../../../lambda/core/finding';
import type { RemediationRecord } from '../../../lambda/core/records';
import { offline, readEventLines } from './support';

const STATUSES = new Set([
  'planned',
  'would-violate-protected-sg',
  'skipped_no_sg_pointer',
  'skipped_wrong_source',
  'skipped_invalid_finding',
  'skipped_not_public',
  'skipped_account_boundary',
]);
const NAMES = [
  'target.uid',
  'target.name',
  'region',
  'account.uid',
  'actor.name',
  'rule',
  'permission.cidr',
  'permission.port',
  'permission.protocol',
  'permission.from_port',
  'permission.to_port',
];
const real = readEventLines('findings.ocsf.jsonl') as Record<string, unknown>[];

/** Values a mutation writes: near-misses of valid values, and anything JSON. */
const tricky = fc.oneof(
  fc.constantFrom(
    '0.0.0.0/0',
    '::/0',
    '0.0.0.0/1',
    '10.0.0.0/8',
    '0.0.0.0',
    '0.0.0.0/33',
    'tcp',
    '6',
    '-1',
    'all',
    'icmp',
    'sctp',
    '',
    ' ',
    '22',
    '-1',
    '65536',
    '1e3',
    '0x16',
    'sg-0a1b2c3d',
    'sg-0A1B2C3D',
    'sg-12345',
    '111122223333',
    '1111222233334',
    'us-east-1',
    'default',
  ),
  fc.integer({ min: -70000, max: 70000 }),
  fc.string({ maxLength: 20 }),
  fc.jsonValue({ maxDepth: 2 }),
);

type Mutation = (finding: Record<string, unknown>) => void;
const observablesOf = (f: Record<string, unknown>) => (Array.isArray(f.observables) ? f.observables : []);

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.tuple(fc.nat(40), tricky).map(
    ([i, value]): Mutation =>
      (f) => {
        const obs = observablesOf(f);
        if (obs.length > 0) obs[i % obs.length] = { ...(obs[i % obs.length] as object), value };
      },
  ),
  fc.nat(40).map(
    (i): Mutation =>
      (f) => {
        const obs = observablesOf(f);
        if (obs.length > 0) obs.splice(i % obs.length, 1);
      },
  ),
  fc.tuple(fc.constantFrom(...NAMES), tricky, fc.boolean()).map(
    ([name, value, first]): Mutation =>
      (f) => {
        const item = { name, type: 'Other', value };
        if (first) observablesOf(f).unshift(item);
        else observablesOf(f).push(item);
      },
  ),
  fc
    .tuple(
      fc.constantFrom('class_uid', 'metadata', 'finding_info', 'observables', 'time'),
      fc.jsonValue({ maxDepth: 2 }),
    )
    .map(
      ([key, value]): Mutation =>
        (f) => {
          f[key] = value;
        },
    ),
  fc.constantFrom('class_uid', 'metadata', 'finding_info', 'observables').map(
    (key): Mutation =>
      (f) => {
        delete f[key];
      },
  ),
);

const mutatedFinding = fc
  .tuple(fc.nat(real.length - 1), fc.array(mutation, { minLength: 1, maxLength: 5 }))
  .map(([index, mutations]) => {
    const finding = structuredClone(real[index]!);
    for (const mutate of mutations) mutate(finding);
    return finding;
  });

const PUBLIC = new Set(['0.0.0.0/0', '::/0']);

/** What a planned record must satisfy, checked independently of the parser's code. */
function assertSafeToPlan(input: unknown, record: RemediationRecord): void {
  const t = record.target;
  expect(input).toMatchObject({
    class_uid: 2004,
    metadata: { product: { feature: { name: 'detect-aws-open-security-group' } } },
  });
  expect(t.sg_id).toMatch(/^sg-([0-9a-f]{8}|[0-9a-f]{17})$/);
  expect(t.account_uid).toMatch(/^\d{12}$/);
  expect(t.region).toMatch(/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/);
  expect(record.finding_uid).not.toBe('');
  expect(t.cidrs.length).toBeGreaterThan(0);
  for (const cidr of t.cidrs) expect(ipaddr.isValidCIDR(cidr)).toBe(true);
  expect(t.cidrs.some((c) => PUBLIC.has(c))).toBe(true);
  if (t.ip_protocol === 'tcp' || t.ip_protocol === 'udp') {
    expect(Number.isInteger(t.from_port) && Number.isInteger(t.to_port)).toBe(true);
    expect(0 <= t.from_port! && t.from_port! <= t.to_port! && t.to_port! <= 65535).toBe(true);
  } else {
    expect(['-1', 'icmp', 'icmpv6'].includes(t.ip_protocol) || /^\d{1,3}$/.test(t.ip_protocol)).toBe(true);
  }
  const revoked = /would revoke \[([^\]]*)\]/.exec(record.actions[0]?.detail ?? '')?.[1]?.split(', ') ?? [];
  expect(revoked.length).toBeGreaterThan(0);
  for (const cidr of revoked) expect(PUBLIC.has(cidr)).toBe(true);
}

describe('property: the parser and the dry-run never throw', () => {
  it('on any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const record = dryRunRecord(value, offline, 1);
        expect(STATUSES.has(record.status)).toBe(true);
        expect(() => JSON.stringify(record)).not.toThrow();
      }),
      { numRuns: 300 },
    );
  });

  it('on any JavaScript value, including ones JSON cannot carry', () => {
    fc.assert(
      fc.property(
        fc.anything({ withBoxedValues: true, withMap: true, withSet: true, withNullPrototype: true }),
        (value) => {
          expect(() => parseFinding(value)).not.toThrow();
        },
      ),
      { numRuns: 300 },
    );
  });

  it('on mutated real findings', () => {
    fc.assert(
      fc.property(mutatedFinding, (finding) => {
        const record = dryRunRecord(finding, offline, 1);
        expect(STATUSES.has(record.status)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});

describe('property: nothing malformed or non-public is ever planned', () => {
  it('a planned mutated finding is well-formed, public, and targets only public CIDRs', () => {
    fc.assert(
      fc.property(mutatedFinding, (finding) => {
        const record = dryRunRecord(finding, offline, 1);
        if (!parseFinding(finding).ok) expect(record.status).not.toBe('planned');
        if (record.status === 'planned') assertSafeToPlan(finding, record);
      }),
      { numRuns: 1000 },
    );
  });

  it('a finding whose CIDRs are all non-public is never planned', () => {
    const nonPublic = fc
      .tuple(fc.ipV4(), fc.integer({ min: 1, max: 32 }))
      .map(([ip, bits]) => `${ip}/${bits}`);
    fc.assert(
      fc.property(
        fc.nat(real.length - 1),
        fc.array(nonPublic, { minLength: 1, maxLength: 4 }),
        (index, cidrs) => {
          const finding = structuredClone(real[index]!);
          const obs = (finding.observables as { name: string }[]).filter((o) => o.name !== 'permission.cidr');
          finding.observables = [...obs, ...cidrs.map((value) => ({ name: 'permission.cidr', value }))];

          const record = dryRunRecord(finding, offline, 1);

          expect(record.status).not.toBe('planned');
        },
      ),
      { numRuns: 300 },
    );
  });
});
