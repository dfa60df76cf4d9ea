import 'aws-cdk-lib/testhelpers/jest-autoclean';
import type { CfnResource } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { createSgRevokeApp } from '../../infra/lib/sg-revoke-app';
import type { SgRevokeStack } from '../../infra/lib/sg-revoke-stack';
import { testContext } from './synthetic-context';

type Json = Record<string, unknown>;

let stack: SgRevokeStack;
let template: Template;
const idOf = (construct: IConstruct): string =>
  stack.resolve((construct.node.defaultChild as CfnResource).logicalId) as string;
const propsOf = (type: string): Json[] =>
  Object.values(template.findResources(type)).map((r) => r.Properties as Json);

beforeAll(() => {
  // The API and alarms do not depend on the bundle's content: skip bundling to keep this file fast.
  ({ stack } = createSgRevokeApp({ context: { ...testContext(), 'aws:cdk:bundling-stacks': [] } }));
  template = Template.fromStack(stack);
});

describe('approval API', () => {
  it('requires AWS_IAM on every method', () => {
    const methods = propsOf('AWS::ApiGateway::Method');

    expect(methods).toHaveLength(5);
    for (const method of methods) expect(method.AuthorizationType).toBe('AWS_IAM');
  });

  it('routes the five operations to the approve-api function through a proxy integration', () => {
    const resources = template.toJSON().Resources as Record<string, { Type: string; Properties: Json }>;
    const pathOf = (id: string): string => {
      const r = resources[id];
      if (r?.Type !== 'AWS::ApiGateway::Resource') return '';
      const parent = r.Properties.ParentId as { Ref?: string };
      return `${parent.Ref ? pathOf(parent.Ref) : ''}/${r.Properties.PathPart as string}`;
    };
    const routes = propsOf('AWS::ApiGateway::Method').map((m) => {
      expect(m.Integration).toMatchObject({ Type: 'AWS_PROXY' });
      expect(JSON.stringify(m.Integration)).toContain(idOf(stack.functions.approveApi.fn));
      return `${m.HttpMethod as string} ${pathOf((m.ResourceId as { Ref: string }).Ref)}`;
    });

    expect(routes.sort()).toEqual([
      'GET /actions',
      'GET /actions/{id}',
      'POST /actions/{id}/approve',
      'POST /actions/{id}/reject',
      'POST /actions/{id}/rollback',
    ]);
  });

  it('validates requests, with body models for approve and reject', () => {
    template.hasResourceProperties('AWS::ApiGateway::RequestValidator', {
      ValidateRequestBody: true,
      ValidateRequestParameters: true,
    });
    for (const method of propsOf('AWS::ApiGateway::Method')) expect(method.RequestValidatorId).toBeDefined();
    template.hasResourceProperties('AWS::ApiGateway::Model', {
      Schema: Match.objectLike({ required: ['incidentId', 'planHash'] }),
    });
    template.hasResourceProperties('AWS::ApiGateway::Model', {
      Schema: Match.objectLike({ required: ['reason'] }),
    });
  });

  it('traces the stage and writes access logs with the caller principal', () => {
    const [stage] = propsOf('AWS::ApiGateway::Stage');

    expect(stage).toMatchObject({
      TracingEnabled: true,
      AccessLogSetting: { DestinationArn: expect.anything() },
      MethodSettings: [expect.objectContaining({ DataTraceEnabled: false, LoggingLevel: 'ERROR' })],
    });
    const format = (stage?.AccessLogSetting as { Format?: string } | undefined)?.Format;
    expect(JSON.parse(format ?? '{}')).toMatchObject({
      principal: '$context.identity.userArn',
    });
  });
});

describe('notifications and alarms', () => {
  it('pushes Action Planned, Drift and Tamper Detected from the lifecycle bus to the KMS-encrypted topic', () => {
    const topicRef = { Ref: idOf(stack.notifications.topic) };
    const rules = propsOf('AWS::Events::Rule').filter(
      (rule) =>
        JSON.stringify(rule).includes('"sg-revoke"') &&
        JSON.stringify(rule.Targets).includes(idOf(stack.notifications.topic)),
    );

    template.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: { 'Fn::GetAtt': [idOf(stack.notifications.key), 'Arn'] },
    });
    expect(rules.map((rule) => rule.EventPattern)).toEqual([
      { source: ['sg-revoke'], 'detail-type': ['Action Planned'] },
      { source: ['sg-revoke'], 'detail-type': ['Drift Detected'] },
      { source: ['sg-revoke'], 'detail-type': ['Tamper Detected'] },
    ]);
    for (const rule of rules) {
      expect(rule).toMatchObject({
        EventBusName: { Ref: idOf(stack.lifecycle.bus) },
        Targets: [expect.objectContaining({ Arn: topicRef })],
      });
    }
  });

  it('alarms on every function error, every DLQ message, every drift and every tamper, into the topic', () => {
    const alarms = propsOf('AWS::CloudWatch::Alarm');
    const watched = (metric: string) => alarms.filter((a) => a.MetricName === metric).length;

    expect(watched('Errors')).toBe(7);
    // Every queue but the plan queue is a DLQ; the plan queue is alarmed on the age of its oldest finding.
    expect(watched('ApproximateNumberOfMessagesVisible')).toBe(propsOf('AWS::SQS::Queue').length - 1);
    expect(watched('ApproximateAgeOfOldestMessage')).toBe(1);
    expect(alarms.filter((a) => a.MetricName === 'ReverifyCheckErrors')).toEqual([
      expect.objectContaining({ Namespace: 'sg-revoke', Threshold: 1 }),
    ]);
    expect(alarms.filter((a) => a.MetricName === 'MatchedEvents')).toEqual([
      expect.objectContaining({
        Namespace: 'AWS/Events',
        Dimensions: expect.arrayContaining([
          { Name: 'RuleName', Value: { Ref: idOf(stack.notifications.driftRule) } },
        ]),
      }),
      expect.objectContaining({
        Dimensions: expect.arrayContaining([
          { Name: 'RuleName', Value: { Ref: idOf(stack.notifications.tamperRule) } },
        ]),
      }),
    ]);
    for (const alarm of alarms) {
      expect(alarm.AlarmActions).toEqual([{ Ref: idOf(stack.notifications.topic) }]);
    }
  });

  it('alarms on a circuit-breaker trip (apply or reverify) and on an approval that waited past its deadline', () => {
    const alarms = propsOf('AWS::CloudWatch::Alarm');
    const metricsOf = (alarm: Record<string, unknown>) =>
      ((alarm.Metrics as { MetricStat?: { Metric: Record<string, unknown> } }[] | undefined) ?? []).flatMap(
        (m) => (m.MetricStat ? [m.MetricStat.Metric] : []),
      );
    const breaker = alarms.filter((a) => metricsOf(a).some((m) => m.MetricName === 'CircuitBreakerTripped'));

    expect(breaker).toHaveLength(1);
    expect(breaker[0]).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
    expect(metricsOf(breaker[0] as Record<string, unknown>)).toEqual([
      expect.objectContaining({
        Namespace: 'sg-revoke',
        Dimensions: [{ Name: 'service', Value: 'sg-revoke-apply' }],
      }),
      expect.objectContaining({
        Namespace: 'sg-revoke',
        Dimensions: [{ Name: 'service', Value: 'sg-revoke-reverify' }],
      }),
    ]);
    expect(alarms.filter((a) => a.MetricName === 'ApprovalDeadlinePassedWhileWaiting')).toEqual([
      expect.objectContaining({
        Namespace: 'sg-revoke',
        Threshold: 1,
        Dimensions: [{ Name: 'service', Value: 'sg-revoke-apply' }],
        AlarmActions: [{ Ref: idOf(stack.notifications.topic) }],
      }),
    ]);
  });
});
