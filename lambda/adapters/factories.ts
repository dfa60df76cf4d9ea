import { ConfigError } from '../core/errors';
import type { CallerIdentity } from '../core/ports';
import {
  cloudFormationClient,
  documentClient,
  eventBridgeClient,
  kmsClient,
  logsClient,
  s3Client,
  securityHubClient,
  stsClient,
} from './clients';
import { CloudFormationStackOutputs } from './cloudformation-stack-outputs';
import { DynamoDbActionStore } from './dynamodb-action-store';
import { DynamoDbAuditTrail } from './dynamodb-audit-trail';
import { DynamoDbControlStore } from './dynamodb-control-store';
import { DynamoDbSweepCheckpoints } from './dynamodb-sweep-checkpoints';
import { Ec2Clients } from './ec2-clients';
import { Ec2IngressRestorer } from './ec2-ingress-restorer';
import { Ec2NetworkInterfaces } from './ec2-network-interfaces';
import { Ec2SecurityGroups } from './ec2-security-groups';
import { EventBridgePublisher } from './eventbridge-publisher';
import { KmsApprovalSigner, KmsApprovalVerifier } from './kms-approval-key';
import { LogsFlowLogs } from './logs-flow-logs';
import { S3EvidenceArchive } from './s3-evidence-archive';
import { S3EvidenceStore } from './s3-evidence-store';
import { SecurityHubFindingStatus } from './securityhub-finding-status';
import { StsCallerIdentity } from './sts-caller-identity';

/**
 * Each port's AWS adapter on the shared clients: one place for the handlers and the CLI. A bundle
 * keeps only the factories it calls (approve-api carries no EC2 client).
 */
/** The impact preview lists interfaces with the read role in a member account (as planning reads). */
export const networkInterfaces = (clients: Ec2Clients) =>
  new Ec2NetworkInterfaces(clients.forPurpose('read'));

/** Null when the deployment names no VPC Flow Logs group: the preview then says `not-configured`. */
export function flowLogs(settings: {
  flowLogsLogGroup: string | null;
  flowLogsDays: number;
  awsRegion: string | null;
}): LogsFlowLogs | null {
  const { flowLogsLogGroup: logGroup, flowLogsDays: days, awsRegion: region } = settings;
  if (logGroup === null) return null;
  if (region === null) throw new ConfigError('AWS_REGION is required with AWS_SG_REVOKE_FLOW_LOGS_LOG_GROUP');
  return new LogsFlowLogs(logsClient(), { logGroup, region, days });
}

/** The rollback λ's only EC2 write; `where` picks the account's client (the hub's own for now). */
/** Rollback re-authorizes with the restore role in a member account (the only role that may). */
export const ingressRestorer = (clients: Ec2Clients) => new Ec2IngressRestorer(clients.forPurpose('restore'));

export const callerIdentity = () => new StsCallerIdentity(stsClient());

/**
 * The EC2 clients of one function (`fn` names it in the member accounts' CloudTrail): its own role
 * in its own account; with an organization id, the member roles in the others (DESIGN §12).
 */
export const ec2Clients = (setup: { fn: string; organizationId: string | null; hub?: CallerIdentity }) =>
  new Ec2Clients({
    hub: setup.hub ?? callerIdentity(),
    memberRoles: setup.organizationId !== null,
    sessionName: `sg-revoke-${setup.fn}`,
  });

export const securityGroups = (clients: Ec2Clients) =>
  new Ec2SecurityGroups((where, purpose) => clients.ec2(where, purpose));

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

export const stackOutputs = (region?: string) => new CloudFormationStackOutputs(cloudFormationClient(region));
export const findingStatusWriter = () => new SecurityHubFindingStatus(securityHubClient());
export const controlStore = (tables: { actionsTable: string; auditTable: string }) =>
  new DynamoDbControlStore(documentClient(), { actions: tables.actionsTable, audit: tables.auditTable });
