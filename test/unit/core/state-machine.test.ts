import { ACTION_STATUSES, type ActionStatus, canTransition } from '../../../lambda/core/state-machine';

const LEGAL: readonly (readonly [ActionStatus, ActionStatus])[] = [
  ['PENDING_APPROVAL', 'APPROVED'],
  ['PENDING_APPROVAL', 'REJECTED'],
  ['PENDING_APPROVAL', 'EXPIRED'],
  ['PENDING_APPROVAL', 'APPLYING'],
  ['FAILED', 'APPLYING'],
  ['APPROVED', 'APPLYING'],
  ['APPLYING', 'APPLIED'],
  ['APPLYING', 'ALREADY_ABSENT'],
  ['APPLYING', 'BLOCKED'],
  ['APPLYING', 'FAILED'],
  ['FAILED', 'APPROVED'],
  ['FAILED', 'REJECTED'],
  ['FAILED', 'EXPIRED'],
  // An approved rollback (DESIGN §13).
  ['APPLIED', 'ROLLED_BACK'],
  ['ALREADY_ABSENT', 'ROLLED_BACK'],
];

describe('the action state machine (DESIGN §2)', () => {
  it.each(LEGAL)('allows %s → %s', (from, to) => {
    expect(canTransition(from, to)).toBe(true);
  });

  it.each([
    ['PENDING_APPROVAL', 'APPLIED'],
    ['APPROVED', 'APPLIED'],
    ['APPROVED', 'REJECTED'],
    ['APPLIED', 'APPLYING'],
    ['APPLIED', 'APPROVED'],
    ['REJECTED', 'APPROVED'],
    ['EXPIRED', 'APPROVED'],
    ['SKIPPED', 'APPROVED'],
    ['SKIPPED', 'PENDING_APPROVAL'],
    ['BLOCKED', 'APPROVED'],
    ['ALREADY_ABSENT', 'APPLYING'],
    ['APPLYING', 'APPLYING'],
    ['BLOCKED', 'ROLLED_BACK'],
    ['SKIPPED', 'ROLLED_BACK'],
    ['FAILED', 'ROLLED_BACK'],
    ['ROLLED_BACK', 'APPLIED'],
    ['ROLLED_BACK', 'PENDING_APPROVAL'],
  ] as const)('refuses %s → %s', (from, to) => {
    expect(canTransition(from, to)).toBe(false);
  });

  it('allows exactly the legal transitions among all pairs', () => {
    const allowed = ACTION_STATUSES.flatMap((from) =>
      ACTION_STATUSES.filter((to) => canTransition(from, to)).map((to) => `${from}->${to}`),
    );

    expect(allowed.sort()).toEqual(LEGAL.map(([from, to]) => `${from}->${to}`).sort());
  });
});
