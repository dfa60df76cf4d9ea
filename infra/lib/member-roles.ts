import { Aws, DefaultStackSynthesizer, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { AccountPrincipal, Effect, PolicyStatement, Role } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { INTENTIONALLY_OPEN_TAG } from '../../lambda/core/constants';
import {
  EC2_PURPOSES,
  type Ec2Purpose,
  hubRoleArn,
  MEMBER_ROLE_NAMES,
  MEMBER_ROLE_TRUST,
} from '../../lambda/core/member-roles';
import type { MemberConfig } from './member-config';

const DESCRIBE_SG = ['ec2:DescribeSecurityGroups', 'ec2:DescribeSecurityGroupRules'];
/** The impact preview reads which interfaces use a group: reading only. */
const DESCRIBE_ENI = 'ec2:DescribeNetworkInterfaces';
const CHANGE: Readonly<Record<Ec2Purpose, string | null>> = {
  read: null,
  revoke: 'ec2:RevokeSecurityGroupIngress',
  restore: 'ec2:AuthorizeSecurityGroupIngress',
};
const DESCRIPTIONS: Readonly<Record<Ec2Purpose, string>> = {
  read: 'sg-revoke hub: read security groups and their rules (plan, reverify, apply, rollback)',
  revoke: 'sg-revoke hub: revoke approved ingress rules (apply only); denied on intentionally-open groups',
  restore:
    'sg-revoke hub: re-authorize an audited before-image (rollback only); denied on intentionally-open groups',
};

/**
 * The roles the sg-revoke hub assumes in one member account (DESIGN §12), one per purpose, with
 * fixed names so the hub computes their ARNs. Each trusts only the hub function roles that need it
 * (by `aws:PrincipalArn`, in every hub region), and only while the caller is in the organization.
 * Nothing but security-group describes and the one change of its purpose, and IAM denies that change
 * on a group tagged `intentionally-open` as the hub's own apply role does (grants.ts).
 */
export class MemberRoles extends Construct {
  readonly roles: Readonly<Record<Ec2Purpose, Role>>;

  constructor(scope: Construct, id: string, props: { readonly config: MemberConfig }) {
    super(scope, id);
    const { hubAccountId, organizationId, hubRegions } = props.config;
    const roles: Partial<Record<Ec2Purpose, Role>> = {};
    for (const purpose of EC2_PURPOSES) {
      const trusted = MEMBER_ROLE_TRUST[purpose].flatMap((fn) =>
        hubRegions.map((region) =>
          hubRoleArn({ partition: Aws.PARTITION, accountUid: hubAccountId, region }, fn),
        ),
      );
      const role = new Role(this, purposeId(purpose), {
        roleName: MEMBER_ROLE_NAMES[purpose],
        description: DESCRIPTIONS[purpose],
        assumedBy: new AccountPrincipal(hubAccountId).withConditions({
          ArnEquals: { 'aws:PrincipalArn': trusted },
          StringEquals: { 'aws:PrincipalOrgID': organizationId },
        }),
      });
      const describe = purpose === 'read' ? [...DESCRIBE_SG, DESCRIBE_ENI] : DESCRIBE_SG;
      role.addToPrincipalPolicy(
        new PolicyStatement({ sid: 'DescribeSecurityGroups', actions: describe, resources: ['*'] }),
      );
      Validations.of(role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: `${describe.join(', ')}: EC2 Describe* APIs offer no resource-level scope`,
      });
      const change = CHANGE[purpose];
      if (change) allowChangeUnlessTagged(role, change);
      roles[purpose] = role;
    }
    this.roles = roles as Record<Ec2Purpose, Role>;
  }
}

const purposeId = (purpose: Ec2Purpose): string => `${purpose[0]?.toUpperCase()}${purpose.slice(1)}Role`;

function allowChangeUnlessTagged(role: Role, action: string): void {
  const groups = `arn:${Aws.PARTITION}:ec2:*:${Aws.ACCOUNT_ID}:security-group/*`;
  role.addToPrincipalPolicy(
    new PolicyStatement({ sid: 'ChangeIngressRule', actions: [action], resources: [groups] }),
  );
  // IAM enforces the tag guardrail too, so a bug in the hub's own check cannot open the way.
  role.addToPrincipalPolicy(
    new PolicyStatement({
      sid: 'DenyOnIntentionallyOpen',
      effect: Effect.DENY,
      actions: [action],
      resources: [groups],
      conditions: { Null: { [`aws:ResourceTag/${INTENTIONALLY_OPEN_TAG}`]: 'false' } },
    }),
  );
  Validations.of(role).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:*:<AWS::AccountId>:security-group/*]',
    reason: `Findings name any security group of this account in any region; ${action} is denied on groups tagged intentionally-open.`,
  });
}

export const MEMBER_STACK_NAME = 'SgRevokeMemberStack';

export interface SgRevokeMemberStackProps extends StackProps {
  readonly config: MemberConfig;
}

/**
 * The member stack, for CloudFormation StackSets to an OU: roles only, no assets, no parameters,
 * no bootstrap (the synthesizer's version check is left out), so the synthesized template deploys
 * as it is to every account of the OU, in ONE region (IAM is global: the role names are fixed).
 */
export class SgRevokeMemberStack extends Stack {
  readonly memberRoles: MemberRoles;

  constructor(scope: Construct, id: string, props: SgRevokeMemberStackProps) {
    super(scope, id, {
      ...props,
      synthesizer: new DefaultStackSynthesizer({ generateBootstrapVersionRule: false }),
      analyticsReporting: false,
    });
    this.memberRoles = new MemberRoles(this, 'MemberRoles', { config: props.config });
  }
}
