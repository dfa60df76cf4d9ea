import { runCli } from './run-cli';

const TABLES = {
  AWS_SG_REVOKE_ACTIONS_TABLE: 'sg-revoke-actions',
  AWS_SG_REVOKE_AUDIT_DYNAMODB_TABLE: 'sg-revoke-audit',
  AWS_SG_REVOKE_AUDIT_BUCKET: 'sg-revoke-audit',
  KMS_KEY_ARN: 'arn:aws:kms:us-east-1:111122223333:key/0a1b2c3d-0000-4000-8000-000000000001',
  AWS_REGION: 'us-east-1',
};

describe('sg-revoke pause | resume', () => {
  it.each([
    [['pause'], /--reason TEXT is required/],
    [['pause', '--reason', 'no'], /3-500 printable characters/],
    [['pause', '--status', '--reason', 'storm'], /--status takes no --reason/],
    [['resume', 'now'], /unexpected argument `now`/],
  ])('refuses %p with exit 2 before any AWS call', (args, message) => {
    const run = runCli(args, { env: TABLES });

    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
  });

  it('names every missing variable with exit 2', () => {
    const run = runCli(['pause', '--reason', 'INC-2026-0042 storm']);

    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/AWS_SG_REVOKE_ACTIONS_TABLE is required/);
    expect(run.stderr).toMatch(/AWS_SG_REVOKE_AUDIT_BUCKET is required/);
  });

  it('fails with exit 1 when AWS cannot be reached: nothing is reported as paused', () => {
    const run = runCli(['pause', '--reason', 'INC-2026-0042 storm'], { env: TABLES });

    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^pause failed: /);
  });

  it('explains the kill switch in its help', () => {
    const run = runCli(['resume', '--help']);

    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/approvals are still accepted and wait \(APPROVED, detail paused\)/);
  });
});
