import { loadConfig } from '../../../lambda/config/config';
import { DEFAULT_CONTROL_PORTS } from '../../../lambda/core/control-rules';

const KEYS = ['highRiskPorts', 'authorizedTcpPorts', 'authorizedUdpPorts'] as const;

describe('the EC2.18 / EC2.19 port settings', () => {
  it("default to the controls' own parameters when unset", () => {
    expect(loadConfig({}, KEYS)).toEqual({
      highRiskPorts: DEFAULT_CONTROL_PORTS.highRiskPorts,
      authorizedTcpPorts: [80, 443],
      authorizedUdpPorts: [],
    });
  });

  it('read comma-separated ports, and an explicit empty value as no ports', () => {
    const config = loadConfig(
      {
        AWS_SG_REVOKE_EC2_19_HIGH_RISK_PORTS: '22, 3389,22',
        AWS_SG_REVOKE_EC2_18_AUTHORIZED_TCP_PORTS: '',
        AWS_SG_REVOKE_EC2_18_AUTHORIZED_UDP_PORTS: '53',
      },
      KEYS,
    );
    expect(config).toEqual({ highRiskPorts: [22, 3389], authorizedTcpPorts: [], authorizedUdpPorts: [53] });
  });

  it('refuse a value that is not a port, naming the variable', () => {
    expect(() => loadConfig({ AWS_SG_REVOKE_EC2_18_AUTHORIZED_TCP_PORTS: '80,65536,https' }, KEYS)).toThrow(
      /AWS_SG_REVOKE_EC2_18_AUTHORIZED_TCP_PORTS has values that are not ports 0-65535: 65536, https/,
    );
  });
});
