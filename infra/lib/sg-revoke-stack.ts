import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { MathExpression, Metric } from 'aws-cdk-lib/aws-cloudwatch';
import { EventBus, type IEventBus } from 'aws-cdk-lib/aws-events';
import type { Key } from 'aws-cdk-lib/aws-kms';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { LIMIT_METRICS } from '../../lambda/core/limits';
import { METRICS_NAMESPACE, REVERIFY_METRICS } from '../../lambda/core/reverify-metrics';
import { Alarms } from './alarms';
import { ApprovalApi } from './approval-api';
import { ApprovalKey } from './approval-key';
import { AuditStorage } from './audit-storage';
import { AuditVerification } from './audit-verification';
import type { SgRevokeConfig } from './config';
import { EncryptionKey } from './encryption-key';
import { EventWiring, findingsBus } from './event-wiring';
import { Functions } from './functions';
import { LifecycleBus } from './lifecycle-bus';
import { Notifications } from './notifications';
import { SecurityHubWiring } from './securityhub-wiring';
import { addStackOutputs } from './stack-outputs';
import { StateTables } from './state-tables';
import { applyProfile } from './trial-profile';

export interface SgRevokeStackProps extends StackProps {
  /** Validated configuration (see config.ts); the stack never reads context itself. */
  readonly config: SgRevokeConfig;
}

/** sg-revoke in one stack (DESIGN §10). */
export class SgRevokeStack extends Stack {
  readonly key: Key;
  readonly audit: AuditStorage;
  readonly tables: StateTables;
  /** Where findings arrive (open to the named detectors). */
  readonly bus: IEventBus;
  /** Where lifecycle events travel (sg-revoke's functions only). */
  readonly lifecycle: LifecycleBus;
  readonly approvalKey: ApprovalKey;
  readonly auditVerification: AuditVerification;
  readonly functions: Functions;
  readonly triggers: EventWiring;
  readonly api: ApprovalApi;
  readonly notifications: Notifications;
  readonly securityHub: SecurityHubWiring;

  constructor(scope: Construct, id: string, props: SgRevokeStackProps) {
    super(scope, id, props);
    const { config } = props;

    this.key = new EncryptionKey(this, 'Encryption').key;
    this.audit = new AuditStorage(this, 'Audit', { key: this.key, config });
    this.tables = new StateTables(this, 'State', { key: this.key });
    this.bus = findingsBus(this, config);
    this.lifecycle = new LifecycleBus(this, 'Lifecycle');
    this.approvalKey = new ApprovalKey(this, 'ApprovalKey');
    const logRetention = config.logRetentionDays as RetentionDays;

    const targets = {
      key: this.key,
      actionsTable: this.tables.actions,
      auditTable: this.audit.table,
      auditBucket: this.audit.bucket,
      idempotencyTable: this.tables.idempotency,
      bus: this.lifecycle.bus,
      approvalKey: this.approvalKey.key,
    };
    this.functions = new Functions(this, 'Functions', { config, targets });
    this.auditVerification = new AuditVerification(this, 'AuditVerification', { targets, logRetention });
    this.triggers = new EventWiring(this, 'Triggers', {
      config,
      bus: this.bus,
      actionsTable: this.tables.actions,
      functions: this.functions,
    });
    this.api = new ApprovalApi(this, 'Approvals', {
      handler: this.functions.approveApi.fn,
      logRetention,
      principals: { approvers: config.approverPrincipals, viewers: config.viewerPrincipals },
    });
    this.notifications = new Notifications(this, 'Notifications', { bus: this.lifecycle.bus });

    this.securityHub = new SecurityHubWiring(this, 'SecurityHub', {
      config,
      defaultBus: EventBus.fromEventBusName(this, 'DefaultBus', 'default'),
      lifecycleBus: this.lifecycle.bus,
      planQueue: this.triggers.planQueue,
      planDlq: this.functions.planDlq,
      statusSync: this.functions.statusSync,
      statusSyncDlq: this.functions.statusSyncDlq,
    });

    const { plan, approveApi, apply, reverify, statusSync, rollback, planDlq, reverifyDlq } = this.functions;
    const auditVerify = this.auditVerification.fn;
    this.approvalKey.allowOnlySigner(approveApi.role);
    this.lifecycle.allowOnly(
      [plan, approveApi, apply, reverify, rollback, auditVerify].map((f) => f.role),
      [auditVerify.role],
      [rollback.role],
    );
    new Alarms(this, 'Alarms', {
      topic: this.notifications.topic,
      functions: {
        Plan: plan,
        ApproveApi: approveApi,
        Apply: apply,
        Reverify: reverify,
        AuditVerify: auditVerify,
        StatusSync: statusSync,
        Rollback: rollback,
      },
      deadLetterQueues: {
        Plan: planDlq,
        Apply: this.triggers.applyDlq,
        Rollback: this.triggers.rollbackDlq,
        Reverify: reverifyDlq,
        AuditVerify: this.auditVerification.dlq,
        Notifications: this.notifications.dlq,
        StatusSync: this.functions.statusSyncDlq,
      },
      driftRule: this.notifications.driftRule,
      tamperRule: this.notifications.tamperRule,
      lifecycleBusName: this.lifecycle.bus.eventBusName,
      reverifyCheckErrors: new Metric({
        namespace: METRICS_NAMESPACE,
        metricName: REVERIFY_METRICS.checkErrors,
        dimensionsMap: { service: 'sg-revoke-reverify' },
        period: Duration.minutes(5),
        statistic: 'Sum',
      }),
      planQueue: this.triggers.planQueue,
      limits: {
        // Apply trips on failures, reverify on a quick DRIFT: one alarm for either.
        breakerTripped: new MathExpression({
          expression: 'FILL(apply, 0) + FILL(reverify, 0)',
          usingMetrics: {
            apply: metricOf(LIMIT_METRICS.breakerTripped, 'sg-revoke-apply'),
            reverify: metricOf(LIMIT_METRICS.breakerTripped, 'sg-revoke-reverify'),
          },
          period: Duration.minutes(5),
        }),
        deadlinePassed: metricOf(LIMIT_METRICS.deadlinePassed, 'sg-revoke-apply'),
      },
    });
    addStackOutputs(this, {
      ApiUrl: this.api.api.url,
      ActionsTableName: this.tables.actions.tableName,
      AuditTableName: this.audit.table.tableName,
      AuditBucketName: this.audit.bucket.bucketName,
      AuditKeyArn: this.key.keyArn,
      ApprovalKeyArn: this.approvalKey.key.keyArn,
      AllowedAccountIds: config.allowedAccountIds.join(','),
      ProtectedIds: config.protectedIds.join(','),
      IdempotencyTableName: this.tables.idempotency.tableName,
      NotificationTopicArn: this.notifications.topic.topicArn,
      FindingsBusName: this.bus.eventBusName,
      LifecycleBusName: this.lifecycle.bus.eventBusName,
      PlanQueueUrl: this.triggers.planQueue.queueUrl,
    });
    applyProfile(this, config.profile);
  }
}

const metricOf = (metricName: string, service: string): Metric =>
  new Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    dimensionsMap: { service },
    period: Duration.minutes(5),
    statistic: 'Sum',
  });
