import { type Exposure, findCoveringRules } from '../../../lambda/core/coverage';
import { type Cidr, normalizeProtocol } from '../../../lambda/core/permission';
import { rule } from './support';

const ssh: Exposure = {
  protocol: 'tcp',
  fromPort: 22,
  toPort: 22,
  publicCidrs: ['0.0.0.0/0' as Cidr],
  ports: [22],
};
const ids = (exposure: Exposure, rules: ReturnType<typeof rule>[]) =>
  findCoveringRules(exposure, rules).map((r) => r.ruleId);

describe('findCoveringRules: drift is coverage, not shape (DESIGN §5)', () => {
  it('counts the exact rule', () => {
    expect(ids(ssh, [rule('exact', '0.0.0.0/0', 'tcp', 22, 22)])).toEqual(['exact']);
  });

  it('counts a wider port range that includes the flagged port', () => {
    expect(
      ids(ssh, [rule('wide', '0.0.0.0/0', 'tcp', 0, 1024), rule('other', '0.0.0.0/0', 'tcp', 80, 443)]),
    ).toEqual(['wide']);
  });

  it('counts protocol -1 on the public CIDR', () => {
    expect(ids(ssh, [rule('all', '0.0.0.0/0', '-1', null, null)])).toEqual(['all']);
  });

  it('counts a live rule written with protocol 6 against a tcp finding', () => {
    // The EC2 adapter passes IpProtocol through normalizeProtocol, as done here.
    const six = normalizeProtocol('6');
    if (!six.ok) throw new Error(six.error);

    expect(ids(ssh, [rule('six', '0.0.0.0/0', six.value, 22, 22)])).toEqual(['six']);
  });

  it('does not count UDP on the same port, or a rule without a CIDR source', () => {
    expect(ids(ssh, [rule('udp', '0.0.0.0/0', 'udp', 22, 22), rule('sg-ref', null, 'tcp', 22, 22)])).toEqual(
      [],
    );
  });

  it('does not count a rule from a non-public CIDR: it does not reach the internet-wide range', () => {
    expect(
      ids(ssh, [rule('private', '10.0.0.0/8', 'tcp', 22, 22), rule('half', '0.0.0.0/1', 'tcp', 22, 22)]),
    ).toEqual([]);
  });

  it('checks IPv6 public ranges separately from IPv4 ones', () => {
    const v6: Exposure = { ...ssh, publicCidrs: ['::/0' as Cidr] };

    expect(ids(v6, [rule('v4', '0.0.0.0/0', 'tcp', 22, 22), rule('v6', '::/0', 'tcp', 0, 65535)])).toEqual([
      'v6',
    ]);
  });

  it('for a protocol -1 exposure without flagged ports, counts any protocol opened again', () => {
    const all: Exposure = {
      protocol: '-1',
      fromPort: null,
      toPort: null,
      publicCidrs: ['0.0.0.0/0' as Cidr],
      ports: [],
    };

    expect(
      ids(all, [
        rule('ping', '0.0.0.0/0', 'icmp', -1, -1),
        rule('gre', '0.0.0.0/0', '47', null, null),
        rule('lan', '10.0.0.0/8', '-1', null, null),
      ]),
    ).toEqual(['ping', 'gre']);
  });

  it('for a protocol -1 exposure, counts any TCP/UDP rule reaching a flagged port', () => {
    const all: Exposure = {
      protocol: '-1',
      fromPort: null,
      toPort: null,
      publicCidrs: ['0.0.0.0/0' as Cidr],
      ports: [22, 3389],
    };

    expect(
      ids(all, [
        rule('rdp', '0.0.0.0/0', 'udp', 3389, 3389),
        rule('web', '0.0.0.0/0', 'tcp', 443, 443),
        rule('ping', '0.0.0.0/0', 'icmp', -1, -1),
      ]),
    ).toEqual(['rdp']);
  });

  it('uses the flagged range when the detector listed no ports', () => {
    const range: Exposure = { ...ssh, fromPort: 8000, toPort: 8100, ports: [] };

    expect(
      ids(range, [rule('in', '0.0.0.0/0', 'tcp', 8080, 8080), rule('out', '0.0.0.0/0', 'tcp', 22, 22)]),
    ).toEqual(['in']);
  });

  it('matches ICMP by type/code, -1 covering every type', () => {
    const echo: Exposure = {
      protocol: 'icmp',
      fromPort: 8,
      toPort: 0,
      publicCidrs: ['0.0.0.0/0' as Cidr],
      ports: [],
    };

    expect(
      ids(echo, [
        rule('any', '0.0.0.0/0', 'icmp', -1, -1),
        rule('echo', '0.0.0.0/0', 'icmp', 8, 0),
        rule('unreachable', '0.0.0.0/0', 'icmp', 3, 0),
      ]),
    ).toEqual(['any', 'echo']);
  });
});
