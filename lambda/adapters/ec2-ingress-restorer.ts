import {
  AuthorizeSecurityGroupIngressCommand,
  type AuthorizeSecurityGroupIngressCommandOutput,
  type EC2Client,
  type IpPermission,
} from '@aws-sdk/client-ec2';
import { AwsCallError } from '../core/errors';
import type { Where } from '../core/model';
import type { AuthorizeResult, IngressRestorer } from '../core/ports';
import type { RestoreRule } from '../core/rollback';
import { awsErrorCode, describeAwsError, translateAwsError } from './aws-errors';

const GROUP_NOT_FOUND = new Set(['InvalidGroup.NotFound', 'InvalidGroupId.NotFound']);
const DUPLICATE = 'InvalidPermission.Duplicate';

/** One IpPermission per rule: IPv4 CIDRs in IpRanges, IPv6 in Ipv6Ranges, each with its description. */
export function ipPermissionOf(rule: RestoreRule): IpPermission {
  const description = rule.description === null ? {} : { Description: rule.description };
  const range = rule.cidr.includes(':')
    ? { Ipv6Ranges: [{ CidrIpv6: rule.cidr, ...description }] }
    : { IpRanges: [{ CidrIp: rule.cidr, ...description }] };
  // EC2 spells "no ports" as -1/-1 for all traffic; TCP/UDP and ICMP keep their own values.
  const ports =
    rule.fromPort === null ? {} : { FromPort: rule.fromPort, ToPort: rule.toPort ?? rule.fromPort };
  return { IpProtocol: rule.protocol, ...ports, ...range };
}

/** The rollback λ's adapter: AuthorizeSecurityGroupIngress, nothing else. */
export class Ec2IngressRestorer implements IngressRestorer {
  constructor(private readonly clientFor: (where: Where) => EC2Client) {}

  async authorizeRules(where: Where, sgId: string, rules: readonly RestoreRule[]): Promise<AuthorizeResult> {
    const call = `AuthorizeSecurityGroupIngress ${sgId} in ${where.accountUid}/${where.region}`;
    let out: AuthorizeSecurityGroupIngressCommandOutput;
    try {
      out = await this.clientFor(where).send(
        new AuthorizeSecurityGroupIngressCommand({ GroupId: sgId, IpPermissions: rules.map(ipPermissionOf) }),
      );
    } catch (error) {
      const code = awsErrorCode(error) ?? '';
      if (code === DUPLICATE) return { kind: 'duplicate', message: describeAwsError(error) };
      if (GROUP_NOT_FOUND.has(code)) return { kind: 'group-not-found', message: describeAwsError(error) };
      throw translateAwsError(error, call);
    }
    if (out.Return === false) throw new AwsCallError(`${call} answered Return=false`, undefined);
    const ruleIds = (out.SecurityGroupRules ?? [])
      .map((r) => r.SecurityGroupRuleId)
      .filter((id): id is string => typeof id === 'string' && id !== '');
    return { kind: 'authorized', ruleIds };
  }
}
