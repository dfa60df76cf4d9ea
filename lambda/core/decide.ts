import type { RecordStatus } from './action';
import { evaluateGuardrails, type GuardrailReport, isAccountGuardrail, type Verdict } from './guardrails';
import type { Sha256Hex } from './hash';
import type { Finding, LiveRead } from './model';
import { type Plan, planRevoke } from './plan';

export interface DecideContext {
  readonly protectedIds: ReadonlySet<string>;
  readonly allowedAccounts: ReadonlySet<string> | null;
  readonly callerAccount: string | null;
  /** Null offline: tags, the live name and live rule ids are then unknown. */
  readonly live: LiveRead | null;
  /** The SHA-256 to use (default: the pure-JS one); the CLI passes node:crypto's for speed. */
  readonly sha256Hex?: Sha256Hex;
}

type Blocked = Extract<Verdict, { kind: 'block' }>;

export type PlanDecision =
  | { readonly kind: 'not-public'; readonly finding: Finding; readonly reason: string }
  | { readonly kind: 'unreadable'; readonly finding: Finding; readonly reason: string }
  | {
      readonly kind: 'blocked';
      readonly finding: Finding;
      readonly block: Blocked;
      readonly report: GuardrailReport;
      readonly plan: Plan;
    }
  | {
      readonly kind: 'already-absent';
      readonly finding: Finding;
      readonly plan: Plan;
      readonly reason: string;
      readonly report: GuardrailReport;
    }
  | {
      readonly kind: 'unmatched';
      readonly finding: Finding;
      readonly plan: Plan;
      readonly reason: string;
      readonly report: GuardrailReport;
    }
  | {
      readonly kind: 'planned';
      readonly finding: Finding;
      readonly plan: Plan;
      readonly report: GuardrailReport;
    };

/** One finding → what should happen to it. Pure: every input (live state included) is passed in. */
export function decidePlan(finding: Finding, ctx: DecideContext): PlanDecision {
  const live = ctx.live;
  if (live?.kind === 'error') {
    return { kind: 'unreadable', finding, reason: `live group could not be read: ${live.message}` };
  }
  const outcome = planRevoke(finding, live?.kind === 'found' ? live.group : null, ctx.sha256Hex);
  if (outcome.kind === 'not-public') return { kind: 'not-public', finding, reason: outcome.reason };
  const report = evaluateGuardrails({
    finding,
    protectedIds: ctx.protectedIds,
    live: live?.kind === 'found' ? live : null,
    allowedAccounts: ctx.allowedAccounts,
    callerAccount: ctx.callerAccount,
  });
  if (report.firstBlock)
    return { kind: 'blocked', finding, block: report.firstBlock, report, plan: outcome.plan };
  if (live?.kind === 'not-found') {
    return {
      kind: 'already-absent',
      finding,
      plan: outcome.plan,
      reason: 'security group not found (deleted)',
      report,
    };
  }
  if (outcome.kind === 'already-absent' || outcome.kind === 'unmatched') {
    return { kind: outcome.kind, finding, plan: outcome.plan, reason: outcome.reason, report };
  }
  return { kind: 'planned', finding, plan: outcome.plan, report };
}

/** A permission that resolves to no live rule while the exposure remains is skipped, with the reason. */
export const UNMATCHED_STATUS: RecordStatus = 'skipped_invalid_finding';

/** The §6 status a guardrail block maps to, in dry-run or in apply. */
export function blockedStatus(block: Blocked, dryRun: boolean): RecordStatus {
  if (isAccountGuardrail(block.guardrail)) return 'skipped_account_boundary';
  if (block.guardrail === 'live-group-readable') return 'failure';
  return dryRun ? 'would-violate-protected-sg' : 'skipped_protected_sg';
}
