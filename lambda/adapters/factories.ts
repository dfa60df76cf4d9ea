import { documentClient, ec2Client, eventBridgeClient, kmsClient, s3Client, stsClient } from './clients';
import { DynamoDbActionStore } from './dynamodb-action-store';
import { DynamoDbAuditTrail } from './dynamodb-audit-trail';
import { DynamoDbSweepCheckpoints } from './dynamodb-sweep-checkpoints';
import { Ec2IngressRestorer } from './ec2-ingress-restorer';
import { Ec2SecurityGroups } from './ec2-security-groups';
import { EventBridgePublisher } from './eventbridge-publisher';
import { KmsApprovalSigner, KmsApprovalVerifier } from './kms-approval-key';
import { S3EvidenceArchive } from './s3-evidence-archive';
import { S3EvidenceStore } from './s3-evidence-store';
import { StsCallerIdentity } from './sts-caller-identity';

/**
 * Each port's AWS adapter on the shared clients: one place for the handlers and the CLI. A bundle
 * keeps only the factories it calls (approve-api carries no EC2 client).
 */
export const securityGroups = () => new Ec2SecurityGroups(ec2Client);

/** The rollback λ's only EC2 write; `where` picks the account's client (the hub's own for now). */
export const ingressRestorer = () => new Ec2IngressRestorer((where) => ec2Client(where.region));

export const callerIdentity = () => new StsCallerIdentity(stsClient());

/** Without `auditTable` the store can create and read actions but refuses audited commits. */
export const actionStore = (tables: {
  actionsTable: string;
  auditTable?: string;
  auditRowRetentionDays?: number | undefined;
}) =>
  new DynamoDbActionStore(documentClient(), {
    actions: tables.actionsTable,
    audit: tables.auditTable,
    auditRowRetentionDays: tables.auditRowRetentionDays,
  });

export const sweepCheckpoints = (tables: { actionsTable: string }) =>
  new DynamoDbSweepCheckpoints(documentClient(), tables.actionsTable);

export const evidenceStore = (target: { auditBucket: string; kmsKeyArn: string }) =>
  new S3EvidenceStore(s3Client(), { bucket: target.auditBucket, kmsKeyArn: target.kmsKeyArn });

export const eventBridgePublisher = (busName: string) =>
  new EventBridgePublisher(eventBridgeClient(), busName);

export const approvalSigner = (keyArn: string) => new KmsApprovalSigner(kmsClient(), keyArn);

export const approvalVerifier = (keyArn: string) => new KmsApprovalVerifier(kmsClient(), keyArn);

export const auditTrail = (auditTable: string) => new DynamoDbAuditTrail(documentClient(), auditTable);

export const evidenceArchive = (auditBucket: string) => new S3EvidenceArchive(s3Client(), auditBucket);
