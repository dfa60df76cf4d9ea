import {
  AnyPrincipal,
  ArnPrincipal,
  Effect,
  type IRole,
  PolicyDocument,
  PolicyStatement,
} from 'aws-cdk-lib/aws-iam';
import { Key, KeySpec, KeyUsage } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { accountStatements } from './encryption-key';

/** What verifiers may do with the approval key: read the public key (verification is local). */
export const VERIFY_ACTIONS = ['kms:GetPublicKey', 'kms:DescribeKey'];

/**
 * The approval key (DESIGN §11): an asymmetric ECC_NIST_P256 SIGN_VERIFY key whose private half
 * never leaves KMS. The key policy itself lets only the approval API's role sign, and denies
 * `kms:Sign` to every other principal of the account, so no IAM policy (another function's role,
 * an operator's) can grant a forged approval. Asymmetric keys cannot rotate: a new key is a new
 * deployment, and approvals name the key they were signed with.
 */
export class ApprovalKey extends Construct {
  readonly key: Key;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.key = new Key(this, 'Key', {
      description: 'sg-revoke: signs approvals (only the approval API may sign)',
      keySpec: KeySpec.ECC_NIST_P256,
      keyUsage: KeyUsage.SIGN_VERIFY,
      // The account reads the public key through IAM; signing is granted below, to one role only.
      policy: new PolicyDocument({ statements: accountStatements(VERIFY_ACTIONS) }),
    });
  }

  /** Only `signer` may sign: an Allow for its role and a Deny for every other principal. */
  allowOnlySigner(signer: IRole): void {
    this.key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'OnlyTheApprovalApiSigns',
        principals: [new ArnPrincipal(signer.roleArn)],
        actions: ['kms:Sign'],
        resources: ['*'],
      }),
    );
    this.key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'NobodyElseSigns',
        effect: Effect.DENY,
        principals: [new AnyPrincipal()],
        actions: ['kms:Sign'],
        resources: ['*'],
        conditions: { ArnNotEquals: { 'aws:PrincipalArn': signer.roleArn } },
      }),
    );
  }
}
