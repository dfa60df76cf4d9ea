import type { RevokedSecurityGroupRule, SecurityGroup, SecurityGroupRule } from '@aws-sdk/client-ec2';
import type { IngressRule, LiveGroup } from '../core/model';
import { hasPorts, isIcmp, normalizeProtocol, type Protocol, parseCidr } from '../core/permission';
import type { RevokedRule } from '../core/ports';

/** A rule we cannot read exactly makes the whole group unreadable: a guess could hide exposure. */
export class UnreadableRuleError extends Error {
  override readonly name = 'UnreadableRuleError';
}

function protocolOf(raw: string | undefined, ruleId: string): Protocol {
  const protocol = normalizeProtocol(raw ?? '');
  if (!protocol.ok) throw new UnreadableRuleError(`rule ${ruleId}: ${protocol.error}`);
  return protocol.value;
}

/** TCP/UDP ports and ICMP type/code are kept (ICMP `-1` = any); other protocols have no ports. */
function portsOf(protocol: Protocol, from: number | undefined, to: number | undefined) {
  if (!hasPorts(protocol) && !isIcmp(protocol)) return { fromPort: null, toPort: null };
  return { fromPort: from ?? null, toPort: to ?? null };
}

function cidrOf(raw: string | undefined, ruleId: string) {
  if (raw === undefined) return null;
  const cidr = parseCidr(raw);
  if (!cidr.ok) throw new UnreadableRuleError(`rule ${ruleId}: ${cidr.error}`);
  return cidr.value;
}

export function toIngressRule(rule: SecurityGroupRule): IngressRule {
  const ruleId = rule.SecurityGroupRuleId ?? '';
  if (ruleId === '') throw new UnreadableRuleError(`a rule of ${rule.GroupId} has no SecurityGroupRuleId`);
  const protocol = protocolOf(rule.IpProtocol, ruleId);
  return {
    ruleId,
    protocol,
    ...portsOf(protocol, rule.FromPort, rule.ToPort),
    cidr: cidrOf(rule.CidrIpv4 ?? rule.CidrIpv6, ruleId),
    source: rule.PrefixListId ?? rule.ReferencedGroupInfo?.GroupId ?? null,
    description: rule.Description ?? null,
  };
}

export function toRevokedRule(rule: RevokedSecurityGroupRule): RevokedRule {
  const ruleId = rule.SecurityGroupRuleId ?? '';
  const protocol = normalizeProtocol(rule.IpProtocol ?? '');
  const raw = rule.CidrIpv4 ?? rule.CidrIpv6;
  const cidr = raw === undefined ? null : parseCidr(raw);
  // The after-image is evidence: an unexpected value is recorded as AWS sent it, not dropped.
  const normalized: Protocol | string = protocol.ok ? protocol.value : (rule.IpProtocol ?? '');
  const ports = protocol.ok
    ? portsOf(protocol.value, rule.FromPort, rule.ToPort)
    : { fromPort: rule.FromPort ?? null, toPort: rule.ToPort ?? null };
  return { ruleId, protocol: normalized, ...ports, cidr: cidr === null ? null : cidr.ok ? cidr.value : raw! };
}

export function toLiveGroup(group: SecurityGroup, rules: readonly SecurityGroupRule[]): LiveGroup {
  const tags: Record<string, string> = {};
  for (const tag of group.Tags ?? []) if (tag.Key !== undefined) tags[tag.Key] = tag.Value ?? '';
  return {
    groupId: group.GroupId ?? '',
    groupName: group.GroupName ?? '',
    vpcId: group.VpcId ?? null,
    tags,
    ingress: rules.filter((rule) => rule.IsEgress === false).map(toIngressRule),
  };
}
