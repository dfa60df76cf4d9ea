import { sign as cryptoSign, verify as cryptoVerify, generateKeyPairSync } from 'node:crypto';
import type { AuditRow } from '../../../lambda/core/audit';
import type { Ec2Purpose } from '../../../lambda/core/member-roles';
import type { IngressRule, LiveGroup, LiveRead, Where } from '../../../lambda/core/model';
import type {
  AccountIdentity,
  ApprovalSigner,
  ApprovalVerifier,
  AuthorizeResult,
  CallerIdentity,
  Clock,
  EventPublisher,
  EvidenceStore,
  IngressRestorer,
  LifecycleEvent,
  RevokeResult,
  SecurityGroups,
} from '../../../lambda/core/ports';
import type { RestoreRule } from '../../../lambda/core/rollback';

/** Security groups in memory: revoking removes the rules, so tests assert what is left. */
export class InMemorySecurityGroups implements SecurityGroups {
  readonly groups = new Map<string, LiveGroup>();
  readErrors = new Map<string, string>();
  revokeError: Error | null = null;
  describeCalls = 0;
  revokeCalls = 0;
  /** Where each call went, in order: `read|revoke account/region`. */
  readonly calls: string[] = [];

  put(group: LiveGroup): void {
    this.groups.set(group.groupId, structuredClone(group));
  }

  async readGroup(where: Where, sgId: string): Promise<LiveRead> {
    this.describeCalls += 1;
    this.calls.push(`read ${where.accountUid}/${where.region}`);
    const error = this.readErrors.get(sgId);
    if (error) return { kind: 'error', message: error };
    const group = this.groups.get(sgId);
    return group ? { kind: 'found', group: structuredClone(group) } : { kind: 'not-found' };
  }

  async readGroups(where: Where, sgIds: readonly string[]): Promise<ReadonlyMap<string, LiveRead>> {
    const out = new Map<string, LiveRead>();
    for (const id of sgIds) out.set(id, await this.readGroup(where, id));
    return out;
  }

  async revokeRules(where: Where, sgId: string, ruleIds: readonly string[]): Promise<RevokeResult> {
    this.revokeCalls += 1;
    this.calls.push(`revoke ${where.accountUid}/${where.region}`);
    if (this.revokeError) throw this.revokeError;
    const group = this.groups.get(sgId);
    const hit = group?.ingress.filter((r) => ruleIds.includes(r.ruleId)) ?? [];
    if (!group || hit.length === 0) return { kind: 'not-found', message: 'InvalidPermission.NotFound' };
    this.groups.set(sgId, { ...group, ingress: group.ingress.filter((r) => !ruleIds.includes(r.ruleId)) });
    return {
      kind: 'revoked',
      revoked: hit.map(toRevoked),
      unknownRuleIds: ruleIds.filter((id) => !hit.some((r) => r.ruleId === id)),
      afterImageReported: true,
    };
  }

  ruleIdsOf(sgId: string): string[] {
    return this.groups.get(sgId)?.ingress.map((r) => r.ruleId) ?? [];
  }
}

const toRevoked = (r: IngressRule) => ({
  ruleId: r.ruleId,
  protocol: r.protocol,
  fromPort: r.fromPort,
  toPort: r.toPort,
  cidr: r.cidr,
});

export class InMemoryEvidenceStore implements EvidenceStore {
  readonly objects = new Map<string, AuditRow>();
  failWith: Error | null = null;
  async put(row: AuditRow): Promise<string> {
    if (this.failWith) throw this.failWith;
    if (this.objects.has(row.s3_key)) throw new Error(`object exists: ${row.s3_key}`);
    this.objects.set(row.s3_key, structuredClone(row));
    return `s3://audit-bucket/${row.s3_key}`;
  }
}

export class InMemoryEventPublisher implements EventPublisher {
  readonly published: LifecycleEvent[] = [];
  async publish(events: readonly LifecycleEvent[]): Promise<void> {
    this.published.push(...structuredClone(events));
  }
  ofType(detailType: string): LifecycleEvent[] {
    return this.published.filter((e) => e.detailType === detailType);
  }
}

/**
 * One identity for every account, like a single-account deployment (the hub's own credentials
 * everywhere); `members` gives an account credentials of its own, as a member role would.
 */
export class FixedCallerIdentity implements CallerIdentity, AccountIdentity {
  /** Every identityIn call: `purpose account`. */
  readonly identityCalls: string[] = [];
  readonly members = new Map<string, { account: string; arn: string } | Error>();

  constructor(
    public account = '111122223333',
    public arn = 'arn:aws:sts::111122223333:assumed-role/sg-revoke-apply/fn',
    public failWith: Error | null = null,
  ) {}
  async whoAmI() {
    if (this.failWith) throw this.failWith;
    return { account: this.account, arn: this.arn };
  }
  async identityIn(where: Where, purpose: Ec2Purpose) {
    this.identityCalls.push(`${purpose} ${where.accountUid}`);
    const member = this.members.get(where.accountUid);
    if (member instanceof Error) throw member;
    return member ?? this.whoAmI();
  }
}

/** A clock that only moves when told to (advance by ms, always unique per read). */
export class ManualClock implements Clock {
  constructor(public ms = Date.parse('2026-11-25T12:00:00.000Z')) {}
  nowMs(): number {
    this.ms += 1;
    return this.ms;
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}

/**
 * A real P-256 key in memory: signs and verifies exactly as KMS + node:crypto do in the adapters, so
 * a forged or edited approval fails here for the same reason it fails in AWS.
 */
export class InMemoryApprovalKey {
  private readonly pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  readonly signer: ApprovalSigner;
  readonly verifier: ApprovalVerifier;
  verifications = 0;

  constructor(
    readonly keyId = 'arn:aws:kms:us-east-1:111122223333:key/0a1b2c3d-0000-4000-8000-000000000001',
  ) {
    const { privateKey, publicKey } = this.pair;
    this.signer = {
      keyId,
      sign: async (payload) => cryptoSign('sha256', Buffer.from(payload), privateKey).toString('base64'),
    };
    this.verifier = {
      keyId,
      verify: async (payload, signature) => {
        this.verifications += 1;
        return cryptoVerify('sha256', Buffer.from(payload), publicKey, Buffer.from(signature, 'base64'));
      },
    };
  }
}

/**
 * AuthorizeSecurityGroupIngress on the in-memory groups, with AWS's semantics: a rule of the same
 * protocol, ports and CIDR already there fails the whole call with InvalidPermission.Duplicate.
 */
export class InMemoryIngressRestorer implements IngressRestorer {
  authorizeError: Error | null = null;
  readonly calls: { where: Where; sgId: string; rules: RestoreRule[] }[] = [];
  private next = 100;

  constructor(private readonly groups: InMemorySecurityGroups) {}

  async authorizeRules(where: Where, sgId: string, rules: readonly RestoreRule[]): Promise<AuthorizeResult> {
    this.calls.push({ where, sgId, rules: structuredClone([...rules]) });
    if (this.authorizeError) throw this.authorizeError;
    const group = this.groups.groups.get(sgId);
    if (!group) return { kind: 'group-not-found', message: 'InvalidGroup.NotFound' };
    const same = (r: IngressRule, x: RestoreRule) =>
      r.cidr === x.cidr && r.protocol === x.protocol && r.fromPort === x.fromPort && r.toPort === x.toPort;
    if (rules.some((x) => group.ingress.some((r) => same(r, x)))) {
      return { kind: 'duplicate', message: 'InvalidPermission.Duplicate' };
    }
    const added = rules.map((x, i) => ({
      ruleId: `sgr-1000000000000${String(this.next + i).padStart(4, '0')}`,
      protocol: x.protocol,
      fromPort: x.fromPort,
      toPort: x.toPort,
      cidr: x.cidr,
      source: null,
      description: x.description,
    }));
    this.next += added.length;
    this.groups.put({ ...group, ingress: [...group.ingress, ...added] });
    return { kind: 'authorized', ruleIds: added.map((r) => r.ruleId) };
  }
}
