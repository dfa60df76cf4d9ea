import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, EventBridgeEvent, SQSEvent, SQSRecord } from 'aws-lambda';
import {
  actionStore,
  callerIdentity,
  ec2Clients,
  eventBridgePublisher,
  flowLogs,
  networkInterfaces,
  securityGroups,
} from '../adapters/factories';
import { loadConfig } from '../config/config';
import { batchPlanner } from '../usecases/plan-batch';
import type { PlanResult } from '../usecases/plan-finding';
import { logger, systemClock } from './runtime';

// Parsed once per cold start: a bad variable fails here, named, before any AWS call.
const config = loadConfig(process.env, [
  'actionsTable',
  'eventBus',
  'protectedIds',
  'allowedAccounts',
  'organizationId',
  'approvalTtlHours',
  'highRiskPorts',
  'authorizedTcpPorts',
  'authorizedUdpPorts',
  'flowLogsLogGroup',
  'flowLogsDays',
  'awsRegion',
]);
const hub = callerIdentity();
const clients = ec2Clients({ fn: 'plan', organizationId: config.organizationId, hub });
const deps = {
  securityGroups: securityGroups(clients),
  accounts: clients,
  actions: actionStore(config),
  events: eventBridgePublisher(config.eventBus),
  clock: systemClock,
  config: {
    ...config,
    controlPorts: {
      highRiskPorts: config.highRiskPorts,
      authorizedTcpPorts: config.authorizedTcpPorts,
      authorizedUdpPorts: config.authorizedUdpPorts,
    },
  },
};
const impact = {
  networkInterfaces: networkInterfaces(clients),
  flowLogs: flowLogs(config),
  // The log group is the hub's: a member account's group is never looked up in it.
  flowLogsAccount: async () => (await hub.whoAmI()).account,
};
const processor = new BatchProcessor(EventType.SQS);

/** Flow Logs queries stop this long before the timeout: recording the batch's plans comes first. */
const FLOW_RESERVE_MS = 60_000;

const depsFor = (context: Context) => ({
  ...deps,
  impact: { ...impact, flowDeadlineMs: Date.now() + context.getRemainingTimeInMillis() - FLOW_RESERVE_MS },
});

function logResult(result: PlanResult, keys: Record<string, string>): void {
  if (result.kind === 'rejected') {
    logger.warn('finding rejected', {
      rejection: result.rejection.kind,
      reason: result.rejection.reason,
      ...keys,
    });
    return;
  }
  const { action } = result;
  logger.info(result.kind === 'duplicate' ? 'duplicate finding: action exists' : 'action recorded', {
    action_id: action.actionId,
    finding_uid: action.finding.findingUid,
    sg_id: action.finding.sgId,
    status: action.status,
    ...keys,
  });
}

const isSqs = (event: SQSEvent | EventBridgeEvent<string, unknown>): event is SQSEvent =>
  Array.isArray((event as SQSEvent).Records);

/**
 * SQS (EventBridge findings) → one action per finding. The groups of the whole batch are read first,
 * once per region; then each message is planned on its own. A message that fails (a poison body, a
 * transient error) is reported in `batchItemFailures`: SQS redelivers it, then dead-letters it.
 * A direct EventBridge invocation (a replay, a test) is planned the same way and throws on failure.
 */
export const handler = async (event: SQSEvent | EventBridgeEvent<string, unknown>, context: Context) => {
  logger.addContext(context);
  if (!isSqs(event)) {
    const body = JSON.stringify(event);
    const [first, ...more] = await (await batchPlanner(depsFor(context), [body])).plan(body);
    for (const result of [first, ...more]) if (result) logResult(result, { event_id: event.id });
    if (!first || first.kind === 'rejected') return { outcome: 'rejected', reason: first?.rejection.reason };
    return {
      outcome: first.kind,
      actionId: first.action.actionId,
      status: first.action.status,
      more: more.length,
    };
  }
  const planner = await batchPlanner(
    depsFor(context),
    event.Records.map((r) => r.body),
  );
  const planRecord = async (record: SQSRecord) => {
    const results = await planner.plan(record.body);
    for (const result of results) logResult(result, { message_id: record.messageId });
    return results.length;
  };
  return processPartialResponse(event, planRecord, processor, { context, throwOnFullBatchFailure: false });
};
