import fc from 'fast-check';
import { parseFinding } from '../../../lambda/core/finding';
import { canonicalJson, sha256Hex, shortHash } from '../../../lambda/core/hash';
import { buildImpact } from '../../../lambda/core/impact';
import type { Finding } from '../../../lambda/core/model';
import type { Cidr } from '../../../lambda/core/permission';
import {
  actionIdOf,
  describeTargets,
  planHashOf,
  planRevoke,
  resolveTargets,
  ruleMatches,
  withImpact,
} from '../../../lambda/core/plan';
import { eni } from '../../support/fakes/in-memory-impact';
import { findingOf, group, readEventLines, rule } from './support';

function planned(finding: Finding, live: ReturnType<typeof group> | null) {
  const outcome = planRevoke(finding, live);
  if (outcome.kind !== 'planned') throw new Error(`expected planned, got ${outcome.kind}`);
  return outcome.plan;
}

describe('planRevoke offline: by shape', () => {
  it('targets each public CIDR of the finding with its protocol and ports', () => {
    // Arrange
    const finding = findingOf('findings/dual-stack.json');

    // Act
    const plan = planned(finding, null);

    // Assert
    expect(plan.mode).toBe('by-shape');
    expect(plan.beforeImage).toBeNull();
    expect(plan.targets).toEqual([
      { ruleId: null, protocol: 'tcp', fromPort: 3306, toPort: 3306, cidr: '0.0.0.0/0' },
      { ruleId: null, protocol: 'tcp', fromPort: 3306, toPort: 3306, cidr: '::/0' },
    ]);
  });

  it('never targets a non-public sibling CIDR of the finding', () => {
    const plan = planned(findingOf('findings/sibling-cidrs.json'), null);

    expect(plan.publicCidrs).toEqual(['0.0.0.0/0', '::/0']);
    expect(plan.targets.map((t) => t.cidr)).toEqual(['0.0.0.0/0', '::/0']);
  });

  it('skips a finding without any public CIDR', () => {
    const outcome = planRevoke(findingOf('findings/non-public.json'), null);

    expect(outcome).toEqual({
      kind: 'not-public',
      reason: 'no internet-wide CIDR among [10.0.0.0/8, 192.168.1.0/24]',
    });
  });

  it('plans protocol -1 with no ports', () => {
    const plan = planned(findingOf('findings/protocol-all.json'), null);

    expect(plan.targets).toEqual([
      { ruleId: null, protocol: '-1', fromPort: null, toPort: null, cidr: '0.0.0.0/0' },
    ]);
    expect(describeTargets(plan)).toBe('[0.0.0.0/0] protocol=-1 ports=all');
  });
});

describe('planRevoke live: by rule id (DESIGN §5, surgical)', () => {
  const finding = findingOf('findings/ssh-open.ipv4.json');

  it('targets only the exact rule: sibling CIDRs, other ports and other protocols stay', () => {
    // Arrange
    const live = group({
      ingress: [
        rule('sgr-0000000000000000a', '0.0.0.0/0', 'tcp', 22, 22),
        rule('sgr-0000000000000000b', '10.0.0.0/8', 'tcp', 22, 22),
        rule('sgr-0000000000000000c', '203.0.113.0/24', 'tcp', 22, 22),
        rule('sgr-0000000000000000d', '0.0.0.0/0', 'tcp', 443, 443),
        rule('sgr-0000000000000000e', '0.0.0.0/0', 'udp', 22, 22),
        rule('sgr-0000000000000000f', '0.0.0.0/0', 'tcp', 0, 65535),
        rule('sgr-00000000000000010', null, 'tcp', 22, 22),
        rule('sgr-00000000000000011', '::/0', 'tcp', 22, 22),
      ],
    });

    // Act
    const plan = planned(finding, live);

    // Assert
    expect(plan.mode).toBe('by-rule-id');
    expect(plan.targets).toEqual([
      { ruleId: 'sgr-0000000000000000a', protocol: 'tcp', fromPort: 22, toPort: 22, cidr: '0.0.0.0/0' },
    ]);
    expect(plan.beforeImage).toHaveLength(8);
  });

  it('matches a live rule for a finding that says protocol 6 (both normalise to tcp)', () => {
    const six = findingOf('findings/protocol-6.json');
    const live = group({
      groupId: six.sgId,
      ingress: [rule('sgr-0000000000000000a', '0.0.0.0/0', 'tcp', 22, 22)],
    });

    const plan = planned(six, live);

    expect(plan.targets.map((t) => t.ruleId)).toEqual(['sgr-0000000000000000a']);
  });

  it('is already-absent when no live rule matches', () => {
    const live = group({ ingress: [rule('sgr-0000000000000000d', '0.0.0.0/0', 'tcp', 443, 443)] });

    const outcome = planRevoke(finding, live);

    expect(outcome.kind).toBe('already-absent');
    expect(outcome.kind === 'already-absent' && outcome.plan.targets).toEqual([]);
  });

  it('resolves both families of a dual-stack finding to their own rule ids', () => {
    const dual = findingOf('findings/dual-stack.json');
    const live = group({
      ingress: [
        rule('sgr-000000000000000a4', '::/0', 'tcp', 3306, 3306),
        rule('sgr-000000000000000a6', '0.0.0.0/0', 'tcp', 3306, 3306),
      ],
    });

    const targets = resolveTargets(planned(dual, null), live.ingress);

    expect(targets.map((t) => [t.ruleId, t.cidr])).toEqual([
      ['sgr-000000000000000a4', '::/0'],
      ['sgr-000000000000000a6', '0.0.0.0/0'],
    ]);
  });

  it('ruleMatches requires the same CIDR, protocol, from and to', () => {
    const shape = { protocol: 'tcp' as const, fromPort: 22, toPort: 22, cidr: '0.0.0.0/0' as Cidr };

    expect(ruleMatches(rule('a', '0.0.0.0/0', 'tcp', 22, 22), shape)).toBe(true);
    expect(ruleMatches(rule('a', '0.0.0.0/0', 'tcp', 22, 23), shape)).toBe(false);
    expect(ruleMatches(rule('a', '0.0.0.0/0', '-1', null, null), shape)).toBe(false);
  });
});

describe('action id and plan hash', () => {
  const ssh = findingOf('findings/ssh-open.ipv4.json');

  it('gives each permission of one finding uid its own action id (asg-00d3a95bcf9a5eb5)', () => {
    const [mysql, postgres] = readEventLines('findings.ocsf.jsonl')
      .slice(5, 7)
      .map((value) => {
        const parsed = parseFinding(value);
        if (!parsed.ok) throw new Error(parsed.error.reason);
        return parsed.value;
      });

    expect([mysql?.findingUid, postgres?.findingUid]).toEqual([
      'asg-00d3a95bcf9a5eb5',
      'asg-00d3a95bcf9a5eb5',
    ]);
    expect(actionIdOf(mysql!)).not.toBe(actionIdOf(postgres!));
    expect(actionIdOf(mysql!)).toMatch(/^sgrev-[0-9a-f]{16}$/);
  });

  it('is stable: the same finding gives the same action id and plan hash', () => {
    const a = planned(ssh, null);
    const b = planned(findingOf('findings/ssh-open.ipv4.json'), null);

    expect([b.actionId, b.planHash]).toEqual([a.actionId, a.planHash]);
    expect(a.planHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('does not depend on the order of the targets', () => {
    const plan = planned(findingOf('findings/dual-stack.json'), null);

    const reordered = planHashOf({ ...plan, targets: [...plan.targets].reverse() });

    expect(reordered).toBe(plan.planHash);
  });

  it.each([
    ['publicCidrs', { publicCidrs: ['10.0.0.0/8' as Cidr] }],
    ['the ports', { fromPort: 21 }],
    ['the group name', { sgName: 'renamed' }],
    ['the before-image', { beforeImage: [] }],
    ['the region', { region: 'eu-west-1' }],
  ])('changes when %s is edited after planning (an approval no longer matches)', (_what, edit) => {
    const { planHash, ...body } = planned(
      ssh,
      group({ ingress: [rule('sgr-0000000000000000a', '0.0.0.0/0', 'tcp', 22, 22)] }),
    );

    expect(planHashOf({ ...body, ...edit })).not.toBe(planHash);
    expect(planHashOf(body)).toBe(planHash);
  });

  it('changes when the targets change', () => {
    const byShape = planned(ssh, null);
    const live = group({ ingress: [rule('sgr-0000000000000000a', '0.0.0.0/0', 'tcp', 22, 22)] });
    const byId = planned(ssh, live);
    const recreated = planned(
      ssh,
      group({ ingress: [rule('sgr-0000000000000000b', '0.0.0.0/0', 'tcp', 22, 22)] }),
    );

    expect(byId.actionId).toBe(byShape.actionId);
    expect(new Set([byShape.planHash, byId.planHash, recreated.planHash]).size).toBe(3);
  });
});

describe('action id and plan hash: the spelled-out canonical JSON equals canonicalJson', () => {
  const text = fc.string({ unit: 'binary', maxLength: 12 });
  const port = fc.option(fc.integer({ min: -1, max: 65535 }), { nil: null });
  const anyFinding = fc.record({
    findingUid: text,
    sgId: text,
    region: text,
    accountUid: text,
    protocol: fc.constantFrom('tcp', 'udp', '-1', '47'),
    from: port,
    to: port,
    cidrs: fc.array(fc.constantFrom('0.0.0.0/0', '::/0', 'a"b', 'é'), { minLength: 1, maxLength: 3 }),
  });

  it('for any finding', () => {
    fc.assert(
      fc.property(anyFinding, (r) => {
        // Arrange
        const base = findingOf('findings/ssh-open.ipv4.json');
        const permission = {
          protocol: r.protocol,
          fromPort: r.from,
          toPort: r.to,
          cidrs: r.cidrs as Cidr[],
          ports: [],
        };
        const finding: Finding = { ...base, ...r, permission };
        const generic = {
          finding: r.findingUid,
          sg: r.sgId,
          region: r.region,
          account: r.accountUid,
          protocol: r.protocol,
          from: r.from,
          to: r.to,
          cidrs: [...r.cidrs].sort(),
        };

        // Act
        const outcome = planRevoke(finding, null);

        // Assert
        expect(actionIdOf(finding)).toBe(shortHash('sgrev', generic));
        if (outcome.kind !== 'not-public') {
          const p = outcome.plan;
          const targets = [...p.targets].map((t) => canonicalJson(t)).sort();
          const expected = {
            action: p.actionId,
            sg: p.sgId,
            region: p.region,
            account: p.accountUid,
            before: p.beforeImage,
            cidrs: [...p.publicCidrs].sort(),
            finding: p.findingUid,
            from: p.fromPort,
            to: p.toPort,
            mode: p.mode,
            name: p.sgName,
            ports: p.ports,
            protocol: p.protocol,
            targets,
          };
          expect(p.planHash).toBe(sha256Hex(canonicalJson(expected)));
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('the impact preview is part of the plan hash (DESIGN §11, §13)', () => {
  const ssh = findingOf('findings/ssh-open.ipv4.json');
  const live = group({ ingress: [rule('sgr-0000000000000000a', '0.0.0.0/0', 'tcp', 22, 22)] });
  const impact = buildImpact(
    { kind: 'listed', interfaces: [eni('eni-0a1b2c3d4e5f60001', { publicIpv4: '203.0.113.10' })] },
    ['0.0.0.0/0' as Cidr],
    { status: 'not-configured' },
  );

  it('a plan without a preview hashes exactly as before the preview existed (stored plans still verify)', () => {
    const plan = planned(ssh, live);
    const { planHash, ...body } = plan;

    expect('impact' in plan).toBe(false);
    expect(planHashOf({ ...body, impact: undefined })).toBe(planHash);
  });

  it('adding the preview re-hashes the plan, and the hash is canonicalJson with an `impact` key', () => {
    const plan = planned(ssh, live);
    const { planHash: _plain, ...body } = plan;

    const previewed = withImpact(plan, impact);

    expect(previewed.impact).toEqual(impact);
    expect(previewed.planHash).not.toBe(plan.planHash);
    const expected = {
      action: body.actionId,
      account: body.accountUid,
      before: body.beforeImage,
      cidrs: [...body.publicCidrs].sort(),
      finding: body.findingUid,
      from: body.fromPort,
      impact,
      mode: body.mode,
      name: body.sgName,
      ports: body.ports,
      protocol: body.protocol,
      region: body.region,
      sg: body.sgId,
      targets: body.targets.map((t) => canonicalJson(t)).sort(),
      to: body.toPort,
    };
    expect(previewed.planHash).toBe(sha256Hex(canonicalJson(expected)));
  });

  it.each([
    ['the verdict', { verdict: 'unused' as const }],
    ['the interface count', { interfaceCount: 0 }],
    ['the interfaces', { interfaces: [] }],
    ['the flow evidence', { flows: { status: 'skipped' as const, reason: 'edited' } }],
  ])('changes when %s is edited after planning', (_what, edit) => {
    const { planHash, ...body } = withImpact(planned(ssh, live), impact);

    expect(planHashOf({ ...body, impact: { ...impact, ...edit } })).not.toBe(planHash);
    expect(planHashOf(body)).toBe(planHash);
  });

  it('removing the preview from a previewed plan changes its hash', () => {
    const { planHash, impact: _dropped, ...body } = withImpact(planned(ssh, live), impact);

    expect(planHashOf(body)).not.toBe(planHash);
  });
});
