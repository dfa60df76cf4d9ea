import 'aws-cdk-lib/testhelpers/jest-autoclean';
import { type CfnResource, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { parseConfig } from '../../infra/lib/config';
import { createSgRevokeApp } from '../../infra/lib/sg-revoke-app';
import type { SgRevokeStack } from '../../infra/lib/sg-revoke-stack';
import { hubRoleName, ROLE_NAME_MAX } from '../../lambda/core/member-roles';
import { testContext } from './synthetic-context';

const ORG = 'o-a1b2c3d4e5';
const MEMBERS = ['111122223333', '444455556666'];
// The tests read the template, not the bundles.
const base = () => ({ ...testContext(), 'aws:cdk:bundling-stacks': [] });

type Statement = {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
};
type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

function synth(context: Record<string, unknown>) {
  const { stack } = createSgRevokeApp({ context });
  return { stack, resources: Template.fromStack(stack).toJSON().Resources as Resources };
}

const roles = (stack: SgRevokeStack) => ({
  plan: stack.functions.plan,
  'approve-api': stack.functions.approveApi,
  apply: stack.functions.apply,
  reverify: stack.functions.reverify,
  'audit-verify': stack.auditVerification,
});

function statementsOf(stack: SgRevokeStack, resources: Resources, role: IConstruct): Statement[] {
  const id = stack.resolve((role.node.defaultChild as CfnResource).logicalId) as string;
  return Object.values(resources)
    .filter(
      (r) =>
        r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties.Roles) === JSON.stringify([{ Ref: id }]),
    )
    .flatMap((r) => (r.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}

const assumeStatements = (stack: SgRevokeStack, resources: Resources, role: IConstruct) =>
  statementsOf(stack, resources, role).filter((s) =>
    (Array.isArray(s.Action) ? s.Action : [s.Action]).some((a) => a.startsWith('sts:')),
  );

/** `arn:<Partition>:iam::ACCOUNT:role/NAME` from the template's Fn::Join. */
const flat = (stack: Stack, value: unknown): string =>
  JSON.stringify(Stack.of(stack).resolve(value))
    .replace(/\{"Fn::Join":\["",\["arn:",\{"Ref":"AWS::Partition"\},":/g, 'arn:<Partition>:')
    .replace(/"\]\]\}/g, '')
    .replace(/^"|"$/g, '');

describe('organization mode (context organizationId)', () => {
  const { stack, resources } = synth({ ...base(), organizationId: ORG, allowedAccountIds: MEMBERS });
  const read = (account: string) => `arn:<Partition>:iam::${account}:role/sg-revoke-member-read`;
  const revoke = (account: string) => `arn:<Partition>:iam::${account}:role/sg-revoke-member-revoke`;

  it.each([
    ['plan', MEMBERS.map(read)],
    ['reverify', MEMBERS.map(read)],
    ['apply', [...MEMBERS.map(read), ...MEMBERS.map(revoke)]],
  ] as const)(
    'lets %s assume exactly its member roles, in the allowed accounts, inside the organization',
    (name, expected) => {
      const fn = roles(stack)[name];

      const statements = assumeStatements(stack, resources, fn.role);

      expect(statements).toHaveLength(1);
      expect(statements[0]?.Effect).toBe('Allow');
      expect(statements[0]?.Action).toBe('sts:AssumeRole');
      expect(statements[0]?.Condition).toEqual({ StringEquals: { 'aws:ResourceOrgID': ORG } });
      const granted = ((statements[0] as Statement).Resource as unknown[]).map((r) => flat(stack, r));
      expect(granted.sort()).toEqual([...expected].sort());
    },
  );

  it.each(['approve-api', 'audit-verify'] as const)('gives %s no sts action', (name) => {
    const fn = roles(stack)[name];
    const role = 'role' in fn ? fn.role : (fn as { fn: { role: IConstruct } }).fn.role;

    expect(statementsOf(stack, resources, role).length).toBeGreaterThan(0);
    expect(assumeStatements(stack, resources, role)).toEqual([]);
  });

  it.each(['plan', 'apply', 'reverify'] as const)(
    'names the %s role sg-revoke-<fn>-<region> (the member roles trust it by ARN) and tells it the organization',
    (name) => {
      const fn = roles(stack)[name];
      const role = resources[stack.resolve((fn.role.node.defaultChild as CfnResource).logicalId) as string];
      const lambda = resources[stack.resolve((fn.fn.node.defaultChild as CfnResource).logicalId) as string];

      expect(role?.Properties.RoleName).toEqual({
        'Fn::Join': ['', [`sg-revoke-${name}-`, { Ref: 'AWS::Region' }]],
      });
      expect(
        (lambda?.Properties.Environment as { Variables: Record<string, string> } | undefined)?.Variables
          .AWS_SG_REVOKE_ORGANIZATION_ID,
      ).toBe(ORG);
    },
  );
});

describe('single account (the default: no organizationId)', () => {
  const { stack, resources } = synth(base());

  it('grants no sts action and names no role', () => {
    const all = Object.values(resources);
    const actions = all
      .filter((r) => r.Type === 'AWS::IAM::Policy')
      .flatMap((r) => (r.Properties.PolicyDocument as { Statement: Statement[] }).Statement)
      .flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));

    expect(actions.filter((a) => a.startsWith('sts:'))).toEqual([]);
    expect(all.filter((r) => r.Type === 'AWS::IAM::Role' && r.Properties.RoleName !== undefined)).toEqual([]);
    const variables = all
      .filter((r) => r.Type === 'AWS::Lambda::Function')
      .map((r) => (r.Properties.Environment as { Variables: Record<string, string> }).Variables);
    expect(variables.some((v) => 'AWS_SG_REVOKE_ORGANIZATION_ID' in v)).toBe(false);
    expect(stack.functions.apply.role).toBeDefined();
  });
});

describe('hub role names', () => {
  it('fit IAM’s 64 characters for every hub function, in the longest region names', () => {
    for (const region of ['ap-southeast-7', 'us-gov-west-1', 'ap-northeast-3', 'eu-central-2']) {
      for (const fn of ['plan', 'reverify', 'apply', 'rollback'] as const) {
        expect(hubRoleName(fn, region).length).toBeLessThanOrEqual(ROLE_NAME_MAX);
      }
    }
    // status-sync is not a hub EC2 caller, but would fit too.
    expect(`sg-revoke-status-sync-ap-southeast-7`.length).toBeLessThanOrEqual(ROLE_NAME_MAX);
  });

  it('refuses an organizationId that is not one, naming the key', () => {
    expect(() => parseConfig({ ...testContext(), organizationId: 'org-1' })).toThrow(
      /organizationId: must be an AWS Organizations id/,
    );
  });
});
