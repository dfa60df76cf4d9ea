import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { EVENTS } from '../core/support';
import { runCli } from './run-cli';

// The first run may build dist/cli.cjs.
jest.setTimeout(60_000);

/** No credentials anywhere the SDK looks, and no instance metadata service to ask. */
const NO_CREDENTIALS = {
  AWS_ACCESS_KEY_ID: '',
  AWS_SECRET_ACCESS_KEY: '',
  AWS_SESSION_TOKEN: '',
  AWS_PROFILE: '',
  AWS_CONFIG_FILE: '/nonexistent/sg-revoke/config',
  AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/sg-revoke/credentials',
  AWS_EC2_METADATA_DISABLED: 'true',
};
const NO_REGION = {
  AWS_REGION: '',
  AWS_DEFAULT_REGION: '',
  AWS_CONFIG_FILE: '/nonexistent/sg-revoke/config',
};
const APPLY_GATE = {
  AWS_SG_REVOKE_INCIDENT_ID: 'INC-1',
  AWS_SG_REVOKE_APPROVER: 'alice@security',
  AWS_SG_REVOKE_ALLOWED_ACCOUNT_IDS: '111122223333',
  AWS_SG_REVOKE_ACTIONS_TABLE: 'actions',
  AWS_SG_REVOKE_AUDIT_DYNAMODB_TABLE: 'audit',
  AWS_SG_REVOKE_AUDIT_BUCKET: 'audit-bucket',
  KMS_KEY_ARN: 'arn:aws:kms:us-east-1:111122223333:key/00000000-0000-0000-0000-000000000000',
};
const SAMPLE = 'events/findings.ocsf.jsonl';

describe('sg-revoke: EventBridge envelopes are findings too', () => {
  it('plans events/eventbridge/*.json as events/README.md says (7 planned + the ICMP skip), not wrong_source', () => {
    const files = readdirSync(join(EVENTS, 'eventbridge'))
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map((f) => `events/eventbridge/${f}`);

    const run = runCli(['plan', ...files]);

    expect(run.code).toBe(0);
    expect(run.records).toHaveLength(8);
    expect(run.records.map((r) => r.status).sort()).toEqual([
      'planned',
      'planned',
      'planned',
      'planned',
      'planned',
      'planned',
      'skipped_invalid_finding',
      'would-violate-protected-sg',
    ]);
    expect(run.events.filter((e) => e.event === 'wrong_source_skill')).toEqual([]);
  });
});

describe('sg-revoke: stderr events use the original names, with file and line', () => {
  it('names a finding of another producer wrong_source_skill, and a bad line json_parse_failed', () => {
    const other = JSON.stringify({ class_uid: 2003 });

    const run = runCli(['plan', '-'], { input: `${other}\n{not json\n` });

    expect(run.code).toBe(0);
    expect(run.records.map((r) => r.status)).toEqual(['skipped_wrong_source']);
    expect(run.events.map((e) => [e.event, e.level, e.file, e.line])).toEqual([
      ['wrong_source_skill', 'warning', '<stdin>', 1],
      ['json_parse_failed', 'warning', '<stdin>', 2],
      ['run_summary', 'info', undefined, undefined],
    ]);
    expect(run.events[0]?.message).toBe(
      'skipped line 1 of <stdin>: not a finding of detect-aws-open-security-group (class_uid is 2003, expected 2004)',
    );
  });

  it('ends with a summary: read, by status (skip reasons included), malformed', () => {
    const run = runCli([
      'plan',
      SAMPLE,
      'events/findings/malformed.jsonl',
      'events/findings/non-public.json',
    ]);
    const summary = run.events.find((e) => e.event === 'run_summary');

    expect(summary).toMatchObject({
      level: 'info',
      read: 12,
      malformed: 2,
      statuses: {
        planned: 9,
        'would-violate-protected-sg': 1,
        skipped_invalid_finding: 1,
        skipped_not_public: 1,
      },
    });
  });
});

describe('sg-revoke: --fail-on', () => {
  it('exits 1 when a record has a named status, 0 otherwise', () => {
    const failing = runCli(['plan', '--fail-on', 'would-violate-protected-sg', SAMPLE]);
    const passing = runCli(['plan', '--fail-on', 'skipped_not_public', SAMPLE]);

    expect([failing.code, failing.records]).toEqual([1, passing.records.map(() => expect.any(Object))]);
    expect(passing.code).toBe(0);
  });

  it('refuses an unknown status with exit 2', () => {
    const run = runCli(['reverify', '--fail-on', 'drfit', SAMPLE]);

    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--fail-on: unknown status `drfit`');
  });
});

describe('sg-revoke: no credentials or no region is exit 2 and one message saying what to set', () => {
  it.each([
    ['plan --live', ['plan', '--live', SAMPLE], {}],
    ['apply', ['apply', SAMPLE], APPLY_GATE],
    ['reverify', ['reverify', SAMPLE], {}],
    ['actions', ['actions', 'list', '--api', 'https://abc123.execute-api.us-east-1.amazonaws.com/prod'], {}],
  ])('%s without credentials', (mode, args, env) => {
    const run = runCli(args as string[], { env: { ...env, ...NO_CREDENTIALS } });

    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.split('\n')[0]).toMatch(
      new RegExp(
        `^sg-revoke: ${mode} needs AWS credentials, and none were found: set AWS_PROFILE .*AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY`,
      ),
    );
  });

  it.each([
    ['plan --live', ['plan', '--live', SAMPLE], {}],
    ['apply', ['apply', SAMPLE], APPLY_GATE],
    ['reverify', ['reverify', SAMPLE], { AWS_SG_REVOKE_ACTIONS_TABLE: 'actions' }],
  ])('%s without a region', (mode, args, env) => {
    const run = runCli(args as string[], { env: { ...env, ...NO_REGION } });

    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.split('\n')[0]).toBe(
      `sg-revoke: ${mode} needs an AWS region, and none is set: set AWS_REGION (e.g. AWS_REGION=us-east-1), or a region in the profile`,
    );
  });
});

describe('sg-revoke: network errors show their cause', () => {
  it('an unresolvable API host says ENOTFOUND, not only fetch failed', () => {
    const run = runCli([
      'actions',
      'list',
      '--api',
      'http://sg-revoke-test.invalid/prod',
      '--region',
      'us-east-1',
    ]);

    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/the API call failed: fetch failed: .*ENOTFOUND sg-revoke-test\.invalid/);
  });
});

describe('sg-revoke: a supported Node is quiet', () => {
  it('prints no SDK NodeVersionSupportWarning on an AWS-touching run', () => {
    const run = runCli(['reverify', SAMPLE], {
      env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: '' },
    });

    expect(run.stderr).not.toContain('NodeVersionSupportWarning');
    expect(run.stderr).not.toContain('will no longer support');
  });
});
