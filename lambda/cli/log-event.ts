import type { Writable } from 'node:stream';
import { SOURCE_SKILL } from '../core/records';

export type LogLevel = 'info' | 'warning' | 'error';

/** One stderr line in the upstream telemetry shape (timestamp, skill, level, event, message). */
export function logEvent(
  stderr: Writable,
  env: NodeJS.ProcessEnv,
  level: LogLevel,
  event: string,
  message: string,
  fields: Readonly<Record<string, unknown>> = {},
): void {
  const correlation = env.SKILL_CORRELATION_ID;
  const line = {
    timestamp: new Date().toISOString(),
    skill: SOURCE_SKILL,
    level,
    event,
    message,
    ...(correlation ? { correlation_id: correlation } : {}),
    ...fields,
  };
  stderr.write(`${JSON.stringify(line)}\n`);
}
