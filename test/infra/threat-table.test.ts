import 'aws-cdk-lib/testhelpers/jest-autoclean';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CfnResource } from 'aws-cdk-lib';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { SgRevokeMemberStack } from '../../infra/lib/member-roles';
import { createSgRevokeApp } from '../../infra/lib/sg-revoke-app';
import type { SgRevokeStack } from '../../infra/lib/sg-revoke-stack';
import { testContext } from './synthetic-context';

type Json = Record<string, unknown>;
const README = readFileSync(join(__dirname, '../../README.md'), 'utf8');

let stack: SgRevokeStack;
let resources: Record<string, { Type: string; Properties: Json }>;

beforeAll(() => {
  ({ stack } = createSgRevokeApp({ context: testContext() }));
  resources = Template.fromStack(stack).toJSON().Resources;
});

/** The "may" cell of each role's row in README's threat table: the IAM actions it names. */
function documentedActions(): Map<string, Set<string>> {
  const section = README.slice(README.indexOf('### What each role can do'));
  const rows = section.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| role'));
  const out = new Map<string, Set<string>>();
  for (const row of rows) {
    const [role, may] = row
      .split('|')
      .slice(1, 3)
      .map((cell) => cell.trim());
    if (!role || may === undefined) continue;
    const actions = [...may.matchAll(/`([a-z0-9-]+:[A-Za-z*]+)`/g)].map((m) => m[1] as string);
    out.set(role, new Set(actions));
  }
  return out;
}

/** Allow actions of a role's identity policies, as synthesized; logging and tracing left out. */
function grantedActions(role: IConstruct): Set<string> {
  const id = stack.resolve((role.node.defaultChild as CfnResource).logicalId) as string;
  const statements = Object.values(resources)
    .filter(
      (r) =>
        r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties.Roles) === JSON.stringify([{ Ref: id }]),
    )
    .flatMap(
      (r) =>
        (r.Properties.PolicyDocument as { Statement: { Effect: string; Action: string | string[] }[] })
          .Statement,
    );
  return new Set(
    statements
      .filter((s) => s.Effect === 'Allow')
      .flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]))
      .filter((action) => !action.startsWith('logs:') && !action.startsWith('xray:')),
  );
}

describe("README's threat table agrees with the template", () => {
  const roles = () =>
    ({
      plan: stack.functions.plan.role,
      'approve-api': stack.functions.approveApi.role,
      apply: stack.functions.apply.role,
      reverify: stack.functions.reverify.role,
      rollback: stack.functions.rollback.role,
      'audit-verify': stack.auditVerification.fn.role,
      'status-sync': stack.functions.statusSync.role,
    }) as const;

  it('has a row for every function role', () => {
    expect([...documentedActions().keys()]).toEqual(expect.arrayContaining(Object.keys(roles())));
  });

  it.each(['plan', 'approve-api', 'apply', 'reverify', 'rollback', 'audit-verify', 'status-sync'] as const)(
    "lists exactly the %s role's IAM actions",
    (name) => {
      const documented = [...(documentedActions().get(name) ?? [])].sort();
      const granted = [...grantedActions(roles()[name])].sort();

      expect(documented).toEqual(granted);
    },
  );

  it('names kms:Sign for no role but approve-api', () => {
    const signers = Object.entries(roles())
      .filter(([, role]) => grantedActions(role).has('kms:Sign'))
      .map(([name]) => name);

    expect(signers).toEqual(['approve-api']);
    expect([...documentedActions().entries()].filter(([, a]) => a.has('kms:Sign')).map(([n]) => n)).toEqual([
      'approve-api',
    ]);
  });
});

describe("README's threat table agrees with the member stack", () => {
  const app = new App();
  const member = new SgRevokeMemberStack(app, 'Member', {
    config: { hubAccountId: '111122223333', organizationId: 'o-a1b2c3d4e5', hubRegions: ['us-east-1'] },
  });
  const memberResources = Template.fromStack(member).toJSON().Resources as typeof resources;

  it.each(['read', 'revoke', 'restore'] as const)(
    "lists exactly the member-%s role's IAM actions",
    (purpose) => {
      const role = member.memberRoles.roles[purpose];
      const id = member.resolve((role.node.defaultChild as CfnResource).logicalId) as string;
      const granted = Object.values(memberResources)
        .filter(
          (r) =>
            r.Type === 'AWS::IAM::Policy' &&
            JSON.stringify(r.Properties.Roles) === JSON.stringify([{ Ref: id }]),
        )
        .flatMap(
          (r) =>
            (r.Properties.PolicyDocument as { Statement: { Effect: string; Action: string | string[] }[] })
              .Statement,
        )
        .filter((s) => s.Effect === 'Allow')
        .flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));

      const documented = [...(documentedActions().get(`member-${purpose} (member stack)`) ?? [])].sort();

      expect(granted.length).toBeGreaterThan(0);
      expect(documented).toEqual([...new Set(granted)].sort());
    },
  );
});
