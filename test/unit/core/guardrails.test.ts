import {
  checkAccountAllowList,
  checkCallerAccount,
  checkDefaultGroup,
  checkIntentionallyOpenTag,
  checkLiveGroupReadable,
  checkProtectedId,
  evaluateGuardrails,
  isAccountGuardrail,
} from '../../../lambda/core/guardrails';
import type { LiveRead } from '../../../lambda/core/model';
import { findingOf, group } from './support';

const found = (overrides: Parameters<typeof group>[0] = {}): LiveRead => ({
  kind: 'found',
  group: group(overrides),
});

describe('one guardrail, one verdict', () => {
  it('protected id: blocks a listed group, allows another', () => {
    const ids = new Set(['sg-0a1b2c3d4e5f60001']);

    expect(checkProtectedId('sg-0a1b2c3d4e5f60001', ids)).toEqual({
      guardrail: 'protected-id',
      kind: 'block',
      reason: 'target is protected: `sg-0a1b2c3d4e5f60001` is in AWS_SG_REVOKE_PROTECTED_IDS',
    });
    expect(checkProtectedId('sg-0a1b2c3d4e5f60002', ids).kind).toBe('allow');
  });

  it('default group: blocks the live name `default` even when the finding names it otherwise', () => {
    const verdict = checkDefaultGroup('web-tier', found({ groupName: 'default' }));

    expect(verdict).toEqual({
      guardrail: 'default-group',
      kind: 'block',
      reason: 'target is protected: live GroupName is `default` (the VPC default group)',
    });
  });

  it('default group: blocks a finding name starting with `default`, offline or live', () => {
    expect(checkDefaultGroup('default', null).kind).toBe('block');
    expect(checkDefaultGroup('default-legacy', found({ groupName: 'legacy' })).kind).toBe('block');
  });

  it('default group: compares names lower-cased, as the original does (`Default-Legacy` is protected)', () => {
    const reason = 'target is protected: sg-name prefix `default`';

    expect(checkDefaultGroup('Default-Legacy', null)).toEqual({
      guardrail: 'default-group',
      kind: 'block',
      reason,
    });
    expect(checkDefaultGroup('DEFAULT', found({ groupName: 'legacy' }))).toMatchObject({
      kind: 'block',
      reason,
    });
    expect(checkDefaultGroup(null, found({ groupName: 'Default-Legacy' }))).toMatchObject({
      kind: 'block',
      reason,
    });
    expect(checkDefaultGroup('web-tier', found({ groupName: 'Default' }))).toMatchObject({
      kind: 'block',
      reason: 'target is protected: live GroupName is `default` (the VPC default group)',
    });
  });

  it('default group: allows other names', () => {
    expect(checkDefaultGroup('web-tier', null)).toEqual({
      guardrail: 'default-group',
      kind: 'allow',
      detail: 'finding name is not default',
    });
    expect(checkDefaultGroup(null, found()).kind).toBe('allow');
    expect(checkDefaultGroup('my-default', found()).kind).toBe('allow');
  });

  it('intentionally-open tag: blocks and quotes the tag value', () => {
    const verdict = checkIntentionallyOpenTag(found({ tags: { 'intentionally-open': 'alb-443' } }));

    expect(verdict).toEqual({
      guardrail: 'intentionally-open-tag',
      kind: 'block',
      reason: 'target is protected: tag `intentionally-open=alb-443`',
    });
  });

  it('intentionally-open tag: blocks an empty tag value too, allows untagged and offline', () => {
    expect(checkIntentionallyOpenTag(found({ tags: { 'intentionally-open': '' } })).kind).toBe('block');
    expect(checkIntentionallyOpenTag(found({ tags: { owner: 'web' } })).kind).toBe('allow');
    expect(checkIntentionallyOpenTag(null).kind).toBe('allow');
  });

  it('intentionally-open tag: matches the key case-insensitively, as the IAM Deny does', () => {
    const verdict = checkIntentionallyOpenTag(found({ tags: { 'Intentionally-Open': 'nlb' } }));

    expect(verdict).toMatchObject({
      kind: 'block',
      reason: 'target is protected: tag `Intentionally-Open=nlb`',
    });
  });

  it('live group readable: fails closed on an error and on a missing group', () => {
    expect(checkLiveGroupReadable({ kind: 'error', message: 'AccessDenied' })).toEqual({
      guardrail: 'live-group-readable',
      kind: 'block',
      reason: 'live group could not be read: AccessDenied',
    });
    expect(checkLiveGroupReadable({ kind: 'not-found' }).kind).toBe('block');
    expect(checkLiveGroupReadable(found()).kind).toBe('allow');
  });

  it('account allow-list: an empty list allows no account', () => {
    expect(checkAccountAllowList('111122223333', new Set()).kind).toBe('block');
    expect(checkAccountAllowList('111122223333', new Set(['111122223333'])).kind).toBe('allow');
    expect(checkAccountAllowList('444455556666', new Set(['111122223333']))).toMatchObject({
      kind: 'block',
      reason: 'target account `444455556666` is not listed in AWS_SG_REVOKE_ALLOWED_ACCOUNT_IDS',
    });
  });

  it('caller account: the credentials must be in the target account', () => {
    expect(checkCallerAccount('111122223333', '111122223333').kind).toBe('allow');
    expect(checkCallerAccount('111122223333', '444455556666').kind).toBe('block');
  });

  it('tells the account guardrails apart', () => {
    expect(
      ['account-allow-list', 'caller-account', 'protected-id'].map((g) => isAccountGuardrail(g as never)),
    ).toEqual([true, true, false]);
  });
});

describe('evaluateGuardrails', () => {
  const finding = findingOf('findings/ssh-open.ipv4.json');

  it('offline: evaluates only the rules that need no AWS call', () => {
    const report = evaluateGuardrails({
      finding,
      protectedIds: new Set(),
      live: null,
      allowedAccounts: null,
      callerAccount: null,
    });

    expect(report.verdicts.map((v) => [v.guardrail, v.kind])).toEqual([
      ['protected-id', 'allow'],
      ['default-group', 'allow'],
    ]);
    expect(report.firstBlock).toBeNull();
  });

  it('live: evaluates every rule and reports the first block, keeping all verdicts', () => {
    const report = evaluateGuardrails({
      finding,
      protectedIds: new Set([finding.sgId]),
      live: found({ tags: { 'intentionally-open': 'alb-443' } }),
      allowedAccounts: new Set(['111122223333']),
      callerAccount: '111122223333',
    });

    expect(report.verdicts.map((v) => [v.guardrail, v.kind])).toEqual([
      ['account-allow-list', 'allow'],
      ['caller-account', 'allow'],
      ['protected-id', 'block'],
      ['live-group-readable', 'allow'],
      ['default-group', 'allow'],
      ['intentionally-open-tag', 'block'],
    ]);
    expect(report.firstBlock?.guardrail).toBe('protected-id');
  });

  it('puts the account binding first', () => {
    const report = evaluateGuardrails({
      finding: findingOf('findings/default-group.json'),
      protectedIds: new Set(),
      live: null,
      allowedAccounts: new Set(['444455556666']),
      callerAccount: null,
    });

    expect(report.firstBlock?.guardrail).toBe('account-allow-list');
  });
});
