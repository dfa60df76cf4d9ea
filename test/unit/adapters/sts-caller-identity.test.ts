import { GetCallerIdentityCommand, STSClient, STSServiceException } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { StsCallerIdentity } from '../../../lambda/adapters/sts-caller-identity';
import { AccessDeniedError, AwsCallError, ThrottledError } from '../../../lambda/core/errors';

const stsMock = mockClient(STSClient);
const client = new STSClient({ region: 'us-east-1' });
const stsError = (code: string) =>
  new STSServiceException({ name: code, $fault: 'client', $metadata: {}, message: `${code} happened` });
const ARN = 'arn:aws:sts::111122223333:assumed-role/sg-revoke-apply/fn';

beforeEach(() => stsMock.reset());
afterAll(() => client.destroy());

describe('StsCallerIdentity', () => {
  it('asks STS once per instance, even for concurrent callers', async () => {
    stsMock.on(GetCallerIdentityCommand).resolves({ Account: '111122223333', Arn: ARN, UserId: 'AROA:fn' });
    const identity = new StsCallerIdentity(client);

    const answers = await Promise.all([identity.whoAmI(), identity.whoAmI()]);
    const later = await identity.whoAmI();

    expect(answers).toEqual([
      { account: '111122223333', arn: ARN },
      { account: '111122223333', arn: ARN },
    ]);
    expect(later).toEqual({ account: '111122223333', arn: ARN });
    expect(stsMock.commandCalls(GetCallerIdentityCommand)).toHaveLength(1);
  });

  it('does not cache a failure: the next call asks again', async () => {
    stsMock
      .on(GetCallerIdentityCommand)
      .rejectsOnce(stsError('ThrottlingException'))
      .resolves({ Account: '111122223333', Arn: ARN });
    const identity = new StsCallerIdentity(client);

    await expect(identity.whoAmI()).rejects.toBeInstanceOf(ThrottledError);
    await expect(identity.whoAmI()).resolves.toEqual({ account: '111122223333', arn: ARN });
  });

  it.each([
    ['AccessDenied', AccessDeniedError],
    ['ExpiredToken', AwsCallError],
  ])('translates %s into %p with the cause', async (code, type) => {
    const cause = stsError(code);
    stsMock.on(GetCallerIdentityCommand).rejects(cause);

    const error = await new StsCallerIdentity(client).whoAmI().catch((e: unknown) => e);

    expect(error).toBeInstanceOf(type);
    expect((error as Error).cause).toBe(cause);
  });

  it('refuses an answer without an account', async () => {
    stsMock.on(GetCallerIdentityCommand).resolves({ Arn: ARN });

    await expect(new StsCallerIdentity(client).whoAmI()).rejects.toBeInstanceOf(AwsCallError);
  });
});
