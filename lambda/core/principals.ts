import { err, ok, type Result } from './result';

/**
 * The approver / viewer principal grammar (DESIGN §11), shared by the functions (lambda/config)
 * and the stack (infra/lib/config.ts), so synth and run time accept exactly the same patterns.
 *
 * A pattern always fixes the account and the role name: whoever may call AssumeRole on *some*
 * role, or GetFederationToken, chooses the session name, so a wildcard may only ever stand for
 * (part of) a session name, and never reaches across `/` or `:`. Accepted:
 * - `arn:PARTITION:sts::ACCOUNT:assumed-role/ROLE/SESSION` where SESSION may hold `*`;
 * - `arn:PARTITION:iam::ACCOUNT:role[/path]/ROLE` (no wildcard): any session of that role.
 *   An assumed-role ARN does not carry the role path; role names are unique within an account
 *   whatever their path, so the name alone identifies the role.
 */
export interface PrincipalPattern {
  readonly pattern: string;
  readonly partition: Partition;
  readonly account: string;
  readonly roleName: string;
  /** `null`: any session (an IAM role ARN); else a session glob where `*` stays in the segment. */
  readonly session: string | null;
}

export const PARTITIONS = ['aws', 'aws-us-gov', 'aws-cn'] as const;
export type Partition = (typeof PARTITIONS)[number];

/** The caller a principal ARN names, when it is a role session (the only kind that can match). */
export interface RoleSession {
  readonly partition: Partition;
  readonly account: string;
  readonly roleName: string;
  readonly session: string;
}

// IAM's own character sets: role names 1-64, session names 2-64, path segments (no `*`).
const NAME_CHARS = '[\\w+=,.@-]';
const ROLE_NAME = new RegExp(`^${NAME_CHARS}{1,64}$`);
const SESSION_GLOB = new RegExp(`^(?:${NAME_CHARS}|\\*){1,64}$`);
const PATH_SEGMENT = new RegExp(`^${NAME_CHARS}{1,512}$`);
const ACCOUNT = /^\d{12}$/;
const CALLER = new RegExp(
  `^arn:(aws|aws-us-gov|aws-cn):sts::(\\d{12}):assumed-role/(${NAME_CHARS}{1,64})/(${NAME_CHARS}{2,64})$`,
);

const refuse = (pattern: string, why: string): Result<PrincipalPattern, string> =>
  err(`\`${pattern}\` is refused: ${why}`);

const isPartition = (value: string): value is Partition => (PARTITIONS as readonly string[]).includes(value);

/** Parses one pattern, or says which rule it breaks (the message names the pattern). */
export function parsePrincipalPattern(raw: string): Result<PrincipalPattern, string> {
  const pattern = raw.trim();
  const parts = pattern.split(':');
  if (parts.length !== 6 || parts[0] !== 'arn') {
    return refuse(pattern, 'not an ARN (arn:PARTITION:sts::ACCOUNT:assumed-role/ROLE/SESSION)');
  }
  const [, partition, service, region, account, resource] = parts as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  if (!isPartition(partition))
    return refuse(pattern, `unknown partition \`${partition}\` (aws, aws-us-gov, aws-cn)`);
  if (service !== 'sts' && service !== 'iam')
    return refuse(pattern, `service \`${service}\` is not iam or sts`);
  if (region !== '') return refuse(pattern, 'IAM and STS principal ARNs have no region');
  if (account === '') return refuse(pattern, 'the account is missing');
  if (!ACCOUNT.test(account)) {
    return refuse(
      pattern,
      'the account must be a 12-digit id, never a wildcard (any account could then match)',
    );
  }
  const at = { pattern, partition, account };
  return service === 'sts' ? parseAssumedRole(at, resource) : parseRole(at, resource);
}

type Head = Pick<PrincipalPattern, 'pattern' | 'partition' | 'account'>;

function parseAssumedRole(head: Head, resource: string): Result<PrincipalPattern, string> {
  const [type, roleName, session, ...rest] = resource.split('/');
  const why = refusedType(type ?? '');
  if (why) return refuse(head.pattern, why);
  if (type !== 'assumed-role') {
    return refuse(head.pattern, `\`${resource}\` is not an assumed-role/ROLE/SESSION pattern`);
  }
  if (roleName === undefined || roleName === '' || roleName.includes('*')) {
    return refuse(
      head.pattern,
      'the role name must be fixed, without `*`: whoever can assume a matching role would choose the rest',
    );
  }
  if (!ROLE_NAME.test(roleName)) return refuse(head.pattern, `\`${roleName}\` is not a valid role name`);
  if (session === undefined || rest.length > 0 || !SESSION_GLOB.test(session)) {
    return refuse(
      head.pattern,
      'an assumed-role pattern is assumed-role/ROLE/SESSION, where SESSION is a name or a glob such as `*`',
    );
  }
  return ok({ ...head, roleName, session });
}

function parseRole(head: Head, resource: string): Result<PrincipalPattern, string> {
  const segments = resource.split('/');
  const why = refusedType(segments[0] ?? '');
  if (why) return refuse(head.pattern, why);
  if (segments[0] !== 'role' || segments.length < 2) {
    return refuse(head.pattern, `\`${resource}\` is not an IAM role (role/[path/]ROLE)`);
  }
  if (resource.includes('*')) {
    return refuse(
      head.pattern,
      'an IAM role ARN names one role and takes no `*`; use arn:…:sts::ACCOUNT:assumed-role/ROLE/GLOB to narrow sessions',
    );
  }
  const path = segments.slice(1, -1);
  const roleName = segments[segments.length - 1] ?? '';
  if (!ROLE_NAME.test(roleName) || !path.every((segment) => PATH_SEGMENT.test(segment))) {
    return refuse(head.pattern, `\`${resource}\` is not a valid role path and name`);
  }
  return ok({ ...head, roleName, session: null });
}

/** Principal types whose names the caller, not the account's admin, chooses, or that are too broad. */
function refusedType(type: string): string | null {
  if (type === '*' || type === '') return 'a pattern must name a role, not every principal of the account';
  if (type === 'root') return 'root (the whole account) is not an approver; name a role';
  if (type === 'federated-user') {
    return 'federated-user names are chosen by whoever calls GetFederationToken; name a role';
  }
  if (type === 'user') return 'IAM users are not accepted (long-lived keys); name a role';
  return null;
}

/** The role session an ARN names, or null for anything else (users, roots, federated users…). */
export function parseRoleSession(arn: string): RoleSession | null {
  const m = CALLER.exec(arn);
  if (!m) return null;
  const [, partition, account, roleName, session] = m as unknown as [
    string,
    Partition,
    string,
    string,
    string,
  ];
  return { partition, account, roleName, session };
}

/** `*` in a session glob matches any run of characters inside the one segment, nothing more. */
function sessionMatches(glob: string, session: string): boolean {
  const regex = new RegExp(`^${glob.split('*').map(escapeRegex).join('[^/:]*')}$`);
  return regex.test(session);
}

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** True when the caller's ARN is a session of a role one of the patterns names. */
export function principalMatches(arn: string, patterns: readonly PrincipalPattern[]): boolean {
  const caller = parseRoleSession(arn);
  if (!caller) return false;
  return patterns.some(
    (p) =>
      p.partition === caller.partition &&
      p.account === caller.account &&
      p.roleName === caller.roleName &&
      (p.session === null || sessionMatches(p.session, caller.session)),
  );
}

/** Parses a list; every refused pattern is reported, not only the first. */
export function parsePrincipalPatterns(raws: readonly string[]): Result<PrincipalPattern[], string[]> {
  const parsed = raws.map(parsePrincipalPattern);
  const problems = parsed.flatMap((r) => (r.ok ? [] : [r.error]));
  return problems.length > 0 ? err(problems) : ok(parsed.flatMap((r) => (r.ok ? [r.value] : [])));
}

/** The accounts a set of patterns names, sorted and unique (for the API's resource policy). */
export const accountsOf = (patterns: readonly PrincipalPattern[]): string[] =>
  [...new Set(patterns.map((p) => p.account))].sort();
