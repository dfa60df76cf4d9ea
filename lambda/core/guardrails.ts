import { INTENTIONALLY_OPEN_TAG } from './constants';
import type { Finding, LiveRead } from './model';

export { INTENTIONALLY_OPEN_TAG };

export type GuardrailName =
  | 'protected-id'
  | 'default-group'
  | 'intentionally-open-tag'
  | 'live-group-readable'
  | 'account-allow-list'
  | 'caller-account';

export type Verdict =
  | { readonly guardrail: GuardrailName; readonly kind: 'allow'; readonly detail: string }
  | { readonly guardrail: GuardrailName; readonly kind: 'block'; readonly reason: string };

const allow = (guardrail: GuardrailName, detail: string): Verdict => ({ guardrail, kind: 'allow', detail });
const block = (guardrail: GuardrailName, reason: string): Verdict => ({ guardrail, kind: 'block', reason });

export function checkProtectedId(sgId: string, protectedIds: ReadonlySet<string>): Verdict {
  return protectedIds.has(sgId)
    ? block('protected-id', `target is protected: \`${sgId}\` is in AWS_SG_REVOKE_PROTECTED_IDS`)
    : allow('protected-id', 'not in AWS_SG_REVOKE_PROTECTED_IDS');
}

const DEFAULT_PREFIX = 'default';

/**
 * The VPC default group can't be deleted and backs implicit traffic: never edit it automatically.
 * Like the original, the name is compared lower-cased: `Default-Legacy` is protected too.
 */
export function checkDefaultGroup(findingName: string | null, live: LiveRead | null): Verdict {
  const liveName = live?.kind === 'found' ? live.group.groupName : null;
  if (liveName?.toLowerCase() === DEFAULT_PREFIX) {
    return block('default-group', 'target is protected: live GroupName is `default` (the VPC default group)');
  }
  if ([findingName, liveName].some((name) => name?.toLowerCase().startsWith(DEFAULT_PREFIX))) {
    // The original's words, kept: consumers of its records match on them.
    return block('default-group', 'target is protected: sg-name prefix `default`');
  }
  return allow(
    'default-group',
    liveName !== null ? 'live name is not default' : 'finding name is not default',
  );
}

export function checkIntentionallyOpenTag(live: LiveRead | null): Verdict {
  if (live?.kind !== 'found') return allow('intentionally-open-tag', 'no live tags read (offline)');
  // IAM compares tag keys case-insensitively (the stack's Deny does): so does this guardrail.
  const key = Object.keys(live.group.tags).find((k) => k.toLowerCase() === INTENTIONALLY_OPEN_TAG);
  return key === undefined
    ? allow('intentionally-open-tag', 'no intentionally-open tag')
    : block('intentionally-open-tag', `target is protected: tag \`${key}=${live.group.tags[key]}\``);
}

/** Fail closed: a group that could not be read is never changed, and never assumed safe. */
export function checkLiveGroupReadable(live: LiveRead): Verdict {
  switch (live.kind) {
    case 'found':
      return allow('live-group-readable', 'live group read');
    case 'not-found':
      return block('live-group-readable', 'security group not found in its region');
    case 'error':
      return block('live-group-readable', `live group could not be read: ${live.message}`);
  }
}

export function checkAccountAllowList(accountUid: string, allowed: ReadonlySet<string>): Verdict {
  if (allowed.size === 0) {
    return block(
      'account-allow-list',
      'AWS_SG_REVOKE_ALLOWED_ACCOUNT_IDS is empty: no account may be changed',
    );
  }
  return allowed.has(accountUid)
    ? allow('account-allow-list', 'account is allowed')
    : block(
        'account-allow-list',
        `target account \`${accountUid}\` is not listed in AWS_SG_REVOKE_ALLOWED_ACCOUNT_IDS`,
      );
}

export function checkCallerAccount(accountUid: string, callerAccount: string): Verdict {
  return accountUid === callerAccount
    ? allow('caller-account', 'caller credentials are in the target account')
    : block(
        'caller-account',
        `target account \`${accountUid}\` differs from the caller's STS account \`${callerAccount}\``,
      );
}

export interface GuardrailInput {
  readonly finding: Finding;
  readonly protectedIds: ReadonlySet<string>;
  /** Null when offline (dry-run without --live): the live-only rules are not evaluated. */
  readonly live: LiveRead | null;
  /** Null when the account binding is not part of this mode (offline dry-run without an allow-list). */
  readonly allowedAccounts: ReadonlySet<string> | null;
  /** The STS account of the credentials in use, or null when no AWS call is made. */
  readonly callerAccount: string | null;
}

export interface GuardrailReport {
  readonly verdicts: readonly Verdict[];
  readonly firstBlock: Extract<Verdict, { kind: 'block' }> | null;
}

/** Every rule is evaluated (the approver sees all verdicts); any block blocks. */
export function evaluateGuardrails(input: GuardrailInput): GuardrailReport {
  const { finding } = input;
  const verdicts: Verdict[] = [];
  if (input.allowedAccounts) verdicts.push(checkAccountAllowList(finding.accountUid, input.allowedAccounts));
  if (input.callerAccount !== null)
    verdicts.push(checkCallerAccount(finding.accountUid, input.callerAccount));
  verdicts.push(checkProtectedId(finding.sgId, input.protectedIds));
  if (input.live) verdicts.push(checkLiveGroupReadable(input.live));
  verdicts.push(checkDefaultGroup(finding.sgName, input.live));
  if (input.live) verdicts.push(checkIntentionallyOpenTag(input.live));
  const firstBlock =
    verdicts.find((v): v is Extract<Verdict, { kind: 'block' }> => v.kind === 'block') ?? null;
  return { verdicts, firstBlock };
}

export const isAccountGuardrail = (name: GuardrailName): boolean =>
  name === 'account-allow-list' || name === 'caller-account';
