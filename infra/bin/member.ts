import { App } from 'aws-cdk-lib';
import { readMemberConfig } from '../lib/member-config';
import { MEMBER_STACK_NAME, SgRevokeMemberStack } from '../lib/member-roles';
import { withNagChecks } from '../lib/sg-revoke-app';

/**
 * The member stack's app: `npx cdk synth -a "npx tsx infra/bin/member.ts" -c hubAccountId=…
 * -c organizationId=o-… -c hubRegions=us-east-1`, then deploy the template with StackSets (README).
 */
const app = new App();
new SgRevokeMemberStack(app, MEMBER_STACK_NAME, {
  config: readMemberConfig(app.node),
  description: 'sg-revoke member roles: the hub reads, revokes and restores security group ingress here',
});
withNagChecks(app).synth();
