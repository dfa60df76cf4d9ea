import {
  DescribeSecurityGroupsCommand,
  type EC2Client,
  paginateDescribeSecurityGroupRules,
  paginateDescribeSecurityGroups,
  RevokeSecurityGroupIngressCommand,
  type RevokeSecurityGroupIngressCommandOutput,
  type SecurityGroup,
  type SecurityGroupRule,
} from '@aws-sdk/client-ec2';
import { AwsCallError } from '../core/errors';
import type { Ec2Purpose } from '../core/member-roles';
import { type LiveRead, type Where, whereKey } from '../core/model';
import type { RevokeResult, SecurityGroups } from '../core/ports';
import { awsErrorCode, describeAwsError, translateAwsError } from './aws-errors';
import { toLiveGroup, toRevokedRule } from './ec2-rules';

const GROUP_NOT_FOUND = new Set(['InvalidGroup.NotFound', 'InvalidGroupId.NotFound']);
const RULE_NOT_FOUND = new Set(['InvalidPermission.NotFound', 'InvalidSecurityGroupRuleId.NotFound']);
/** EC2 accepts at most 200 values in one filter. */
const FILTER_VALUES_MAX = 200;
/** The largest page both describe calls allow. */
const PAGE_SIZE = 1000;

const groupFilter = (sgIds: readonly string[]) => [{ Name: 'group-id', Values: [...sgIds] }];

function chunksOf<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

function readOf(group: SecurityGroup, rules: readonly SecurityGroupRule[]): LiveRead {
  try {
    return { kind: 'found', group: toLiveGroup(group, rules) };
  } catch (error) {
    return { kind: 'error', message: `${group.GroupId}: ${describeAwsError(error)}` };
  }
}

/**
 * `ec2For` gives the client for an account, region and purpose (ec2-clients.ts): reads go with the
 * `read` credentials, the revoke with the `revoke` ones, so each member role holds only its part.
 */
export class Ec2SecurityGroups implements SecurityGroups {
  constructor(private readonly ec2For: (where: Where, purpose: Ec2Purpose) => EC2Client) {}

  async readGroup(where: Where, sgId: string): Promise<LiveRead> {
    const ec2 = this.ec2For(where, 'read');
    try {
      // By id (not by filter) so that AWS proves absence with InvalidGroup.NotFound.
      const out = await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [sgId] }));
      const group = out.SecurityGroups?.find((g) => g.GroupId === sgId);
      if (!group) return { kind: 'not-found' };
      const rules = await describeRules(ec2, [sgId]);
      return readOf(group, rules);
    } catch (error) {
      if (GROUP_NOT_FOUND.has(awsErrorCode(error) ?? '')) return { kind: 'not-found' };
      return { kind: 'error', message: `reading ${sgId} in ${whereKey(where)}: ${describeAwsError(error)}` };
    }
  }

  async readGroups(where: Where, sgIds: readonly string[]): Promise<ReadonlyMap<string, LiveRead>> {
    const ec2 = this.ec2For(where, 'read');
    const reads = new Map<string, LiveRead>();
    for (const chunk of chunksOf([...new Set(sgIds)], FILTER_VALUES_MAX)) {
      for (const [sgId, read] of await readChunk(ec2, whereKey(where), chunk)) reads.set(sgId, read);
    }
    return reads;
  }

  async revokeRules(where: Where, sgId: string, ruleIds: readonly string[]): Promise<RevokeResult> {
    const call = `RevokeSecurityGroupIngress ${sgId} in ${whereKey(where)}`;
    let out: RevokeSecurityGroupIngressCommandOutput;
    try {
      out = await this.ec2For(where, 'revoke').send(
        new RevokeSecurityGroupIngressCommand({ GroupId: sgId, SecurityGroupRuleIds: [...ruleIds] }),
      );
    } catch (error) {
      const code = awsErrorCode(error);
      // A deleted group cannot let anything in: converged, like a rule that is already gone.
      if (RULE_NOT_FOUND.has(code ?? '') || GROUP_NOT_FOUND.has(code ?? '')) {
        return { kind: 'not-found', message: describeAwsError(error) };
      }
      throw translateAwsError(error, call);
    }
    if (out.Return === false) throw new AwsCallError(`${call} answered Return=false`, undefined);
    const revoked = (out.RevokedSecurityGroupRules ?? []).map(toRevokedRule);
    const revokedIds = new Set(revoked.map((rule) => rule.ruleId));
    // Without an after-image (older APIs, moto) nothing can be said to be unknown.
    const unknownRuleIds = out.RevokedSecurityGroupRules
      ? ruleIds.filter((ruleId) => !revokedIds.has(ruleId))
      : [];
    return {
      kind: 'revoked',
      revoked,
      unknownRuleIds,
      afterImageReported: out.RevokedSecurityGroupRules !== undefined,
    };
  }
}

/** One failed page makes the whole chunk unreadable: fail closed, never half a picture. */
async function readChunk(ec2: EC2Client, place: string, sgIds: readonly string[]) {
  const reads = new Map<string, LiveRead>();
  try {
    const [groups, rules] = await Promise.all([describeGroups(ec2, sgIds), describeRules(ec2, sgIds)]);
    const rulesOf = new Map<string | undefined, SecurityGroupRule[]>();
    for (const rule of rules) {
      const list = rulesOf.get(rule.GroupId);
      if (list) list.push(rule);
      else rulesOf.set(rule.GroupId, [rule]);
    }
    for (const sgId of sgIds) {
      const group = groups.find((g) => g.GroupId === sgId);
      // With a filter AWS omits missing groups instead of raising NotFound: absence is the proof.
      reads.set(sgId, group ? readOf(group, rulesOf.get(sgId) ?? []) : { kind: 'not-found' });
    }
  } catch (error) {
    const message = `reading ${sgIds.length} group(s) in ${place}: ${describeAwsError(error)}`;
    for (const sgId of sgIds) reads.set(sgId, { kind: 'error', message });
  }
  return reads;
}

async function describeGroups(ec2: EC2Client, sgIds: readonly string[]): Promise<SecurityGroup[]> {
  const groups: SecurityGroup[] = [];
  const pages = paginateDescribeSecurityGroups(
    { client: ec2, pageSize: PAGE_SIZE },
    { Filters: groupFilter(sgIds) },
  );
  for await (const page of pages) groups.push(...(page.SecurityGroups ?? []));
  return groups;
}

async function describeRules(ec2: EC2Client, sgIds: readonly string[]): Promise<SecurityGroupRule[]> {
  const rules: SecurityGroupRule[] = [];
  const pages = paginateDescribeSecurityGroupRules(
    { client: ec2, pageSize: PAGE_SIZE },
    { Filters: groupFilter(sgIds) },
  );
  for await (const page of pages) rules.push(...(page.SecurityGroupRules ?? []));
  return rules;
}
