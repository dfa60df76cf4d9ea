import type { Context, ScheduledEvent } from 'aws-lambda';
import { actionStore, eventBridgePublisher, evidenceStore, securityGroups } from '../adapters/factories';
import { loadConfig } from '../config/config';
import { SgRevokeError } from '../core/errors';
import { type ReverifyDeps, reverifyActions } from '../usecases/reverify-actions';
import { logger, systemClock } from './runtime';

const config = loadConfig(process.env, [
  'actionsTable',
  'auditTable',
  'auditBucket',
  'kmsKeyArn',
  'eventBus',
  'verifyWindowDays',
]);
const deps: ReverifyDeps = {
  securityGroups: securityGroups(),
  actions: actionStore(config),
  evidence: evidenceStore(config),
  events: eventBridgePublisher(config.eventBus),
  clock: systemClock,
  mode: 'lambda',
  config,
};

/** Schedule → VERIFIED / DRIFT / UNREACHABLE for every recent revoke; any failed check fails the run. */
export const handler = async (_event: ScheduledEvent, context: Context) => {
  logger.addContext(context);
  const summary = await reverifyActions(deps);
  logger.info('reverify finished', { ...summary, failures: summary.failures.slice(0, 20) });
  if (summary.errors > 0) {
    throw new SgRevokeError(
      `reverify: ${summary.errors} check(s) could not be recorded: ${summary.failures.slice(0, 5).join('; ')}`,
    );
  }
  return summary;
};
