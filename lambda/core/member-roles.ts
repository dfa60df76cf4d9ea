/**
 * Facts of the organization deployment that the hub's functions, the hub stack and the member stack
 * all rely on (STYLE §13): the member roles' fixed names, which hub function may assume which, and
 * the hub roles' fixed names, so that each side can compute the other's ARNs without a lookup.
 */

/** Why sg-revoke calls EC2 in an account: it decides which member role the hub assumes there. */
export type Ec2Purpose = 'read' | 'revoke' | 'restore';

export const EC2_PURPOSES: readonly Ec2Purpose[] = ['read', 'revoke', 'restore'];

/** The role the member stack creates for each purpose (same name in every member account). */
export const MEMBER_ROLE_NAMES: Readonly<Record<Ec2Purpose, string>> = {
  read: 'sg-revoke-member-read',
  revoke: 'sg-revoke-member-revoke',
  restore: 'sg-revoke-member-restore',
};

/** The hub functions that call EC2 in a member account. */
export type HubFunction = 'plan' | 'reverify' | 'apply' | 'rollback';

/**
 * Who may assume each member role: reading is for every function that reads a group, revoking for
 * apply alone, restoring for rollback alone. No hub role can reach a member permission it does not
 * already need in its own account, so a member role is never a way up.
 */
export const MEMBER_ROLE_TRUST: Readonly<Record<Ec2Purpose, readonly HubFunction[]>> = {
  read: ['plan', 'reverify', 'apply', 'rollback'],
  revoke: ['apply'],
  restore: ['rollback'],
};

/** The purposes a hub function needs in member accounts (the inverse of MEMBER_ROLE_TRUST). */
export const purposesOf = (fn: HubFunction): Ec2Purpose[] =>
  EC2_PURPOSES.filter((purpose) => MEMBER_ROLE_TRUST[purpose].includes(fn));

/** IAM role names are at most 64 characters. */
export const ROLE_NAME_MAX = 64;

/**
 * The fixed name of a hub function's role in organization mode. The region is part of it because
 * IAM is global: a hub deployed in two regions of one account must not claim the same name.
 */
export const hubRoleName = (fn: HubFunction, region: string): string => `sg-revoke-${fn}-${region}`;

export const memberRoleArn = (where: { partition: string; accountUid: string }, purpose: Ec2Purpose) =>
  `arn:${where.partition}:iam::${where.accountUid}:role/${MEMBER_ROLE_NAMES[purpose]}`;

export const hubRoleArn = (hub: { partition: string; accountUid: string; region: string }, fn: HubFunction) =>
  `arn:${hub.partition}:iam::${hub.accountUid}:role/${hubRoleName(fn, hub.region)}`;

/** An AWS Organizations id (`o-` + 10 to 32 lowercase letters or digits). */
export const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;

/** The partition of an ARN (`aws`, `aws-cn`, `aws-us-gov`), or null when it is not an ARN. */
export function partitionOf(arn: string): string | null {
  const match = /^arn:(aws[a-z-]*):/.exec(arn);
  return match ? (match[1] as string) : null;
}
