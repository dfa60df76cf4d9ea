import { AccountRootPrincipal, PolicyDocument, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

// The CDK default key policy grants `kms:*` to the account; the design allows no wildcard action, so
// the account's IAM gets the administrative actions by name. Leaving out PutKeyPolicy or
// ScheduleKeyDeletion would make the key unmanageable, so the list is deliberately complete.
const ADMIN_ACTIONS = [
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
/**
 * The account administers a key through IAM (never `kms:*`): every key of the stack starts its
 * policy with this statement, and `actions` adds what account principals may use it for via IAM.
 */
export function accountStatements(useActions: readonly string[] = []): PolicyStatement[] {
  const account = (sid: string, actions: readonly string[]) =>
    new PolicyStatement({
      sid,
      principals: [new AccountRootPrincipal()],
      actions: [...actions],
      resources: ['*'],
    });
  return [
    account('AccountAdministersKeyThroughIam', ADMIN_ACTIONS),
    ...(useActions.length > 0 ? [account('AccountUsesKeyThroughIam', useActions)] : []),
  ];
}

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
    const policy = new PolicyDocument({ statements: accountStatements(KEY_USE_ACTIONS) });
    this.key = new Key(this, 'Key', {
      description: 'sg-revoke: audit evidence and action state',
      enableKeyRotation: true,
      policy,
    });
  }
}
