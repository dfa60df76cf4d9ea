import { blockedStatus, decidePlan } from '../../../lambda/core/decide';
import type { Verdict } from '../../../lambda/core/guardrails';
import { findingOf, group, offline, rule } from './support';

const ssh = () => findingOf('findings/ssh-open.ipv4.json');
const block = (guardrail: Verdict['guardrail']) =>
  ({ guardrail, kind: 'block', reason: 'r' }) as Extract<Verdict, { kind: 'block' }>;

describe('decidePlan', () => {
  it('plans a valid public finding offline', () => {
    const decision = decidePlan(ssh(), offline);

    expect(decision.kind).toBe('planned');
  });

  it('skips a finding without a public CIDR before any guardrail', () => {
    const decision = decidePlan(findingOf('findings/non-public.json'), {
      ...offline,
      protectedIds: new Set(['sg-0a1b2c3d4e5f60103']),
    });

    expect(decision.kind).toBe('not-public');
  });

  it('blocks a protected id and keeps the plan for the record', () => {
    const decision = decidePlan(ssh(), { ...offline, protectedIds: new Set(['sg-0a1b2c3d4e5f60001']) });

    expect(decision.kind).toBe('blocked');
    expect(decision.kind === 'blocked' && [decision.block.guardrail, decision.plan.sgId]).toEqual([
      'protected-id',
      'sg-0a1b2c3d4e5f60001',
    ]);
  });

  it('never plans when the live group could not be read', () => {
    const decision = decidePlan(ssh(), { ...offline, live: { kind: 'error', message: 'Throttling' } });

    expect(decision).toMatchObject({
      kind: 'unreadable',
      reason: 'live group could not be read: Throttling',
    });
  });

  it('treats a deleted group as already absent', () => {
    const decision = decidePlan(ssh(), { ...offline, live: { kind: 'not-found' } });

    expect(decision).toMatchObject({ kind: 'already-absent', reason: 'security group not found (deleted)' });
  });

  it('is already absent when the live group no longer has the rule', () => {
    const live = group({ ingress: [rule('sgr-0000000000000000d', '0.0.0.0/0', 'tcp', 443, 443)] });

    const decision = decidePlan(ssh(), { ...offline, live: { kind: 'found', group: live } });

    expect(decision.kind).toBe('already-absent');
  });

  it('plans by rule id when the live rule is there', () => {
    const live = group({ ingress: [rule('sgr-0000000000000000a', '0.0.0.0/0', 'tcp', 22, 22)] });

    const decision = decidePlan(ssh(), { ...offline, live: { kind: 'found', group: live } });

    expect(decision.kind === 'planned' && decision.plan.targets.map((t) => t.ruleId)).toEqual([
      'sgr-0000000000000000a',
    ]);
  });

  it('blocks a live group named default even though the finding names it otherwise', () => {
    const live = group({
      groupName: 'default',
      ingress: [rule('sgr-0000000000000000a', '0.0.0.0/0', 'tcp', 22, 22)],
    });

    const decision = decidePlan(ssh(), { ...offline, live: { kind: 'found', group: live } });

    expect(decision.kind === 'blocked' && decision.block.guardrail).toBe('default-group');
  });
});

describe('blockedStatus', () => {
  it.each([
    ['protected-id', true, 'would-violate-protected-sg'],
    ['protected-id', false, 'skipped_protected_sg'],
    ['default-group', true, 'would-violate-protected-sg'],
    ['intentionally-open-tag', false, 'skipped_protected_sg'],
    ['account-allow-list', true, 'skipped_account_boundary'],
    ['caller-account', false, 'skipped_account_boundary'],
    ['live-group-readable', true, 'failure'],
  ] as const)('%s (dry-run %s) → %s', (guardrail, dryRun, status) => {
    expect(blockedStatus(block(guardrail), dryRun)).toBe(status);
  });
});
