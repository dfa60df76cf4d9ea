import { Logger } from '@aws-lambda-powertools/logger';
import type { Clock } from '../core/ports';

/** One structured logger for every handler (STYLE §8); keys are added per action, never payloads. */
export const logger = new Logger({ serviceName: 'sg-revoke' });

export const systemClock: Clock = { nowMs: () => Date.now() };

/** Runs `fn` with the action's keys on every log line, then removes them. */
export async function withActionKeys<T>(
  keys: { action_id?: string; finding_uid?: string; sg_id?: string },
  fn: () => Promise<T>,
): Promise<T> {
  logger.appendKeys(keys);
  try {
    return await fn();
  } finally {
    logger.removeKeys(Object.keys(keys));
  }
}
