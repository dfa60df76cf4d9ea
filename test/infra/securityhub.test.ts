import 'aws-cdk-lib/testhelpers/jest-autoclean';
import type { CfnResource } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { createSgRevokeApp } from '../../infra/lib/sg-revoke-app';
import type { SgRevokeStack } from '../../infra/lib/sg-revoke-stack';
import { testContext } from './synthetic-context';

type Json = Record<string, unknown>;

function synth(overrides: Json = {}): { stack: SgRevokeStack; template: Template } {
  const context = { ...testContext(overrides), 'aws:cdk:bundling-stacks': [] };
  const { stack } = createSgRevokeApp({ context });
  return { stack, template: Template.fromStack(stack) };
}

const idOf = (stack: SgRevokeStack, c: IConstruct): string =>
  stack.resolve((c.node.defaultChild as CfnResource).logicalId) as string;
const rulesOf = (template: Template): Json[] =>
  Object.values(template.findResources('AWS::Events::Rule')).map((r) => r.Properties as Json);
const securityHubRules = (template: Template) =>
  rulesOf(template).filter((r) => JSON.stringify(r.EventPattern ?? null).includes('aws.securityhub'));

describe('Security Hub intake rules', () => {
  const { stack, template } = synth();

  it('by default: the V2 (OCSF) rule on the default bus, to the plan queue with its DLQ; no ASFF rule', () => {
    const rules = securityHubRules(template);
    expect(rules).toHaveLength(1);
    expect(rules[0]).toMatchObject({
      EventBusName: 'default',
      EventPattern: {
        source: ['aws.securityhub'],
        'detail-type': ['Findings Imported V2'],
        detail: {
          findings: {
            $or: [
              { class_uid: [2003], compliance: { control: ['EC2.18', 'EC2.19'] } },
              { class_uid: [2004], resources: { type: ['AWS::EC2::SecurityGroup'] } },
            ],
          },
        },
      },
      Targets: [
        expect.objectContaining({
          Arn: { 'Fn::GetAtt': [idOf(stack, stack.triggers.planQueue), 'Arn'] },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [idOf(stack, stack.functions.planDlq), 'Arn'] } },
        }),
      ],
    });
  });

  it.each([
    [{ securityHubAsffIntake: true }, ['Findings Imported V2', 'Security Hub Findings - Imported']],
    [{ securityHubAsffIntake: 'true', securityHubV2Intake: 'false' }, ['Security Hub Findings - Imported']],
    [{ securityHubV2Intake: false }, []],
  ])('context %j turns the rules on and off', (overrides, detailTypes) => {
    const rules = securityHubRules(synth(overrides).template);
    expect(rules.map((r) => (r.EventPattern as { 'detail-type': string[] })['detail-type'][0])).toEqual(
      detailTypes,
    );
  });

  it('the ASFF rule matches the two controls by SecurityControlId or GeneratorId', () => {
    const [rule] = securityHubRules(
      synth({ securityHubV2Intake: false, securityHubAsffIntake: true }).template,
    );
    expect(rule?.EventPattern).toEqual({
      source: ['aws.securityhub'],
      'detail-type': ['Security Hub Findings - Imported'],
      detail: {
        findings: {
          $or: [
            { Compliance: { SecurityControlId: ['EC2.18', 'EC2.19'] } },
            { GeneratorId: [{ suffix: '/EC2.18' }, { suffix: '/EC2.19' }] },
          ],
        },
      },
    });
  });

  it('passes the control ports from context to the plan function', () => {
    const { stack: s, template: t } = synth({
      ec2AuthorizedTcpPorts: '80,443,8443',
      ec2HighRiskPorts: [22, 3389],
    });
    const env = (t.toJSON().Resources[idOf(s, s.functions.plan.fn)].Properties.Environment.Variables ??
      {}) as Json;
    expect(env).toMatchObject({
      AWS_SG_REVOKE_EC2_19_HIGH_RISK_PORTS: '22,3389',
      AWS_SG_REVOKE_EC2_18_AUTHORIZED_TCP_PORTS: '80,443,8443',
      AWS_SG_REVOKE_EC2_18_AUTHORIZED_UDP_PORTS: '',
    });
  });
});

describe('status write-back', () => {
  const { stack, template } = synth();

  it('a lifecycle-bus rule sends only events that carry a Security Hub origin to status-sync, with a DLQ', () => {
    const rule = rulesOf(template).find((r) => JSON.stringify(r.EventPattern ?? null).includes('origin'));
    expect(rule).toMatchObject({
      EventBusName: { Ref: idOf(stack, stack.lifecycle.bus) },
      EventPattern: {
        source: ['sg-revoke'],
        'detail-type': [
          'Action Planned',
          'Action Verified',
          'Drift Detected',
          'Action Skipped',
          'Action Rejected',
          'Action Rolled Back',
        ],
        detail: { origin: { kind: ['securityhub-ocsf', 'securityhub-asff'] } },
      },
      Targets: [
        expect.objectContaining({
          Arn: { 'Fn::GetAtt': [idOf(stack, stack.functions.statusSync.fn), 'Arn'] },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [idOf(stack, stack.functions.statusSyncDlq), 'Arn'] } },
          RetryPolicy: expect.objectContaining({ MaximumRetryAttempts: 8 }),
        }),
      ],
    });
  });

  it('the status-sync role may update findings, read an action, log, trace and dead-letter, nothing else (no write, bus or EC2)', () => {
    const roleId = idOf(stack, stack.functions.statusSync.role);
    const actions = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))
      .flatMap(
        (p) => p.Properties.PolicyDocument.Statement as { Effect: string; Action: string | string[] }[],
      )
      .flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]))
      .sort();
    expect(actions).toEqual([
      'dynamodb:GetItem',
      'kms:Decrypt',
      'kms:DescribeKey',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'securityhub:BatchUpdateFindings',
      'sqs:GetQueueAttributes',
      'sqs:GetQueueUrl',
      'sqs:SendMessage',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
  });

  it('alarms on status-sync errors and on its DLQ', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map(
      (a) => a.Properties as Json,
    );
    const on = (id: string) => alarms.filter((a) => JSON.stringify(a.Dimensions ?? null).includes(id));
    expect(on(idOf(stack, stack.functions.statusSync.fn)).map((a) => a.MetricName)).toEqual(['Errors']);
    expect(on(idOf(stack, stack.functions.statusSyncDlq)).map((a) => a.MetricName)).toEqual([
      'ApproximateNumberOfMessagesVisible',
    ]);
  });
});
