import { ThrottledError } from '../core/errors';
import { type Bucket, EC2_MUTATING_BUCKET, takeToken } from '../core/limits';
import { type Where, whereKey } from '../core/model';
import type { Clock, RevokeResult, SecurityGroups } from '../core/ports';

export type Sleep = (ms: number) => Promise<void>;

export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A client-side token bucket per account and region, under EC2's own (its capacity and refill are
 * EC2's mutating bucket), so a burst of approvals waits here instead of being refused by EC2. Clock
 * and sleep are injected: tests move time without waiting.
 */
export class RevokePacer {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly clock: Clock,
    private readonly sleep: Sleep,
    private readonly spec: {
      readonly capacity: number;
      readonly refillPerSecond: number;
    } = EC2_MUTATING_BUCKET,
  ) {}

  /** Waits until a token is free for `key` and takes it; returns how long it waited (ms). */
  async acquire(key: string): Promise<number> {
    let waited = 0;
    for (;;) {
      const now = this.clock.nowMs();
      const bucket = this.buckets.get(key) ?? { tokens: this.spec.capacity, atMs: now };
      const taken = takeToken(bucket, now, this.spec);
      this.buckets.set(key, taken.bucket);
      if (taken.waitMs === 0) return waited;
      await this.sleep(taken.waitMs);
      waited += taken.waitMs;
    }
  }
}

/** Retries after the SDK's own retries gave up on a throttle (RequestLimitExceeded): base × 2^n. */
export const THROTTLE_RETRIES = { attempts: 3, baseMs: 1_000 } as const;

/**
 * The SecurityGroups port with revokes paced and throttles retried. A throttled revoke changed
 * nothing (RevokeSecurityGroupIngress is all-or-nothing), so sending it again is safe; a throttle
 * that outlasts the retries leaves as ThrottledError and the apply ends FAILED, nothing revoked,
 * re-approvable.
 */
export class PacedSecurityGroups implements SecurityGroups {
  constructor(
    private readonly inner: SecurityGroups,
    private readonly pacer: RevokePacer,
    private readonly sleep: Sleep,
  ) {}

  readGroup(where: Where, sgId: string) {
    return this.inner.readGroup(where, sgId);
  }

  readGroups(where: Where, sgIds: readonly string[]) {
    return this.inner.readGroups(where, sgIds);
  }

  /** The bucket is per account and region: the hub's own or a member's, as EC2 counts them. */
  async revokeRules(where: Where, sgId: string, ruleIds: readonly string[]): Promise<RevokeResult> {
    for (let attempt = 0; ; attempt++) {
      await this.pacer.acquire(whereKey(where));
      try {
        return await this.inner.revokeRules(where, sgId, ruleIds);
      } catch (error) {
        if (!(error instanceof ThrottledError) || attempt >= THROTTLE_RETRIES.attempts) throw error;
        await this.sleep(THROTTLE_RETRIES.baseMs * 2 ** attempt);
      }
    }
  }
}
