import type { EC2Client } from '@aws-sdk/client-ec2';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { fromNodeProviderChain, fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { doesIdentityRequireRefresh, isIdentityExpired, memoizeIdentityProvider } from '@smithy/core';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { AwsCallError, SgRevokeError } from '../core/errors';
import { type Ec2Purpose, MEMBER_ROLE_NAMES, memberRoleArn, partitionOf } from '../core/member-roles';
import type { Where } from '../core/model';
import type { AccountIdentity, CallerIdentity } from '../core/ports';
import { translated } from './aws-errors';
import { ec2ClientWith, stsClientWith } from './clients';

type Identity = { readonly account: string; readonly arn: string };

/** An EC2 call for another account in a single-account deployment: refused, never sent with the hub's role. */
export class ForeignAccountError extends SgRevokeError {
  override readonly name = 'ForeignAccountError';
}

export interface Ec2ClientsOptions {
  /** The hub's own identity (the function's role, the CLI's credentials): its account needs no role. */
  readonly hub: CallerIdentity;
  /** Organization mode: assume the member role in every other account. Off: refuse every other account. */
  readonly memberRoles: boolean;
  /** The AssumeRole session name: names the function in the member account's CloudTrail. */
  readonly sessionName: string;
}

/** STS session names: 2 to 64 of `[\w+=,.@-]`. */
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;

const memoized = (provider: AwsCredentialIdentityProvider): AwsCredentialIdentityProvider =>
  memoizeIdentityProvider(
    provider,
    isIdentityExpired,
    doesIdentityRequireRefresh,
  ) as AwsCredentialIdentityProvider;

/**
 * EC2 clients per (account, region, purpose) and the identity behind each (DESIGN §12). In the hub's
 * own account the function's role is used; in a member account, the member role of the purpose
 * (`sg-revoke-member-read|revoke|restore`) is assumed with fromTemporaryCredentials. Clients and
 * credentials are kept for the container: one AssumeRole per (account, purpose), shared by every
 * region, refreshed by the SDK five minutes before it expires.
 */
export class Ec2Clients implements AccountIdentity {
  private readonly members = new Map<string, AwsCredentialIdentityProvider>();
  private readonly identities = new Map<string, Promise<Identity>>();
  private readonly own: AwsCredentialIdentityProvider = memoized(fromNodeProviderChain());

  constructor(private readonly options: Ec2ClientsOptions) {
    if (!SESSION_NAME.test(options.sessionName)) {
      throw new SgRevokeError(`\`${options.sessionName}\` is not a valid AssumeRole session name`);
    }
  }

  /** The client for `where` and `purpose`; which credentials it signs with is decided on its first call. */
  ec2(where: Where, purpose: Ec2Purpose): EC2Client {
    const key = `${this.options.sessionName}/${where.accountUid}/${purpose}`;
    return ec2ClientWith(key, where.region, () => this.credentialsFor(where.accountUid, purpose));
  }

  /** The `clientFor` of an adapter that acts with one purpose (impact preview: read; rollback: restore). */
  forPurpose(purpose: Ec2Purpose): (where: Where) => EC2Client {
    return (where) => this.ec2(where, purpose);
  }

  async identityIn(where: Where, purpose: Ec2Purpose): Promise<Identity> {
    const hub = await this.options.hub.whoAmI();
    if (where.accountUid === hub.account || !this.options.memberRoles) return hub;
    const key = `${where.accountUid}/${purpose}`;
    let identity = this.identities.get(key);
    if (!identity) {
      identity = this.memberIdentity(where.accountUid, purpose, hub).catch((error: unknown) => {
        // A failure is not kept: the next call tries again (the member stack may be deployed since).
        this.identities.delete(key);
        throw error;
      });
      this.identities.set(key, identity);
    }
    return identity;
  }

  private async credentialsFor(accountUid: string, purpose: Ec2Purpose): Promise<AwsCredentialIdentity> {
    const hub = await this.options.hub.whoAmI();
    if (accountUid === hub.account) return this.own();
    if (!this.options.memberRoles) {
      throw new ForeignAccountError(
        `account ${accountUid} is not this deployment's account ${hub.account}, and member roles are off (single-account deployment)`,
      );
    }
    return this.memberCredentials(accountUid, purpose, hub)();
  }

  private memberCredentials(accountUid: string, purpose: Ec2Purpose, hub: Identity) {
    const key = `${accountUid}/${purpose}`;
    let provider = this.members.get(key);
    if (!provider) {
      const partition = partitionOf(hub.arn) ?? 'aws';
      const assume = fromTemporaryCredentials({
        params: {
          RoleArn: memberRoleArn({ partition, accountUid }, purpose),
          RoleSessionName: this.options.sessionName,
        },
      });
      // Called without the EC2 client's config on purpose: STS is reached in the hub's own region
      // with the hub's own credentials, whichever member region asked first.
      provider = memoized(() => assume({}));
      this.members.set(key, provider);
    }
    return provider;
  }

  private async memberIdentity(accountUid: string, purpose: Ec2Purpose, hub: Identity): Promise<Identity> {
    const credentials = this.memberCredentials(accountUid, purpose, hub);
    // AssumeRole first, on its own: a refusal is then named as such, not as a failed STS read.
    await translated(`AssumeRole ${MEMBER_ROLE_NAMES[purpose]} in ${accountUid}`, () => credentials());
    const sts = stsClientWith(`${this.options.sessionName}/${accountUid}/${purpose}`, credentials);
    const out = await translated(`GetCallerIdentity as ${purpose} in ${accountUid}`, () =>
      sts.send(new GetCallerIdentityCommand({})),
    );
    if (!out.Account || !out.Arn) {
      throw new AwsCallError('GetCallerIdentity answered without Account or Arn', undefined);
    }
    return { account: out.Account, arn: out.Arn };
  }
}
