import 'aws-cdk-lib/testhelpers/jest-autoclean';
import type { CfnResource } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { callerAccountsOf } from '../../infra/lib/approval-api';
import { InvalidConfigError } from '../../infra/lib/config';
import { createSgRevokeApp } from '../../infra/lib/sg-revoke-app';
import type { SgRevokeStack } from '../../infra/lib/sg-revoke-stack';
import { testContext } from './synthetic-context';

type Json = Record<string, unknown>;

const ACCOUNT_ID = { Ref: 'AWS::AccountId' };
const rootOf = (account: string | typeof ACCOUNT_ID) => ({
  'Fn::Join': [
    '',
    typeof account === 'string'
      ? ['arn:', { Ref: 'AWS::Partition' }, `:iam::${account}:root`]
      : ['arn:', { Ref: 'AWS::Partition' }, ':iam::', account, ':root'],
  ],
});

/** Synthesizes the stack with cdk.json's context plus overrides, without bundling (the API does not need it). */
function synth(overrides: Json = {}): { stack: SgRevokeStack; template: Template } {
  const context = { ...testContext(), 'aws:cdk:bundling-stacks': [], ...overrides };
  const { stack } = createSgRevokeApp({ context });
  return { stack, template: Template.fromStack(stack) };
}

const policyOf = (template: Template): { Statement: Json[] } => {
  const apis = Object.values(template.findResources('AWS::ApiGateway::RestApi'));
  expect(apis).toHaveLength(1);
  return (apis[0]?.Properties as Json | undefined)?.Policy as { Statement: Json[] };
};

const deploymentIdOf = (template: Template): string => {
  const ids = Object.keys(template.findResources('AWS::ApiGateway::Deployment'));
  expect(ids).toHaveLength(1);
  return ids[0] ?? '';
};

const ALLOW = (principals: unknown[]) => ({
  Sid: 'NamedAccountsOnly',
  Effect: 'Allow',
  Principal: { AWS: principals.length === 1 ? principals[0] : principals },
  Action: 'execute-api:Invoke',
  Resource: 'execute-api:/*',
});
const DENY = (accounts: unknown[]) => ({
  Sid: 'DenyOtherAccounts',
  Effect: 'Deny',
  Principal: { AWS: '*' },
  Action: 'execute-api:Invoke',
  Resource: 'execute-api:/*',
  Condition: { StringNotEquals: { 'aws:PrincipalAccount': accounts } },
});

describe('approval API resource policy', () => {
  it('admits the deployment account and the account cdk.json names approvers in, nothing else', () => {
    const { template } = synth();

    expect(policyOf(template).Statement).toEqual([
      ALLOW([rootOf(ACCOUNT_ID), rootOf('111122223333')]),
      DENY([ACCOUNT_ID, '111122223333']),
    ]);
  });

  it('adds exactly the accounts named by approver and viewer patterns, once each', () => {
    const { template } = synth({
      approverPrincipals: [
        'arn:aws:sts::444455556666:assumed-role/IncidentCommander/*',
        'arn:aws:iam::444455556666:role/ops/SecLead',
      ],
      viewerPrincipals: ['arn:aws:sts::777788889999:assumed-role/Auditor/*'],
    });

    expect(policyOf(template).Statement).toEqual([
      ALLOW([rootOf(ACCOUNT_ID), rootOf('444455556666'), rootOf('777788889999')]),
      DENY([ACCOUNT_ID, '444455556666', '777788889999']),
    ]);
  });

  it('redeploys the stage when the admitted accounts change (API Gateway applies a policy on deploy)', () => {
    const before = deploymentIdOf(synth().template);
    const after = deploymentIdOf(
      synth({ viewerPrincipals: ['arn:aws:sts::777788889999:assumed-role/Auditor/*'] }).template,
    );

    expect(after).not.toBe(before);
  });
});

describe('viewer principals', () => {
  const envOf = (stack: SgRevokeStack, template: Template): Json => {
    const id = stack.resolve((stack.functions.approveApi.fn.node.defaultChild as CfnResource).logicalId);
    const fn = template.toJSON().Resources[id as string] as {
      Properties: { Environment: { Variables: Json } };
    };
    return fn.Properties.Environment.Variables;
  };

  it('reach the approve-api function from the context, comma-separated', () => {
    const viewers = [
      'arn:aws:sts::111122223333:assumed-role/Auditor/*',
      'arn:aws:iam::111122223333:role/SecurityReadOnly',
    ];
    const { stack, template } = synth({ viewerPrincipals: viewers });

    expect(envOf(stack, template).AWS_SG_REVOKE_VIEWER_PRINCIPALS).toBe(viewers.join(','));
  });

  it('default to none: approvers only', () => {
    const { stack, template } = synth();

    expect(envOf(stack, template).AWS_SG_REVOKE_VIEWER_PRINCIPALS).toBe('');
  });
});

describe('callerAccountsOf', () => {
  it('refuses patterns that did not pass the config, rather than admitting an account', () => {
    expect(() => callerAccountsOf({ approvers: ['arn:aws:sts::*:assumed-role/A/*'], viewers: [] })).toThrow(
      InvalidConfigError,
    );
  });
});
