import { ArnFormat, Aws, Stack, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { type Bucket, CfnBucket } from 'aws-cdk-lib/aws-s3';
import { INTENTIONALLY_OPEN_TAG } from '../../lambda/core/constants';
import { CONTROL_KEY_PREFIXES } from '../../lambda/core/limits';
import { type HubFunction, memberRoleArn, purposesOf } from '../../lambda/core/member-roles';
import { WATCH_INDEX } from '../../lambda/core/watch-index';
import { VERIFY_ACTIONS } from './approval-key';
import { AUDIT_PREFIX } from './audit-storage';
import { KEY_USE_ACTIONS } from './encryption-key';
import type { SgRevokeFunction } from './sg-revoke-function';
import { BY_STATUS_INDEX } from './state-tables';

export interface GrantTargets {
  readonly key: IKey;
  readonly actionsTable: ITable;
  readonly auditTable: ITable;
  readonly auditBucket: Bucket;
  readonly idempotencyTable: ITable;
  /** The lifecycle bus (only these roles may put to it). */
  readonly bus: IEventBus;
  /** The asymmetric approval key: approve-api signs; apply, rollback and audit-verify read the public key. */
  readonly approvalKey: IKey;
}

const DESCRIBE_SG = ['ec2:DescribeSecurityGroups', 'ec2:DescribeSecurityGroupRules'];
const REVOKE = 'ec2:RevokeSecurityGroupIngress';
const AUTHORIZE = 'ec2:AuthorizeSecurityGroupIngress';
const TAG_GUARD = INTENTIONALLY_OPEN_TAG;

const byStatusIndexArn = (table: ITable): string => `${table.tableArn}/index/${BY_STATUS_INDEX}`;

// Every role uses the key for table encryption; the audit writers also for S3 SSE-KMS.
function allowKeyAndBus(fn: SgRevokeFunction, t: GrantTargets): void {
  fn.allow('UseStackKey', KEY_USE_ACTIONS, [t.key.keyArn]);
  fn.allow('EmitLifecycleEvents', ['events:PutEvents'], [t.bus.eventBusArn]);
}

function allowDescribe(fn: SgRevokeFunction): void {
  fn.allowUnscoped('DescribeSecurityGroups', DESCRIBE_SG, 'EC2 Describe* APIs offer no resource-level scope');
}

/** Append-only audit (DESIGN §7): no update, no delete, objects only under the audit prefix. */
function allowAuditAppend(fn: SgRevokeFunction, t: GrantTargets): void {
  fn.allow('AuditRowAppend', ['dynamodb:PutItem'], [t.auditTable.tableArn]);
  fn.allow('AuditObjectPut', ['s3:PutObject'], [t.auditBucket.arnForObjects(`${AUDIT_PREFIX}*`)]);
  const bucketId = Stack.of(fn).getLogicalId(t.auditBucket.node.defaultChild as CfnBucket);
  Validations.of(fn.role).acknowledge({
    id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/${AUDIT_PREFIX}*]`,
    reason:
      'Audit object keys are generated per action (date/sg id/action); the grant is PutObject only, under the audit prefix.',
  });
}

/**
 * The kill switch and the limit counters share the actions table: a role that writes actions but has
 * no business with them is denied those keys (IAM cannot tell a pause from a resume, so a role that
 * may write `control#pause` at all could also clear it and defeat the breaker).
 */
function denyControlWrites(fn: SgRevokeFunction, t: GrantTargets): void {
  fn.role.addToPrincipalPolicy(
    new PolicyStatement({
      sid: 'DenyKillSwitchAndLimitWrites',
      effect: Effect.DENY,
      actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'],
      resources: [t.actionsTable.tableArn],
      conditions: {
        'ForAnyValue:StringLike': { 'dynamodb:LeadingKeys': CONTROL_KEY_PREFIXES.map((p) => `${p}*`) },
      },
    }),
  );
}

export function grantPlan(fn: SgRevokeFunction, t: GrantTargets, flowLogsLogGroup?: string): void {
  allowKeyAndBus(fn, t);
  allowDescribe(fn);
  fn.allow('ActionsPlan', ['dynamodb:PutItem', 'dynamodb:GetItem'], [t.actionsTable.tableArn]);
  // The impact preview: which interfaces carry the group (DESIGN §13).
  fn.allowUnscoped(
    'DescribeNetworkInterfaces',
    ['ec2:DescribeNetworkInterfaces'],
    'EC2 Describe* APIs offer no resource-level scope',
  );
  if (flowLogsLogGroup) allowFlowLogsQuery(fn, flowLogsLogGroup);
  denyControlWrites(fn, t);
}

/**
 * Logs Insights on the named Flow Logs group only: StartQuery is the call that reads log data and
 * is scoped to that group. GetQueryResults and StopQuery act on a query id and have no log-group
 * resource type, so they cannot be scoped; they return or stop only queries already started.
 */
function allowFlowLogsQuery(fn: SgRevokeFunction, logGroup: string): void {
  const arn = Stack.of(fn).formatArn({
    service: 'logs',
    resource: 'log-group',
    resourceName: logGroup,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
  fn.allow('QueryFlowLogs', ['logs:StartQuery'], [arn, `${arn}:*`]);
  fn.allowUnscoped(
    'ReadFlowLogsQueries',
    ['logs:GetQueryResults', 'logs:StopQuery'],
    'they take a query id, not a log group: CloudWatch Logs offers no resource-level scope for them',
  );
  Validations.of(fn.role).acknowledge({
    id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:${logGroup}:*]`,
    reason: 'the Flow Logs log group (its ARN form with `:*`, as CloudWatch Logs evaluates StartQuery)',
  });
}

export function grantApproveApi(fn: SgRevokeFunction, t: GrantTargets): void {
  allowKeyAndBus(fn, t);
  // The key policy also denies kms:Sign to every other principal (approval-key.ts).
  fn.allow('SignApprovals', ['kms:Sign'], [t.approvalKey.keyArn]);
  allowAuditAppend(fn, t);
  fn.allow(
    'ActionsReview',
    ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
    [t.actionsTable.tableArn],
  );
  fn.allow('ActionsListByStatus', ['dynamodb:Query'], [byStatusIndexArn(t.actionsTable)]);
  denyControlWrites(fn, t);
}

export function grantApply(fn: SgRevokeFunction, t: GrantTargets): void {
  allowKeyAndBus(fn, t);
  fn.allow('ReadApprovalPublicKey', VERIFY_ACTIONS, [t.approvalKey.keyArn]);
  allowAuditAppend(fn, t);
  allowDescribe(fn);
  // UpdateItem also writes the rate-cap counters and, when the breaker trips, the kill switch.
  fn.allow('ActionsApply', ['dynamodb:GetItem', 'dynamodb:UpdateItem'], [t.actionsTable.tableArn]);
  // The drain lists the approvals that wait, oldest first.
  fn.allow('ActionsListApproved', ['dynamodb:Query'], [byStatusIndexArn(t.actionsTable)]);
  fn.allow(
    'IdempotencyRecords',
    ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
    [t.idempotencyTable.tableArn],
  );

  allowOnSecurityGroups(fn, REVOKE, 'RevokeIngressRule', 'DenyRevokeOnIntentionallyOpen');
}

/**
 * One EC2 write on security groups of this account, any region, denied on groups tagged
 * intentionally-open: IAM enforces the tag guardrail too, so a bug in the code cannot open the way.
 */
function allowOnSecurityGroups(fn: SgRevokeFunction, action: string, sid: string, denySid: string): void {
  const securityGroups = Stack.of(fn).formatArn({
    service: 'ec2',
    region: '*',
    resource: 'security-group',
    resourceName: '*',
  });
  fn.allow(sid, [action], [securityGroups]);
  fn.role.addToPrincipalPolicy(
    new PolicyStatement({
      sid: denySid,
      effect: Effect.DENY,
      actions: [action],
      resources: [securityGroups],
      conditions: { Null: { [`aws:ResourceTag/${TAG_GUARD}`]: 'false' } },
    }),
  );
  Validations.of(fn.role).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:*:<AWS::AccountId>:security-group/*]',
    reason: `Findings name any security group of this account in any region; ${action} is denied on groups tagged intentionally-open.`,
  });
}

/**
 * The rollback λ (DESIGN §13): the only role that may re-authorize ingress, scoped like the revoke.
 * It verifies the signed rollback with the public key (never kms:Sign), reads the action's audit rows,
 * appends its own, and updates the action; it has no idempotency table (the consumed marker guards).
 */
export function grantRollback(fn: SgRevokeFunction, t: GrantTargets): void {
  allowKeyAndBus(fn, t);
  fn.allow('ReadApprovalPublicKey', VERIFY_ACTIONS, [t.approvalKey.keyArn]);
  allowAuditAppend(fn, t);
  fn.allow('AuditRowsRead', ['dynamodb:Query'], [t.auditTable.tableArn]);
  allowDescribe(fn);
  fn.allow('ActionsRollback', ['dynamodb:GetItem', 'dynamodb:UpdateItem'], [t.actionsTable.tableArn]);
  allowOnSecurityGroups(fn, AUTHORIZE, 'AuthorizeIngressRule', 'DenyAuthorizeOnIntentionallyOpen');
  // Rollback never touches the kill switch or the limit counters: it may not clear a pause either.
  denyControlWrites(fn, t);
}

export function grantReverify(fn: SgRevokeFunction, t: GrantTargets): void {
  allowKeyAndBus(fn, t);
  allowAuditAppend(fn, t);
  allowDescribe(fn);
  fn.allow('ActionsSweep', ['dynamodb:Query'], [byStatusIndexArn(t.actionsTable)]);
  fn.allow('ActionsWatched', ['dynamodb:Query'], [`${t.actionsTable.tableArn}/index/${WATCH_INDEX}`]);
  fn.allow('ActionsVerify', ['dynamodb:GetItem', 'dynamodb:UpdateItem'], [t.actionsTable.tableArn]);
}

/**
 * Organization mode only: AssumeRole of exactly the member roles this function needs (read for
 * every reader, revoke for apply, restore for rollback), in exactly the allowed accounts, and only
 * while those roles belong to the organization.
 */
export function grantMemberRoles(
  fn: SgRevokeFunction,
  hubFn: HubFunction,
  org: { readonly organizationId: string; readonly memberAccountIds: readonly string[] },
): void {
  const roles = purposesOf(hubFn).flatMap((purpose) =>
    org.memberAccountIds.map((accountUid) =>
      memberRoleArn({ partition: Aws.PARTITION, accountUid }, purpose),
    ),
  );
  fn.role.addToPrincipalPolicy(
    new PolicyStatement({
      sid: 'AssumeMemberRoles',
      effect: Effect.ALLOW,
      actions: ['sts:AssumeRole'],
      resources: roles,
      conditions: { StringEquals: { 'aws:ResourceOrgID': org.organizationId } },
    }),
  );
}

/** Reads everything the audit is made of, writes nothing but Tamper Detected events (DESIGN §11). */
export function grantAuditVerify(fn: SgRevokeFunction, t: GrantTargets): void {
  fn.allow('DecryptWithStackKey', ['kms:Decrypt', 'kms:DescribeKey'], [t.key.keyArn]);
  fn.allow('EmitTamperEvents', ['events:PutEvents'], [t.bus.eventBusArn]);
  fn.allow('ReadApprovalPublicKey', VERIFY_ACTIONS, [t.approvalKey.keyArn]);
  fn.allow('AuditRowsRead', ['dynamodb:Query'], [t.auditTable.tableArn]);
  fn.allow('ActionsRead', ['dynamodb:GetItem', 'dynamodb:Query'], [t.actionsTable.tableArn]);
  fn.allow('ActionsListByStatus', ['dynamodb:Query'], [byStatusIndexArn(t.actionsTable)]);
  fn.allow(
    'EvidenceRead',
    ['s3:GetObject', 's3:GetObjectVersion'],
    [t.auditBucket.arnForObjects(`${AUDIT_PREFIX}*`)],
  );
  fn.role.addToPrincipalPolicy(
    new PolicyStatement({
      sid: 'EvidenceVersionsList',
      actions: ['s3:ListBucketVersions'],
      resources: [t.auditBucket.bucketArn],
      conditions: { StringLike: { 's3:prefix': `${AUDIT_PREFIX}*` } },
    }),
  );
  const bucketId = Stack.of(fn).getLogicalId(t.auditBucket.node.defaultChild as CfnBucket);
  Validations.of(fn.role).acknowledge({
    id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/${AUDIT_PREFIX}*]`,
    reason: 'Audit objects are keyed per action under the audit prefix; the grant is read-only.',
  });
}

/**
 * Status write-back only (DESIGN §12): BatchUpdateFindings authorizes both BatchUpdateFindings and
 * BatchUpdateFindingsV2 (there is no separate V2 IAM action). No table, no bus, no EC2, no key.
 */
export function grantStatusSync(fn: SgRevokeFunction, t: GrantTargets): void {
  // Every event is checked against its stored action: read-only, one item at a time.
  fn.allow('ActionsRead', ['dynamodb:GetItem'], [t.actionsTable.tableArn]);
  fn.allow('DecryptWithStackKey', ['kms:Decrypt', 'kms:DescribeKey'], [t.key.keyArn]);
  fn.allowUnscoped(
    'WriteBackFindingStatus',
    ['securityhub:BatchUpdateFindings'],
    'the V2 findings API documents no resource-level scope; the action only edits workflow status, comment and note',
  );
}
