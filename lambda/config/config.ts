import { APPROVAL_TTL_HOURS, VERIFY_WINDOW_DAYS } from '../core/constants';
import { CONTROL_PORT_VARIABLES, DEFAULT_CONTROL_PORTS } from '../core/control-rules';
import { ConfigError } from '../core/errors';
import { FLOW_QUERY } from '../core/flow-query';
import { BREAKER_THRESHOLD, MAX_REVOKES_PER_HOUR } from '../core/limits';
import { ORGANIZATION_ID } from '../core/member-roles';
import { type PrincipalPattern, parsePrincipalPatterns } from '../core/principals';

/** DESIGN §9: every setting, by the environment variable that carries it. */
export interface Config {
  readonly actionsTable: string;
  readonly auditTable: string;
  readonly auditBucket: string;
  readonly kmsKeyArn: string;
  /** The asymmetric key approvals are signed with (approve-api signs, apply verifies). */
  readonly approvalKeyArn: string;
  readonly eventBus: string;
  readonly idempotencyTable: string;
  readonly protectedIds: ReadonlySet<string>;
  readonly allowedAccounts: ReadonlySet<string>;
  /** Organization mode (DESIGN §12): the hub assumes the member roles in other accounts. Null: single account. */
  readonly organizationId: string | null;
  readonly approverPrincipals: readonly PrincipalPattern[];
  readonly viewerPrincipals: readonly PrincipalPattern[];
  readonly approvalTtlHours: number;
  readonly verifyWindowDays: number;
  /** Revokes per account and region per rolling hour (DESIGN §13). */
  readonly maxRevokesPerHour: number;
  /** Failed or tampered applies within the breaker window that pause every apply. */
  readonly breakerThreshold: number;
  readonly incidentId: string;
  readonly approver: string;
  /** EC2.19's high-risk ports and EC2.18's authorized ports (Security Hub intake, DESIGN §12). */
  readonly highRiskPorts: readonly number[];
  readonly authorizedTcpPorts: readonly number[];
  readonly authorizedUdpPorts: readonly number[];
  /** The VPC Flow Logs log group the impact preview queries; null when the deployment names none. */
  readonly flowLogsLogGroup: string | null;
  readonly flowLogsDays: number;
  /** The function's own region (Lambda sets AWS_REGION): where the Flow Logs group is queried. */
  readonly awsRegion: string | null;
}

type Env = Readonly<Record<string, string | undefined>>;
type Parser<T> = { readonly variable: string; readonly parse: (raw: string | undefined) => T };

const SG_ID = /^sg-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
const ACCOUNT = /^\d{12}$/;
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/;
const KMS_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(?:key|alias)\/[A-Za-z0-9/_-]+$/;
const INCIDENT = /^[A-Za-z0-9][A-Za-z0-9._:/-]{2,127}$/;
const NAME = /^[A-Za-z0-9._-]{3,255}$/;
// CloudWatch Logs' own log group name rule.
const LOG_GROUP = /^[A-Za-z0-9._/#-]{1,512}$/;

const fail = (variable: string, why: string): never => {
  throw new ConfigError(`${variable} ${why}`);
};

const name = (variable: string): Parser<string> => ({
  variable,
  parse: (raw) => {
    const value = raw?.trim() ?? '';
    if (value === '') return fail(variable, 'is required');
    return NAME.test(value) ? value : fail(variable, `\`${value}\` is not a valid resource name`);
  },
});

const matching = (variable: string, pattern: RegExp, what: string): Parser<string> => ({
  variable,
  parse: (raw) => {
    const value = raw?.trim() ?? '';
    if (value === '') return fail(variable, 'is required');
    return pattern.test(value) ? value : fail(variable, `\`${value}\` is not ${what}`);
  },
});

const itemsOf = (raw: string | undefined): string[] =>
  (raw ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

function list(variable: string, pattern: RegExp, what: string): Parser<string[]> {
  return {
    variable,
    parse: (raw) => {
      const items = itemsOf(raw);
      const bad = items.filter((item) => !pattern.test(item));
      return bad.length === 0 ? items : fail(variable, `has values that are not ${what}: ${bad.join(', ')}`);
    },
  };
}

/** The shared principal grammar (core/principals): the same patterns pass here and at synth. */
const principals = (variable: string): Parser<PrincipalPattern[]> => ({
  variable,
  parse: (raw) => {
    const parsed = parsePrincipalPatterns(itemsOf(raw));
    return parsed.ok ? parsed.value : fail(variable, parsed.error.join('; '));
  },
});

/** Absent or empty is null (the default mode); present, it must match. */
const optional = (variable: string, pattern: RegExp, what: string): Parser<string | null> => ({
  variable,
  parse: (raw) => {
    const value = raw?.trim() ?? '';
    if (value === '') return null;
    return pattern.test(value) ? value : fail(variable, `\`${value}\` is not ${what}`);
  },
});

const setOf = (p: Parser<string[]>): Parser<ReadonlySet<string>> => ({
  variable: p.variable,
  parse: (raw) => new Set(p.parse(raw)),
});

function positive(variable: string, fallback: number, max: number): Parser<number> {
  return {
    variable,
    parse: (raw) => {
      if (raw === undefined || raw.trim() === '') return fallback;
      const n = Number(raw);
      return Number.isFinite(n) && n > 0 && n <= max
        ? n
        : fail(variable, `\`${raw}\` is not a number in (0, ${max}]`);
    },
  };
}

/** A comma-separated port list; unset means the control's default (an explicit empty value is no ports). */
function ports(variable: string, fallback: readonly number[]): Parser<readonly number[]> {
  return {
    variable,
    parse: (raw) => {
      if (raw === undefined) return fallback;
      const items = itemsOf(raw);
      const bad = items.filter((item) => !/^\d{1,5}$/.test(item) || Number(item) > 65535);
      return bad.length === 0
        ? [...new Set(items.map(Number))]
        : fail(variable, `has values that are not ports 0-65535: ${bad.join(', ')}`);
    },
  };
}
const optionalLogGroup = (variable: string): Parser<string | null> => ({
  variable,
  parse: (raw) => {
    const value = raw?.trim() ?? '';
    if (value === '') return null;
    return LOG_GROUP.test(value) ? value : fail(variable, `\`${value}\` is not a log group name`);
  },
});

const wholeDays = (variable: string, fallback: number, max: number): Parser<number> => ({
  variable,
  parse: (raw) => {
    if (raw === undefined || raw.trim() === '') return fallback;
    const n = Number(raw);
    return Number.isInteger(n) && n > 0 && n <= max
      ? n
      : fail(variable, `\`${raw}\` is not a whole number of days in 1..${max}`);
  },
});
function count(variable: string, limits: { readonly default: number; readonly max: number }): Parser<number> {
  return {
    variable,
    parse: (raw) => {
      if (raw === undefined || raw.trim() === '') return limits.default;
      const n = Number(raw);
      return Number.isInteger(n) && n > 0 && n <= limits.max
        ? n
        : fail(variable, `\`${raw}\` is not a whole number in [1, ${limits.max}]`);
    },
  };
}

const PARSERS: { readonly [K in keyof Config]: Parser<Config[K]> } = {
  actionsTable: name('AWS_SG_REVOKE_ACTIONS_TABLE'),
  auditTable: name('AWS_SG_REVOKE_AUDIT_DYNAMODB_TABLE'),
  auditBucket: name('AWS_SG_REVOKE_AUDIT_BUCKET'),
  kmsKeyArn: matching('KMS_KEY_ARN', KMS_ARN, 'a KMS key or alias ARN'),
  approvalKeyArn: matching('AWS_SG_REVOKE_APPROVAL_KEY_ARN', KMS_KEY_ARN, 'a KMS key ARN (not an alias)'),
  eventBus: name('AWS_SG_REVOKE_EVENT_BUS'),
  idempotencyTable: name('AWS_SG_REVOKE_IDEMPOTENCY_TABLE'),
  protectedIds: setOf(list('AWS_SG_REVOKE_PROTECTED_IDS', SG_ID, 'security group ids')),
  allowedAccounts: setOf(list('AWS_SG_REVOKE_ALLOWED_ACCOUNT_IDS', ACCOUNT, '12-digit account ids')),
  organizationId: optional('AWS_SG_REVOKE_ORGANIZATION_ID', ORGANIZATION_ID, 'an AWS Organizations id (o-…)'),
  approverPrincipals: principals('AWS_SG_REVOKE_APPROVER_PRINCIPALS'),
  viewerPrincipals: principals('AWS_SG_REVOKE_VIEWER_PRINCIPALS'),
  approvalTtlHours: positive(
    'AWS_SG_REVOKE_APPROVAL_TTL_HOURS',
    APPROVAL_TTL_HOURS.default,
    APPROVAL_TTL_HOURS.max,
  ),
  verifyWindowDays: positive(
    'AWS_SG_REVOKE_VERIFY_WINDOW_DAYS',
    VERIFY_WINDOW_DAYS.default,
    VERIFY_WINDOW_DAYS.max,
  ),
  maxRevokesPerHour: count('AWS_SG_REVOKE_MAX_REVOKES_PER_HOUR', MAX_REVOKES_PER_HOUR),
  breakerThreshold: count('AWS_SG_REVOKE_BREAKER_THRESHOLD', BREAKER_THRESHOLD),
  incidentId: matching(
    'AWS_SG_REVOKE_INCIDENT_ID',
    INCIDENT,
    'an incident id (3-128 of A-Z a-z 0-9 . _ : / -)',
  ),
  approver: matching('AWS_SG_REVOKE_APPROVER', /^\S{1,256}$/, 'an approver identity'),
  highRiskPorts: ports(CONTROL_PORT_VARIABLES.highRiskPorts, DEFAULT_CONTROL_PORTS.highRiskPorts),
  authorizedTcpPorts: ports(
    CONTROL_PORT_VARIABLES.authorizedTcpPorts,
    DEFAULT_CONTROL_PORTS.authorizedTcpPorts,
  ),
  authorizedUdpPorts: ports(
    CONTROL_PORT_VARIABLES.authorizedUdpPorts,
    DEFAULT_CONTROL_PORTS.authorizedUdpPorts,
  ),
  flowLogsLogGroup: optionalLogGroup('AWS_SG_REVOKE_FLOW_LOGS_LOG_GROUP'),
  awsRegion: {
    variable: 'AWS_REGION',
    parse: (raw) => {
      const value = raw?.trim() ?? '';
      if (value === '') return null;
      return /^[a-z]{2}(?:-[a-z]+)+-\d$/.test(value)
        ? value
        : fail('AWS_REGION', `\`${value}\` is not a region`);
    },
  },
  flowLogsDays: wholeDays('AWS_SG_REVOKE_FLOW_LOGS_DAYS', FLOW_QUERY.days.default, FLOW_QUERY.days.max),
};

type ListKey = {
  [K in keyof Config]: Config[K] extends ReadonlySet<string> | readonly unknown[] ? K : never;
}[keyof Config];

export interface LoadOptions<K extends keyof Config> {
  /** Lists that must hold at least one value here (optional elsewhere, e.g. the allow-list in `apply`). */
  readonly nonEmpty?: readonly (K & ListKey)[];
}

const sizeOf = (value: unknown): number =>
  value instanceof Set ? value.size : Array.isArray(value) ? value.length : 1;

/**
 * Reads exactly the settings a caller needs, once, and reports every missing or bad variable at
 * once, by name, before any AWS call (STYLE §4): fixing them one run at a time is not a contract.
 */
export function loadConfig<K extends keyof Config>(
  env: Env,
  keys: readonly K[],
  options: LoadOptions<K> = {},
): Pick<Config, K> {
  const out: Partial<Config> = {};
  const problems: string[] = [];
  for (const key of keys) {
    const parser = PARSERS[key] as Parser<Config[K]>;
    try {
      const value = parser.parse(env[parser.variable]);
      if (options.nonEmpty?.includes(key as K & ListKey) && sizeOf(value) === 0) {
        fail(parser.variable, 'is required');
      }
      (out as Record<K, Config[K]>)[key] = value;
    } catch (error) {
      problems.push(error instanceof ConfigError ? error.message : String(error));
    }
  }
  if (problems.length > 0) throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  return out as Pick<Config, K>;
}
