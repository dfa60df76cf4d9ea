import {
  countsForBreaker,
  decideBreaker,
  decideSlot,
  isQuickDrift,
  takeToken,
} from '../../../lambda/core/limits';

describe('decideSlot', () => {
  it('takes a slot below the cap and keeps at most `limit` stamps', () => {
    expect(decideSlot([1_000, 2_000], 3_000, 3, 10_000)).toEqual({
      kind: 'take',
      next: [1_000, 2_000, 3_000],
    });
    expect(decideSlot([100, 1_000, 2_000], 10_500, 3, 10_000)).toEqual({
      kind: 'take',
      next: [1_000, 2_000, 10_500],
    });
  });

  it('refuses the slot over the cap and says when the oldest leaves the window', () => {
    expect(decideSlot([2_000, 1_000, 3_000], 4_000, 3, 10_000)).toEqual({ kind: 'full', freeAtMs: 11_000 });
  });
});

describe('decideBreaker', () => {
  it('trips on the K-th failure inside the window only', () => {
    expect(decideBreaker([1_000], 2_000, 3, 10_000)).toEqual({ kind: 'count', next: [1_000, 2_000] });
    expect(decideBreaker([1_000, 2_000], 3_000, 3, 10_000)).toEqual({
      kind: 'trip',
      next: [1_000, 2_000, 3_000],
      failures: 3,
    });
    expect(decideBreaker([1_000, 2_000], 11_500, 3, 10_000)).toEqual({
      kind: 'count',
      next: [2_000, 11_500],
    });
  });

  it('counts FAILED and tamper blocks, not guardrail blocks', () => {
    expect(countsForBreaker('FAILED', 'revoke failed')).toBe(true);
    expect(
      countsForBreaker(
        'BLOCKED',
        'approval-invalid: the approval signature does not verify; nothing revoked',
      ),
    ).toBe(true);
    expect(countsForBreaker('BLOCKED', 'plan-tampered: hash differs')).toBe(true);
    expect(countsForBreaker('BLOCKED', 'protected by AWS_SG_REVOKE_PROTECTED_IDS')).toBe(false);
    expect(countsForBreaker('APPLIED', null)).toBe(false);
  });

  it('calls a DRIFT within the hour after the revoke quick', () => {
    expect(isQuickDrift(0, 3_600_000)).toBe(true);
    expect(isQuickDrift(0, 3_600_001)).toBe(false);
    expect(isQuickDrift(Number.NaN, 1)).toBe(false);
  });
});

describe('takeToken (EC2 mutating bucket: 50, 5/s)', () => {
  const spec = { capacity: 50, refillPerSecond: 5 };
  it('spends a full bucket, then waits 200 ms per token, and never holds more than capacity', () => {
    expect(takeToken({ tokens: 50, atMs: 0 }, 0, spec)).toEqual({
      bucket: { tokens: 49, atMs: 0 },
      waitMs: 0,
    });
    expect(takeToken({ tokens: 0, atMs: 0 }, 0, spec).waitMs).toBe(200);
    expect(takeToken({ tokens: 0, atMs: 0 }, 200, spec).waitMs).toBe(0);
    expect(takeToken({ tokens: 10, atMs: 0 }, 3_600_000, spec).bucket.tokens).toBe(49);
  });
});
