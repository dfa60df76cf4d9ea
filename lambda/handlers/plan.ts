import type { Context, EventBridgeEvent } from 'aws-lambda';
import { actionStore, callerIdentity, eventBridgePublisher, securityGroups } from '../adapters/factories';
import { loadConfig } from '../config/config';
import { planFinding } from '../usecases/plan-finding';
import { logger, systemClock } from './runtime';

// Parsed once per cold start: a bad variable fails here, named, before any AWS call.
const config = loadConfig(process.env, [
  'actionsTable',
  'eventBus',
  'protectedIds',
  'allowedAccounts',
  'approvalTtlHours',
]);
const deps = {
  securityGroups: securityGroups(),
  callerIdentity: callerIdentity(),
  actions: actionStore(config),
  events: eventBridgePublisher(config.eventBus),
  clock: systemClock,
  config,
};

/** EventBridge (detector finding) → one action. Throws on transient errors so the rule retries, then DLQs. */
export const handler = async (event: EventBridgeEvent<string, unknown>, context: Context) => {
  logger.addContext(context);
  const result = await planFinding(deps, event.detail);
  if (result.kind === 'rejected') {
    logger.warn('finding rejected', {
      rejection: result.rejection.kind,
      reason: result.rejection.reason,
      event_id: event.id,
    });
    return { outcome: 'rejected', reason: result.rejection.reason };
  }
  const { action } = result;
  logger.info(result.kind === 'duplicate' ? 'duplicate finding: action exists' : 'action recorded', {
    action_id: action.actionId,
    finding_uid: action.finding.findingUid,
    sg_id: action.finding.sgId,
    status: action.status,
    record_status: action.recordStatus,
  });
  return { outcome: result.kind, actionId: action.actionId, status: action.status };
};
