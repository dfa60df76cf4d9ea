import { ConfigError } from '../core/errors';
import { DEFAULT_VERIFY_POLICY, type VerifyPolicy } from '../core/verification-change';

/** Reverify's own settings (issue 10), read once at start-up with the same rules as config.ts. */
export interface ReverifyConfig extends VerifyPolicy {
  /** Days after which the audit table's TTL may drop a row; undefined keeps rows for ever. */
  readonly auditRowRetentionDays: number | undefined;
}

type Env = Readonly<Record<string, string | undefined>>;

export const REVERIFY_VARIABLES = {
  heartbeatHours: 'AWS_SG_REVOKE_VERIFY_HEARTBEAT_HOURS',
  unreachableThresholds: 'AWS_SG_REVOKE_UNREACHABLE_ALERT_CHECKS',
  recentLimit: 'AWS_SG_REVOKE_VERIFY_RECENT_LIMIT',
  auditRowRetentionDays: 'AWS_SG_REVOKE_AUDIT_ROW_RETENTION_DAYS',
} as const;

function integer(env: Env, variable: string, max: number): number | undefined {
  const raw = env[variable]?.trim();
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max)
    throw new ConfigError(`${variable} \`${raw}\` is not an integer in [1, ${max}]`);
  return n;
}

function integers(env: Env, variable: string, max: number): number[] | undefined {
  const raw = env[variable]?.trim();
  if (raw === undefined || raw === '') return undefined;
  const values = raw.split(',').map((s) => Number(s.trim()));
  if (values.some((n) => !Number.isInteger(n) || n < 1 || n > max)) {
    throw new ConfigError(`${variable} \`${raw}\` is not a comma-separated list of integers in [1, ${max}]`);
  }
  return values;
}

/** Every bad variable is reported at once, by name, before any AWS call. */
export function loadReverifyConfig(env: Env): ReverifyConfig {
  const problems: string[] = [];
  const read = <T>(fn: () => T): T | undefined => {
    try {
      return fn();
    } catch (error) {
      problems.push(error instanceof ConfigError ? error.message : String(error));
      return undefined;
    }
  };
  const v = REVERIFY_VARIABLES;
  const heartbeatHours = read(() => integer(env, v.heartbeatHours, 24 * 30));
  const thresholds = read(() => integers(env, v.unreachableThresholds, 100_000));
  const recentLimit = read(() => integer(env, v.recentLimit, 200));
  const auditRowRetentionDays = read(() => integer(env, v.auditRowRetentionDays, 36_500));
  if (problems.length > 0) throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  return {
    heartbeatMs:
      heartbeatHours === undefined ? DEFAULT_VERIFY_POLICY.heartbeatMs : heartbeatHours * 3_600_000,
    unreachableThresholds: thresholds ?? DEFAULT_VERIFY_POLICY.unreachableThresholds,
    recentLimit: recentLimit ?? DEFAULT_VERIFY_POLICY.recentLimit,
    auditRowRetentionDays,
  };
}
