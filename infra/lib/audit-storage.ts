import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { AnyPrincipal, Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  ObjectLockRetention,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { AUDIT_PREFIX } from '../../lambda/core/constants';
import type { SgRevokeConfig } from './config';

/** Audit objects go under this prefix (DESIGN §7); the roles may write nowhere else in the bucket. */
export { AUDIT_PREFIX };

export interface AuditStorageProps {
  readonly key: IKey;
  readonly config: Pick<
    SgRevokeConfig,
    'auditRetentionDays' | 'objectLockMode' | 'auditRowRetentionDays' | 'auditObjectRetentionDays'
  >;
}

/**
 * The write-once dual audit (DESIGN §7): a DynamoDB table and an S3 bucket. Append-only is enforced by
 * the roles (PutItem / PutObject only) and, for S3, by Object Lock: even the account cannot rewrite
 * evidence in COMPLIANCE mode before the retention ends.
 */
export class AuditStorage extends Construct {
  readonly bucket: Bucket;
  readonly accessLogBucket: Bucket;
  readonly table: Table;

  constructor(scope: Construct, id: string, props: AuditStorageProps) {
    super(scope, id);
    const retention = Duration.days(props.config.auditRetentionDays);

    // Server access logs cannot be delivered to an SSE-KMS or Object Lock bucket, hence S3-managed keys.
    this.accessLogBucket = new Bucket(this, 'AccessLogs', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      versioned: true,
      lifecycleRules: [{ expiration: retention, noncurrentVersionExpiration: Duration.days(30) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.bucket = new Bucket(this, 'Evidence', {
      encryption: BucketEncryption.KMS,
      encryptionKey: props.key,
      bucketKeyEnabled: true,
      versioned: true,
      objectLockEnabled: true,
      objectLockDefaultRetention:
        props.config.objectLockMode === 'COMPLIANCE'
          ? ObjectLockRetention.compliance(retention)
          : ObjectLockRetention.governance(retention),
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      serverAccessLogsBucket: this.accessLogBucket,
      serverAccessLogsPrefix: 'audit-bucket/',
      // Growth is bounded by configuration; Object Lock still refuses any delete before its retention.
      lifecycleRules: [
        {
          id: 'audit-retention',
          expiration: Duration.days(props.config.auditObjectRetentionDays),
          noncurrentVersionExpiration: Duration.days(props.config.auditObjectRetentionDays),
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.denyRewrites();

    this.table = new Table(this, 'Rows', {
      partitionKey: { name: 'sg_id', type: AttributeType.STRING },
      sortKey: { name: 'action_at', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: props.key,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      // Rows carry this expiry when the writer is configured with a retention (outside the row hash).
      timeToLiveAttribute: 'expires_at_epoch',
    });
  }

  /**
   * Write-once enforced by S3 itself, whatever a role's IAM policy says (DESIGN §11): a PUT must be a
   * conditional create (`If-None-Match: *`), so no principal can add a version over an evidence
   * object; nobody deletes an object or a version, nor bypasses the retention. Object Lock stays
   * underneath. (CopyObject into the bucket is refused too: it cannot carry the header.)
   */
  private denyRewrites(): void {
    const objects = this.bucket.arnForObjects('*');
    const deny = (sid: string, actions: string[], conditions?: Record<string, unknown>) =>
      this.bucket.addToResourcePolicy(
        new PolicyStatement({
          sid,
          effect: Effect.DENY,
          principals: [new AnyPrincipal()],
          actions,
          resources: [objects],
          conditions,
        }),
      );
    deny('PutOnlyAsConditionalCreate', ['s3:PutObject'], { Null: { 's3:if-none-match': 'true' } });
    deny('PutOnlyIfNoneMatchStar', ['s3:PutObject'], { StringNotEquals: { 's3:if-none-match': '*' } });
    deny('NoDeletesNoRetentionBypass', [
      's3:DeleteObject',
      's3:DeleteObjectVersion',
      's3:BypassGovernanceRetention',
      's3:PutObjectRetention',
      's3:PutObjectLegalHold',
    ]);
  }
}
