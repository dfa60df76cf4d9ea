import { messageOf } from '../core/errors';
import {
  buildFlowQuery,
  FLOW_QUERY,
  flowTimeRange,
  parseFlowResults,
  queriedInterfaces,
} from '../core/flow-query';
import { buildImpact, type FlowEvidence, type Impact, type InterfaceListing } from '../core/impact';
import type { Plan } from '../core/plan';
import type { Clock, FlowLogs, NetworkInterfaces } from '../core/ports';

export interface ImpactDeps {
  readonly networkInterfaces: NetworkInterfaces;
  /** Null when the deployment names no VPC Flow Logs group. */
  readonly flowLogs: FlowLogs | null;
  readonly clock: Clock;
  /**
   * Epoch ms after which no Flow Logs query is started or waited for: a batch of findings shares the
   * plan function's timeout, and the preview must never cost the plan itself.
   */
  readonly flowDeadlineMs?: number;
  /**
   * The account whose flows the log group holds (the hub's own). A group of another account (a
   * member's) is never queried there: zero flows would read as "nobody uses it" when nobody looked.
   */
  readonly flowLogsAccount?: () => Promise<string>;
}

/** The longest one Flow Logs query may take, whatever time the batch has left. */
export const FLOW_QUERY_BUDGET_MS = 10_000;

/** What uses the plan's group, and optionally who reached its flagged ports: never throws. */
export async function previewImpact(deps: ImpactDeps, plan: Plan): Promise<Impact> {
  let listing: InterfaceListing;
  try {
    listing = await deps.networkInterfaces.listByGroup(
      { accountUid: plan.accountUid, region: plan.region },
      plan.sgId,
    );
  } catch (error) {
    listing = { kind: 'error', message: `listing the group's interfaces failed: ${messageOf(error)}` };
  }
  return buildImpact(listing, plan.publicCidrs, await flowEvidence(deps, plan, listing));
}

async function flowEvidence(deps: ImpactDeps, plan: Plan, listing: InterfaceListing): Promise<FlowEvidence> {
  const flowLogs = deps.flowLogs;
  if (!flowLogs) return { status: 'not-configured' };
  if (listing.kind === 'error') return { status: 'skipped', reason: 'the interfaces could not be listed' };
  const interfaceIds = queriedInterfaces(listing.interfaces.map((i) => i.interfaceId));
  if (interfaceIds.length === 0) return { status: 'skipped', reason: 'no interface carries the group' };
  if (plan.region !== flowLogs.region) {
    return {
      status: 'skipped',
      reason: `the Flow Logs group is in ${flowLogs.region}, the group in ${plan.region}`,
    };
  }
  if (deps.flowLogsAccount) {
    let account: string;
    try {
      account = await deps.flowLogsAccount();
    } catch (error) {
      return { status: 'unavailable', days: flowLogs.days, reason: `account unknown: ${messageOf(error)}` };
    }
    if (account !== plan.accountUid) {
      return {
        status: 'skipped',
        reason: `the Flow Logs group is in account ${account}, the group in ${plan.accountUid}`,
      };
    }
  }
  const days = flowLogs.days;
  const nowMs = deps.clock.nowMs();
  const deadlineMs = Math.min(nowMs + FLOW_QUERY_BUDGET_MS, deps.flowDeadlineMs ?? Number.POSITIVE_INFINITY);
  if (deadlineMs <= nowMs) {
    return { status: 'unavailable', days, reason: 'no time left in this plan run for a Flow Logs query' };
  }
  try {
    const answer = await flowLogs.run({
      queryString: buildFlowQuery({ ...plan, interfaceIds }),
      ...flowTimeRange(nowMs, days),
      limit: FLOW_QUERY.rowLimit,
      deadlineMs,
    });
    if (answer.kind === 'unavailable') return { status: 'unavailable', days, reason: answer.reason };
    const counts = parseFlowResults(answer.results);
    if (!counts.ok) return { status: 'unavailable', days, reason: `unreadable results: ${counts.error}` };
    return {
      status: 'computed',
      days,
      logGroup: flowLogs.logGroup,
      interfacesQueried: interfaceIds.length,
      ...counts.value,
    };
  } catch (error) {
    return { status: 'unavailable', days, reason: messageOf(error) };
  }
}
