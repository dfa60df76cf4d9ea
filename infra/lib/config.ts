import { z } from 'zod';
import { APPROVAL_TTL_HOURS, VERIFY_WINDOW_DAYS } from '../../lambda/core/constants';
import { DEFAULT_CONTROL_PORTS } from '../../lambda/core/control-rules';
import { FLOW_QUERY } from '../../lambda/core/flow-query';
import { BREAKER_THRESHOLD, MAX_REVOKES_PER_HOUR } from '../../lambda/core/limits';
import { ORGANIZATION_ID } from '../../lambda/core/member-roles';
import { parsePrincipalPattern } from '../../lambda/core/principals';

/**
 * Deployment configuration, read from cdk.json `context` (or `-c key=value`) and validated once at
 * synth time, so a bad value stops `cdk synth` with the key's name instead of deploying a stack that
 * fails at run time.
 */

const ACCOUNT_ID = /^\d{12}$/;
const SG_ID = /^sg-([0-9a-f]{8}|[0-9a-f]{17})$/;
const PARTITION = 'arn:aws(?:-cn|-us-gov)?';
// Resource-policy principals cannot hold wildcards.
const PUBLISHER_ARN = new RegExp(`^${PARTITION}:iam::\\d{12}:(root|(role|user)/[\\w+=,.@/-]+)$`);
// Same rule as the functions' own config check (lambda/config), so a synth-valid name also starts.
const BUS_NAME = /^[A-Za-z0-9._-]{3,255}$/;
// CloudWatch Logs' log group name rule (the plan function checks the same at start-up).
const LOG_GROUP = /^[A-Za-z0-9._/#-]{1,512}$/;
const SCHEDULE = /^(rate\([1-9]\d* (minute|minutes|hour|hours|day|days)\)|cron\([^()]+\))$/;
// CloudWatch Logs accepts only these retention periods.
const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** `-c key=a,b` arrives as a string; cdk.json gives a JSON array. Accept both. */
const toList = (value: unknown): unknown => {
  if (typeof value !== 'string') return value;
  const trimmed = value.trim();
  if (trimmed.startsWith('[')) {
    try {
      return JSON.parse(trimmed);
    } catch {
      return value; // left as a string, so the schema reports it against its key
    }
  }
  return trimmed === '' ? [] : trimmed.split(',').map((item) => item.trim());
};
const toNumber = (value: unknown): unknown =>
  typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
/** `-c key=false` arrives as a string; cdk.json gives a boolean. Accept both, nothing else. */
const toBoolean = (value: unknown): unknown => (value === 'true' ? true : value === 'false' ? false : value);
const flag = (fallback: boolean) =>
  z.preprocess(toBoolean, z.boolean('must be true or false').default(fallback));
const PORT = /^\d{1,5}$/;
/** A list of ports (numbers or digit strings), each 0-65535; optional, with the control's default. */
const portList = (fallback: readonly number[]) =>
  z.preprocess(
    toList,
    z
      .array(
        z.preprocess(
          (v) => (typeof v === 'string' && PORT.test(v.trim()) ? Number(v) : v),
          z
            .number('must be a port 0-65535')
            .int('must be a port 0-65535')
            .min(0)
            .max(65535, 'must be a port 0-65535'),
        ),
        'must be a JSON array or a comma-separated list of ports',
      )
      .default([...fallback]),
  );
const emptyToUndefined = (value: unknown): unknown => (value === '' || value === null ? undefined : value);

/** Approver and viewer patterns: the grammar the approve λ applies at run time (core/principals). */
const principalPattern = z.string('must be a principal ARN pattern').superRefine((value, ctx) => {
  const parsed = parsePrincipalPattern(value);
  if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.error });
});

const list = (pattern: RegExp, what: string, min: number) =>
  listOf(z.string(`must be ${what}`).regex(pattern, `must be ${what}`), what, min);

function listOf(item: z.ZodType<string>, what: string, min: number) {
  const items = z
    .array(item, {
      error: (issue) =>
        issue.input === undefined
          ? `is required: a list where each value is ${what}`
          : 'must be a JSON array or a comma-separated list',
    })
    .min(min, `must list at least ${min} value(s)`);
  // Only optional lists get a default: a required one that is missing must fail, not become [].
  return z.preprocess(toList, min === 0 ? items.default([]) : items);
}
const integer = (min: number, max: number, fallback: number) =>
  z.preprocess(
    toNumber,
    z
      .number(`must be an integer between ${min} and ${max}`)
      .int(`must be an integer between ${min} and ${max}`)
      .min(min, `must be an integer between ${min} and ${max}`)
      .max(max, `must be an integer between ${min} and ${max}`)
      .default(fallback),
  );

/**
 * `production` (the default) keeps every piece of evidence: Object Lock COMPLIANCE, tables, keys and
 * buckets retained when the stack is deleted. `trial` is for trying sg-revoke out: Object Lock
 * GOVERNANCE, one-day retention, and every resource deletable with the stack (trial-profile.ts).
 */
export const PROFILES = ['production', 'trial'] as const;
export type Profile = (typeof PROFILES)[number];

/**
 * What `profile: trial` changes when the key is not set explicitly. The row and object retention
 * follow the Object Lock retention (their floor), whichever value it was given.
 */
export const TRIAL_DEFAULTS = { objectLockMode: 'GOVERNANCE', auditRetentionDays: 1 } as const;

export const configSchema = z
  .object({
    profile: z.enum(PROFILES, `must be ${PROFILES.join(' or ')}`).default('production'),
    allowedAccountIds: list(ACCOUNT_ID, 'a 12-digit AWS account id', 1),
    // Organization mode (README "Across the accounts of an organization"): the hub assumes the member
    // stack's roles in the allowed accounts. Absent: single account, no sts:AssumeRole anywhere.
    organizationId: z.preprocess(
      emptyToUndefined,
      z
        .string('must be an AWS Organizations id')
        .regex(ORGANIZATION_ID, 'must be an AWS Organizations id (o- + 10 to 32 lowercase letters or digits)')
        .optional(),
    ),
    protectedIds: list(SG_ID, 'a security group id (sg- + 8 or 17 lowercase hex)', 0),
    approverPrincipals: listOf(principalPattern, 'a role ARN or assumed-role/ROLE/SESSION pattern', 1),
    viewerPrincipals: listOf(principalPattern, 'a role ARN or assumed-role/ROLE/SESSION pattern', 0),
    findingPublisherPrincipals: list(PUBLISHER_ARN, 'an IAM root, role or user ARN without wildcards', 0),
    busName: z.preprocess(
      emptyToUndefined,
      z.string().regex(BUS_NAME, 'must be an EventBridge bus name').optional(),
    ),
    reverifySchedule: z
      .string()
      .regex(SCHEDULE, 'must be an EventBridge schedule expression: rate(N minutes|hours|days) or cron(...)')
      .default('rate(15 minutes)'),
    auditRetentionDays: integer(1, 36500, 365),
    // How long the audit table and bucket keep evidence; never shorter than the Object Lock above.
    auditRowRetentionDays: integer(1, 36500, 400),
    auditObjectRetentionDays: integer(1, 36500, 400),
    objectLockMode: z
      .enum(['COMPLIANCE', 'GOVERNANCE'], 'must be COMPLIANCE or GOVERNANCE')
      .default('COMPLIANCE'),
    logRetentionDays: z.preprocess(
      toNumber,
      z
        .union(
          LOG_RETENTION_DAYS.map((days) => z.literal(days)),
          `must be one of the CloudWatch Logs retention periods: ${LOG_RETENTION_DAYS.join(', ')}`,
        )
        .default(90),
    ),
    approvalTtlHours: integer(1, APPROVAL_TTL_HOURS.max, APPROVAL_TTL_HOURS.default),
    verifyWindowDays: integer(1, VERIFY_WINDOW_DAYS.max, VERIFY_WINDOW_DAYS.default),
    applyReservedConcurrency: integer(1, 100, 2),
    // Security Hub intake (DESIGN §12). V2 (OCSF) is on: it is where Security Hub sends findings
    // today. ASFF is off: with both on, one failing control arrives twice (two finding ids) and
    // approvers see two actions for the same rules; turn it on for a CSPM-only estate instead.
    securityHubV2Intake: flag(true),
    securityHubAsffIntake: flag(false),
    // The controls' parameters: EC2.19's high-risk ports, EC2.18's authorized ports.
    ec2HighRiskPorts: portList(DEFAULT_CONTROL_PORTS.highRiskPorts),
    ec2AuthorizedTcpPorts: portList(DEFAULT_CONTROL_PORTS.authorizedTcpPorts),
    ec2AuthorizedUdpPorts: portList(DEFAULT_CONTROL_PORTS.authorizedUdpPorts),
    // The impact preview's optional Flow Logs evidence: a VPC Flow Logs group in this stack's region.
    flowLogsLogGroup: z.preprocess(
      emptyToUndefined,
      z.string().regex(LOG_GROUP, 'must be a CloudWatch Logs log group name').optional(),
    ),
    flowLogsDays: integer(1, FLOW_QUERY.days.max, FLOW_QUERY.days.default),
    /** Revokes per account and region per rolling hour; over it, approvals wait (DESIGN §13). */
    maxRevokesPerHour: integer(1, MAX_REVOKES_PER_HOUR.max, MAX_REVOKES_PER_HOUR.default),
    /** Failed or tampered applies within 15 minutes that trip the circuit breaker. */
    breakerThreshold: integer(1, BREAKER_THRESHOLD.max, BREAKER_THRESHOLD.default),
  })
  .superRefine((config, ctx) => {
    if (config.profile === 'trial' && config.objectLockMode === 'COMPLIANCE') {
      ctx.addIssue({
        code: 'custom',
        path: ['objectLockMode'],
        message:
          'must be GOVERNANCE with profile trial: COMPLIANCE objects cannot be deleted by anyone, root included, before their retention ends',
      });
    }
    for (const key of ['auditRowRetentionDays', 'auditObjectRetentionDays'] as const) {
      if (config[key] < config.auditRetentionDays) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `must be at least auditRetentionDays (${config.auditRetentionDays}): Object Lock retention is the floor`,
        });
      }
    }
    if (config.busName !== undefined && config.findingPublisherPrincipals.length > 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['findingPublisherPrincipals'],
        message:
          'only applies to the dedicated bus the stack creates; with busName set, grant publishers on that bus where it is managed',
      });
    }
  });

export type SgRevokeConfig = z.infer<typeof configSchema>;
export const CONFIG_KEYS = Object.keys(configSchema.shape) as (keyof SgRevokeConfig)[];

export class InvalidConfigError extends Error {
  override readonly name = 'InvalidConfigError';

  /** One entry per bad key (`key: why (got …)`), for a one-line report. */
  readonly problems: readonly string[];

  constructor(message: string, problems: readonly string[] = [message]) {
    super(message);
    this.problems = problems;
  }
}

/** The whole error on one line, for `cdk synth` (infra/bin/app.ts): no stack trace, every key. */
export function oneLineConfigError(error: InvalidConfigError): string {
  return `invalid context (cdk.json "context" or -c key=value): ${error.problems.join('; ')}`;
}

const describePath = (path: readonly PropertyKey[]): string =>
  path
    .map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i > 0 ? '.' : ''}${String(part)}`))
    .join('');

/** The trial profile's defaults under the keys the context leaves unset (an explicit value wins). */
function withProfileDefaults(raw: Readonly<Record<string, unknown>>): Record<string, unknown> {
  if (raw.profile !== 'trial') return { ...raw };
  const filled: Record<string, unknown> = { ...raw };
  const unset = (key: string) => emptyToUndefined(filled[key]) === undefined;
  for (const [key, value] of Object.entries(TRIAL_DEFAULTS)) if (unset(key)) filled[key] = value;
  for (const key of ['auditRowRetentionDays', 'auditObjectRetentionDays']) {
    if (unset(key)) filled[key] = filled.auditRetentionDays;
  }
  return filled;
}

/** Validates raw context values; throws one error listing every bad key. */
export function parseConfig(raw: Readonly<Record<string, unknown>>): SgRevokeConfig {
  const result = configSchema.safeParse(withProfileDefaults(raw));
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const value = raw[String(issue.path[0])];
    const got = value === undefined ? 'missing' : `got ${JSON.stringify(value)}`;
    return `${describePath(issue.path)}: ${issue.message} (${got})`;
  });
  throw new InvalidConfigError(
    `Invalid sg-revoke context (cdk.json "context" or -c key=value):\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    problems,
  );
}

/** Reads this project's keys from a construct's context (cdk.json or the CLI). */
export function readConfig(node: { tryGetContext(key: string): unknown }): SgRevokeConfig {
  const raw: Record<string, unknown> = {};
  for (const key of CONFIG_KEYS) {
    const value = node.tryGetContext(key);
    if (value !== undefined) raw[key] = value;
  }
  return parseConfig(raw);
}
