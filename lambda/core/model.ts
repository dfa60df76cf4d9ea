import type { Cidr, Protocol } from './permission';

/** The flagged permission of one finding, validated and normalised. */
export interface FlaggedPermission {
  readonly protocol: Protocol;
  /** TCP/UDP port range, ICMP type/code, or null when the protocol has neither. */
  readonly fromPort: number | null;
  readonly toPort: number | null;
  /** Every CIDR of the finding, canonical, in input order (duplicates removed). */
  readonly cidrs: readonly Cidr[];
  /** The risky ports the detector saw reachable (may be empty). */
  readonly ports: readonly number[];
  /**
   * The from/to a finding carried for a protocol without ports (all traffic: `-1`/`-1`). Not used to
   * match rules; kept because the original writes them in its records and its consumers read them.
   */
  readonly declaredPorts?: { readonly from: number; readonly to: number };
}

/** A validated OCSF 2004 finding of `detect-aws-open-security-group`. */
export interface Finding {
  readonly findingUid: string;
  readonly sgId: string;
  readonly sgName: string | null;
  readonly region: string;
  readonly accountUid: string;
  readonly actor: string | null;
  readonly rule: string | null;
  readonly permission: FlaggedPermission;
  readonly timeMs: number | null;
  /** Set when the finding was derived from a Security Hub control finding (absent for the detector's). */
  readonly source?: ControlSource;
}

/** The Security Hub controls whose failures sg-revoke can remediate. */
export type SecurityControl = 'EC2.18' | 'EC2.19';

/**
 * The identity of the Security Hub finding an action came from: exactly what the status write-back
 * call needs (BatchUpdateFindingsV2 `FindingIdentifiers`, or ASFF `BatchUpdateFindings` identifiers).
 */
export type FindingOrigin =
  | {
      readonly kind: 'securityhub-ocsf';
      readonly cloudAccountUid: string;
      readonly findingInfoUid: string;
      readonly metadataProductUid: string;
    }
  | { readonly kind: 'securityhub-asff'; readonly id: string; readonly productArn: string };

/**
 * Where a control-derived finding came from. `ruleIds` are the live rules the control failed on when
 * the plan was made: they are part of the action id (Security Hub re-sends one finding uid on every
 * update, so a rule re-created with a new id must plan a new action). `origin` is not in the plan
 * hash: it names whom to tell, not what is revoked.
 */
export interface ControlSource {
  readonly control: SecurityControl;
  readonly origin: FindingOrigin;
  readonly ruleIds: readonly string[];
}

/** One live ingress rule, as DescribeSecurityGroupRules reports it, normalised. */
export interface IngressRule {
  readonly ruleId: string;
  readonly protocol: Protocol;
  readonly fromPort: number | null;
  readonly toPort: number | null;
  readonly cidr: Cidr | null;
  /** Prefix list or referenced group, when the rule's source is not a CIDR. */
  readonly source: string | null;
  readonly description: string | null;
}

/** The live state of a group, read in the finding's region. */
export interface LiveGroup {
  readonly groupId: string;
  readonly groupName: string;
  readonly vpcId: string | null;
  readonly tags: Readonly<Record<string, string>>;
  readonly ingress: readonly IngressRule[];
}

/** What reading a group gave: the group, proof that it is gone, or an error (never guessed). */
export type LiveRead =
  | { readonly kind: 'found'; readonly group: LiveGroup }
  | { readonly kind: 'not-found' }
  | { readonly kind: 'error'; readonly message: string };

/** Where an EC2 call goes: the finding's account (the hub's own, or a member's via its role) and region. */
export interface Where {
  readonly accountUid: string;
  readonly region: string;
}

/** Just the where of a finding or a plan (both carry an account and a region). */
export const whereOf = (x: Where): Where => ({ accountUid: x.accountUid, region: x.region });

/** A key naming one account and region (caches, grouping). */
export const whereKey = (where: Where): string => `${where.accountUid}/${where.region}`;
