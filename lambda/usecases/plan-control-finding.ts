import {
  controlFindings,
  DEFAULT_CONTROL_PORTS,
  failingRules,
  groupLevelFinding,
} from '../core/control-rules';
import { type DecideContext, decidePlan, type PlanDecision } from '../core/decide';
import { AwsCallError, messageOf } from '../core/errors';
import { checkAccountAllowList } from '../core/guardrails';
import { type LiveRead, whereOf } from '../core/model';
import { type ControlFinding, parseControlFinding, type SecurityHubShape } from '../core/securityhub-finding';
import { type PlanDeps, type PlanResult, recordDecision, rejectFinding } from './plan-finding';

/**
 * A Security Hub control finding → the actions for exactly the rules the control fails on, read on
 * live state: one action per rule shape, planned like a detector finding (same guardrails, rule ids
 * shown to the approver). When no rule can be named, one group-level SKIPPED action keeps the record.
 */
export async function planControlFinding(
  deps: PlanDeps,
  shape: SecurityHubShape,
  input: unknown,
): Promise<PlanResult[]> {
  const parsed = parseControlFinding(shape, input);
  if (!parsed.ok) return [await rejectFinding(deps, parsed.error)];
  const cf = parsed.value;
  const { config } = deps;
  // Never read the groups of an account this deployment may not touch (as previewFinding does).
  const allowed = checkAccountAllowList(cf.accountUid, config.allowedAccounts).kind === 'allow';
  const where = whereOf(cf);
  let caller: { account: string; arn: string } | null = null;
  try {
    caller = allowed ? await deps.accounts.identityIn(where, 'read') : null;
  } catch (error) {
    // No credentials in that account (member role missing, AssumeRole denied): retried, never skipped.
    throw new AwsCallError(`no credentials for account ${cf.accountUid}: ${messageOf(error)}`, undefined);
  }
  const live: LiveRead | null =
    allowed && caller?.account === cf.accountUid ? await deps.securityGroups.readGroup(where, cf.sgId) : null;
  if (live?.kind === 'error')
    throw new AwsCallError(`live group could not be read: ${live.message}`, undefined);
  const ctx: DecideContext = {
    protectedIds: config.protectedIds,
    allowedAccounts: config.allowedAccounts,
    callerAccount: caller?.account ?? null,
    live,
  };
  const ports = config.controlPorts ?? DEFAULT_CONTROL_PORTS;
  const failing = live?.kind === 'found' ? failingRules(cf.control, live.group.ingress, ports) : [];
  const callerArn = caller?.arn ?? null;
  if (failing.length === 0) {
    return [await recordDecision(deps, groupLevelDecision(cf, ctx), callerArn)];
  }
  const results: PlanResult[] = [];
  for (const finding of controlFindings(cf, failing, ports)) {
    results.push(await recordDecision(deps, decidePlan(finding, ctx), callerArn));
  }
  return results;
}

/**
 * The group-level record: a guardrail block or a deleted group as decided for any finding; otherwise
 * no public rule fails the control on the live group now, which is already absent (never a revoke).
 */
function groupLevelDecision(cf: ControlFinding, ctx: DecideContext): PlanDecision {
  const decision = decidePlan(groupLevelFinding(cf), ctx);
  if (decision.kind !== 'planned' && decision.kind !== 'unmatched') return decision;
  return {
    kind: 'already-absent',
    finding: decision.finding,
    plan: decision.plan,
    report: decision.report,
    reason: `no public ingress rule of ${cf.sgId} fails ${cf.control} on live state`,
  };
}
