import { Aws, Duration } from 'aws-cdk-lib';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { REVERIFY_VARIABLES } from '../../lambda/config/reverify-config';
import { CONTROL_PORT_VARIABLES } from '../../lambda/core/control-rules';
import { type HubFunction, hubRoleName } from '../../lambda/core/member-roles';
import { HANDLER_ENTRIES } from './bundling';
import type { SgRevokeConfig } from './config';
import { deadLetterQueue } from './dead-letter-queue';
import {
  type GrantTargets,
  grantApply,
  grantApproveApi,
  grantMemberRoles,
  grantPlan,
  grantReverify,
  grantRollback,
  grantStatusSync,
} from './grants';
import { SgRevokeFunction } from './sg-revoke-function';

/** Findings per plan invocation, and the time such a batch may take (see event-wiring.ts). */
export const PLAN_BATCH_SIZE = 100;
export const PLAN_TIMEOUT_SECONDS = 120;

export interface FunctionsProps {
  readonly config: SgRevokeConfig;
  readonly targets: GrantTargets;
}

/**
 * The Lambdas, each with only the environment it reads (DESIGN §9) and its own role.
 * plan and reverify are invoked asynchronously (EventBridge), so each gets a DLQ that receives both
 * the events EventBridge could not deliver and the invocations Lambda gave up on.
 */
export class Functions extends Construct {
  readonly plan: SgRevokeFunction;
  readonly approveApi: SgRevokeFunction;
  readonly apply: SgRevokeFunction;
  readonly reverify: SgRevokeFunction;
  readonly statusSync: SgRevokeFunction;
  readonly rollback: SgRevokeFunction;
  readonly planDlq: Queue;
  readonly reverifyDlq: Queue;
  readonly statusSyncDlq: Queue;

  constructor(scope: Construct, id: string, props: FunctionsProps) {
    super(scope, id);
    const { config, targets: t } = props;
    const logRetention = config.logRetentionDays as RetentionDays;
    const env = {
      actions: { AWS_SG_REVOKE_ACTIONS_TABLE: t.actionsTable.tableName },
      audit: {
        AWS_SG_REVOKE_AUDIT_DYNAMODB_TABLE: t.auditTable.tableName,
        AWS_SG_REVOKE_AUDIT_BUCKET: t.auditBucket.bucketName,
        KMS_KEY_ARN: t.key.keyArn,
      },
      bus: { AWS_SG_REVOKE_EVENT_BUS: t.bus.eventBusName },
      guardrails: {
        AWS_SG_REVOKE_PROTECTED_IDS: config.protectedIds.join(','),
        AWS_SG_REVOKE_ALLOWED_ACCOUNT_IDS: config.allowedAccountIds.join(','),
      },
      ttl: { AWS_SG_REVOKE_APPROVAL_TTL_HOURS: String(config.approvalTtlHours) },
    };

    // Organization mode: the functions that call EC2 in member accounts get fixed role names (the
    // member roles trust them by ARN), the organization id, and AssumeRole of their member roles.
    const org = config.organizationId;
    const member = (fn: HubFunction): { environment: Record<string, string>; roleName?: string } =>
      org === undefined
        ? { environment: {} }
        : { environment: { AWS_SG_REVOKE_ORGANIZATION_ID: org }, roleName: hubRoleName(fn, Aws.REGION) };
    const assumeMemberRoles = (f: SgRevokeFunction, fn: HubFunction) => {
      if (org !== undefined) {
        grantMemberRoles(f, fn, { organizationId: org, memberAccountIds: config.allowedAccountIds });
      }
    };

    // The redrive target of the plan queue (event-wiring.ts), and the findings rule's DLQ.
    this.planDlq = deadLetterQueue(this, 'PlanDlq', { redriveTarget: true });
    this.plan = new SgRevokeFunction(this, 'Plan', {
      entry: HANDLER_ENTRIES.plan,
      description: 'plans one revoke per open-security-group finding, pending approval, in batches from SQS',
      environment: {
        ...env.actions,
        ...env.bus,
        ...env.guardrails,
        ...env.ttl,
        [CONTROL_PORT_VARIABLES.highRiskPorts]: config.ec2HighRiskPorts.join(','),
        [CONTROL_PORT_VARIABLES.authorizedTcpPorts]: config.ec2AuthorizedTcpPorts.join(','),
        [CONTROL_PORT_VARIABLES.authorizedUdpPorts]: config.ec2AuthorizedUdpPorts.join(','),
        ...member('plan').environment,
        ...(config.flowLogsLogGroup && {
          AWS_SG_REVOKE_FLOW_LOGS_LOG_GROUP: config.flowLogsLogGroup,
          AWS_SG_REVOKE_FLOW_LOGS_DAYS: String(config.flowLogsDays),
        }),
      },
      roleName: member('plan').roleName,
      logRetention,
      // A batch of PLAN_BATCH_SIZE findings: one describe round, then one PutItem and one event each.
      timeout: Duration.seconds(PLAN_TIMEOUT_SECONDS),
    });
    grantPlan(this.plan, t, config.flowLogsLogGroup);
    assumeMemberRoles(this.plan, 'plan');

    this.approveApi = new SgRevokeFunction(this, 'ApproveApi', {
      entry: HANDLER_ENTRIES.approveApi,
      description: 'lists, approves, rejects and signs rollbacks of actions for IAM-authenticated approvers',
      environment: {
        ...env.actions,
        ...env.audit,
        ...env.bus,
        ...env.ttl,
        AWS_SG_REVOKE_APPROVAL_KEY_ARN: t.approvalKey.keyArn,
        AWS_SG_REVOKE_APPROVER_PRINCIPALS: config.approverPrincipals.join(','),
        AWS_SG_REVOKE_VIEWER_PRINCIPALS: config.viewerPrincipals.join(','),
      },
      logRetention,
      // API Gateway gives up after 29 s; a slower answer would be lost anyway.
      timeout: Duration.seconds(25),
    });
    grantApproveApi(this.approveApi, t);

    this.apply = new SgRevokeFunction(this, 'Apply', {
      entry: HANDLER_ENTRIES.apply,
      description: 'revokes approved ingress rules after re-checking guardrails, with a dual audit',
      environment: {
        ...env.actions,
        ...env.audit,
        ...env.bus,
        ...env.guardrails,
        AWS_SG_REVOKE_IDEMPOTENCY_TABLE: t.idempotencyTable.tableName,
        AWS_SG_REVOKE_APPROVAL_KEY_ARN: t.approvalKey.keyArn,
        ...member('apply').environment,
        AWS_SG_REVOKE_MAX_REVOKES_PER_HOUR: String(config.maxRevokesPerHour),
        AWS_SG_REVOKE_BREAKER_THRESHOLD: String(config.breakerThreshold),
      },
      roleName: member('apply').roleName,
      logRetention,
      // The drain applies waiting approvals one by one, paced under EC2's bucket: 5 minutes, the
      // drain schedule's period (a stream apply takes seconds).
      timeout: Duration.minutes(5),
      // Bounds how many revokes run at once, account-wide, whatever the stream backlog.
      reservedConcurrentExecutions: config.applyReservedConcurrency,
    });
    grantApply(this.apply, t);
    assumeMemberRoles(this.apply, 'apply');

    this.reverifyDlq = deadLetterQueue(this, 'ReverifyDlq');
    this.reverify = new SgRevokeFunction(this, 'Reverify', {
      entry: HANDLER_ENTRIES.reverify,
      description: 're-checks applied revokes and raises DRIFT when a rule comes back',
      environment: {
        ...env.actions,
        ...env.audit,
        ...env.bus,
        AWS_SG_REVOKE_VERIFY_WINDOW_DAYS: String(config.verifyWindowDays),
        [REVERIFY_VARIABLES.auditRowRetentionDays]: String(config.auditRowRetentionDays),
        ...member('reverify').environment,
      },
      roleName: member('reverify').roleName,
      logRetention,
      // Sized from `npm run bench` (README, "Reverify at scale"): 10,000 actions are checked in a few
      // seconds of CPU; the run is bounded by DynamoDB round trips, 8 in flight. A run that still
      // cannot finish stops 30 s before this timeout and the next one continues from its cursor.
      timeout: Duration.minutes(5),
      memorySize: 512,
      // One run at a time: a sweep and its continuation never race each other over the cursor.
      reservedConcurrentExecutions: 1,
      asyncFailureQueue: this.reverifyDlq,
    });
    grantReverify(this.reverify, t);

    // Security Hub write-back: its own small role, invoked asynchronously by the lifecycle bus, so no
    // revoke ever waits on Security Hub; a failed write-back is retried, then dead-lettered, alarmed.
    this.statusSyncDlq = deadLetterQueue(this, 'StatusSyncDlq');
    this.statusSync = new SgRevokeFunction(this, 'StatusSync', {
      entry: HANDLER_ENTRIES.statusSync,
      description: "writes an action's progress back to its Security Hub finding (status and comment)",
      // It checks every event against the stored action (read-only) and the allow-list.
      environment: {
        ...env.actions,
        AWS_SG_REVOKE_ALLOWED_ACCOUNT_IDS: config.allowedAccountIds.join(','),
      },
      logRetention,
      timeout: Duration.seconds(30),
      asyncFailureQueue: this.statusSyncDlq,
    });
    grantStatusSync(this.statusSync, t);
    assumeMemberRoles(this.reverify, 'reverify');
    this.rollback = new SgRevokeFunction(this, 'Rollback', {
      entry: HANDLER_ENTRIES.rollback,
      description:
        're-authorizes the revoked ingress rules of an approved, signed rollback, with a dual audit',
      environment: {
        ...env.actions,
        ...env.audit,
        ...env.bus,
        AWS_SG_REVOKE_ALLOWED_ACCOUNT_IDS: config.allowedAccountIds.join(','),
        AWS_SG_REVOKE_APPROVAL_KEY_ARN: t.approvalKey.keyArn,
        ...member('rollback').environment,
      },
      roleName: member('rollback').roleName,
      logRetention,
      timeout: Duration.seconds(60),
      // Rollbacks are rare and human-driven: one at a time is enough, and bounds the authorize rate.
      reservedConcurrentExecutions: 1,
    });
    grantRollback(this.rollback, t);
    assumeMemberRoles(this.rollback, 'rollback');
  }
}
