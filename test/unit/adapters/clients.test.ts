import {
  destroyClients,
  documentClient,
  ec2Client,
  eventBridgeClient,
  s3Client,
  stsClient,
} from '../../../lambda/adapters/clients';

afterEach(() => destroyClients());

describe('clients', () => {
  it('makes one EC2 client per region and reuses it', async () => {
    const east = ec2Client('us-east-1');

    expect(ec2Client('us-east-1')).toBe(east);
    expect(ec2Client('eu-west-1')).not.toBe(east);
    await expect(ec2Client('eu-west-1').config.region()).resolves.toBe('eu-west-1');
  });

  it('reuses one client per service and retries adaptively, 5 attempts', async () => {
    for (const make of [stsClient, s3Client, eventBridgeClient, documentClient]) {
      const client = make();
      expect(make()).toBe(client);
      await expect(client.config.retryStrategy()).resolves.toMatchObject({ mode: 'adaptive' });
      await expect(client.config.maxAttempts()).resolves.toBe(5);
    }
  });

  it('builds fresh clients after destroyClients()', () => {
    const before = [ec2Client('us-east-1'), stsClient(), documentClient()];

    destroyClients();

    expect([ec2Client('us-east-1'), stsClient(), documentClient()]).not.toContain(before[0]);
    expect(stsClient()).not.toBe(before[1]);
    expect(documentClient()).not.toBe(before[2]);
  });
});
