import { runCli } from './run-cli';

describe('sg-revoke apply: the gate', () => {
  it('names every missing variable in one message, the allow-list included, and exits 2', () => {
    const run = runCli(['apply', 'events/findings.ocsf.jsonl']);

    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    for (const variable of [
      'AWS_SG_REVOKE_INCIDENT_ID',
      'AWS_SG_REVOKE_APPROVER',
      'AWS_SG_REVOKE_ALLOWED_ACCOUNT_IDS',
      'AWS_SG_REVOKE_ACTIONS_TABLE',
      'AWS_SG_REVOKE_AUDIT_DYNAMODB_TABLE',
      'AWS_SG_REVOKE_AUDIT_BUCKET',
      'KMS_KEY_ARN',
    ]) {
      expect(run.stderr).toContain(`${variable} is required`);
    }
  });
});
