import type { Context, ScheduledEvent } from 'aws-lambda';
import {
  actionStore,
  approvalVerifier,
  auditTrail,
  controlStore,
  eventBridgePublisher,
  evidenceArchive,
} from '../adapters/factories';
import { loadConfig } from '../config/config';
import type { AuditVerdict } from '../core/audit-verify';
import type { LifecycleEvent } from '../core/ports';
import { type AuditVerifyDeps, verifyAuditSince } from '../usecases/verify-audit';
import { logger, systemClock } from './runtime';

/** Actions live about 91 days in the table (TTL): the daily check covers all of them. */
const LOOKBACK_MS = 92 * 86_400_000;

const config = loadConfig(process.env, [
  'actionsTable',
  'auditTable',
  'auditBucket',
  'approvalKeyArn',
  'eventBus',
]);
const deps: AuditVerifyDeps = {
  actions: actionStore(config),
  trail: auditTrail(config.auditTable),
  archive: evidenceArchive(config.auditBucket),
  verifier: approvalVerifier(config.approvalKeyArn),
  control: controlStore(config),
};
const events = eventBridgePublisher(config.eventBus);

/**
 * Daily: every recent action's audit checked end to end (DESIGN §11). Each tampered action becomes a
 * `Tamper Detected` event (alarmed, and pushed to the approvers' topic). A check that cannot run
 * throws, so the invocation fails into its DLQ and alarm rather than reporting a clean audit.
 */
export const handler = async (_event: ScheduledEvent, context: Context) => {
  logger.addContext(context);
  const since = new Date(systemClock.nowMs() - LOOKBACK_MS).toISOString();
  let checked = 0;
  const tampered: LifecycleEvent[] = [];
  let pending: LifecycleEvent[] = [];
  for await (const verdict of verifyAuditSince(deps, since)) {
    checked += 1;
    if (verdict.status !== 'tampered') continue;
    tampered.push(tamperEvent(verdict));
    pending.push(tamperEvent(verdict));
    // Published as found, so a later failure of the run cannot swallow what was already found.
    if (pending.length === 10) {
      await events.publish(pending);
      pending = [];
    }
  }
  await events.publish(pending);
  const summary = { since, checked, tampered: tampered.length };
  logger.info('audit verify finished', summary);
  return summary;
};

const tamperEvent = (v: AuditVerdict): LifecycleEvent => ({
  detailType: 'Tamper Detected',
  detail: { action_id: v.action_id, status: v.action_status, reason: 'audit-tampered', problems: v.problems },
});
