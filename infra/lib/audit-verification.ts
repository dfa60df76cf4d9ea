import { Duration } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { HANDLER_ENTRIES } from './bundling';
import { deadLetterQueue } from './dead-letter-queue';
import { type GrantTargets, grantAuditVerify } from './grants';
import { SgRevokeFunction } from './sg-revoke-function';

export interface AuditVerificationProps {
  readonly targets: GrantTargets;
  readonly logRetention: RetentionDays;
}

/**
 * `sg-revoke audit verify` on a daily schedule (DESIGN §11): each recent action's chain, rows against
 * their oldest S3 versions, approval signatures and state; tampering becomes a Tamper Detected event.
 */
export class AuditVerification extends Construct {
  readonly fn: SgRevokeFunction;
  readonly dlq: Queue;
  readonly schedule: Rule;

  constructor(scope: Construct, id: string, props: AuditVerificationProps) {
    super(scope, id);
    const t = props.targets;
    this.dlq = deadLetterQueue(this, 'Dlq');
    this.fn = new SgRevokeFunction(this, 'AuditVerify', {
      entry: HANDLER_ENTRIES.auditVerify,
      description: 'daily: verifies the audit trail (chain, S3 anchors, signatures, state)',
      environment: {
        AWS_SG_REVOKE_ACTIONS_TABLE: t.actionsTable.tableName,
        AWS_SG_REVOKE_AUDIT_DYNAMODB_TABLE: t.auditTable.tableName,
        AWS_SG_REVOKE_AUDIT_BUCKET: t.auditBucket.bucketName,
        AWS_SG_REVOKE_APPROVAL_KEY_ARN: t.approvalKey.keyArn,
        AWS_SG_REVOKE_EVENT_BUS: t.bus.eventBusName,
      },
      logRetention: props.logRetention,
      timeout: Duration.minutes(15),
      memorySize: 512,
      asyncFailureQueue: this.dlq,
    });
    grantAuditVerify(this.fn, t);
    this.schedule = new Rule(this, 'Daily', {
      description: 'sg-revoke: daily audit verification',
      schedule: Schedule.rate(Duration.days(1)),
      targets: [
        new LambdaFunction(this.fn.fn, {
          deadLetterQueue: this.dlq,
          retryAttempts: 2,
          maxEventAge: Duration.hours(1),
        }),
      ],
    });
  }
}
