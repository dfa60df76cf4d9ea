import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
// fromTemporaryCredentials sends AssumeRole with the SDK's nested STS client, not client-sts's.
import { AssumeRoleCommand, STSClient as NestedStsClient } from '@aws-sdk/nested-clients/sts';
import { mockClient } from 'aws-sdk-client-mock';
import { destroyClients } from '../../../lambda/adapters/clients';
import { Ec2Clients, ForeignAccountError } from '../../../lambda/adapters/ec2-clients';
import { AccessDeniedError } from '../../../lambda/core/errors';
import { FixedCallerIdentity } from '../../support/fakes/fakes';

const HUB = '111122223333';
const MEMBER = '444455556666';
const HUB_ARN = `arn:aws:sts::${HUB}:assumed-role/sg-revoke-apply-us-east-1/sg-revoke-apply`;
const assumeRole = mockClient(NestedStsClient);
const sts = mockClient(STSClient);
const expiration = () => new Date(Date.now() + 3_600_000);

const clientsOf = (opts: { memberRoles?: boolean; hubArn?: string } = {}) =>
  new Ec2Clients({
    hub: new FixedCallerIdentity(HUB, opts.hubArn ?? HUB_ARN),
    memberRoles: opts.memberRoles ?? true,
    sessionName: 'sg-revoke-apply',
  });
const at = (accountUid: string, region = 'us-east-1') => ({ accountUid, region });
const assumed = () => assumeRole.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input);

beforeEach(() => {
  assumeRole.reset();
  sts.reset();
  let n = 0;
  assumeRole.on(AssumeRoleCommand).callsFake(async () => {
    n += 1;
    return {
      Credentials: {
        AccessKeyId: `ASIAMEMBER${n}`,
        SecretAccessKey: 'secret',
        SessionToken: 'token',
        Expiration: expiration(),
      },
    };
  });
});
afterEach(() => destroyClients());

describe('Ec2Clients', () => {
  it("uses the function's own credentials in the hub account: no AssumeRole", async () => {
    const clients = clientsOf();

    const credentials = await clients.ec2(at(HUB), 'revoke').config.credentials();
    const identity = await clients.identityIn(at(HUB), 'revoke');

    expect(credentials.accessKeyId).not.toMatch(/^ASIAMEMBER/);
    expect(identity).toEqual({ account: HUB, arn: HUB_ARN });
    expect(assumed()).toEqual([]);
  });

  it('assumes the member role of the purpose, named after the function, once per account and purpose', async () => {
    const clients = clientsOf();

    const east = await clients.ec2(at(MEMBER, 'us-east-1'), 'read').config.credentials();
    const west = await clients.ec2(at(MEMBER, 'eu-west-1'), 'read').config.credentials();
    const again = await clients.ec2(at(MEMBER, 'us-east-1'), 'read').config.credentials();
    const revoke = await clients.ec2(at(MEMBER), 'revoke').config.credentials();
    const restore = await clients.forPurpose('restore')(at(MEMBER)).config.credentials();

    expect(assumed()).toEqual([
      { RoleArn: `arn:aws:iam::${MEMBER}:role/sg-revoke-member-read`, RoleSessionName: 'sg-revoke-apply' },
      { RoleArn: `arn:aws:iam::${MEMBER}:role/sg-revoke-member-revoke`, RoleSessionName: 'sg-revoke-apply' },
      { RoleArn: `arn:aws:iam::${MEMBER}:role/sg-revoke-member-restore`, RoleSessionName: 'sg-revoke-apply' },
    ]);
    expect([east, west, again].map((c) => c.accessKeyId)).toEqual([
      'ASIAMEMBER1',
      'ASIAMEMBER1',
      'ASIAMEMBER1',
    ]);
    expect(revoke.accessKeyId).toBe('ASIAMEMBER2');
    expect(restore.accessKeyId).toBe('ASIAMEMBER3');
  });

  it('keeps one client per account, region and purpose', () => {
    const clients = clientsOf();

    expect(clients.ec2(at(MEMBER), 'read')).toBe(clients.ec2(at(MEMBER), 'read'));
    expect(clients.ec2(at(MEMBER), 'read')).not.toBe(clients.ec2(at(MEMBER), 'revoke'));
    expect(clients.ec2(at(MEMBER), 'read')).not.toBe(clients.ec2(at(MEMBER, 'eu-west-1'), 'read'));
    expect(clients.ec2(at(MEMBER), 'read')).not.toBe(clients.ec2(at(HUB), 'read'));
  });

  it('assumes again when the credentials are about to expire (the SDK refreshes 5 minutes ahead)', async () => {
    assumeRole.on(AssumeRoleCommand).resolves({
      Credentials: {
        AccessKeyId: 'ASIASHORT',
        SecretAccessKey: 'secret',
        SessionToken: 'token',
        Expiration: new Date(Date.now() + 60_000),
      },
    });
    const clients = clientsOf();

    await clients.ec2(at(MEMBER), 'read').config.credentials();
    const afterFirst = assumed().length;
    await clients.ec2(at(MEMBER), 'read').config.credentials();

    expect(assumed().length).toBeGreaterThan(afterFirst);
  });

  it('takes the partition of the member role from the hub identity', async () => {
    const clients = clientsOf({ hubArn: `arn:aws-cn:sts::${HUB}:assumed-role/r/s` });

    await clients.ec2(at(MEMBER, 'cn-north-1'), 'read').config.credentials();

    expect(assumed()[0]?.RoleArn).toBe(`arn:aws-cn:iam::${MEMBER}:role/sg-revoke-member-read`);
  });

  it('reports the identity the member credentials give, asked once with them', async () => {
    sts.on(GetCallerIdentityCommand).resolves({
      Account: MEMBER,
      Arn: `arn:aws:sts::${MEMBER}:assumed-role/sg-revoke-member-revoke/sg-revoke-apply`,
    });
    const clients = clientsOf();

    const first = await clients.identityIn(at(MEMBER), 'revoke');
    const second = await clients.identityIn(at(MEMBER, 'eu-west-1'), 'revoke');

    expect(first).toEqual(second);
    expect(first.account).toBe(MEMBER);
    expect(sts.commandCalls(GetCallerIdentityCommand)).toHaveLength(1);
    const signedWith = await sts.commandCalls(GetCallerIdentityCommand)[0]?.thisValue.config.credentials();
    expect(signedWith?.accessKeyId).toBe('ASIAMEMBER1');
    expect(assumed().map((a) => a.RoleArn)).toEqual([`arn:aws:iam::${MEMBER}:role/sg-revoke-member-revoke`]);
  });

  it('reports another account when the member credentials say so (the guardrail then blocks)', async () => {
    sts
      .on(GetCallerIdentityCommand)
      .resolves({ Account: '999988887777', Arn: 'arn:aws:sts::999988887777:x/y' });

    await expect(clientsOf().identityIn(at(MEMBER), 'read')).resolves.toMatchObject({
      account: '999988887777',
    });
  });

  it('throws AccessDeniedError when AssumeRole is refused, and asks again next time', async () => {
    const denied = Object.assign(new Error('not authorized to perform: sts:AssumeRole'), {
      name: 'AccessDenied',
      $metadata: {},
    });
    assumeRole.reset();
    assumeRole
      .on(AssumeRoleCommand)
      .rejectsOnce(denied)
      .resolves({
        Credentials: {
          AccessKeyId: 'ASIAM',
          SecretAccessKey: 's',
          SessionToken: 't',
          Expiration: expiration(),
        },
      });
    sts.on(GetCallerIdentityCommand).resolves({ Account: MEMBER, Arn: `arn:aws:sts::${MEMBER}:x/y` });
    const clients = clientsOf();

    await expect(clients.identityIn(at(MEMBER), 'read')).rejects.toBeInstanceOf(AccessDeniedError);
    await expect(clients.identityIn(at(MEMBER), 'read')).resolves.toMatchObject({ account: MEMBER });
    expect(assumed()).toHaveLength(2);
  });

  it('refuses another account without member roles (single account): no AssumeRole, the hub identity', async () => {
    const clients = clientsOf({ memberRoles: false });

    await expect(clients.ec2(at(MEMBER), 'read').config.credentials()).rejects.toBeInstanceOf(
      ForeignAccountError,
    );
    await expect(clients.identityIn(at(MEMBER), 'read')).resolves.toEqual({ account: HUB, arn: HUB_ARN });
    expect(assumed()).toEqual([]);
  });

  it('refuses a session name STS would refuse', () => {
    expect(
      () => new Ec2Clients({ hub: new FixedCallerIdentity(), memberRoles: true, sessionName: 'a b' }),
    ).toThrow(/session name/);
  });
});
