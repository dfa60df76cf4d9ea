import 'aws-cdk-lib/testhelpers/jest-autoclean';
import type { CfnResource } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { createSgRevokeApp } from '../../infra/lib/sg-revoke-app';
import type { SgRevokeStack } from '../../infra/lib/sg-revoke-stack';
import { testContext } from './synthetic-context';

type Statement = { Sid?: string; Effect: string; Action: string | string[]; Resource: unknown };

function synth(extra: Record<string, unknown>) {
  const { app, stack } = createSgRevokeApp({
    context: { ...testContext(), ...extra, 'aws:cdk:bundling-stacks': [] },
  });
  return { app, stack, template: Template.fromStack(stack) };
}

function planStatements(stack: SgRevokeStack, template: Template): Statement[] {
  const roleId = stack.resolve((stack.functions.plan.role.node.defaultChild as CfnResource).logicalId);
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
}

const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);

function planEnv(stack: SgRevokeStack, template: Template): Record<string, unknown> {
  const id = stack.resolve((stack.functions.plan.fn.node.defaultChild as CfnResource).logicalId) as string;
  return template.toJSON().Resources[id].Properties.Environment.Variables;
}

describe('impact preview permissions (DESIGN §13)', () => {
  it('by default: the plan role may list interfaces, and queries no logs', () => {
    const { stack, template } = synth({});
    const statements = planStatements(stack, template);

    expect(statements.find((s) => s.Sid === 'DescribeNetworkInterfaces')).toMatchObject({
      Effect: 'Allow',
      Action: 'ec2:DescribeNetworkInterfaces',
      Resource: '*',
    });
    const logActions = statements.flatMap(actionsOf).filter((a) => a.startsWith('logs:'));
    expect(logActions.sort()).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
    expect(planEnv(stack, template)).not.toHaveProperty('AWS_SG_REVOKE_FLOW_LOGS_LOG_GROUP');
  });

  it('with flowLogsLogGroup: StartQuery on that log group only, its results by query id, and the settings in env', () => {
    const { stack, template } = synth({ flowLogsLogGroup: '/vpc/flow-logs/prod', flowLogsDays: 10 });
    const statements = planStatements(stack, template);

    const start = statements.find((s) => actionsOf(s).includes('logs:StartQuery'));
    expect(start?.Action).toBe('logs:StartQuery');
    const arn = (tail: string) => ({
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          ':logs:',
          { Ref: 'AWS::Region' },
          ':',
          { Ref: 'AWS::AccountId' },
          `:log-group:/vpc/flow-logs/prod${tail}`,
        ],
      ],
    });
    expect(stack.resolve(start?.Resource)).toEqual([arn(''), arn(':*')]);
    expect(statements.find((s) => s.Sid === 'ReadFlowLogsQueries')).toMatchObject({
      Action: ['logs:GetQueryResults', 'logs:StopQuery'],
      Resource: '*',
    });
    expect(planEnv(stack, template)).toMatchObject({
      AWS_SG_REVOKE_FLOW_LOGS_LOG_GROUP: '/vpc/flow-logs/prod',
      AWS_SG_REVOKE_FLOW_LOGS_DAYS: '10',
    });
    for (const other of [stack.functions.apply, stack.functions.reverify, stack.functions.approveApi]) {
      const id = stack.resolve((other.role.node.defaultChild as CfnResource).logicalId);
      const granted = Object.values(template.findResources('AWS::IAM::Policy'))
        .filter((p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: id }]))
        .flatMap((p) => (p.Properties.PolicyDocument.Statement as Statement[]).flatMap(actionsOf));
      expect(granted).not.toContain('logs:StartQuery');
      expect(granted).not.toContain('ec2:DescribeNetworkInterfaces');
    }
  });

  it('with flowLogsLogGroup: cdk-nag reports nothing unacknowledged', () => {
    const { app, stack } = synth({ flowLogsLogGroup: '/vpc/flow-logs/prod' });

    const report = new AwsSolutionsChecks(app).validateScope(stack);

    expect(
      report.violations.map((v) => `${v.ruleName} at ${v.violatingResources[0]?.constructPath}`),
    ).toEqual([]);
  });

  it.each([
    [{ flowLogsDays: 15 }, 'flowLogsDays: must be an integer between 1 and 14'],
    [{ flowLogsLogGroup: 'flow logs*' }, 'flowLogsLogGroup: must be a CloudWatch Logs log group name'],
  ])('refuses %j at synth', (extra, message) => {
    expect(() => synth(extra)).toThrow(message);
  });
});
