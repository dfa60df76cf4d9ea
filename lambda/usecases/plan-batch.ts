import { SgRevokeError } from '../core/errors';
import { parseFinding } from '../core/finding';
import { type Finding, type LiveRead, type Where, whereKey, whereOf } from '../core/model';
import type { SecurityGroups } from '../core/ports';
import {
  SECURITY_HUB_ASFF_DETAIL_TYPE,
  SECURITY_HUB_SOURCE,
  SECURITY_HUB_V2_DETAIL_TYPE,
  type SecurityHubShape,
} from '../core/securityhub-finding';
import { GroupReads } from './group-reads';
import { planControlFinding } from './plan-control-finding';
import { type PlanDeps, type PlanResult, planFinding } from './plan-finding';

/** A queue message that can never be planned (not JSON, no `detail`, an empty array): to the DLQ. */
export class PoisonMessageError extends SgRevokeError {
  override readonly name = 'PoisonMessageError';
}

/**
 * The findings of one queue message: the body is the EventBridge event; its `detail` is one finding,
 * or an array of them, each planned on its own. Anything else throws, so the message is retried and
 * then dead-lettered instead of being dropped with one `Action Skipped`.
 */
export function findingsOf(body: string): unknown[] {
  let event: unknown;
  try {
    event = JSON.parse(body);
  } catch (error) {
    throw new PoisonMessageError('message body is not JSON', { cause: error });
  }
  if (typeof event !== 'object' || event === null || !('detail' in event)) {
    throw new PoisonMessageError('message body is not an EventBridge event with a detail');
  }
  const detail = (event as { detail: unknown }).detail;
  if (!Array.isArray(detail)) return [detail];
  if (detail.length === 0) throw new PoisonMessageError('detail is an empty array: no finding to plan');
  return detail;
}

/** One finding of a queue message, with the shape its event says it has. */
export type IntakeItem =
  | { readonly shape: 'detector'; readonly input: unknown }
  | { readonly shape: SecurityHubShape; readonly input: unknown };

const SECURITY_HUB_SHAPES: Readonly<Record<string, SecurityHubShape>> = {
  [SECURITY_HUB_V2_DETAIL_TYPE]: 'securityhub-ocsf',
  [SECURITY_HUB_ASFF_DETAIL_TYPE]: 'securityhub-asff',
};

/**
 * The findings of one queue message, by source: a Security Hub event (`source: aws.securityhub`)
 * carries them in `detail.findings[]`, in OCSF (`Findings Imported V2`) or ASFF; anything else is
 * the detector's (`detail` is one finding or an array). A message that fits neither throws (DLQ).
 */
export function intakeOf(body: string): IntakeItem[] {
  const detail = findingsOf(body);
  const event = JSON.parse(body) as Record<string, unknown>;
  if (event.source !== SECURITY_HUB_SOURCE) return detail.map((input) => ({ shape: 'detector', input }));
  const shape = SECURITY_HUB_SHAPES[String(event['detail-type'])];
  if (shape === undefined) {
    throw new PoisonMessageError(
      `Security Hub detail-type ${JSON.stringify(event['detail-type'])} is not a findings event`,
    );
  }
  const findings = (detail[0] as { findings?: unknown } | null)?.findings;
  if (detail.length !== 1 || !Array.isArray(findings) || findings.length === 0) {
    throw new PoisonMessageError('Security Hub event has no detail.findings[] to plan');
  }
  return findings.map((input) => ({ shape, input }));
}

/** Reads come from the batch's one describe per account and region; anything else goes to EC2 as usual. */
class PrefetchedGroups implements SecurityGroups {
  constructor(
    private readonly inner: SecurityGroups,
    private readonly read: (where: Where, sgId: string) => LiveRead | undefined,
  ) {}
  async readGroup(where: Where, sgId: string): Promise<LiveRead> {
    return this.read(where, sgId) ?? this.inner.readGroup(where, sgId);
  }
  readGroups(where: Where, sgIds: readonly string[]) {
    return this.inner.readGroups(where, sgIds);
  }
  revokeRules(where: Where, sgId: string, ruleIds: readonly string[]) {
    return this.inner.revokeRules(where, sgId, ruleIds);
  }
}

/**
 * The findings whose groups may be read ahead: those of accounts where the read credentials report
 * that very account (planFinding's own gate). An account whose credentials fail is left to its
 * findings, which then fail on their own.
 */
async function readableFindings(deps: PlanDeps, findings: readonly Finding[]): Promise<Finding[]> {
  const byAccount = new Map<string, Finding[]>();
  for (const f of findings) byAccount.set(f.accountUid, [...(byAccount.get(f.accountUid) ?? []), f]);
  const readable: Finding[] = [];
  for (const [account, list] of byAccount) {
    const identity = await deps.accounts.identityIn(whereOf(list[0] as Finding), 'read').catch(() => null);
    if (identity?.account === account) readable.push(...list);
  }
  return readable;
}

export interface BatchPlanner {
  /** Plans every finding of one message; throws (the message fails) on a poison body or a transient error. */
  plan(body: string): Promise<PlanResult[]>;
}

/**
 * Plan for a whole batch: the groups every finding of the batch names are read once, per region
 * (and the caller's account), before any finding is planned, so a burst of findings on a few groups
 * costs two describe calls per region instead of two per finding.
 */
export async function batchPlanner(deps: PlanDeps, bodies: readonly string[]): Promise<BatchPlanner> {
  const findings: Finding[] = [];
  for (const body of bodies) {
    let inputs: IntakeItem[] = [];
    try {
      inputs = intakeOf(body);
    } catch {
      continue; // reported when that message is planned
    }
    for (const input of inputs) {
      if (input.shape !== 'detector') continue; // control findings read their group on their own
      const parsed = parseFinding(input.input);
      if (parsed.ok && deps.config.allowedAccounts.has(parsed.value.accountUid)) findings.push(parsed.value);
    }
  }
  // Never read the groups of an account this deployment may not touch (as planFinding does).
  const mine = await readableFindings(deps, findings);
  const reads = new GroupReads(deps.securityGroups);
  await reads.load(mine);
  const prefetched = new Set(mine.map((f) => `${whereKey(f)}/${f.sgId}`));
  const groups = new PrefetchedGroups(deps.securityGroups, (where, sgId) =>
    prefetched.has(`${whereKey(where)}/${sgId}`) ? reads.get(where, sgId) : undefined,
  );
  const batchDeps: PlanDeps = { ...deps, securityGroups: groups };
  return {
    async plan(body) {
      const results: PlanResult[] = [];
      for (const item of intakeOf(body)) {
        if (item.shape === 'detector') results.push(await planFinding(batchDeps, item.input));
        else results.push(...(await planControlFinding(batchDeps, item.shape, item.input)));
      }
      return results;
    },
  };
}
