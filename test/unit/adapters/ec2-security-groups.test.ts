import {
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
  EC2ServiceException,
  RevokeSecurityGroupIngressCommand,
  type SecurityGroup,
  type SecurityGroupRule,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { Ec2SecurityGroups } from '../../../lambda/adapters/ec2-security-groups';
import { AccessDeniedError, AwsCallError, ThrottledError } from '../../../lambda/core/errors';

const ec2Mock = mockClient(EC2Client);
const client = new EC2Client({ region: 'us-east-1' });
const SG = 'sg-0123456789abcdef0';
const HERE = { accountUid: '111122223333', region: 'us-east-1' };

/** An EC2 error as the SDK raises it (query protocol: `Code` and `name` carry the AWS code). */
const awsError = (code: string) =>
  Object.assign(
    new EC2ServiceException({ name: code, $fault: 'client', $metadata: {}, message: `${code} happened` }),
    { Code: code },
  );

const group = (id: string, extra: Partial<SecurityGroup> = {}): SecurityGroup => ({
  GroupId: id,
  GroupName: `name-${id}`,
  VpcId: 'vpc-1',
  ...extra,
});

let ruleSeq = 0;
const rule = (groupId: string, extra: Partial<SecurityGroupRule> = {}): SecurityGroupRule => ({
  SecurityGroupRuleId: `sgr-${String(++ruleSeq).padStart(17, '0')}`,
  GroupId: groupId,
  IsEgress: false,
  IpProtocol: 'tcp',
  FromPort: 22,
  ToPort: 22,
  CidrIpv4: '0.0.0.0/0',
  ...extra,
});

const inputsOf = <T extends object>(command: new (input: T) => { input: T }) =>
  ec2Mock.commandCalls(command as never).map((call) => call.args[0].input as T);

beforeEach(() => {
  ec2Mock.reset();
  ruleSeq = 0;
});
afterAll(() => client.destroy());

describe('Ec2SecurityGroups.readGroup', () => {
  it('normalises name, VPC, tags and the ingress rules (egress dropped)', async () => {
    ec2Mock.on(DescribeSecurityGroupsCommand).resolves({
      SecurityGroups: [group(SG, { GroupName: 'web', Tags: [{ Key: 'intentionally-open', Value: 'cdn' }] })],
    });
    ec2Mock.on(DescribeSecurityGroupRulesCommand).resolves({
      SecurityGroupRules: [
        rule(SG, { SecurityGroupRuleId: 'sgr-egress', IsEgress: true, IpProtocol: '-1' }),
        rule(SG, { SecurityGroupRuleId: 'sgr-ssh4', IpProtocol: '6', Description: 'ssh' }),
        rule(SG, { SecurityGroupRuleId: 'sgr-ssh6', CidrIpv4: undefined, CidrIpv6: '0:0:0:0:0:0:0:0/0' }),
        rule(SG, { SecurityGroupRuleId: 'sgr-all', IpProtocol: '-1', FromPort: -1, ToPort: -1 }),
        rule(SG, { SecurityGroupRuleId: 'sgr-icmp', IpProtocol: 'icmp', FromPort: -1, ToPort: -1 }),
        rule(SG, { SecurityGroupRuleId: 'sgr-esp', IpProtocol: '50', FromPort: -1, ToPort: -1 }),
        rule(SG, { SecurityGroupRuleId: 'sgr-wide', FromPort: 0, ToPort: 65535, CidrIpv4: '10.1.2.3/8' }),
        rule(SG, {
          SecurityGroupRuleId: 'sgr-pl',
          IpProtocol: 'udp',
          CidrIpv4: undefined,
          PrefixListId: 'pl-1',
        }),
        rule(SG, {
          SecurityGroupRuleId: 'sgr-ref',
          CidrIpv4: undefined,
          ReferencedGroupInfo: { GroupId: 'sg-2' },
        }),
      ],
    });
    const groups = new Ec2SecurityGroups(() => client);

    const read = await groups.readGroup(HERE, SG);

    expect(read).toEqual({
      kind: 'found',
      group: {
        groupId: SG,
        groupName: 'web',
        vpcId: 'vpc-1',
        tags: { 'intentionally-open': 'cdn' },
        ingress: [
          {
            ruleId: 'sgr-ssh4',
            protocol: 'tcp',
            fromPort: 22,
            toPort: 22,
            cidr: '0.0.0.0/0',
            source: null,
            description: 'ssh',
          },
          {
            ruleId: 'sgr-ssh6',
            protocol: 'tcp',
            fromPort: 22,
            toPort: 22,
            cidr: '::/0',
            source: null,
            description: null,
          },
          {
            ruleId: 'sgr-all',
            protocol: '-1',
            fromPort: null,
            toPort: null,
            cidr: '0.0.0.0/0',
            source: null,
            description: null,
          },
          {
            ruleId: 'sgr-icmp',
            protocol: 'icmp',
            fromPort: -1,
            toPort: -1,
            cidr: '0.0.0.0/0',
            source: null,
            description: null,
          },
          {
            ruleId: 'sgr-esp',
            protocol: '50',
            fromPort: null,
            toPort: null,
            cidr: '0.0.0.0/0',
            source: null,
            description: null,
          },
          {
            ruleId: 'sgr-wide',
            protocol: 'tcp',
            fromPort: 0,
            toPort: 65535,
            cidr: '10.0.0.0/8',
            source: null,
            description: null,
          },
          {
            ruleId: 'sgr-pl',
            protocol: 'udp',
            fromPort: 22,
            toPort: 22,
            cidr: null,
            source: 'pl-1',
            description: null,
          },
          {
            ruleId: 'sgr-ref',
            protocol: 'tcp',
            fromPort: 22,
            toPort: 22,
            cidr: null,
            source: 'sg-2',
            description: null,
          },
        ],
      },
    });
    expect(inputsOf(DescribeSecurityGroupsCommand)).toEqual([{ GroupIds: [SG] }]);
  });

  it('reads every page of the rules', async () => {
    ec2Mock.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [group(SG)] });
    ec2Mock
      .on(DescribeSecurityGroupRulesCommand)
      .resolvesOnce({ SecurityGroupRules: [rule(SG)], NextToken: 'page-2' })
      .resolvesOnce({ SecurityGroupRules: [rule(SG, { FromPort: 443, ToPort: 443 })] });

    const read = await new Ec2SecurityGroups(() => client).readGroup(HERE, SG);

    expect(read.kind === 'found' && read.group.ingress.map((r) => r.fromPort)).toEqual([22, 443]);
    // The SDK's paginator sends the token of the page before (it reuses one input object).
    expect(inputsOf(DescribeSecurityGroupRulesCommand)).toHaveLength(2);
    expect(inputsOf(DescribeSecurityGroupRulesCommand)[1]?.NextToken).toBe('page-2');
  });

  it('uses the read client of the requested account and region', async () => {
    ec2Mock.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [group(SG)] });
    ec2Mock.on(DescribeSecurityGroupRulesCommand).resolves({ SecurityGroupRules: [] });
    const ec2For = jest.fn(() => client);

    await new Ec2SecurityGroups(ec2For).readGroup({ ...HERE, region: 'eu-west-3' }, SG);

    expect(ec2For).toHaveBeenCalledWith({ ...HERE, region: 'eu-west-3' }, 'read');
  });

  it.each(['InvalidGroup.NotFound', 'InvalidGroupId.NotFound'])('is not-found on %s', async (code) => {
    ec2Mock.on(DescribeSecurityGroupsCommand).rejects(awsError(code));

    await expect(new Ec2SecurityGroups(() => client).readGroup(HERE, SG)).resolves.toEqual({
      kind: 'not-found',
    });
  });

  it.each([
    ['access denied', awsError('UnauthorizedOperation'), 'UnauthorizedOperation'],
    ['throttling after retries', awsError('RequestLimitExceeded'), 'RequestLimitExceeded'],
    ['a network failure', new Error('socket hang up'), 'socket hang up'],
  ])('is an error, never a guess, on %s', async (_what, error, text) => {
    ec2Mock.on(DescribeSecurityGroupsCommand).rejects(error);

    const read = await new Ec2SecurityGroups(() => client).readGroup(HERE, SG);

    expect(read).toEqual({ kind: 'error', message: expect.stringContaining(text) });
  });

  it('is an error when the rules cannot be read, or a rule cannot be understood', async () => {
    ec2Mock.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [group(SG)] });
    ec2Mock
      .on(DescribeSecurityGroupRulesCommand)
      .rejectsOnce(awsError('Throttling'))
      .resolves({ SecurityGroupRules: [rule(SG, { IpProtocol: 'gre' })] });
    const groups = new Ec2SecurityGroups(() => client);

    const throttled = await groups.readGroup(HERE, SG);
    const unreadable = await groups.readGroup(HERE, SG);

    expect(throttled).toEqual({ kind: 'error', message: expect.stringContaining('Throttling') });
    expect(unreadable).toEqual({ kind: 'error', message: expect.stringContaining('unknown protocol') });
  });
});

describe('Ec2SecurityGroups.readGroups', () => {
  const ids = (n: number) => Array.from({ length: n }, (_, i) => `sg-${String(i).padStart(17, '0')}`);

  it('reads 450 groups in ceil(450/200) = 3 pages per API; absent groups are not-found', async () => {
    const all = ids(450);
    const present = new Set(all.filter((_, i) => i % 2 === 0));
    ec2Mock.on(DescribeSecurityGroupsCommand).callsFake((input) => ({
      SecurityGroups: input.Filters[0].Values.filter((id: string) => present.has(id)).map((id: string) =>
        group(id),
      ),
    }));
    ec2Mock.on(DescribeSecurityGroupRulesCommand).callsFake((input) => ({
      SecurityGroupRules: input.Filters[0].Values.filter((id: string) => present.has(id)).map((id: string) =>
        rule(id),
      ),
    }));

    const reads = await new Ec2SecurityGroups(() => client).readGroups(HERE, all);

    const groupCalls = inputsOf(DescribeSecurityGroupsCommand);
    const ruleCalls = inputsOf(DescribeSecurityGroupRulesCommand);
    expect(groupCalls).toHaveLength(3);
    expect(ruleCalls).toHaveLength(3);
    for (const call of [...groupCalls, ...ruleCalls]) {
      expect(call.Filters?.[0]?.Name).toBe('group-id');
      expect(call.Filters?.[0]?.Values?.length).toBeLessThanOrEqual(200);
      expect(call.MaxResults).toBe(1000);
    }
    expect(reads.size).toBe(450);
    const first = reads.get(all[0]!);
    expect(first?.kind === 'found' && first.group.ingress).toEqual([
      expect.objectContaining({ fromPort: 22 }),
    ]);
    expect(reads.get(all[1]!)).toEqual({ kind: 'not-found' });
    expect([...reads.values()].filter((r) => r.kind === 'found')).toHaveLength(225);
  });

  it('follows NextToken on both APIs and keeps each rule with its own group', async () => {
    const [a, b] = ids(2) as [string, string];
    ec2Mock
      .on(DescribeSecurityGroupsCommand)
      .resolvesOnce({ SecurityGroups: [group(a)], NextToken: 'g2' })
      .resolvesOnce({ SecurityGroups: [group(b)] });
    ec2Mock
      .on(DescribeSecurityGroupRulesCommand)
      .resolvesOnce({ SecurityGroupRules: [rule(b, { FromPort: 443, ToPort: 443 })], NextToken: 'r2' })
      .resolvesOnce({ SecurityGroupRules: [rule(a)] });

    const reads = await new Ec2SecurityGroups(() => client).readGroups(HERE, [a, b, a]);

    const ports = (id: string) => {
      const read = reads.get(id);
      return read?.kind === 'found' ? read.group.ingress.map((r) => r.fromPort) : read;
    };
    expect(ports(a)).toEqual([22]);
    expect(ports(b)).toEqual([443]);
    // Two pages each; the SDK's paginator sends the previous page's token (one reused input object).
    expect(inputsOf(DescribeSecurityGroupsCommand)).toHaveLength(2);
    expect(inputsOf(DescribeSecurityGroupRulesCommand)).toHaveLength(2);
    expect(inputsOf(DescribeSecurityGroupsCommand)[1]?.NextToken).toBe('g2');
    expect(inputsOf(DescribeSecurityGroupRulesCommand)[1]?.NextToken).toBe('r2');
    expect(inputsOf(DescribeSecurityGroupsCommand)[0]?.Filters?.[0]?.Values).toEqual([a, b]);
  });

  it('fails closed: a failed page makes every group of its chunk an error, other chunks still read', async () => {
    const all = ids(250);
    ec2Mock.on(DescribeSecurityGroupsCommand).callsFake((input) => ({
      SecurityGroups: input.Filters[0].Values.map((id: string) => group(id)),
    }));
    ec2Mock
      .on(DescribeSecurityGroupRulesCommand)
      .rejectsOnce(awsError('RequestLimitExceeded'))
      .resolves({ SecurityGroupRules: [] });

    const reads = await new Ec2SecurityGroups(() => client).readGroups(HERE, all);

    const kinds = [...reads.values()].map((r) => r.kind);
    expect(kinds.slice(0, 200).every((k) => k === 'error')).toBe(true);
    expect(kinds.slice(200).every((k) => k === 'found')).toBe(true);
    expect(reads.get(all[0]!)).toEqual({
      kind: 'error',
      message: expect.stringContaining('RequestLimitExceeded'),
    });
  });

  it('makes no call for no groups', async () => {
    const reads = await new Ec2SecurityGroups(() => client).readGroups(HERE, []);

    expect(reads.size).toBe(0);
    expect(ec2Mock.calls()).toHaveLength(0);
  });
});

describe('Ec2SecurityGroups.revokeRules', () => {
  const revoke = (ruleIds: string[]) => new Ec2SecurityGroups(() => client).revokeRules(HERE, SG, ruleIds);

  it('revokes by rule id and returns the normalised after-image and the ids AWS did not revoke', async () => {
    ec2Mock.on(RevokeSecurityGroupIngressCommand).resolves({
      Return: true,
      RevokedSecurityGroupRules: [
        {
          SecurityGroupRuleId: 'sgr-a',
          GroupId: SG,
          IsEgress: false,
          IpProtocol: '6',
          FromPort: 22,
          ToPort: 22,
          CidrIpv4: '0.0.0.0/0',
        },
        {
          SecurityGroupRuleId: 'sgr-b',
          GroupId: SG,
          IsEgress: false,
          IpProtocol: '-1',
          FromPort: -1,
          ToPort: -1,
          CidrIpv6: '::/0',
        },
      ],
    });

    const result = await revoke(['sgr-a', 'sgr-b', 'sgr-c']);

    expect(result).toEqual({
      kind: 'revoked',
      revoked: [
        { ruleId: 'sgr-a', protocol: 'tcp', fromPort: 22, toPort: 22, cidr: '0.0.0.0/0' },
        { ruleId: 'sgr-b', protocol: '-1', fromPort: null, toPort: null, cidr: '::/0' },
      ],
      unknownRuleIds: ['sgr-c'],
      afterImageReported: true,
    });
    expect(inputsOf(RevokeSecurityGroupIngressCommand)).toEqual([
      { GroupId: SG, SecurityGroupRuleIds: ['sgr-a', 'sgr-b', 'sgr-c'] },
    ]);
  });

  it('says so, and claims no unknown ids, when AWS sends no after-image (as moto does)', async () => {
    ec2Mock.on(RevokeSecurityGroupIngressCommand).resolves({ Return: true });

    await expect(revoke(['sgr-a'])).resolves.toEqual({
      kind: 'revoked',
      revoked: [],
      unknownRuleIds: [],
      afterImageReported: false,
    });
  });

  it.each(['InvalidPermission.NotFound', 'InvalidSecurityGroupRuleId.NotFound', 'InvalidGroup.NotFound'])(
    'is not-found (converged) on %s',
    async (code) => {
      ec2Mock.on(RevokeSecurityGroupIngressCommand).rejects(awsError(code));

      await expect(revoke(['sgr-a'])).resolves.toEqual({
        kind: 'not-found',
        message: expect.stringContaining(code),
      });
    },
  );

  it.each([
    ['UnauthorizedOperation', AccessDeniedError],
    ['AccessDenied', AccessDeniedError],
    ['AccessDeniedException', AccessDeniedError],
    ['RequestLimitExceeded', ThrottledError],
    ['Throttling', ThrottledError],
    ['InternalError', AwsCallError],
  ])('translates %s into %p, with the cause', async (code, type) => {
    const cause = awsError(code);
    ec2Mock.on(RevokeSecurityGroupIngressCommand).rejects(cause);

    const error = await revoke(['sgr-a']).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(type);
    expect((error as Error).cause).toBe(cause);
    expect((error as Error).message).toContain(code);
    if (type === AwsCallError) expect((error as AwsCallError).code).toBe(code);
  });

  it('reads a code from the exception name when there is no Code field, and none from a socket error', async () => {
    ec2Mock
      .on(RevokeSecurityGroupIngressCommand)
      .rejectsOnce(new EC2ServiceException({ name: 'Throttling', $fault: 'client', $metadata: {} }))
      .rejectsOnce(new Error('ECONNRESET'));

    await expect(revoke(['sgr-a'])).rejects.toBeInstanceOf(ThrottledError);
    await expect(revoke(['sgr-a'])).rejects.toMatchObject({ name: 'AwsCallError', code: undefined });
  });

  it('refuses an answer of Return=false', async () => {
    ec2Mock.on(RevokeSecurityGroupIngressCommand).resolves({ Return: false });

    await expect(revoke(['sgr-a'])).rejects.toBeInstanceOf(AwsCallError);
  });
});
