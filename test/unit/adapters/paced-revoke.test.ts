import { EC2Client, EC2ServiceException, RevokeSecurityGroupIngressCommand } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { Ec2SecurityGroups } from '../../../lambda/adapters/ec2-security-groups';
import { ThrottledError } from '../../../lambda/core/errors';
import { PacedSecurityGroups, RevokePacer } from '../../../lambda/usecases/paced-security-groups';

const ec2Mock = mockClient(EC2Client);
const client = new EC2Client({ region: 'us-east-1' });
const SG = 'sg-0a1b2c3d4e5f60001';
const RULES = ['sgr-00000000000000001', 'sgr-00000000000000002'];

const requestLimitExceeded = () =>
  Object.assign(
    new EC2ServiceException({
      name: 'RequestLimitExceeded',
      $fault: 'client',
      $metadata: { httpStatusCode: 503 },
      message: 'Request limit exceeded.',
    }),
    { Code: 'RequestLimitExceeded' },
  );

const revokedRule = (id: string) => ({
  SecurityGroupRuleId: id,
  GroupId: SG,
  IsEgress: false,
  IpProtocol: 'tcp',
  FromPort: 22,
  ToPort: 22,
  CidrIpv4: '0.0.0.0/0',
});

function paced() {
  let now = Date.parse('2026-11-25T12:00:00.000Z');
  const slept: number[] = [];
  const clock = { nowMs: () => now };
  const sleep = async (ms: number) => {
    slept.push(ms);
    now += ms;
  };
  const groups = new PacedSecurityGroups(
    new Ec2SecurityGroups(() => client),
    new RevokePacer(clock, sleep),
    sleep,
  );
  return { groups, slept };
}

const WHERE = { accountUid: '111122223333', region: 'us-east-1' };

beforeEach(() => ec2Mock.reset());
afterAll(() => client.destroy());

describe('PacedSecurityGroups over Ec2SecurityGroups (RequestLimitExceeded)', () => {
  it('retries RequestLimitExceeded and revokes the rules once', async () => {
    ec2Mock
      .on(RevokeSecurityGroupIngressCommand)
      .rejectsOnce(requestLimitExceeded())
      .resolves({ Return: true, RevokedSecurityGroupRules: RULES.map(revokedRule) });
    const { groups, slept } = paced();

    const result = await groups.revokeRules(WHERE, SG, RULES);

    expect(result.kind === 'revoked' && result.revoked.map((r) => r.ruleId)).toEqual(RULES);
    const calls = ec2Mock.commandCalls(RevokeSecurityGroupIngressCommand);
    expect(calls.map((c) => c.args[0].input)).toEqual([
      { GroupId: SG, SecurityGroupRuleIds: RULES },
      { GroupId: SG, SecurityGroupRuleIds: RULES },
    ]);
    expect(slept).toEqual([1_000]);
  });

  it('gives up after its retries with a ThrottledError (nothing was revoked by any attempt)', async () => {
    ec2Mock.on(RevokeSecurityGroupIngressCommand).rejects(requestLimitExceeded());
    const { groups, slept } = paced();

    await expect(groups.revokeRules(WHERE, SG, RULES)).rejects.toBeInstanceOf(ThrottledError);
    expect(ec2Mock.commandCalls(RevokeSecurityGroupIngressCommand)).toHaveLength(4);
    expect(slept).toEqual([1_000, 2_000, 4_000]);
  });

  it('does not retry an error that is not a throttle', async () => {
    ec2Mock.on(RevokeSecurityGroupIngressCommand).rejects(
      Object.assign(
        new EC2ServiceException({
          name: 'UnauthorizedOperation',
          $fault: 'client',
          $metadata: {},
          message: 'no',
        }),
        {
          Code: 'UnauthorizedOperation',
        },
      ),
    );
    const { groups } = paced();

    await expect(groups.revokeRules(WHERE, SG, RULES)).rejects.toThrow(/UnauthorizedOperation/);
    expect(ec2Mock.commandCalls(RevokeSecurityGroupIngressCommand)).toHaveLength(1);
  });
});
