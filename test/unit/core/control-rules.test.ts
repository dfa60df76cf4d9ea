import fc from 'fast-check';
import {
  type ControlPorts,
  controlFindings,
  DEFAULT_CONTROL_PORTS,
  failingRules,
  failsControl,
  groupLevelFinding,
} from '../../../lambda/core/control-rules';
import { actionIdOf } from '../../../lambda/core/plan';
import type { ControlFinding } from '../../../lambda/core/securityhub-finding';
import { rule } from './support';

const D = DEFAULT_CONTROL_PORTS;
const ids = (rules: { ruleId: string }[]) => rules.map((r) => r.ruleId);

const cf = (control: 'EC2.18' | 'EC2.19'): ControlFinding => ({
  findingUid: 'arn:aws:securityhub:us-east-1:111122223333:security-control/EC2.19/finding/f-1',
  sgId: 'sg-0a1b2c3d4e5f60001',
  accountUid: '111122223333',
  region: 'us-east-1',
  control,
  timeMs: null,
  origin: {
    kind: 'securityhub-asff',
    id: 'f-1',
    productArn: 'arn:aws:securityhub:us-east-1::product/aws/securityhub',
  },
});

describe('EC2.19: public rules that reach a high-risk port', () => {
  const ingress = [
    rule('sgr-ssh4', '0.0.0.0/0', 'tcp', 22, 22),
    rule('sgr-ssh6', '::/0', 'tcp', 22, 22),
    rule('sgr-https', '0.0.0.0/0', 'tcp', 443, 443),
    rule('sgr-http', '0.0.0.0/0', 'tcp', 80, 80),
    rule('sgr-private', '10.0.0.0/8', 'tcp', 3389, 3389),
    rule('sgr-wide', '0.0.0.0/0', 'tcp', 8000, 8100),
    rule('sgr-all', '::/0', '-1', null, null),
    rule('sgr-icmp', '0.0.0.0/0', 'icmp', -1, -1),
    rule('sgr-sg-ref', null, 'tcp', 22, 22),
  ];

  it('selects exactly the public ssh (IPv4 and IPv6), the range over 8080/8088 and all traffic', () => {
    expect(ids(failingRules('EC2.19', ingress, D))).toEqual(['sgr-ssh4', 'sgr-ssh6', 'sgr-wide', 'sgr-all']);
  });

  it('never plans a public tcp/443 rule, whatever else the group holds', () => {
    fc.assert(
      fc.property(fc.constantFrom('0.0.0.0/0', '::/0'), (cidr) => {
        expect(failsControl(rule('sgr-443', cidr, 'tcp', 443, 443), 'EC2.19', D)).toBe(false);
      }),
    );
  });

  it('an all-traffic public rule reaches every port: it fails both controls', () => {
    const all = rule('sgr-all', '0.0.0.0/0', '-1', null, null);
    expect(failsControl(all, 'EC2.19', D)).toBe(true);
    expect(failsControl(all, 'EC2.18', D)).toBe(true);
  });
});

describe('EC2.18: public rules that reach a port outside the authorized list', () => {
  it('with the defaults (tcp 80, 443): web ports pass, ssh and a range over 80-443 fail', () => {
    const ingress = [
      rule('sgr-http', '0.0.0.0/0', 'tcp', 80, 80),
      rule('sgr-https', '::/0', 'tcp', 443, 443),
      rule('sgr-ssh', '0.0.0.0/0', 'tcp', 22, 22),
      rule('sgr-range', '0.0.0.0/0', 'tcp', 80, 443),
      rule('sgr-dns', '0.0.0.0/0', 'udp', 53, 53),
      rule('sgr-icmp', '::/0', 'icmpv6', -1, -1),
      rule('sgr-private', '10.0.0.0/8', 'tcp', 22, 22),
    ];
    expect(ids(failingRules('EC2.18', ingress, D))).toEqual(['sgr-ssh', 'sgr-range', 'sgr-dns', 'sgr-icmp']);
  });

  it('with custom authorized ports: tcp 22 and udp 53 pass, tcp 80 now fails', () => {
    const ports: ControlPorts = { ...D, authorizedTcpPorts: [22, 443], authorizedUdpPorts: [53] };
    const ingress = [
      rule('sgr-ssh', '0.0.0.0/0', 'tcp', 22, 22),
      rule('sgr-http', '0.0.0.0/0', 'tcp', 80, 80),
      rule('sgr-dns', '::/0', 'udp', 53, 53),
    ];
    expect(ids(failingRules('EC2.18', ingress, ports))).toEqual(['sgr-http']);
  });

  it('a range made only of authorized ports passes', () => {
    const ports: ControlPorts = { ...D, authorizedTcpPorts: [8080, 8081] };
    expect(failsControl(rule('r', '0.0.0.0/0', 'tcp', 8080, 8081), 'EC2.18', ports)).toBe(false);
    expect(failsControl(rule('r', '0.0.0.0/0', 'tcp', 8080, 8082), 'EC2.18', ports)).toBe(true);
  });
});

describe('controlFindings: one finding per rule shape', () => {
  it('groups IPv4 and IPv6 rules of one shape and keeps shapes apart, each with its rule ids and origin', () => {
    const failing = [
      rule('sgr-ssh4', '0.0.0.0/0', 'tcp', 22, 22),
      rule('sgr-ssh6', '::/0', 'tcp', 22, 22),
      rule('sgr-all', '::/0', '-1', null, null),
    ];
    const findings = controlFindings(cf('EC2.19'), failing, D);
    expect(
      findings.map((f) => [f.permission.protocol, f.permission.cidrs, f.permission.ports, f.source?.ruleIds]),
    ).toEqual([
      ['tcp', ['0.0.0.0/0', '::/0'], [22], ['sgr-ssh4', 'sgr-ssh6']],
      ['-1', ['::/0'], D.highRiskPorts, ['sgr-all']],
    ]);
    expect(findings[0]?.source?.origin).toEqual(cf('EC2.19').origin);
    expect(findings[0]?.rule).toBe('EC2.19');
  });

  it('EC2.18 findings watch the whole range (no port list)', () => {
    const [finding] = controlFindings(cf('EC2.18'), [rule('sgr-r', '0.0.0.0/0', 'tcp', 1000, 2000)], D);
    expect(finding?.permission).toMatchObject({ fromPort: 1000, toPort: 2000, ports: [] });
  });

  it('the action id includes the rule ids: a re-created rule plans a new action, a re-delivery the same', () => {
    const before = controlFindings(cf('EC2.19'), [rule('sgr-old', '0.0.0.0/0', 'tcp', 22, 22)], D);
    const again = controlFindings(cf('EC2.19'), [rule('sgr-old', '0.0.0.0/0', 'tcp', 22, 22)], D);
    const after = controlFindings(cf('EC2.19'), [rule('sgr-new', '0.0.0.0/0', 'tcp', 22, 22)], D);
    expect(actionIdOf(before[0] as never)).toBe(actionIdOf(again[0] as never));
    expect(actionIdOf(before[0] as never)).not.toBe(actionIdOf(after[0] as never));
  });

  it('the group-level finding names no rule and both public ranges', () => {
    const f = groupLevelFinding(cf('EC2.18'));
    expect(f.permission).toMatchObject({ protocol: '-1', cidrs: ['0.0.0.0/0', '::/0'] });
    expect(f.source?.ruleIds).toEqual([]);
  });
});
