import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readEvent } from '../core/support';
import { runCli } from './run-cli';

// The first run may build dist/cli.cjs.
jest.setTimeout(60_000);

const statuses = (records: Record<string, unknown>[]) => records.map((r) => [r.finding_uid, r.status]);
const SAMPLE_STATUSES = [
  ['asg-11f2f83f01e65ee8', 'planned'],
  ['asg-fc0dff4a251305ae', 'planned'],
  ['asg-fd9fe6d62ec2cc3e', 'planned'],
  ['asg-88a2dfae24dba65c', 'planned'],
  ['asg-84d2e0862a9d8f5b', 'would-violate-protected-sg'],
  ['asg-00d3a95bcf9a5eb5', 'planned'],
  ['asg-00d3a95bcf9a5eb5', 'planned'],
  ['asg-cf04cb026fbadf0b', 'skipped_invalid_finding'],
];

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sg-revoke-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('sg-revoke plan', () => {
  it('prints 8 records for the sample and exits 0 (npm start)', () => {
    // Act
    const run = runCli(['plan', 'events/findings.ocsf.jsonl']);

    // Assert
    expect(run.code).toBe(0);
    expect(statuses(run.records)).toEqual(SAMPLE_STATUSES);
    expect(run.stdout.split('\n')).toHaveLength(9);
    expect(run.events).toEqual([
      expect.objectContaining({
        event: 'run_summary',
        level: 'info',
        message:
          'read 8 finding(s): 6 planned, 1 skipped_invalid_finding, 1 would-violate-protected-sg; 0 malformed line(s) skipped',
        read: 8,
        malformed: 0,
        statuses: { planned: 6, skipped_invalid_finding: 1, 'would-violate-protected-sg': 1 },
      }),
    ]);
    expect(run.records[0]).toMatchObject({ record_type: 'remediation_plan', dry_run: true });
  });

  it('reads stdin when no file is given, and for `-`', () => {
    const input = readFileSync('events/findings.ocsf.jsonl', 'utf8');

    const none = runCli(['plan'], { input });
    const dash = runCli(['plan', '-'], { input });

    expect(statuses(none.records)).toEqual(SAMPLE_STATUSES);
    expect(statuses(dash.records)).toEqual(SAMPLE_STATUSES);
  });

  it('reads several files in order', () => {
    const run = runCli(['plan', 'events/findings/ssh-open.ipv4.json', 'events/findings/no-sg.json']);

    expect(run.records.map((r) => r.status)).toEqual(['planned', 'skipped_no_sg_pointer']);
  });

  it('reads a pretty-printed JSON object as one finding', () => {
    const run = runCli(['plan', 'events/findings/default-group.json']);

    expect(statuses(run.records)).toEqual([['asg-84d2e0862a9d8f5b', 'would-violate-protected-sg']]);
  });

  it('reads a JSON array document as a list of findings', () => {
    const file = join(dir, 'array.json');
    const findings = ['ssh-open.ipv4', 'non-public', 'wrong-class'].map((n) =>
      readEvent(`findings/${n}.json`),
    );
    writeFileSync(file, JSON.stringify(findings, null, 2));

    const run = runCli(['plan', file]);

    expect(run.records.map((r) => r.status)).toEqual([
      'planned',
      'skipped_not_public',
      'skipped_wrong_source',
    ]);
  });

  it('writes one record for a JSON value that is not an object', () => {
    const run = runCli(['plan', 'events/findings/not-an-object.json']);

    expect(run.records.map((r) => [r.status, r.status_detail])).toEqual([
      ['skipped_invalid_finding', 'finding is not a JSON object of the OCSF shape'],
    ]);
  });

  it('logs each malformed line on stderr with its line number, skips it and goes on', () => {
    const run = runCli(['plan', 'events/findings/malformed.jsonl']);

    expect(run.code).toBe(0);
    expect(run.records.map((r) => r.finding_uid)).toEqual([
      'asg-11f2f83f01e65ee8',
      'asg-fc0dff4a251305ae',
      'asg-00d3a95bcf9a5eb5',
    ]);
    expect(run.events.map((e) => [e.event, e.line, e.file])).toEqual([
      ['json_parse_failed', 2, 'events/findings/malformed.jsonl'],
      ['json_parse_failed', 4, 'events/findings/malformed.jsonl'],
      ['run_summary', undefined, undefined],
    ]);
  });

  it('writes log events in the upstream stderr telemetry shape', () => {
    const [event] = runCli(['plan', 'events/findings/malformed.jsonl'], {
      env: { SKILL_CORRELATION_ID: 'corr-42' },
    }).events;

    expect(event).toEqual({
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      skill: 'remediate-aws-sg-revoke',
      level: 'warning',
      event: 'json_parse_failed',
      message: expect.stringMatching(
        /^skipped line 2 of events\/findings\/malformed.jsonl: not valid JSON \(/,
      ),
      correlation_id: 'corr-42',
      file: 'events/findings/malformed.jsonl',
      line: 2,
    });
  });
});

describe('sg-revoke plan: configuration', () => {
  it('honours AWS_SG_REVOKE_PROTECTED_IDS offline', () => {
    const run = runCli(['plan', 'events/findings.ocsf.jsonl'], {
      env: { AWS_SG_REVOKE_PROTECTED_IDS: 'sg-0a1b2c3d4e5f60003, sg-0a1b2c3d4e5f60001' },
    });

    expect(run.records.map((r) => r.status).slice(0, 3)).toEqual([
      'would-violate-protected-sg',
      'planned',
      'would-violate-protected-sg',
    ]);
  });

  it('refuses a malformed AWS_SG_REVOKE_PROTECTED_IDS with exit 2, naming the variable', () => {
    const run = runCli(['plan', 'events/findings.ocsf.jsonl'], {
      env: { AWS_SG_REVOKE_PROTECTED_IDS: 'sg-1,web' },
    });

    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(
      'AWS_SG_REVOKE_PROTECTED_IDS has values that are not security group ids: sg-1, web',
    );
  });

  it('shows account-boundary skips when AWS_SG_REVOKE_ALLOWED_ACCOUNT_IDS is set', () => {
    const files = ['events/findings/ssh-open.ipv4.json', 'events/findings/other-account.json'];

    const unset = runCli(['plan', ...files]);
    const set = runCli(['plan', ...files], { env: { AWS_SG_REVOKE_ALLOWED_ACCOUNT_IDS: '111122223333' } });

    expect(unset.records.map((r) => r.status)).toEqual(['planned', 'planned']);
    expect(set.records.map((r) => r.status)).toEqual(['planned', 'skipped_account_boundary']);
  });

  it('refuses a malformed AWS_SG_REVOKE_ALLOWED_ACCOUNT_IDS with exit 2', () => {
    const run = runCli(['plan'], { env: { AWS_SG_REVOKE_ALLOWED_ACCOUNT_IDS: '1111-2222-3333' } });

    expect(run.code).toBe(2);
    expect(run.stderr).toContain('AWS_SG_REVOKE_ALLOWED_ACCOUNT_IDS');
  });

  it('refuses a malformed SG_REVOKE_WORKERS with exit 2', () => {
    const run = runCli(['plan'], { env: { SG_REVOKE_WORKERS: 'many' } });

    expect([run.code, run.stderr.split('\n')[0]]).toEqual([
      2,
      'sg-revoke: SG_REVOKE_WORKERS `many` is not an integer from 0 to 16',
    ]);
  });
});

describe('sg-revoke: usage', () => {
  it('--help explains every mode, the variables and the exit codes, and exits 0', () => {
    const run = runCli(['--help']);

    expect(run.code).toBe(0);
    for (const text of [
      'sg-revoke plan [FILE|-]',
      'plan --live',
      'sg-revoke apply',
      'sg-revoke reverify',
      'actions list|show ID|approve ID|reject ID|rollback ID --api URL',
      'AWS_SG_REVOKE_PROTECTED_IDS',
      'AWS_SG_REVOKE_ALLOWED_ACCOUNT_IDS',
      'AWS_SG_REVOKE_INCIDENT_ID',
      'AWS_SG_REVOKE_APPROVER',
      'SG_REVOKE_WORKERS',
      'Exit codes',
    ]) {
      expect(run.stdout).toContain(text);
    }
  });

  it.each([
    ['plan', 'sg-revoke plan [--live] [--fail-on S] [FILE|-]...'],
    ['apply', 'sg-revoke apply [--fail-on S] [FILE|-]...'],
    ['reverify', 'sg-revoke reverify [--fail-on drift] [FILE|-]...'],
    ['actions', 'sg-revoke actions list|show ID|approve ID|reject ID|rollback ID --api URL'],
  ])("%s --help and -h print the mode's own help, exit 0", (mode, usage) => {
    const long = runCli([mode, '--help']);
    const short = runCli([mode, '-h']);

    expect([long.code, short.code]).toEqual([0, 0]);
    expect(long.stdout.split('\n')[0]).toBe(usage);
    expect(short.stdout).toBe(long.stdout);
    expect(long.stderr).toBe('');
  });

  it('the help does not claim a default mode: the mode is required', () => {
    const help = runCli(['--help']).stdout;

    expect(help).not.toContain('default mode');
    expect(help).toContain('the mode is required and comes first');
    expect(runCli(['events/findings.ocsf.jsonl']).code).toBe(2);
  });

  it.each([
    [
      ['apply', 'events/findings.ocsf.jsonl'],
      'apply refused: invalid configuration: AWS_SG_REVOKE_INCIDENT_ID is required',
    ],
    [['actions', 'list'], '--api URL is required'],
    [['actions', 'frob', '--api', 'http://127.0.0.1:9'], 'unknown actions verb `frob`'],
    [['actions', 'approve', 'sgrev-0123456789abcdef', '--api', 'http://127.0.0.1:9'], 'needs --incident'],
    // No reachable AWS (the runs point the SDK at a closed loopback port): fail closed, exit 2.
    [['plan', '--live', 'events/findings.ocsf.jsonl'], 'plan --live needs AWS credentials'],
    [['revoke'], 'unknown mode `revoke`'],
    [[], 'missing mode'],
    [['plan', '--dry-run'], "Unknown option '--dry-run'"],
  ])('%j is a usage error: exit 2', (args, message) => {
    const run = runCli(args);

    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(message);
    expect(run.stderr).toContain('sg-revoke --help');
  });

  it('an unreadable file is exit 2 before any record is written', () => {
    const run = runCli(['plan', 'events/findings.ocsf.jsonl', 'events/no-such-file.jsonl']);

    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('cannot read events/no-such-file.jsonl: ENOENT');
  });

  it('a directory is exit 2', () => {
    const run = runCli(['plan', 'events']);

    expect([run.code, run.stderr.split('\n')[0]]).toEqual([
      2,
      'sg-revoke: cannot read events: it is a directory',
    ]);
  });
});
