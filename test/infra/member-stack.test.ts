import 'aws-cdk-lib/testhelpers/jest-autoclean';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readMemberConfig } from '../../infra/lib/member-config';
import { SgRevokeMemberStack } from '../../infra/lib/member-roles';
import { MEMBER_ROLE_NAMES } from '../../lambda/core/member-roles';

const HUB = '111122223333';
const ORG = 'o-a1b2c3d4e5';
const CONTEXT = { hubAccountId: HUB, organizationId: ORG, hubRegions: 'us-east-1,eu-west-1' };

type Statement = {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
  Principal?: unknown;
};

function synth(context: Record<string, unknown> = CONTEXT) {
  const app = new App({ context });
  const stack = new SgRevokeMemberStack(app, 'Member', { config: readMemberConfig(app.node) });
  return { stack, template: Template.fromStack(stack) };
}

const { stack, template } = synth();
const json = template.toJSON() as {
  Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
  Parameters?: unknown;
  Rules?: unknown;
};
const resolve = (value: unknown) => JSON.stringify(Stack.of(stack).resolve(value));
/** `{"Fn::Join":["",["arn:",{"Ref":"AWS::Partition"},":iam::…"]]}` → `arn:<Partition>:iam::…`. */
const flat = (value: unknown): string =>
  resolve(value)
    .replace(/\{"Fn::Join":\["",\[/g, '')
    .replace(/"\s*,\s*\{"Ref":"AWS::(Partition|AccountId)"\}\s*,\s*"/g, '<$1>')
    .replace(/\]\]\}/g, '');

const roleOf = (name: string) => {
  const entry = Object.entries(json.Resources).find(
    ([, r]) => r.Type === 'AWS::IAM::Role' && r.Properties.RoleName === name,
  );
  if (!entry) throw new Error(`no role ${name}`);
  return { id: entry[0], props: entry[1].Properties };
};
const statementsOf = (name: string): Statement[] => {
  const { id } = roleOf(name);
  return Object.values(json.Resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy' && resolve(r.Properties.Roles) === resolve([{ Ref: id }]))
    .flatMap((r) => (r.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
};
const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const hubRole = (fn: string, region: string) => `arn:<Partition>:iam::${HUB}:role/sg-revoke-${fn}-${region}`;
const SG_ARN = 'arn:<Partition>:ec2:*:<AccountId>:security-group/*';

describe('member stack', () => {
  it('is three roles with fixed names, and nothing a StackSet would need to fill in', () => {
    const roles = Object.values(json.Resources).filter((r) => r.Type === 'AWS::IAM::Role');
    expect(roles.map((r) => r.Properties.RoleName).sort()).toEqual(Object.values(MEMBER_ROLE_NAMES).sort());
    expect(new Set(Object.values(json.Resources).map((r) => r.Type))).toEqual(
      new Set(['AWS::IAM::Role', 'AWS::IAM::Policy']),
    );
    expect(json.Parameters).toBeUndefined();
    expect(json.Rules).toBeUndefined();
  });

  it.each([
    ['sg-revoke-member-read', ['plan', 'reverify', 'apply', 'rollback']],
    ['sg-revoke-member-revoke', ['apply']],
    ['sg-revoke-member-restore', ['rollback']],
  ])('%s trusts exactly the hub roles %j in every hub region, inside the organization', (name, fns) => {
    const trust = (roleOf(name).props.AssumeRolePolicyDocument as { Statement: Statement[] }).Statement;

    expect(trust).toHaveLength(1);
    expect(trust[0]?.Effect).toBe('Allow');
    expect(trust[0]?.Action).toBe('sts:AssumeRole');
    expect(flat(trust[0]?.Principal)).toBe(`{"AWS":"arn:<Partition>:iam::${HUB}:root"}`);
    const condition = trust[0]?.Condition ?? {};
    expect(Object.keys(condition).sort()).toEqual(['ArnEquals', 'StringEquals']);
    expect(condition.StringEquals).toEqual({ 'aws:PrincipalOrgID': ORG });
    const principals = ((condition.ArnEquals?.['aws:PrincipalArn'] as unknown[] | undefined) ?? [])
      .map(flat)
      .map((s) => JSON.parse(s));
    expect(principals.sort()).toEqual(
      (fns as string[]).flatMap((fn) => [hubRole(fn, 'us-east-1'), hubRole(fn, 'eu-west-1')]).sort(),
    );
  });

  it('allows nothing outside security-group describes and the one change of each role', () => {
    const allowed = (name: string) =>
      statementsOf(name)
        .filter((s) => s.Effect === 'Allow')
        .flatMap(actionsOf)
        .sort();

    expect(allowed('sg-revoke-member-read')).toEqual([
      'ec2:DescribeNetworkInterfaces',
      'ec2:DescribeSecurityGroupRules',
      'ec2:DescribeSecurityGroups',
    ]);
    expect(allowed('sg-revoke-member-revoke')).toEqual([
      'ec2:DescribeSecurityGroupRules',
      'ec2:DescribeSecurityGroups',
      'ec2:RevokeSecurityGroupIngress',
    ]);
    expect(allowed('sg-revoke-member-restore')).toEqual([
      'ec2:AuthorizeSecurityGroupIngress',
      'ec2:DescribeSecurityGroupRules',
      'ec2:DescribeSecurityGroups',
    ]);
  });

  it.each([
    ['sg-revoke-member-revoke', 'ec2:RevokeSecurityGroupIngress'],
    ['sg-revoke-member-restore', 'ec2:AuthorizeSecurityGroupIngress'],
  ])('%s: %s only on security groups, denied when the group is tagged intentionally-open', (name, action) => {
    const statements = statementsOf(name);
    const allow = statements.filter((s) => s.Effect === 'Allow' && actionsOf(s).includes(action));
    const deny = statements.filter((s) => s.Effect === 'Deny');

    expect(allow.map((s) => flat(s.Resource))).toEqual([JSON.stringify(SG_ARN)]);
    expect(deny).toHaveLength(1);
    expect(actionsOf(deny[0] as Statement)).toEqual([action]);
    expect(flat(deny[0]?.Resource)).toBe(JSON.stringify(SG_ARN));
    expect(deny[0]?.Condition).toEqual({ Null: { 'aws:ResourceTag/intentionally-open': 'false' } });
    // Describes are the only statement on `*`.
    for (const s of statements.filter((st) => st.Resource === '*')) {
      expect(actionsOf(s).every((a) => a.startsWith('ec2:Describe'))).toBe(true);
    }
  });

  it('passes cdk-nag AwsSolutions, each acknowledgement with its reason', () => {
    const app = new App({ context: CONTEXT });
    const nagged = new SgRevokeMemberStack(app, 'Nagged', { config: readMemberConfig(app.node) });
    const report = new AwsSolutionsChecks(app).validateScope(nagged);

    expect(
      report.violations.map((v) => `${v.ruleName} at ${v.violatingResources[0]?.constructPath}`),
    ).toEqual([]);
    expect(report.success).toBe(true);
  });

  it.each([
    [{ ...CONTEXT, hubAccountId: undefined }, /hubAccountId: .*\(missing\)/],
    [{ ...CONTEXT, organizationId: 'org-1' }, /organizationId: must be an AWS Organizations id/],
    [{ ...CONTEXT, hubRegions: '' }, /hubRegions: must list at least one region/],
    [{ ...CONTEXT, hubRegions: 'us-east-1,mars' }, /hubRegions.1: must be a region name/],
  ])('refuses bad context with the key named (%j)', (context, message) => {
    expect(() => synth(context)).toThrow(message);
  });
});
