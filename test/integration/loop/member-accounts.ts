import { request } from 'node:http';
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@smithy/types';
import {
  EC2_PURPOSES,
  hubRoleArn,
  MEMBER_ROLE_NAMES,
  MEMBER_ROLE_TRUST,
} from '../../../lambda/core/member-roles';
import { motoEndpoint, REGION } from '../moto/resources';
import { MOTO_ACCOUNT } from './harness';

/** Member accounts of the organization scenario (synthetic ids, reached on moto by AssumeRole). */
export const MEMBER_ACCOUNT = '444455556666';
export const OUTSIDER_ACCOUNT = '777788889999';
export const ORGANIZATION_ID = 'o-a1b2c3d4e5';

/**
 * Credentials in another moto account, for the test's own setup: moto answers AssumeRole into any
 * account id with credentials whose calls see only that account's resources.
 */
export async function accountCredentials(accountUid: string): Promise<AwsCredentialIdentity> {
  const sts = new STSClient({ region: REGION });
  try {
    const out = await sts.send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${accountUid}:role/test-setup`,
        RoleSessionName: 'test-setup',
      }),
    );
    const c = out.Credentials!;
    return { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken };
  } finally {
    sts.destroy();
  }
}

/**
 * The member stack's three roles, created in the member account with the member stack's trust and
 * permissions. moto evaluates neither trust policies nor IAM policies: on moto they only make the
 * ARNs the hub assumes real; the policies themselves are proven by test/infra/member-stack.test.ts.
 */
export async function createMemberRoles(credentials: AwsCredentialIdentity): Promise<void> {
  const iam = new IAMClient({ region: REGION, credentials });
  try {
    for (const purpose of EC2_PURPOSES) {
      const trusted = MEMBER_ROLE_TRUST[purpose].map((fn) =>
        hubRoleArn({ partition: 'aws', accountUid: MOTO_ACCOUNT, region: REGION }, fn),
      );
      const trust = {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${MOTO_ACCOUNT}:root` },
            Action: 'sts:AssumeRole',
            Condition: {
              ArnEquals: { 'aws:PrincipalArn': trusted },
              StringEquals: { 'aws:PrincipalOrgID': ORGANIZATION_ID },
            },
          },
        ],
      };
      const RoleName = MEMBER_ROLE_NAMES[purpose];
      await iam.send(new CreateRoleCommand({ RoleName, AssumeRolePolicyDocument: JSON.stringify(trust) }));
      const actions = ['ec2:DescribeSecurityGroups', 'ec2:DescribeSecurityGroupRules'];
      if (purpose === 'revoke') actions.push('ec2:RevokeSecurityGroupIngress');
      if (purpose === 'restore') actions.push('ec2:AuthorizeSecurityGroupIngress');
      await iam.send(
        new PutRolePolicyCommand({
          RoleName,
          PolicyName: 'sg-revoke',
          PolicyDocument: JSON.stringify({
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }],
          }),
        }),
      );
    }
  } finally {
    iam.destroy();
  }
}

export interface AssumedRole {
  readonly roleArn: string;
  readonly sessionName: string;
}

/** Every AssumeRole of an sg-revoke member role moto has answered since its last reset (its state dump). */
export function memberRolesAssumed(): Promise<AssumedRole[]> {
  return new Promise((resolve, reject) => {
    const req = request(`${motoEndpoint()}/moto-api/data.json`, { agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => {
        const data = JSON.parse(body) as {
          sts?: { AssumedRole?: { role_arn: string; session_name?: string; role_session_name?: string }[] };
        };
        const roles = (data.sts?.AssumedRole ?? [])
          .filter((r) => r.role_arn.includes(':role/sg-revoke-member-'))
          .map((r) => ({ roleArn: r.role_arn, sessionName: r.session_name ?? r.role_session_name ?? '' }));
        resolve(roles);
      });
    });
    req.on('error', reject);
    req.end();
  });
}
