import { err, ok, type Result } from './result';

/**
 * The stack's outputs and the CLI variable each one fills (STYLE §13): the stack declares exactly
 * these outputs (infra/lib/stack-outputs.ts) and `sg-revoke env` reads exactly these, so a renamed
 * output or variable fails a test instead of leaving a user with a half-set shell.
 *
 * `env: null` outputs are for people and other stacks (subscriptions, rules, dashboards), not the CLI.
 * The lifecycle bus is one of them on purpose: its policy admits only the stack's function roles,
 * so `apply` on the command line must not publish there (AWS_SG_REVOKE_EVENT_BUS stays unset).
 */
export const STACK_OUTPUTS = {
  ApiUrl: {
    env: 'SG_REVOKE_API_URL',
    description: 'Stage URL of the approval API (sg-revoke actions --api)',
  },
  Region: {
    env: 'AWS_REGION',
    description: 'Region of the stack: its API, tables, bucket and keys',
  },
  ActionsTableName: {
    env: 'AWS_SG_REVOKE_ACTIONS_TABLE',
    description: 'DynamoDB table of actions (plans, approvals, outcomes)',
  },
  AuditTableName: {
    env: 'AWS_SG_REVOKE_AUDIT_DYNAMODB_TABLE',
    description: 'DynamoDB audit table (append-only rows)',
  },
  AuditBucketName: {
    env: 'AWS_SG_REVOKE_AUDIT_BUCKET',
    description: 'S3 audit bucket (Object Lock, SSE-KMS, write-once evidence)',
  },
  AuditKeyArn: {
    env: 'KMS_KEY_ARN',
    description: 'KMS key of the audit bucket and the tables',
  },
  ApprovalKeyArn: {
    env: 'AWS_SG_REVOKE_APPROVAL_KEY_ARN',
    description: 'KMS signing key of approvals (ECC P-256; audit verify reads its public key)',
  },
  AllowedAccountIds: {
    env: 'AWS_SG_REVOKE_ALLOWED_ACCOUNT_IDS',
    description: 'Accounts whose security groups may be changed (comma-separated)',
  },
  ProtectedIds: {
    env: 'AWS_SG_REVOKE_PROTECTED_IDS',
    description: 'Security groups never changed (comma-separated; absent when none)',
    optional: true,
  },
  IdempotencyTableName: {
    env: null,
    description: 'DynamoDB table of the apply function idempotency records',
  },
  NotificationTopicArn: {
    env: null,
    description: 'SNS topic of approvers: Action Planned, Drift Detected, Tamper Detected, alarms',
  },
  FindingsBusName: {
    env: null,
    description: 'EventBridge bus the findings arrive on',
  },
  LifecycleBusName: {
    env: null,
    description: 'EventBridge bus of lifecycle events (only the stack functions can put to it)',
  },
  PlanQueueUrl: {
    env: null,
    description: 'SQS queue between the findings rule and the plan function',
  },
} as const satisfies Record<string, { env: string | null; description: string; optional?: true }>;

export type StackOutputKey = keyof typeof STACK_OUTPUTS;
export const STACK_OUTPUT_KEYS = Object.keys(STACK_OUTPUTS) as StackOutputKey[];

/** Outputs the CLI needs, in the order `env` prints them. */
export const CLI_OUTPUT_KEYS = STACK_OUTPUT_KEYS.filter((key) => STACK_OUTPUTS[key].env !== null);

export interface EnvVariable {
  readonly name: string;
  readonly value: string;
}

const isOptional = (key: StackOutputKey): boolean => 'optional' in STACK_OUTPUTS[key];

/**
 * The CLI's variables from a stack's outputs, or the output keys the stack lacks (a stack deployed
 * by an older version, or one still being created). An optional output that is absent sets its
 * variable to empty, so a value left in the shell from another stack cannot linger.
 */
export function envFromOutputs(outputs: Readonly<Record<string, string>>): Result<EnvVariable[], string[]> {
  const missing = CLI_OUTPUT_KEYS.filter((key) => outputs[key] === undefined && !isOptional(key));
  if (missing.length > 0) return err(missing);
  return ok(
    CLI_OUTPUT_KEYS.map((key) => ({ name: STACK_OUTPUTS[key].env as string, value: outputs[key] ?? '' })),
  );
}

export type EnvFormat = 'shell' | 'dotenv' | 'json';
export const ENV_FORMATS: readonly EnvFormat[] = ['shell', 'dotenv', 'json'];

// Characters no POSIX shell treats specially inside a word: such a value needs no quotes.
const SHELL_SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** POSIX single quotes: nothing inside is special; a `'` is closed, escaped, and reopened. */
export function shellQuote(value: string): string {
  if (SHELL_SAFE.test(value)) return value;
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** dotenv reads a single-quoted value literally; a value holding `'` or a newline is JSON-quoted. */
function dotenvQuote(value: string): string {
  if (SHELL_SAFE.test(value)) return value;
  return /['\n\r]/.test(value) ? JSON.stringify(value) : `'${value}'`;
}

/** `export KEY=value` lines for `eval`, `KEY=value` lines for a .env file, or one JSON object. */
export function formatEnv(variables: readonly EnvVariable[], format: EnvFormat): string {
  switch (format) {
    case 'shell':
      return variables.map(({ name, value }) => `export ${name}=${shellQuote(value)}\n`).join('');
    case 'dotenv':
      return variables.map(({ name, value }) => `${name}=${dotenvQuote(value)}\n`).join('');
    case 'json':
      return `${JSON.stringify(Object.fromEntries(variables.map(({ name, value }) => [name, value])))}\n`;
  }
}
