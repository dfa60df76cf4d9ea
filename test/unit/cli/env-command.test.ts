import { execFileSync } from 'node:child_process';
import { PassThrough, Readable } from 'node:stream';
import {
  CloudFormationClient,
  CloudFormationServiceException,
  DescribeStacksCommand,
  type DescribeStacksCommandOutput,
} from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import sample from '../../../events/cloudformation/describe-stacks.sg-revoke.json';
import { destroyClients } from '../../../lambda/adapters/clients';
import { runCli } from '../../../lambda/cli/run';
import { runCli as runCliProcess } from './run-cli';

const cfMock = mockClient(CloudFormationClient);
const DEPLOYED = sample as unknown as DescribeStacksCommandOutput;
const outputsOf = (keys: readonly string[]) =>
  (sample.Stacks[0]?.Outputs ?? []).filter((o) => keys.includes(o.OutputKey));
const cfError = (name: string, message: string) =>
  new CloudFormationServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: 400 }, message });

/** `sg-revoke ARGS` in process: the real command, adapter and client factory; only the SDK is mocked. */
async function run(argv: string[]) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  stdout.on('data', (c: Buffer) => out.push(c.toString()));
  stderr.on('data', (c: Buffer) => err.push(c.toString()));
  const code = await runCli(argv, {
    stdin: Readable.from([]),
    stdout,
    stderr,
    env: {},
    nowMs: () => 0,
    workerScript: null,
  });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

beforeEach(() => {
  cfMock.reset();
  destroyClients();
});
afterAll(() => destroyClients());

describe('sg-revoke env --stack NAME', () => {
  it('prints one `export` line per CLI variable from the stack outputs; a shell that evals them has them set', async () => {
    cfMock.on(DescribeStacksCommand, { StackName: 'SgRevokeStack' }).resolves(DEPLOYED);

    const result = await run(['env', '--stack', 'SgRevokeStack', '--region', 'us-east-1']);

    expect([result.code, result.stderr]).toEqual([0, '']);
    expect(result.stdout).toBe(
      [
        'export SG_REVOKE_API_URL=https://abc123defg.execute-api.us-east-1.amazonaws.com/v1/',
        'export AWS_REGION=us-east-1',
        'export AWS_SG_REVOKE_ACTIONS_TABLE=SgRevokeStack-StateActions1A2B3C4D-1ABCDEF',
        'export AWS_SG_REVOKE_AUDIT_DYNAMODB_TABLE=SgRevokeStack-AuditRows5E6F7A8B-2BCDEFG',
        'export AWS_SG_REVOKE_AUDIT_BUCKET=sgrevokestack-auditevidence1234abcd-abcdef123456',
        'export KMS_KEY_ARN=arn:aws:kms:us-east-1:111122223333:key/0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9',
        'export AWS_SG_REVOKE_APPROVAL_KEY_ARN=arn:aws:kms:us-east-1:111122223333:key/1b2c3d4e-5f60-7182-93a4-b5c6d7e8f90a',
        'export AWS_SG_REVOKE_ALLOWED_ACCOUNT_IDS=111122223333,444455556666',
        'export AWS_SG_REVOKE_PROTECTED_IDS=sg-0123456789abcdef0',
        '',
      ].join('\n'),
    );
    const evaluated = execFileSync(
      '/bin/sh',
      ['-c', `${result.stdout}printf %s "$AWS_SG_REVOKE_AUDIT_BUCKET"`],
      {
        encoding: 'utf8',
      },
    );
    expect(evaluated).toBe('sgrevokestack-auditevidence1234abcd-abcdef123456');
    expect(cfMock.commandCalls(DescribeStacksCommand).map((c) => c.args[0].input)).toEqual([
      { StackName: 'SgRevokeStack' },
    ]);
  });

  it('asks CloudFormation in the region given by --region', async () => {
    cfMock.on(DescribeStacksCommand).resolves(DEPLOYED);

    await run(['env', '--stack', 'SgRevokeStack', '--region', 'eu-west-1']);

    const [call] = cfMock.commandCalls(DescribeStacksCommand);
    const client = call?.thisValue as CloudFormationClient;
    expect(await client.config.region()).toBe('eu-west-1');
  });

  it('prints a .env file or one JSON object with --format', async () => {
    cfMock.on(DescribeStacksCommand).resolves(DEPLOYED);

    const dotenv = await run(['env', '--stack', 'SgRevokeStack', '--format', 'dotenv']);
    const json = await run(['env', '--stack', 'SgRevokeStack', '--format', 'json']);

    expect(dotenv.stdout.split('\n')[1]).toBe('AWS_REGION=us-east-1');
    expect(dotenv.stdout).not.toContain('export ');
    expect(JSON.parse(json.stdout)).toMatchObject({
      SG_REVOKE_API_URL: 'https://abc123defg.execute-api.us-east-1.amazonaws.com/v1/',
      AWS_SG_REVOKE_ALLOWED_ACCOUNT_IDS: '111122223333,444455556666',
    });
    expect(Object.keys(JSON.parse(json.stdout))).toHaveLength(9);
  });

  it('an unknown stack: exit 1, one line, nothing on stdout', async () => {
    cfMock
      .on(DescribeStacksCommand)
      .rejects(cfError('ValidationError', 'Stack with id SgRevokeStak does not exist'));

    const result = await run(['env', '--stack', 'SgRevokeStak', '--region', 'us-east-1']);

    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: 'sg-revoke: env: stack SgRevokeStak not found in us-east-1 (check --stack and --region)\n',
    });
  });

  it('a stack without an output the CLI needs (older version): exit 1, one line naming each, nothing printed', async () => {
    const older = outputsOf([
      'Region',
      'ActionsTableName',
      'AuditTableName',
      'AuditBucketName',
      'AuditKeyArn',
    ]);
    cfMock.on(DescribeStacksCommand).resolves({ Stacks: [{ ...sample.Stacks[0], Outputs: older }] } as never);

    const result = await run(['env', '--stack', 'SgRevokeStack']);

    expect([result.code, result.stdout]).toEqual([1, '']);
    expect(result.stderr).toBe(
      'sg-revoke: env: stack SgRevokeStack (UPDATE_COMPLETE) has no output ApiUrl, ApprovalKeyArn, AllowedAccountIds: ' +
        'deployed by an older sg-revoke, or not finished; deploy this version (cdk deploy) and retry\n',
    );
  });

  it('a refused or failed DescribeStacks: exit 1, one line with the AWS error', async () => {
    cfMock
      .on(DescribeStacksCommand)
      .rejects(cfError('AccessDenied', 'User is not authorized to perform: cloudformation:DescribeStacks'));

    const result = await run(['env', '--stack', 'SgRevokeStack']);

    expect([result.code, result.stdout]).toEqual([1, '']);
    expect(result.stderr).toBe(
      'sg-revoke: env: DescribeStacks failed: AccessDenied: User is not authorized to perform: cloudformation:DescribeStacks\n',
    );
  });

  it.each([
    [[], /--stack NAME is required/],
    [['--stack', 'S', '--format', 'yaml'], /--format must be one of shell, dotenv, json/],
    [['--stack', 'S', '--region', 'mars'], /--region `mars` is not an AWS region/],
    [['--stack', 'S', 'extra'], /unexpected argument `extra`/],
  ])('usage error for %j: exit 2, no AWS call', async (args, message) => {
    const result = await run(['env', ...args]);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(cfMock.commandCalls(DescribeStacksCommand)).toHaveLength(0);
  });
});

describe('sg-revoke env as a process', () => {
  it('without credentials: exit 2 and one line saying what to set, before any call', () => {
    const result = runCliProcess(['env', '--stack', 'SgRevokeStack', '--region', 'us-east-1'], {
      env: {
        AWS_ACCESS_KEY_ID: '',
        AWS_SECRET_ACCESS_KEY: '',
        AWS_SESSION_TOKEN: '',
        AWS_PROFILE: '',
        AWS_CONFIG_FILE: '/nonexistent/sg-revoke/config',
        AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/sg-revoke/credentials',
        AWS_EC2_METADATA_DISABLED: 'true',
      },
    });

    expect([result.code, result.stdout]).toEqual([2, '']);
    expect(result.stderr.trimEnd().split('\n')).toEqual([
      expect.stringMatching(/^sg-revoke: env needs AWS credentials, and none were found: set AWS_PROFILE/),
    ]);
  });

  it('`sg-revoke env --help` documents the mode and its variables', () => {
    const result = runCliProcess(['env', '--help']);

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /^sg-revoke env --stack NAME \[--region R\] \[--format shell\|dotenv\|json\]/,
    );
    expect(result.stdout).toContain('AWS_SG_REVOKE_APPROVAL_KEY_ARN');
    expect(runCliProcess(['--help']).stdout).toContain('sg-revoke env --stack NAME');
  });
});
