import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import { AwsCallError } from '../core/errors';
import type { CallerIdentity } from '../core/ports';
import { translated } from './aws-errors';

type Identity = { readonly account: string; readonly arn: string };

/** The credentials do not change within a process: one GetCallerIdentity, shared by concurrent callers. */
export class StsCallerIdentity implements CallerIdentity {
  private identity: Promise<Identity> | null = null;

  constructor(private readonly sts: STSClient) {}

  whoAmI(): Promise<Identity> {
    if (!this.identity) {
      this.identity = this.fetch().catch((error: unknown) => {
        // A failure is not cached: the next invocation asks again.
        this.identity = null;
        throw error;
      });
    }
    return this.identity;
  }

  private async fetch(): Promise<Identity> {
    const out = await translated('GetCallerIdentity', () => this.sts.send(new GetCallerIdentityCommand({})));
    if (!out.Account || !out.Arn) {
      throw new AwsCallError('GetCallerIdentity answered without Account or Arn', undefined);
    }
    return { account: out.Account, arn: out.Arn };
  }
}
