import { destroyClients, stsClient } from '../../../lambda/adapters/clients';
import { StsCallerIdentity } from '../../../lambda/adapters/sts-caller-identity';
import { describeMoto } from '../moto/resources';

describeMoto('StsCallerIdentity on moto_server', () => {
  afterAll(destroyClients);

  it("answers moto's account and principal", async () => {
    const identity = await new StsCallerIdentity(stsClient()).whoAmI();

    expect(identity).toEqual({
      account: '123456789012',
      arn: expect.stringMatching(/^arn:aws:sts::123456789012:/),
    });
  });
});
