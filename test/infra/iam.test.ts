import 'aws-cdk-lib/testhelpers/jest-autoclean';
import type { CfnResource } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { createSgRevokeApp } from '../../infra/lib/sg-revoke-app';
import type { SgRevokeStack } from '../../infra/lib/sg-revoke-stack';
import { testContext } from './synthetic-context';

type Json = Record<string, unknown>;
interface Statement {
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource?: unknown;
  Condition?: Json;
}
type FunctionName = 'plan' | 'approveApi' | 'apply' | 'reverify' | 'rollback';

// Actions AWS offers no resource scope for; nothing else may be granted on `*`.
const UNSCOPED = new Set([
  'ec2:DescribeSecurityGroups',
  'ec2:DescribeSecurityGroupRules',
  'ec2:DescribeNetworkInterfaces',
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'dynamodb:ListStreams',
  // Status write-back: the V2 findings API documents no resource-level scope (grants.ts).
  'securityhub:BatchUpdateFindings',
]);
const SG_ARN = {
  'Fn::Join': [
    '',
    ['arn:', { Ref: 'AWS::Partition' }, ':ec2:*:', { Ref: 'AWS::AccountId' }, ':security-group/*'],
  ],
};

let stack: SgRevokeStack;
let resources: Record<string, { Type: string; Properties: Json }>;
const asList = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];
const idOf = (construct: IConstruct): string =>
  stack.resolve((construct.node.defaultChild as CfnResource).logicalId) as string;
const arnOf = (construct: IConstruct, attribute = 'Arn') => ({ 'Fn::GetAtt': [idOf(construct), attribute] });
const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** Every statement of every policy in the template: identity policies and resource policies alike. */
function everyStatement(): Statement[] {
  return Object.values(resources).flatMap((resource) => {
    const p = resource.Properties ?? {};
    const documents = [
      p.PolicyDocument,
      p.KeyPolicy,
      ...asList(p.Policies as Json[] | undefined).map((policy) => policy.PolicyDocument),
      p.Statement === undefined ? undefined : { Statement: p.Statement },
    ];
    return documents.flatMap((doc) =>
      asList((doc as Json | undefined)?.Statement as Statement[] | undefined),
    );
  });
}

function roleStatements(fn: FunctionName): Statement[] {
  const roleId = idOf(stack.functions[fn].role);
  return Object.values(resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy' && same(r.Properties.Roles, [{ Ref: roleId }]))
    .flatMap((r) => (r.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}

/** The actions a role is allowed on one resource (exact resource match). */
function allowedOn(fn: FunctionName, resource: unknown): string[] {
  return roleStatements(fn)
    .filter((s) => s.Effect === 'Allow' && asList(s.Resource).some((r) => same(r, resource)))
    .flatMap((s) => asList(s.Action))
    .sort();
}

beforeAll(() => {
  // Policies do not depend on the bundle's content: skip bundling (resources.test.ts bundles for real).
  ({ stack } = createSgRevokeApp({ context: { ...testContext(), 'aws:cdk:bundling-stacks': [] } }));
  resources = Template.fromStack(stack).toJSON().Resources;
});

describe('least privilege', () => {
  it('gives each function its own role, with no managed policy', () => {
    const roles = Object.values(resources).filter((r) => r.Type === 'AWS::IAM::Role');

    expect(roles).toHaveLength(7);
    for (const role of roles) expect(role.Properties.ManagedPolicyArns).toBeUndefined();
  });

  it('lets only the apply role revoke, only on this account security groups', () => {
    const revokers = (['plan', 'approveApi', 'reverify', 'rollback'] as const).filter((fn) =>
      roleStatements(fn).some((s) => asList(s.Action).includes('ec2:RevokeSecurityGroupIngress')),
    );
    const grants = everyStatement().filter(
      (s) => s.Effect === 'Allow' && asList(s.Action).includes('ec2:RevokeSecurityGroupIngress'),
    );

    expect(revokers).toEqual([]);
    expect(grants).toEqual([
      expect.objectContaining({ Action: 'ec2:RevokeSecurityGroupIngress', Resource: SG_ARN }),
    ]);
    expect(allowedOn('apply', SG_ARN)).toEqual(['ec2:RevokeSecurityGroupIngress']);
  });

  it('lets only the rollback role authorize ingress, scoped like the revoke and denied on intentionally-open', () => {
    const authorizers = (['plan', 'approveApi', 'apply', 'reverify'] as const).filter((fn) =>
      roleStatements(fn).some((s) => asList(s.Action).includes('ec2:AuthorizeSecurityGroupIngress')),
    );
    const grants = everyStatement().filter(
      (s) => s.Effect === 'Allow' && asList(s.Action).includes('ec2:AuthorizeSecurityGroupIngress'),
    );

    expect(authorizers).toEqual([]);
    expect(grants).toEqual([
      expect.objectContaining({ Action: 'ec2:AuthorizeSecurityGroupIngress', Resource: SG_ARN }),
    ]);
    expect(allowedOn('rollback', SG_ARN)).toEqual(['ec2:AuthorizeSecurityGroupIngress']);
    expect(roleStatements('rollback')).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Action: 'ec2:AuthorizeSecurityGroupIngress',
        Resource: SG_ARN,
        Condition: { Null: { 'aws:ResourceTag/intentionally-open': 'false' } },
      }),
    );
    const rollbackActions = roleStatements('rollback').flatMap((s) => asList(s.Action));
    expect(rollbackActions).toContain('kms:GetPublicKey');
    expect(rollbackActions).not.toContain('kms:Sign');
    expect(rollbackActions).not.toContain('ec2:RevokeSecurityGroupIngress');
  });

  it('denies the revoke on groups tagged intentionally-open', () => {
    expect(roleStatements('apply')).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Action: 'ec2:RevokeSecurityGroupIngress',
        Resource: SG_ARN,
        Condition: { Null: { 'aws:ResourceTag/intentionally-open': 'false' } },
      }),
    );
  });

  it('has no wildcard in any allowed action of any policy', () => {
    const allowed = everyStatement()
      .filter((s) => s.Effect === 'Allow')
      .flatMap((s) => asList(s.Action));

    // Key, bucket, queue, topic and bus policies are inspected too, not only the roles'.
    expect(allowed).toEqual(
      expect.arrayContaining(['kms:PutKeyPolicy', 'sqs:SendMessage', 'sns:Publish', 'events:PutEvents']),
    );
    expect(allowed.filter((action) => action.includes('*'))).toEqual([]);
  });

  it('allows Resource "*" only for actions that have no resource scope', () => {
    const unscoped = Object.values(resources)
      .filter((r) => r.Type === 'AWS::IAM::Policy')
      .flatMap((r) => (r.Properties.PolicyDocument as { Statement: Statement[] }).Statement)
      .filter((s) => s.Effect === 'Allow' && asList(s.Resource).includes('*'))
      .flatMap((s) => asList(s.Action));

    expect(unscoped.filter((action) => !UNSCOPED.has(action))).toEqual([]);
  });

  it('describes security groups from plan, apply and reverify only', () => {
    const describers = (['plan', 'approveApi', 'apply', 'reverify'] as const).filter((fn) =>
      allowedOn(fn, '*').includes('ec2:DescribeSecurityGroupRules'),
    );

    expect(describers).toEqual(['plan', 'apply', 'reverify']);
    expect(roleStatements('approveApi').flatMap((s) => asList(s.Action))).not.toContainEqual(
      expect.stringMatching(/^ec2:/),
    );
  });

  it('grants each role exactly its actions-table operations', () => {
    const table = arnOf(stack.tables.actions);
    const index = { 'Fn::Join': ['', [table, '/index/by-status']] };
    const grants = (fn: FunctionName) => ({ table: allowedOn(fn, table), index: allowedOn(fn, index) });

    expect(grants('plan')).toEqual({ table: ['dynamodb:GetItem', 'dynamodb:PutItem'], index: [] });
    expect(grants('approveApi')).toEqual({
      table: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
      index: ['dynamodb:Query'],
    });
    expect(grants('apply')).toEqual({
      table: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
      index: ['dynamodb:Query'],
    });
    expect(grants('reverify')).toEqual({
      table: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
      index: ['dynamodb:Query'],
    });
  });

  it('denies plan, approve-api and rollback every write to the kill switch and the limit counters', () => {
    const table = arnOf(stack.tables.actions);
    const denies = (fn: FunctionName) =>
      roleStatements(fn).filter((s) => s.Effect === 'Deny' && asList(s.Resource).some((r) => same(r, table)));

    for (const fn of ['plan', 'approveApi', 'rollback'] as const) {
      expect(denies(fn)).toEqual([
        expect.objectContaining({
          Action: [
            'dynamodb:BatchWriteItem',
            'dynamodb:DeleteItem',
            'dynamodb:PutItem',
            'dynamodb:UpdateItem',
          ],
          Condition: { 'ForAnyValue:StringLike': { 'dynamodb:LeadingKeys': ['control#*', 'limits#*'] } },
        }),
      ]);
    }
    for (const fn of ['apply', 'reverify'] as const) expect(denies(fn)).toEqual([]);
  });

  it('lets only apply use the idempotency table', () => {
    const table = arnOf(stack.tables.idempotency);

    expect(allowedOn('apply', table)).toEqual([
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
    ]);
    for (const fn of ['plan', 'approveApi', 'reverify'] as const) expect(allowedOn(fn, table)).toEqual([]);
  });

  it('keeps the audit append-only: PutItem on the table, PutObject under the prefix, nothing else', () => {
    const table = arnOf(stack.audit.table);
    const bucketArn = arnOf(stack.audit.bucket);
    const underPrefix = [{ 'Fn::Join': ['', [bucketArn, '/aws-sg-revoke/audit/*']] }];
    const touchesAudit = (s: Statement) =>
      asList(s.Resource).some((r) => JSON.stringify(r).includes(JSON.stringify(bucketArn)) || same(r, table));
    const auditGrantsOf = (roleId: string) =>
      Object.values(resources)
        .filter((r) => r.Type === 'AWS::IAM::Policy' && same(r.Properties.Roles, [{ Ref: roleId }]))
        .flatMap((r) => (r.Properties.PolicyDocument as { Statement: Statement[] }).Statement)
        .filter((s) => s.Effect === 'Allow' && touchesAudit(s));
    const writers = (['plan', 'approveApi', 'apply', 'reverify'] as const).flatMap((fn) =>
      auditGrantsOf(idOf(stack.functions[fn].role)),
    );

    for (const s of writers) {
      expect([
        ['dynamodb:PutItem', [table]],
        ['s3:PutObject', underPrefix],
      ]).toContainEqual([s.Action, asList(s.Resource)]);
    }
    expect(writers).toHaveLength(6);
    // The daily verifier only reads: rows, object versions (listing limited to the prefix).
    expect(auditGrantsOf(idOf(stack.auditVerification.fn.role)).map((s) => [s.Action, s.Resource])).toEqual([
      ['dynamodb:Query', table],
      [['s3:GetObject', 's3:GetObjectVersion'], underPrefix[0]],
      ['s3:ListBucketVersions', bucketArn],
    ]);
    // Object Lock already refuses deletes in the retention period; no role may even ask.
    expect(
      everyStatement().flatMap((s) => (s.Effect === 'Allow' ? asList(s.Action) : [])),
    ).not.toContainEqual(
      expect.stringMatching(
        /^s3:(DeleteObject|PutObjectRetention|PutObjectLegalHold|BypassGovernanceRetention)/,
      ),
    );
  });

  it('uses each key for its purpose only, and puts events only on the lifecycle bus', () => {
    const key = arnOf(stack.key);
    const approvalKey = arnOf(stack.approvalKey.key);
    const bus = arnOf(stack.lifecycle.bus);
    const kmsOf = (fn: FunctionName) =>
      roleStatements(fn)
        .filter((s) => asList(s.Action).some((a) => a.startsWith('kms:')))
        .map((s) => [
          same(s.Resource, key) ? 'stack-key' : same(s.Resource, approvalKey) ? 'approval-key' : s.Resource,
          s.Action,
        ]);
    const onEvents = (['plan', 'approveApi', 'apply', 'reverify'] as const)
      .flatMap(roleStatements)
      .filter((s) => asList(s.Action).some((a) => a.startsWith('events:')));
    const use = ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'];

    expect(kmsOf('plan')).toEqual([['stack-key', use]]);
    expect(kmsOf('reverify')).toEqual([['stack-key', use]]);
    expect(kmsOf('approveApi')).toEqual([
      ['stack-key', use],
      ['approval-key', 'kms:Sign'],
    ]);
    expect(kmsOf('apply')).toEqual([
      ['stack-key', use],
      ['approval-key', ['kms:DescribeKey', 'kms:GetPublicKey']],
      // Added by the DynamoDB stream event source: reading the encrypted stream.
      ['stack-key', ['kms:Decrypt', 'kms:DescribeKey']],
    ]);
    expect(onEvents).toHaveLength(4);
    for (const s of onEvents) expect(s).toMatchObject({ Action: 'events:PutEvents', Resource: bus });
  });
});
