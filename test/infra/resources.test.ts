import 'aws-cdk-lib/testhelpers/jest-autoclean';
import type { CfnResource } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { createSgRevokeApp } from '../../infra/lib/sg-revoke-app';
import type { SgRevokeStack } from '../../infra/lib/sg-revoke-stack';
import { DRAIN_EVENT } from '../../lambda/core/limits';
import { testContext } from './synthetic-context';

type Json = Record<string, unknown>;

let stack: SgRevokeStack;
let template: Template;
const idOf = (construct: IConstruct): string =>
  stack.resolve((construct.node.defaultChild as CfnResource).logicalId) as string;
const keyArn = () => ({ 'Fn::GetAtt': [idOf(stack.key), 'Arn'] });
const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
const propsOf = (type: string): Json[] =>
  Object.values(template.findResources(type)).map((r) => r.Properties as Json);

beforeAll(() => {
  ({ stack } = createSgRevokeApp({ context: testContext() }));
  template = Template.fromStack(stack);
});

describe('audit evidence bucket', () => {
  it('is write-once, versioned, SSE-KMS with the stack key, private, TLS-only and access-logged', () => {
    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: {
        ObjectLockEnabled: true,
        ObjectLockConfiguration: {
          ObjectLockEnabled: 'Enabled',
          Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 365 } },
        },
        VersioningConfiguration: { Status: 'Enabled' },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            {
              BucketKeyEnabled: true,
              ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: keyArn() },
            },
          ],
        },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        LoggingConfiguration: { DestinationBucketName: { Ref: idOf(stack.audit.accessLogBucket) } },
      },
    });
  });

  it('refuses every request without TLS, on both buckets', () => {
    for (const bucket of [stack.audit.bucket, stack.audit.accessLogBucket]) {
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: idOf(bucket) },
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    }
  });
});

describe('encryption and tables', () => {
  it('rotates the stack key', () => {
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  it('encrypts every table with the stack key and keeps point-in-time recovery on', () => {
    const tables = propsOf('AWS::DynamoDB::Table');

    expect(tables).toHaveLength(3);
    for (const table of tables) {
      expect(table).toMatchObject({
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: keyArn() },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      });
    }
  });

  it('shapes the audit, actions and idempotency tables as the code expects', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: 'sg_id', KeyType: 'HASH' },
        { AttributeName: 'action_at', KeyType: 'RANGE' },
      ],
      DeletionProtectionEnabled: true,
    });
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'action_id', KeyType: 'HASH' }],
      StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
      TimeToLiveSpecification: { AttributeName: 'expires_at_epoch', Enabled: true },
      GlobalSecondaryIndexes: [
        Match.objectLike({
          IndexName: 'by-status',
          KeySchema: [
            { AttributeName: 'status', KeyType: 'HASH' },
            { AttributeName: 'created_at', KeyType: 'RANGE' },
          ],
        }),
        {
          IndexName: 'by-watch',
          KeySchema: [
            { AttributeName: 'watch_key', KeyType: 'HASH' },
            { AttributeName: 'watch_since', KeyType: 'RANGE' },
          ],
          // No plan, no before-image, no history: what a check needs and nothing more.
          Projection: {
            ProjectionType: 'INCLUDE',
            NonKeyAttributes: ['status', 'finding', 'outcome', 'verification', 'audit_head'],
          },
        },
      ],
    });
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true },
    });
  });
});

describe('functions', () => {
  it('run Node 24 on arm64 with active tracing and a log group with retention', () => {
    const functions = template.findResources('AWS::Lambda::Function');

    // plan, approve-api, apply, reverify, status-sync, rollback, audit-verify
    expect(Object.keys(functions)).toHaveLength(7);
    for (const { Properties: fn } of Object.values(functions)) {
      expect(fn).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        Handler: 'index.handler',
      });
      const logGroupId = (fn.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
      expect(template.toJSON().Resources[logGroupId].Properties).toEqual({ RetentionInDays: 90 });
    }
  });

  it('each ship their own bundle (a shared asset would deploy one handler seven times)', () => {
    const keys = Object.values(template.findResources('AWS::Lambda::Function')).map(
      ({ Properties: fn }) => (fn.Code as { S3Key: string }).S3Key,
    );

    expect(new Set(keys).size).toBe(7);
  });

  it.each([
    [
      'plan',
      [
        'ACTIONS_TABLE',
        'EVENT_BUS',
        'PROTECTED_IDS',
        'ALLOWED_ACCOUNT_IDS',
        'APPROVAL_TTL_HOURS',
        'EC2_19_HIGH_RISK_PORTS',
        'EC2_18_AUTHORIZED_TCP_PORTS',
        'EC2_18_AUTHORIZED_UDP_PORTS',
      ],
    ],
    [
      'approveApi',
      [
        'ACTIONS_TABLE',
        'AUDIT_DYNAMODB_TABLE',
        'AUDIT_BUCKET',
        'KMS',
        'EVENT_BUS',
        'APPROVAL_KEY_ARN',
        'APPROVER_PRINCIPALS',
        'VIEWER_PRINCIPALS',
        'APPROVAL_TTL_HOURS',
      ],
    ],
    [
      'apply',
      [
        'ACTIONS_TABLE',
        'AUDIT_DYNAMODB_TABLE',
        'AUDIT_BUCKET',
        'KMS',
        'EVENT_BUS',
        'PROTECTED_IDS',
        'ALLOWED_ACCOUNT_IDS',
        'IDEMPOTENCY_TABLE',
        'APPROVAL_KEY_ARN',
        'MAX_REVOKES_PER_HOUR',
        'BREAKER_THRESHOLD',
      ],
    ],
    [
      'reverify',
      [
        'ACTIONS_TABLE',
        'AUDIT_DYNAMODB_TABLE',
        'AUDIT_BUCKET',
        'KMS',
        'EVENT_BUS',
        'VERIFY_WINDOW_DAYS',
        'AUDIT_ROW_RETENTION_DAYS',
      ],
    ],
  ] as const)('gives %s only the variables it reads', (fn, suffixes) => {
    const props = template.toJSON().Resources[idOf(stack.functions[fn].fn)].Properties;
    const names = Object.keys(props.Environment.Variables).sort();
    const expected = suffixes.map((s) => (s === 'KMS' ? 'KMS_KEY_ARN' : `AWS_SG_REVOKE_${s}`));

    expect(names).toEqual([...expected, 'POWERTOOLS_SERVICE_NAME'].sort());
    expect(props.Environment.Variables.POWERTOOLS_SERVICE_NAME).toBe('sg-revoke');
  });

  it('passes the guardrail lists comma-separated, and bounds apply concurrency', () => {
    const resources = template.toJSON().Resources;
    const apply = resources[idOf(stack.functions.apply.fn)].Properties;

    expect(apply.Environment.Variables).toMatchObject({
      AWS_SG_REVOKE_PROTECTED_IDS: 'sg-0123456789abcdef0',
      AWS_SG_REVOKE_ALLOWED_ACCOUNT_IDS: '111122223333',
    });
    expect(apply.ReservedConcurrentExecutions).toBe(2);
    expect(apply.Environment.Variables).toMatchObject({
      AWS_SG_REVOKE_MAX_REVOKES_PER_HOUR: '20',
      AWS_SG_REVOKE_BREAKER_THRESHOLD: '3',
    });
  });
});

describe('async paths', () => {
  it('routes the detector findings on the stack bus to the plan queue, planned in batches with partial failures', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: idOf(stack.bus) },
      EventPattern: {
        detail: {
          class_uid: [2004],
          metadata: { product: { feature: { name: ['detect-aws-open-security-group'] } } },
        },
      },
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [idOf(stack.triggers.planQueue), 'Arn'] } })],
    });
    template.hasResourceProperties('AWS::SQS::Queue', {
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [idOf(stack.functions.planDlq), 'Arn'] },
        maxReceiveCount: 5,
      },
    });
    const mapping = propsOf('AWS::Lambda::EventSourceMapping').find(
      (m) => JSON.stringify(m.FunctionName) === JSON.stringify({ Ref: idOf(stack.functions.plan.fn) }),
    );
    expect(mapping).toMatchObject({
      EventSourceArn: { 'Fn::GetAtt': [idOf(stack.triggers.planQueue), 'Arn'] },
      BatchSize: 100,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('runs one reverify at a time, sized for its measured cost', () => {
    const reverify = template.toJSON().Resources[idOf(stack.functions.reverify.fn)].Properties;
    expect(reverify).toMatchObject({ ReservedConcurrentExecutions: 1, Timeout: 300, MemorySize: 512 });
  });

  it('bounds audit storage by configuration, never below the Object Lock retention', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: 'sg_id', KeyType: 'HASH' },
        { AttributeName: 'action_at', KeyType: 'RANGE' },
      ],
      TimeToLiveSpecification: { AttributeName: 'expires_at_epoch', Enabled: true },
    });
    template.hasResourceProperties('AWS::S3::Bucket', {
      ObjectLockConfiguration: Match.objectLike({
        Rule: { DefaultRetention: Match.objectLike({ Days: 365 }) },
      }),
      LifecycleConfiguration: {
        Rules: [
          Match.objectLike({ ExpirationInDays: 400, NoncurrentVersionExpiration: { NoncurrentDays: 400 } }),
        ],
      },
    });
  });

  it('schedules reverify', () => {
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(15 minutes)' });
  });

  it('drains waiting approvals every 5 minutes: the apply function with the constant drain input', () => {
    const drain = propsOf('AWS::Events::Rule').filter((r) => r.ScheduleExpression === 'rate(5 minutes)');

    expect(drain).toHaveLength(1);
    expect(drain[0]?.Targets).toEqual([
      expect.objectContaining({
        Arn: { 'Fn::GetAtt': [idOf(stack.functions.apply.fn), 'Arn'] },
        Input: JSON.stringify(DRAIN_EVENT),
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [idOf(stack.triggers.applyDlq), 'Arn'] } },
        RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 300 },
      }),
    ]);
    const invoke = propsOf('AWS::Lambda::EventInvokeConfig').filter((c) =>
      same(c.FunctionName, { Ref: idOf(stack.functions.apply.fn) }),
    );
    expect(invoke).toEqual([
      expect.objectContaining({
        MaximumRetryAttempts: 0,
        DestinationConfig: {
          OnFailure: { Destination: { 'Fn::GetAtt': [idOf(stack.triggers.applyDlq), 'Arn'] } },
        },
      }),
    ]);
  });

  it('lets only the named detectors put findings on the findings bus', () => {
    const policies = propsOf('AWS::Events::EventBusPolicy').filter((p) =>
      same(p.EventBusName, { Ref: idOf(stack.bus) }),
    );

    expect(policies).toHaveLength(1);
    expect(policies[0]?.Statement).toMatchObject({
      Effect: 'Allow',
      Action: 'events:PutEvents',
      Principal: { AWS: 'arn:aws:iam::111122223333:role/detect-aws-open-security-group' },
    });
  });

  it('lets only sg-revoke function roles put lifecycle events: every other principal is denied', () => {
    const policies = propsOf('AWS::Events::EventBusPolicy').filter((p) =>
      same(p.EventBusName, { Ref: idOf(stack.lifecycle.bus) }),
    );
    const roles = [
      stack.functions.plan,
      stack.functions.approveApi,
      stack.functions.apply,
      stack.functions.reverify,
      stack.functions.rollback,
      stack.auditVerification.fn,
    ].map((f) => ({ 'Fn::GetAtt': [idOf(f.role), 'Arn'] }));

    expect(policies.map((p) => p.Statement)).toEqual([
      {
        Sid: expect.any(String),
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 'events:PutEvents',
        Resource: { 'Fn::GetAtt': [idOf(stack.lifecycle.bus), 'Arn'] },
        Condition: { ArnNotEquals: { 'aws:PrincipalArn': roles } },
      },
      {
        Sid: expect.any(String),
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 'events:PutEvents',
        Resource: { 'Fn::GetAtt': [idOf(stack.lifecycle.bus), 'Arn'] },
        Condition: {
          ArnEquals: { 'aws:PrincipalArn': [roles[4]] },
          StringNotEquals: {
            'events:detail-type': ['Action Rolled Back', 'Rollback Failed', 'Tamper Detected'],
          },
        },
      },
      {
        Sid: expect.any(String),
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 'events:PutEvents',
        Resource: { 'Fn::GetAtt': [idOf(stack.lifecycle.bus), 'Arn'] },
        Condition: {
          ArnEquals: { 'aws:PrincipalArn': [roles[5]] },
          StringNotEquals: { 'events:detail-type': 'Tamper Detected' },
        },
      },
    ]);
    for (const fn of ['plan', 'approveApi', 'apply', 'reverify', 'rollback'] as const) {
      const env = template.toJSON().Resources[idOf(stack.functions[fn].fn)].Properties.Environment.Variables;
      expect(env.AWS_SG_REVOKE_EVENT_BUS).toEqual({ Ref: idOf(stack.lifecycle.bus) });
    }
  });

  it('gives every rule target a DLQ and a bounded retry policy', () => {
    const targets = propsOf('AWS::Events::Rule').flatMap((rule) => rule.Targets as Json[]);

    // findings (detector, Security Hub V2; ASFF is off by default), reverify, 3 notifications, audit verify, status-sync, apply drain
    expect(targets).toHaveLength(9);
    for (const target of targets) {
      expect(target).toMatchObject({
        DeadLetterConfig: { Arn: expect.anything() },
        RetryPolicy: {
          MaximumRetryAttempts: expect.any(Number),
          MaximumEventAgeInSeconds: expect.any(Number),
        },
      });
    }
  });

  it('sends failed async invocations of reverify, audit verify, status-sync and the apply drain to a queue', () => {
    const configs = propsOf('AWS::Lambda::EventInvokeConfig');

    expect(configs).toHaveLength(4);
    for (const config of configs) {
      expect(config).toMatchObject({ DestinationConfig: { OnFailure: { Destination: expect.anything() } } });
    }
  });

  it('feeds apply from the actions stream: APPROVED only, small batches, bounded retries, on-failure queue', () => {
    const mappings = propsOf('AWS::Lambda::EventSourceMapping').filter(
      (m) => JSON.stringify(m.FunctionName) === JSON.stringify({ Ref: idOf(stack.functions.apply.fn) }),
    );

    expect(mappings).toHaveLength(1);
    expect(mappings[0]).toMatchObject({
      FunctionName: { Ref: idOf(stack.functions.apply.fn) },
      BatchSize: 10,
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      MaximumRetryAttempts: 3,
      DestinationConfig: {
        OnFailure: { Destination: { 'Fn::GetAtt': [idOf(stack.triggers.applyDlq), 'Arn'] } },
      },
    });
    const criteria = mappings[0]?.FilterCriteria as { Filters: { Pattern: string }[] } | undefined;
    expect(JSON.parse(criteria?.Filters[0]?.Pattern ?? '{}')).toEqual({
      eventName: ['MODIFY'],
      dynamodb: { NewImage: { status: { S: ['APPROVED'] } } },
    });
  });

  it('feeds rollback from the actions stream: a recorded rollback request only, one at a time, on-failure queue', () => {
    const mappings = propsOf('AWS::Lambda::EventSourceMapping').filter(
      (m) => JSON.stringify(m.FunctionName) === JSON.stringify({ Ref: idOf(stack.functions.rollback.fn) }),
    );

    expect(mappings).toHaveLength(1);
    expect(mappings[0]).toMatchObject({
      BatchSize: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      MaximumRetryAttempts: 3,
      DestinationConfig: {
        OnFailure: { Destination: { 'Fn::GetAtt': [idOf(stack.triggers.rollbackDlq), 'Arn'] } },
      },
    });
    const criteria = mappings[0]?.FilterCriteria as { Filters: { Pattern: string }[] } | undefined;
    expect(JSON.parse(criteria?.Filters[0]?.Pattern ?? '{}')).toEqual({
      eventName: ['MODIFY'],
      dynamodb: {
        NewImage: {
          status: { S: ['APPLIED', 'ALREADY_ABSENT'] },
          rollback: { M: { at: { S: [{ exists: true }] } } },
        },
      },
    });
  });
});
