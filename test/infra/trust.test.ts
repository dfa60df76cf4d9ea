import 'aws-cdk-lib/testhelpers/jest-autoclean';
import type { CfnResource } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { createSgRevokeApp } from '../../infra/lib/sg-revoke-app';
import type { SgRevokeStack } from '../../infra/lib/sg-revoke-stack';
import { testContext } from './synthetic-context';

type Json = Record<string, unknown>;
interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal?: Json | string;
  Action: string | string[];
  Resource?: unknown;
  Condition?: Json;
}

let stack: SgRevokeStack;
let resources: Record<string, { Type: string; Properties: Json }>;
const idOf = (construct: IConstruct): string =>
  stack.resolve((construct.node.defaultChild as CfnResource).logicalId) as string;
const roleArnOf = (c: { role: IConstruct }) => ({ 'Fn::GetAtt': [idOf(c.role), 'Arn'] });
const asList = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const statementsOf = (doc: unknown): Statement[] => asList((doc as { Statement?: Statement[] })?.Statement);

beforeAll(() => {
  ({ stack } = createSgRevokeApp({ context: testContext() }));
  resources = Template.fromStack(stack).toJSON().Resources;
});

describe('the approval key (DESIGN §11)', () => {
  const keyPolicy = () => statementsOf(resources[idOf(stack.approvalKey.key)]?.Properties.KeyPolicy);

  it('is an ECC_NIST_P256 signing key', () => {
    expect(resources[idOf(stack.approvalKey.key)]?.Properties).toMatchObject({
      KeySpec: 'ECC_NIST_P256',
      KeyUsage: 'SIGN_VERIFY',
    });
  });

  it('lets only the approval API role sign, and denies kms:Sign to every other principal', () => {
    const signing = keyPolicy().filter((s) => asList(s.Action).includes('kms:Sign'));

    expect(signing).toEqual([
      expect.objectContaining({ Effect: 'Allow', Principal: { AWS: roleArnOf(stack.functions.approveApi) } }),
      expect.objectContaining({
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Condition: { ArnNotEquals: { 'aws:PrincipalArn': roleArnOf(stack.functions.approveApi) } },
      }),
    ]);
  });

  it('is granted kms:Sign in no identity policy but the approval API role', () => {
    const signers = Object.values(resources)
      .filter((r) => r.Type === 'AWS::IAM::Policy')
      .filter((r) =>
        statementsOf(r.Properties.PolicyDocument).some(
          (s) => s.Effect === 'Allow' && asList(s.Action).some((a) => a === 'kms:Sign' || a === 'kms:*'),
        ),
      )
      .map((r) => r.Properties.Roles);

    expect(signers).toEqual([[{ Ref: idOf(stack.functions.approveApi.role) }]]);
  });

  it('gives apply and audit verify the public key only, and tells both which key to trust', () => {
    for (const fn of [stack.functions.apply, stack.auditVerification.fn]) {
      const env = resources[idOf(fn.fn)]?.Properties.Environment as { Variables: Json };
      expect(env.Variables.AWS_SG_REVOKE_APPROVAL_KEY_ARN).toEqual({
        'Fn::GetAtt': [idOf(stack.approvalKey.key), 'Arn'],
      });
    }
  });
});

describe('write-once evidence, enforced by S3 (DESIGN §11)', () => {
  const bucketPolicy = () =>
    Object.values(resources)
      .filter((r) => r.Type === 'AWS::S3::BucketPolicy')
      .filter(
        (r) => JSON.stringify(r.Properties.Bucket) === JSON.stringify({ Ref: idOf(stack.audit.bucket) }),
      )
      .flatMap((r) => statementsOf(r.Properties.PolicyDocument));
  const objects = () => ({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [idOf(stack.audit.bucket), 'Arn'] }, '/*']] });

  it('denies any PutObject that is not a conditional create (If-None-Match: *), to every principal', () => {
    const denies = bucketPolicy().filter(
      (s) => s.Effect === 'Deny' && asList(s.Action).includes('s3:PutObject'),
    );

    expect(denies.map((s) => s.Condition)).toEqual([
      { Null: { 's3:if-none-match': 'true' } },
      { StringNotEquals: { 's3:if-none-match': '*' } },
    ]);
    for (const s of denies) expect(s).toMatchObject({ Principal: { AWS: '*' }, Resource: objects() });
  });

  it('denies deleting objects or versions and bypassing the retention, to every principal', () => {
    const deny = bucketPolicy().find(
      (s) => s.Effect === 'Deny' && asList(s.Action).includes('s3:DeleteObject'),
    );

    expect(deny).toMatchObject({ Principal: { AWS: '*' }, Resource: objects() });
    expect(asList(deny?.Action)).toEqual(
      expect.arrayContaining([
        's3:DeleteObjectVersion',
        's3:BypassGovernanceRetention',
        's3:PutObjectRetention',
      ]),
    );
  });
});

describe('KMS statements for AWS services', () => {
  const servicesOn = (key: IConstruct) =>
    statementsOf(resources[idOf(key)]?.Properties.KeyPolicy).filter(
      (s) => typeof s.Principal === 'object' && 'Service' in (s.Principal as Json),
    );

  it('name no service at all on the audit key', () => {
    expect(servicesOn(stack.key)).toEqual([]);
    expect(servicesOn(stack.approvalKey.key)).toEqual([]);
  });

  it('hold CloudWatch to this account and its alarms on the topic key', () => {
    const cloudwatch = servicesOn(stack.notifications.key).filter((s) =>
      JSON.stringify(s.Principal).includes('cloudwatch'),
    );

    expect(cloudwatch).toHaveLength(1);
    expect(cloudwatch[0]?.Condition).toMatchObject({
      StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
      ArnLike: { 'aws:SourceArn': expect.anything() },
    });
  });

  it('let EventBridge use only the topic key, which encrypts nothing but the topic', () => {
    const users = Object.entries(resources)
      .filter(([, r]) => JSON.stringify(r.Properties ?? {}).includes(`"${idOf(stack.notifications.key)}"`))
      .map(([, r]) => r.Type)
      .filter((type) => type !== 'AWS::KMS::Key');

    expect(users).toEqual(['AWS::SNS::Topic']);
  });
});

describe('lifecycle events and tampering', () => {
  it('routes Tamper Detected from the lifecycle bus to the topic, and alarms on it', () => {
    const rule = resources[idOf(stack.notifications.tamperRule)]?.Properties;

    expect(rule).toMatchObject({
      EventBusName: { Ref: idOf(stack.lifecycle.bus) },
      EventPattern: { source: ['sg-revoke'], 'detail-type': ['Tamper Detected'] },
    });
    const alarm = Object.values(resources).find(
      (r) =>
        r.Type === 'AWS::CloudWatch::Alarm' &&
        JSON.stringify(r.Properties.Dimensions ?? null).includes(idOf(stack.notifications.tamperRule)),
    );
    expect(alarm?.Properties).toMatchObject({ MetricName: 'MatchedEvents', Threshold: 1 });
  });

  it('runs the audit verification daily', () => {
    expect(resources[idOf(stack.auditVerification.schedule)]?.Properties).toMatchObject({
      ScheduleExpression: 'rate(1 day)',
    });
  });
});
