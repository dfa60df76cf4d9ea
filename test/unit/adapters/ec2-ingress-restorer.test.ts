import { AuthorizeSecurityGroupIngressCommand, EC2Client, EC2ServiceException } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { Ec2IngressRestorer, ipPermissionOf } from '../../../lambda/adapters/ec2-ingress-restorer';
import { AccessDeniedError } from '../../../lambda/core/errors';
import type { Where } from '../../../lambda/core/model';
import type { RestoreRule } from '../../../lambda/core/rollback';

const ec2Mock = mockClient(EC2Client);
const SG = 'sg-0a1b2c3d4e5f60001';
const WHERE: Where = { accountUid: '111122223333', region: 'eu-west-1' };
const awsError = (code: string) =>
  Object.assign(
    new EC2ServiceException({ name: code, $fault: 'client', $metadata: {}, message: `${code} happened` }),
    { Code: code },
  );
const v4: RestoreRule = {
  ruleId: 'sgr-00000000000000001',
  protocol: 'tcp',
  fromPort: 22,
  toPort: 22,
  cidr: '0.0.0.0/0' as RestoreRule['cidr'],
  description: 'bastion (legacy)',
};
const v6: RestoreRule = {
  ...v4,
  ruleId: 'sgr-00000000000000002',
  cidr: '::/0' as RestoreRule['cidr'],
  description: null,
};

beforeEach(() => ec2Mock.reset());

describe('Ec2IngressRestorer', () => {
  it('authorizes each rule with its exact shape and description, in the client of its account and region', async () => {
    const asked: Where[] = [];
    ec2Mock.on(AuthorizeSecurityGroupIngressCommand).resolves({
      Return: true,
      SecurityGroupRules: [
        { SecurityGroupRuleId: 'sgr-0000000000000aaaa' },
        { SecurityGroupRuleId: 'sgr-0000000000000bbbb' },
      ],
    });
    const restorer = new Ec2IngressRestorer((where) => {
      asked.push(where);
      return new EC2Client({ region: where.region });
    });

    const result = await restorer.authorizeRules(WHERE, SG, [v4, v6]);

    expect(result).toEqual({
      kind: 'authorized',
      ruleIds: ['sgr-0000000000000aaaa', 'sgr-0000000000000bbbb'],
    });
    expect(asked).toEqual([WHERE]);
    expect(ec2Mock.commandCalls(AuthorizeSecurityGroupIngressCommand)[0]?.args[0].input).toEqual({
      GroupId: SG,
      IpPermissions: [
        {
          IpProtocol: 'tcp',
          FromPort: 22,
          ToPort: 22,
          IpRanges: [{ CidrIp: '0.0.0.0/0', Description: 'bastion (legacy)' }],
        },
        { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, Ipv6Ranges: [{ CidrIpv6: '::/0' }] },
      ],
    });
  });

  it('spells all traffic without ports', () => {
    expect(ipPermissionOf({ ...v4, protocol: '-1', fromPort: null, toPort: null })).toEqual({
      IpProtocol: '-1',
      IpRanges: [{ CidrIp: '0.0.0.0/0', Description: 'bastion (legacy)' }],
    });
  });

  it.each([
    ['InvalidPermission.Duplicate', 'duplicate'],
    ['InvalidGroup.NotFound', 'group-not-found'],
  ])('answers %s as a value (%s)', async (code, kind) => {
    ec2Mock.on(AuthorizeSecurityGroupIngressCommand).rejects(awsError(code));
    const restorer = new Ec2IngressRestorer((where) => new EC2Client({ region: where.region }));

    expect(await restorer.authorizeRules(WHERE, SG, [v4])).toMatchObject({ kind });
  });

  it('throws a domain error when access is denied (the tag Deny)', async () => {
    ec2Mock.on(AuthorizeSecurityGroupIngressCommand).rejects(awsError('UnauthorizedOperation'));
    const restorer = new Ec2IngressRestorer((where) => new EC2Client({ region: where.region }));

    await expect(restorer.authorizeRules(WHERE, SG, [v4])).rejects.toBeInstanceOf(AccessDeniedError);
  });
});
