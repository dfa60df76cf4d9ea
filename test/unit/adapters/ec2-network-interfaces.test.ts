import { DescribeNetworkInterfacesCommand, EC2Client, EC2ServiceException } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { Ec2NetworkInterfaces } from '../../../lambda/adapters/ec2-network-interfaces';
import type { Where } from '../../../lambda/core/model';

const ec2Mock = mockClient(EC2Client);
const SG = 'sg-0a1b2c3d4e5f60001';
const WHERE: Where = { accountUid: '111122223333', region: 'eu-west-1' };

beforeEach(() => ec2Mock.reset());

function adapter() {
  const asked: Where[] = [];
  const client = new EC2Client({ region: 'eu-west-1' });
  return {
    asked,
    nis: new Ec2NetworkInterfaces((where) => {
      asked.push(where);
      return client;
    }),
  };
}

describe('Ec2NetworkInterfaces.listByGroup', () => {
  it('reads every page of DescribeNetworkInterfaces filtered by group-id, in the group account and region', async () => {
    ec2Mock
      .on(DescribeNetworkInterfacesCommand)
      .resolvesOnce({
        NetworkInterfaces: [
          {
            NetworkInterfaceId: 'eni-0a1b2c3d4e5f60001',
            InterfaceType: 'interface',
            Description: 'Primary network interface',
            RequesterManaged: false,
            Attachment: { InstanceId: 'i-0a1b2c3d4e5f60001', Status: 'attached' },
            Association: { PublicIp: '203.0.113.10' },
          },
        ],
        NextToken: 'page-2',
      })
      .resolvesOnce({
        NetworkInterfaces: [
          {
            NetworkInterfaceId: 'eni-0a1b2c3d4e5f60002',
            InterfaceType: 'network_load_balancer',
            Description: 'ELB net/internal-api/0a1b2c3d',
            RequesterId: 'amazon-elb',
            RequesterManaged: true,
            PrivateIpAddresses: [
              { PrivateIpAddress: '10.0.1.5' },
              { Association: { PublicIp: '198.51.100.7' } },
            ],
            Ipv6Addresses: [{ Ipv6Address: '2001:db8::5' }],
          },
          {
            NetworkInterfaceId: 'eni-0a1b2c3d4e5f60003',
            InterfaceType: 'lambda',
            RequesterId: 'AROAEXAMPLE:fn',
          },
        ],
      });
    const { nis, asked } = adapter();

    const listing = await nis.listByGroup(WHERE, SG);

    expect(asked[0]).toEqual(WHERE);
    const calls = ec2Mock.commandCalls(DescribeNetworkInterfacesCommand).map((c) => c.args[0].input);
    // The SDK paginator reuses one input object across pages, so only the last page's token shows.
    expect(calls).toEqual([
      expect.objectContaining({ Filters: [{ Name: 'group-id', Values: [SG] }], MaxResults: 1000 }),
      { Filters: [{ Name: 'group-id', Values: [SG] }], MaxResults: 1000, NextToken: 'page-2' },
    ]);
    expect(listing).toEqual({
      kind: 'listed',
      interfaces: [
        {
          interfaceId: 'eni-0a1b2c3d4e5f60001',
          interfaceType: 'interface',
          usedBy: 'instance i-0a1b2c3d4e5f60001',
          requesterId: null,
          requesterManaged: false,
          description: 'Primary network interface',
          attachment: { instanceId: 'i-0a1b2c3d4e5f60001', status: 'attached' },
          publicIpv4: '203.0.113.10',
          ipv6: false,
        },
        {
          interfaceId: 'eni-0a1b2c3d4e5f60002',
          interfaceType: 'network_load_balancer',
          usedBy: 'ELB net/internal-api/0a1b2c3d',
          requesterId: 'amazon-elb',
          requesterManaged: true,
          description: 'ELB net/internal-api/0a1b2c3d',
          attachment: null,
          publicIpv4: '198.51.100.7',
          ipv6: true,
        },
        {
          interfaceId: 'eni-0a1b2c3d4e5f60003',
          interfaceType: 'lambda',
          usedBy: 'AROAEXAMPLE:fn',
          requesterId: 'AROAEXAMPLE:fn',
          requesterManaged: false,
          description: null,
          attachment: null,
          publicIpv4: null,
          ipv6: false,
        },
      ],
    });
  });

  it('an AWS error is a value naming the call, never thrown (the preview says unavailable)', async () => {
    ec2Mock.on(DescribeNetworkInterfacesCommand).rejects(
      Object.assign(
        new EC2ServiceException({
          name: 'UnauthorizedOperation',
          $fault: 'client',
          $metadata: {},
          message: 'not allowed',
        }),
        { Code: 'UnauthorizedOperation' },
      ),
    );

    const listing = await adapter().nis.listByGroup(WHERE, SG);

    expect(listing).toEqual({
      kind: 'error',
      message: `DescribeNetworkInterfaces ${SG} in eu-west-1: UnauthorizedOperation: not allowed`,
    });
  });
});
