import { execFile } from 'node:child_process';
import { join } from 'node:path';
import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStacksCommand,
  waitUntilStackCreateComplete,
} from '@aws-sdk/client-cloudformation';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { STACK_OUTPUT_KEYS, STACK_OUTPUTS, type StackOutputKey } from '../../../lambda/core/stack-outputs';
import { describeMoto, REGION, resetMoto } from '../moto/resources';

const CLI = join(__dirname, '../../../lambda/cli/sg-revoke.js');
const STACK = 'sg-revoke-env-test';

// moto's CloudFormation needs a key policy on every key, and keeps an object policy in a form its
// DescribeKey cannot read: the policy goes in as a JSON string (real CloudFormation takes both).
const KEY_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'kms:*', Resource: '*' }],
});

const table = (name: string) => ({
  Type: 'AWS::DynamoDB::Table',
  Properties: {
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST',
    KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
  },
});

/**
 * A small stand-in for the sg-revoke stack that moto can create: real tables, bucket, keys, topic,
 * buses and queue, and every output of the shared table, each pointing at its resource.
 */
function template(): string {
  const value: Record<StackOutputKey, unknown> = {
    ApiUrl: {
      'Fn::Join': ['', ['https://abc123defg.execute-api.', { Ref: 'AWS::Region' }, '.amazonaws.com/v1/']],
    },
    Region: { Ref: 'AWS::Region' },
    ActionsTableName: { Ref: 'Actions' },
    AuditTableName: { Ref: 'AuditRows' },
    IdempotencyTableName: { Ref: 'Idempotency' },
    AuditBucketName: { Ref: 'Evidence' },
    AuditKeyArn: { 'Fn::GetAtt': ['AuditKey', 'Arn'] },
    ApprovalKeyArn: { 'Fn::GetAtt': ['ApprovalKey', 'Arn'] },
    AllowedAccountIds: '123456789012,444455556666',
    ProtectedIds: 'sg-0123456789abcdef0',
    NotificationTopicArn: { Ref: 'Topic' },
    FindingsBusName: { Ref: 'FindingsBus' },
    LifecycleBusName: { Ref: 'LifecycleBus' },
    PlanQueueUrl: { Ref: 'PlanQueue' },
  };
  return JSON.stringify({
    Resources: {
      Actions: table('sg-revoke-env-actions'),
      AuditRows: table('sg-revoke-env-audit'),
      Idempotency: table('sg-revoke-env-idempotency'),
      Evidence: { Type: 'AWS::S3::Bucket', Properties: { BucketName: 'sg-revoke-env-evidence' } },
      AuditKey: { Type: 'AWS::KMS::Key', Properties: { Description: 'audit', KeyPolicy: KEY_POLICY } },
      ApprovalKey: {
        Type: 'AWS::KMS::Key',
        Properties: {
          Description: 'approvals',
          KeySpec: 'ECC_NIST_P256',
          KeyUsage: 'SIGN_VERIFY',
          KeyPolicy: KEY_POLICY,
        },
      },
      Topic: { Type: 'AWS::SNS::Topic' },
      FindingsBus: { Type: 'AWS::Events::EventBus', Properties: { Name: 'sg-revoke-env-findings' } },
      LifecycleBus: { Type: 'AWS::Events::EventBus', Properties: { Name: 'sg-revoke-env-lifecycle' } },
      PlanQueue: { Type: 'AWS::SQS::Queue' },
    },
    Outputs: Object.fromEntries(
      STACK_OUTPUT_KEYS.map((key) => [
        key,
        { Value: value[key], Description: STACK_OUTPUTS[key].description },
      ]),
    ),
  });
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** The CLI as a user runs it, against this worker's moto_server (dummy credentials). */
function cli(args: string[]): Promise<Run> {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('AWS_SG_REVOKE_')) env[k] = v;
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** Evaluates `env`'s output in a real shell and reads the variables back. */
function evaluated(exports: string): Promise<Record<string, string>> {
  return new Promise((resolve, reject) => {
    execFile('/bin/sh', ['-c', `${exports}env -0`], { env: {} }, (error, stdout) => {
      if (error) reject(error);
      else
        resolve(
          Object.fromEntries(
            stdout
              .split('\0')
              .filter(Boolean)
              .map((l) => [l.split('=')[0], l.slice(l.indexOf('=') + 1)]),
          ),
        );
    });
  });
}

describeMoto('sg-revoke env against CloudFormation (moto)', () => {
  const cloudFormation = new CloudFormationClient({ region: REGION });
  const dynamodb = new DynamoDBClient({ region: REGION });
  const s3 = new S3Client({ region: REGION, forcePathStyle: true });
  const kms = new KMSClient({ region: REGION });

  beforeAll(async () => {
    await resetMoto();
    await cloudFormation.send(new CreateStackCommand({ StackName: STACK, TemplateBody: template() }));
    await waitUntilStackCreateComplete(
      { client: cloudFormation, maxWaitTime: 60, minDelay: 1 },
      { StackName: STACK },
    );
  });

  afterAll(() => {
    for (const client of [cloudFormation, dynamodb, s3, kms]) client.destroy();
  });

  it('prints exports that lead a shell to the stack real resources', async () => {
    const run = await cli(['env', '--stack', STACK, '--region', REGION]);

    expect([run.code, run.stderr]).toEqual([0, '']);
    const vars = await evaluated(run.stdout);
    expect(vars).toMatchObject({
      SG_REVOKE_API_URL: `https://abc123defg.execute-api.${REGION}.amazonaws.com/v1/`,
      AWS_REGION: REGION,
      AWS_SG_REVOKE_ACTIONS_TABLE: 'sg-revoke-env-actions',
      AWS_SG_REVOKE_AUDIT_DYNAMODB_TABLE: 'sg-revoke-env-audit',
      AWS_SG_REVOKE_AUDIT_BUCKET: 'sg-revoke-env-evidence',
      AWS_SG_REVOKE_ALLOWED_ACCOUNT_IDS: '123456789012,444455556666',
      AWS_SG_REVOKE_PROTECTED_IDS: 'sg-0123456789abcdef0',
    });
    // Each name and ARN is a live resource: the tables, the bucket and both keys answer.
    for (const name of [vars.AWS_SG_REVOKE_ACTIONS_TABLE, vars.AWS_SG_REVOKE_AUDIT_DYNAMODB_TABLE]) {
      const described = await dynamodb.send(new DescribeTableCommand({ TableName: name }));
      expect(described.Table?.TableStatus).toBe('ACTIVE');
    }
    await expect(
      s3.send(new HeadBucketCommand({ Bucket: vars.AWS_SG_REVOKE_AUDIT_BUCKET })),
    ).resolves.toBeDefined();
    const auditKey = await kms.send(new DescribeKeyCommand({ KeyId: vars.KMS_KEY_ARN }));
    const approvalKey = await kms.send(
      new DescribeKeyCommand({ KeyId: vars.AWS_SG_REVOKE_APPROVAL_KEY_ARN }),
    );
    // (moto's CloudFormation ignores KeySpec and KeyUsage: the description tells the two keys apart)
    expect([auditKey.KeyMetadata?.Description, approvalKey.KeyMetadata?.Description]).toEqual([
      'audit',
      'approvals',
    ]);
    expect(vars.AWS_SG_REVOKE_EVENT_BUS).toBeUndefined();
  });

  it('agrees with what DescribeStacks itself answers, output by output', async () => {
    const run = await cli(['env', '--stack', STACK, '--region', REGION, '--format', 'json']);
    const described = await cloudFormation.send(new DescribeStacksCommand({ StackName: STACK }));

    const byKey = Object.fromEntries(
      (described.Stacks?.[0]?.Outputs ?? []).map((o) => [o.OutputKey, o.OutputValue]),
    );
    const printed = JSON.parse(run.stdout) as Record<string, string>;
    for (const key of STACK_OUTPUT_KEYS) {
      const variable = STACK_OUTPUTS[key].env;
      if (variable !== null) expect([key, printed[variable]]).toEqual([key, byKey[key]]);
    }
  });

  it('an unknown stack: exit 1 and one line', async () => {
    const run = await cli(['env', '--stack', 'no-such-stack', '--region', REGION]);

    expect([run.code, run.stdout]).toEqual([1, '']);
    expect(run.stderr).toBe(
      `sg-revoke: env: stack no-such-stack not found in ${REGION} (check --stack and --region)\n`,
    );
  });
});
