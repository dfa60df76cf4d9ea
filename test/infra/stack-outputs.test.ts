import 'aws-cdk-lib/testhelpers/jest-autoclean';
import { Template } from 'aws-cdk-lib/assertions';
import { createSgRevokeApp } from '../../infra/lib/sg-revoke-app';
import type { SgRevokeStack } from '../../infra/lib/sg-revoke-stack';
import {
  CLI_OUTPUT_KEYS,
  envFromOutputs,
  STACK_OUTPUT_KEYS,
  STACK_OUTPUTS,
  type StackOutputKey,
} from '../../lambda/core/stack-outputs';
import { testContext } from './synthetic-context';

type Output = { Value: unknown; Description?: string; Export?: unknown };

function synth(overrides: Record<string, unknown> = {}) {
  const { stack } = createSgRevokeApp({
    context: testContext({ 'aws:cdk:bundling-stacks': [], ...overrides }),
  });
  const template = Template.fromStack(stack).toJSON() as {
    Outputs: Record<string, Output>;
    Resources: Record<string, { Type: string }>;
  };
  return { stack, template };
}

/** The resource type a `Ref` or `Fn::GetAtt` value points at. */
function referencedType(value: unknown, resources: Record<string, { Type: string }>): string | undefined {
  const v = value as { Ref?: string; 'Fn::GetAtt'?: [string, string] };
  const id = v.Ref ?? v['Fn::GetAtt']?.[0];
  return id === undefined ? undefined : resources[id]?.Type;
}

describe('stack outputs', () => {
  let stack: SgRevokeStack;
  let outputs: Record<string, Output>;
  let resources: Record<string, { Type: string }>;

  beforeAll(() => {
    const synthesized = synth();
    stack = synthesized.stack;
    outputs = synthesized.template.Outputs;
    resources = synthesized.template.Resources;
  });

  it('declares every output of the shared table under its exact key, described, with no export', () => {
    for (const key of STACK_OUTPUT_KEYS) {
      expect([key, outputs[key]?.Description]).toEqual([key, STACK_OUTPUTS[key].description]);
      expect(outputs[key]?.Export).toBeUndefined();
    }
  });

  it('points each output at the resource it names', () => {
    const expected: Record<StackOutputKey, [unknown, string | undefined]> = {
      ApiUrl: [stack.api.api.url, undefined],
      Region: [{ Ref: 'AWS::Region' }, undefined],
      ActionsTableName: [stack.tables.actions.tableName, 'AWS::DynamoDB::Table'],
      AuditTableName: [stack.audit.table.tableName, 'AWS::DynamoDB::Table'],
      IdempotencyTableName: [stack.tables.idempotency.tableName, 'AWS::DynamoDB::Table'],
      AuditBucketName: [stack.audit.bucket.bucketName, 'AWS::S3::Bucket'],
      AuditKeyArn: [stack.key.keyArn, 'AWS::KMS::Key'],
      ApprovalKeyArn: [stack.approvalKey.key.keyArn, 'AWS::KMS::Key'],
      NotificationTopicArn: [stack.notifications.topic.topicArn, 'AWS::SNS::Topic'],
      FindingsBusName: [stack.bus.eventBusName, 'AWS::Events::EventBus'],
      LifecycleBusName: [stack.lifecycle.bus.eventBusName, 'AWS::Events::EventBus'],
      PlanQueueUrl: [stack.triggers.planQueue.queueUrl, 'AWS::SQS::Queue'],
      AllowedAccountIds: ['111122223333', undefined],
      ProtectedIds: ['sg-0123456789abcdef0', undefined],
    };
    for (const key of STACK_OUTPUT_KEYS) {
      const [value, type] = expected[key];
      expect([key, outputs[key]?.Value]).toEqual([key, stack.resolve(value)]);
      if (type) expect([key, referencedType(outputs[key]?.Value, resources)]).toEqual([key, type]);
    }
    // The two KMS keys and the three tables are distinct resources, not one output copied.
    expect(outputs.AuditKeyArn?.Value).not.toEqual(outputs.ApprovalKeyArn?.Value);
    expect(outputs.FindingsBusName?.Value).not.toEqual(outputs.LifecycleBusName?.Value);
    // The API URL is the deployed stage of the approval API.
    const api = JSON.stringify(outputs.ApiUrl?.Value);
    expect(
      Object.keys(resources)
        .filter((id) => api.includes(`"${id}"`))
        .map((id) => resources[id]?.Type),
    ).toEqual(expect.arrayContaining(['AWS::ApiGateway::RestApi', 'AWS::ApiGateway::Stage']));
  });

  it('covers every variable `sg-revoke env` prints with an output the template really declares', () => {
    const declared = Object.fromEntries(Object.keys(outputs).map((key) => [key, `value-of-${key}`]));

    const env = envFromOutputs(declared);

    expect(env.ok).toBe(true);
    expect(env.ok && env.value.map((v) => v.value)).toEqual(CLI_OUTPUT_KEYS.map((key) => `value-of-${key}`));
  });

  it('lists several allowed accounts comma-separated, and leaves ProtectedIds out when there are none', () => {
    const { template } = synth({ allowedAccountIds: ['111122223333', '444455556666'], protectedIds: [] });

    expect(template.Outputs.AllowedAccountIds?.Value).toBe('111122223333,444455556666');
    expect(template.Outputs.ProtectedIds).toBeUndefined();
    // env still fills every variable: an absent optional output is an empty value, not a gap.
    const env = envFromOutputs(Object.fromEntries(Object.keys(template.Outputs).map((k) => [k, 'v'])));
    expect(env.ok && env.value.find((v) => v.name === 'AWS_SG_REVOKE_PROTECTED_IDS')).toEqual({
      name: 'AWS_SG_REVOKE_PROTECTED_IDS',
      value: '',
    });
  });

  it('names the imported findings bus when busName is set', () => {
    const { template } = synth({ busName: 'security-findings', findingPublisherPrincipals: [] });

    expect(template.Outputs.FindingsBusName?.Value).toBe('security-findings');
  });
});
