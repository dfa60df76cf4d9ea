import { execFileSync } from 'node:child_process';
import sample from '../../../events/cloudformation/describe-stacks.sg-revoke.json';
import { loadConfig } from '../../../lambda/config/config';
import {
  CLI_OUTPUT_KEYS,
  envFromOutputs,
  formatEnv,
  STACK_OUTPUTS,
  shellQuote,
} from '../../../lambda/core/stack-outputs';

/** The outputs of a deployed stack, as DescribeStacks answers them (events/cloudformation). */
const DEPLOYED_OUTPUTS: Record<string, string> = Object.fromEntries(
  (sample.Stacks[0]?.Outputs ?? []).map((o) => [o.OutputKey, o.OutputValue]),
);

/** Runs `sh -c SCRIPT` and returns its stdout: the real shell is the judge of the quoting. */
const sh = (script: string): string => execFileSync('/bin/sh', ['-c', script], { encoding: 'utf8' });

describe('envFromOutputs', () => {
  it('fills each CLI variable from its output, in the table order', () => {
    const env = envFromOutputs(DEPLOYED_OUTPUTS);

    expect(env).toEqual({
      ok: true,
      value: [
        { name: 'SG_REVOKE_API_URL', value: DEPLOYED_OUTPUTS.ApiUrl },
        { name: 'AWS_REGION', value: 'us-east-1' },
        { name: 'AWS_SG_REVOKE_ACTIONS_TABLE', value: DEPLOYED_OUTPUTS.ActionsTableName },
        { name: 'AWS_SG_REVOKE_AUDIT_DYNAMODB_TABLE', value: DEPLOYED_OUTPUTS.AuditTableName },
        { name: 'AWS_SG_REVOKE_AUDIT_BUCKET', value: DEPLOYED_OUTPUTS.AuditBucketName },
        { name: 'KMS_KEY_ARN', value: DEPLOYED_OUTPUTS.AuditKeyArn },
        { name: 'AWS_SG_REVOKE_APPROVAL_KEY_ARN', value: DEPLOYED_OUTPUTS.ApprovalKeyArn },
        { name: 'AWS_SG_REVOKE_ALLOWED_ACCOUNT_IDS', value: '111122223333,444455556666' },
        { name: 'AWS_SG_REVOKE_PROTECTED_IDS', value: 'sg-0123456789abcdef0' },
      ],
    });
  });

  it('never sets the event bus: the lifecycle bus admits only the stack functions', () => {
    const env = envFromOutputs(DEPLOYED_OUTPUTS);

    expect(env.ok && env.value.map((v) => v.name)).not.toContain('AWS_SG_REVOKE_EVENT_BUS');
    expect(STACK_OUTPUTS.LifecycleBusName.env).toBeNull();
  });

  it('names every required output a stack lacks; an absent optional one becomes empty', () => {
    const { ApiUrl, ApprovalKeyArn, ProtectedIds, ...older } = DEPLOYED_OUTPUTS;

    expect(envFromOutputs(older)).toEqual({ ok: false, error: ['ApiUrl', 'ApprovalKeyArn'] });
    const withoutProtected = envFromOutputs({ ...older, ApiUrl: 'u', ApprovalKeyArn: 'k' });
    expect(withoutProtected.ok && withoutProtected.value.at(-1)).toEqual({
      name: 'AWS_SG_REVOKE_PROTECTED_IDS',
      value: '',
    });
  });

  it('gives the CLI values its own configuration parser accepts (the names cannot drift apart)', () => {
    const env = envFromOutputs(DEPLOYED_OUTPUTS);
    if (!env.ok) throw new Error('expected variables');
    const vars = Object.fromEntries(env.value.map((v) => [v.name, v.value]));

    const config = loadConfig(vars, [
      'actionsTable',
      'auditTable',
      'auditBucket',
      'kmsKeyArn',
      'approvalKeyArn',
      'allowedAccounts',
      'protectedIds',
    ]);

    expect(config).toEqual({
      actionsTable: DEPLOYED_OUTPUTS.ActionsTableName,
      auditTable: DEPLOYED_OUTPUTS.AuditTableName,
      auditBucket: DEPLOYED_OUTPUTS.AuditBucketName,
      kmsKeyArn: DEPLOYED_OUTPUTS.AuditKeyArn,
      approvalKeyArn: DEPLOYED_OUTPUTS.ApprovalKeyArn,
      allowedAccounts: new Set(['111122223333', '444455556666']),
      protectedIds: new Set(['sg-0123456789abcdef0']),
    });
    expect(CLI_OUTPUT_KEYS).toHaveLength(Object.keys(vars).length);
  });
});

describe('formatEnv', () => {
  const tricky = [
    { name: 'A', value: 'it\'s $HOME `id` "q" \\ ; & | * ?' },
    { name: 'B', value: '' },
    { name: 'C', value: 'two\nlines' },
    { name: 'D', value: 'arn:aws:kms:us-east-1:111122223333:key/abc' },
  ];

  it('prints `export KEY=value` lines that a POSIX shell reads back byte for byte', () => {
    const script = formatEnv(tricky, 'shell');

    const back = sh(`${script}printf '%s\\0' "$A" "$B" "$C" "$D"`).split('\0').slice(0, 4);

    expect(back).toEqual(tricky.map((v) => v.value));
    expect(script.split('\n').at(-2)).toBe('export D=arn:aws:kms:us-east-1:111122223333:key/abc');
  });

  it('quotes only what needs quoting', () => {
    expect(shellQuote('https://x.execute-api.us-east-1.amazonaws.com/v1/')).toBe(
      'https://x.execute-api.us-east-1.amazonaws.com/v1/',
    );
    expect(shellQuote('a b')).toBe("'a b'");
    expect(shellQuote("it's")).toBe("'it'\\''s'");
    expect(shellQuote('')).toBe("''");
  });

  it('prints KEY=value lines for a .env file, and one JSON object', () => {
    expect(formatEnv(tricky, 'dotenv')).toBe(
      `A="it's $HOME \`id\` \\"q\\" \\\\ ; & | * ?"\nB=''\nC="two\\nlines"\nD=arn:aws:kms:us-east-1:111122223333:key/abc\n`,
    );
    expect(JSON.parse(formatEnv(tricky, 'json'))).toEqual(
      Object.fromEntries(tricky.map((v) => [v.name, v.value])),
    );
  });
});
