import { AccountRootPrincipal, PolicyDocument, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

// The CDK default key policy grants `kms:*` to the account; the design allows no wildcard action, so
// the account's IAM gets the administrative actions by name. Leaving out PutKeyPolicy or
// ScheduleKeyDeletion would make the key unmanageable, so the list is deliberately complete.
export const ADMIN_ACTIONS = [
  'kms:CancelKeyDeletion',
  'kms:CreateAlias',
  'kms:CreateGrant',
  'kms:DeleteAlias',
  'kms:DescribeKey',
  'kms:DisableKey',
  'kms:DisableKeyRotation',
  'kms:EnableKey',
  'kms:EnableKeyRotation',
  'kms:GetKeyPolicy',
  'kms:GetKeyRotationStatus',
  'kms:ListGrants',
  'kms:ListKeyPolicies',
  'kms:ListKeyRotations',
  'kms:ListResourceTags',
  'kms:PutKeyPolicy',
  'kms:RetireGrant',
  'kms:RevokeGrant',
  'kms:RotateKeyOnDemand',
  'kms:ScheduleKeyDeletion',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:UpdateAlias',
  'kms:UpdateKeyDescription',
];
/** The only cryptographic operations the stack's roles are ever granted (on this key alone). */
export const KEY_USE_ACTIONS = ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'];

/**
 * The stack's customer managed key: audit bucket and tables. Rotation on. Account principals get
 * access only through their IAM policies (the roles name this key and the few actions they need).
 * No AWS service principal is named here: the notification topic has a key of its own
 * (notifications.ts), so no service statement can ever reach the audit evidence.
 */
export class EncryptionKey extends Construct {
  readonly key: Key;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const policy = new PolicyDocument({
      statements: [
        new PolicyStatement({
          sid: 'AccountAdministersKeyThroughIam',
          principals: [new AccountRootPrincipal()],
          actions: ADMIN_ACTIONS,
          resources: ['*'],
        }),
        new PolicyStatement({
          sid: 'AccountUsesKeyThroughIam',
          principals: [new AccountRootPrincipal()],
          actions: KEY_USE_ACTIONS,
          resources: ['*'],
        }),
      ],
    });
    this.key = new Key(this, 'Key', {
      description: 'sg-revoke: audit evidence and action state',
      enableKeyRotation: true,
      policy,
    });
  }
}
