import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, ScheduledEvent } from 'aws-lambda';
import {
  actionStore,
  controlStore,
  ec2Clients,
  eventBridgePublisher,
  evidenceStore,
  securityGroups,
  sweepCheckpoints,
} from '../adapters/factories';
import { loadConfig } from '../config/config';
import { loadReverifyConfig } from '../config/reverify-config';
import { LIMIT_METRICS } from '../core/limits';
import { METRICS_NAMESPACE, REVERIFY_METRICS } from '../core/reverify-metrics';
import { tripBreakerOnQuickDrift } from '../usecases/pause-control';
import { type ReverifyDeps, reverifyActions } from '../usecases/reverify-actions';
import { logger, systemClock } from './runtime';

const config = {
  ...loadConfig(process.env, [
    'actionsTable',
    'auditTable',
    'auditBucket',
    'kmsKeyArn',
    'eventBus',
    'organizationId',
    'verifyWindowDays',
  ]),
  ...loadReverifyConfig(process.env),
};
const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: 'sg-revoke-reverify' });
const evidence = evidenceStore(config);
const events = eventBridgePublisher(config.eventBus);
const breaker = { control: controlStore(config), evidence, events, clock: systemClock };
const deps: ReverifyDeps = {
  securityGroups: securityGroups(ec2Clients({ fn: 'reverify', organizationId: config.organizationId })),
  actions: actionStore(config),
  evidence,
  events,
  checkpoints: sweepCheckpoints(config),
  clock: systemClock,
  mode: 'lambda',
  config,
  // A revoke followed by DRIFT within the hour trips the circuit breaker: every apply pauses.
  onQuickDrift: (action, why) =>
    tripBreakerOnQuickDrift(
      { ...breaker, onTrip: () => metrics.addMetric(LIMIT_METRICS.breakerTripped, MetricUnit.Count, 1) },
      action.finding,
      why,
    ),
};

/** Leaves time to save the cursor and flush metrics before Lambda stops the run. */
const STOP_MARGIN_MS = 30_000;

/**
 * Schedule → one reverify run. A failed check is counted, logged and alarmed (metric), never thrown:
 * a thrown run would be retried whole. Only a failure of the run itself (the index unreadable, the
 * cursor unsaved) throws, and its retry continues from the saved cursor.
 */
export const handler = async (event: ScheduledEvent, context: Context) => {
  logger.addContext(context);
  const summary = await reverifyActions(deps, {
    runId: event.id,
    deadlineMs: Date.now() + context.getRemainingTimeInMillis() - STOP_MARGIN_MS,
  });
  const m = REVERIFY_METRICS;
  for (const [name, value] of [
    [m.checked, summary.checked],
    [m.recorded, summary.recorded],
    [m.confirmed, summary.confirmed],
    [m.drift, summary.drift],
    [m.unreachable, summary.unreachable],
    [m.checkErrors, summary.errors],
    [m.incomplete, summary.complete ? 0 : 1],
  ] as const) {
    metrics.addMetric(name, MetricUnit.Count, value);
  }
  metrics.publishStoredMetrics();
  const log = summary.errors > 0 ? logger.error.bind(logger) : logger.info.bind(logger);
  log('reverify finished', { ...summary });
  return summary;
};
