import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import {
  actionStore,
  approvalVerifier,
  callerIdentity,
  controlStore,
  ec2Clients,
  eventBridgePublisher,
  evidenceStore,
  securityGroups,
} from '../adapters/factories';
import { loadConfig } from '../config/config';
import { LIMIT_METRICS } from '../core/limits';
import { METRICS_NAMESPACE } from '../core/reverify-metrics';
import type { GatedApplyDeps } from '../usecases/apply-gate';
import { PacedSecurityGroups, RevokePacer, realSleep } from '../usecases/paced-security-groups';
import { logger, systemClock } from './runtime';

export const applyConfig = loadConfig(process.env, [
  'actionsTable',
  'auditTable',
  'auditBucket',
  'kmsKeyArn',
  'eventBus',
  'protectedIds',
  'allowedAccounts',
  'organizationId',
  'idempotencyTable',
  'approvalKeyArn',
  'maxRevokesPerHour',
  'breakerThreshold',
]);

const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: 'sg-revoke-apply' });
const pacer = new RevokePacer(systemClock, realSleep);
const identity = callerIdentity();
const clients = ec2Clients({ fn: 'apply', organizationId: applyConfig.organizationId, hub: identity });

async function build(): Promise<GatedApplyDeps> {
  // The breaker's audit rows name the hub's own account and role (the pace bucket is per target).
  const me = await identity.whoAmI();
  const config = applyConfig;
  return {
    securityGroups: new PacedSecurityGroups(securityGroups(clients), pacer, realSleep),
    accounts: clients,
    actions: actionStore(config),
    evidence: evidenceStore(config),
    events: eventBridgePublisher(config.eventBus),
    control: controlStore(config),
    clock: systemClock,
    mode: 'lambda',
    config,
    verifier: approvalVerifier(config.approvalKeyArn),
    limits: { maxRevokesPerHour: config.maxRevokesPerHour },
    breaker: {
      threshold: config.breakerThreshold,
      by: me.arn,
      mode: 'lambda',
      accountUid: me.account,
      region: process.env.AWS_REGION ?? 'unknown',
    },
    onTrip: (reason) => {
      logger.error('circuit breaker tripped: applies paused', { reason });
      metrics.addMetric(LIMIT_METRICS.breakerTripped, MetricUnit.Count, 1);
    },
    onDeadlinePassed: () => metrics.addMetric(LIMIT_METRICS.deadlinePassed, MetricUnit.Count, 1),
  };
}

let built: Promise<GatedApplyDeps> | null = null;

/** Built on first use (it needs the STS identity); a failed build is tried again next time. */
export function applyDepsOnce(): Promise<GatedApplyDeps> {
  built ??= build().catch((error: unknown) => {
    built = null;
    throw error;
  });
  return built;
}

/** Flushes the counts of this invocation, if any (an empty flush only logs a warning). */
export function publishLimitMetrics(): void {
  if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
}
