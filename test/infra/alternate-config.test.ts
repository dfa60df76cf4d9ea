import 'aws-cdk-lib/testhelpers/jest-autoclean';
import type { CfnResource } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { createSgRevokeApp } from '../../infra/lib/sg-revoke-app';
import type { SgRevokeStack } from '../../infra/lib/sg-revoke-stack';
import { testContext } from './synthetic-context';

// Every configurable value moved off its default, to prove the context really drives the template.
const overrides = {
  busName: 'default',
  findingPublisherPrincipals: [],
  objectLockMode: 'GOVERNANCE',
  auditRetentionDays: 30,
  reverifySchedule: 'cron(0/30 * * * ? *)',
  logRetentionDays: 14,
  applyReservedConcurrency: 5,
  approvalTtlHours: 8,
  verifyWindowDays: 7,
};

let stack: SgRevokeStack;
let template: Template;

beforeAll(() => {
  const context = { ...testContext(), ...overrides, 'aws:cdk:bundling-stacks': [] };
  ({ stack } = createSgRevokeApp({ context }));
  template = Template.fromStack(stack);
});

const envOf = (fn: 'plan' | 'reverify' | 'apply'): Record<string, unknown> => {
  const id = stack.resolve((stack.functions[fn].fn.node.defaultChild as CfnResource).logicalId) as string;
  return template.toJSON().Resources[id].Properties.Environment.Variables;
};

describe('with every setting overridden', () => {
  it('takes findings from the existing bus by name; lifecycle events keep a bus of their own', () => {
    template.resourceCountIs('AWS::Events::EventBus', 1);
    template.resourceCountIs('AWS::Events::EventBusPolicy', 3);
    template.hasResourceProperties('AWS::Events::Rule', { EventBusName: 'default' });
    const lifecycle = {
      Ref: stack.resolve((stack.lifecycle.bus.node.defaultChild as CfnResource).logicalId),
    };
    expect(envOf('plan').AWS_SG_REVOKE_EVENT_BUS).toEqual(lifecycle);
  });

  it('alarms on drift with the lifecycle bus metric dimensions', () => {
    const ref = (c: { node: { defaultChild?: unknown } }) => ({
      Ref: stack.resolve((c.node.defaultChild as CfnResource).logicalId),
    });
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((r) => r.Properties);
    const drift = alarms.find((a) =>
      JSON.stringify(a.Dimensions).includes(JSON.stringify(ref(stack.notifications.driftRule))),
    );

    expect(drift?.MetricName).toBe('MatchedEvents');
    expect(drift?.Dimensions).toEqual(
      expect.arrayContaining([
        { Name: 'RuleName', Value: ref(stack.notifications.driftRule) },
        { Name: 'EventBusName', Value: ref(stack.lifecycle.bus) },
      ]),
    );
  });

  it('applies the retention, schedule, concurrency and windows given', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      ObjectLockConfiguration: { Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 30 } } },
    });
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'cron(0/30 * * * ? *)' });
    template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 14 });
    template.hasResourceProperties('AWS::Lambda::Function', { ReservedConcurrentExecutions: 5 });
    expect(envOf('plan').AWS_SG_REVOKE_APPROVAL_TTL_HOURS).toBe('8');
    expect(envOf('reverify').AWS_SG_REVOKE_VERIFY_WINDOW_DAYS).toBe('7');
  });
});
