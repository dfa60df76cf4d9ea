import { loadConfig, principalMatches } from '../../../lambda/config/config';

describe('loadConfig', () => {
  it('parses every setting it is asked for', () => {
    const config = loadConfig(
      {
        AWS_SG_REVOKE_ACTIONS_TABLE: 'sg-revoke-actions',
        AWS_SG_REVOKE_PROTECTED_IDS: 'sg-0a1b2c3d4e5f60001, sg-12345678',
        AWS_SG_REVOKE_ALLOWED_ACCOUNT_IDS: '111122223333',
        KMS_KEY_ARN: 'arn:aws:kms:us-east-1:111122223333:key/00000000-0000-0000-0000-000000000000',
      },
      ['actionsTable', 'protectedIds', 'allowedAccounts', 'kmsKeyArn', 'approvalTtlHours'],
    );

    expect(config.actionsTable).toBe('sg-revoke-actions');
    expect([...config.protectedIds]).toEqual(['sg-0a1b2c3d4e5f60001', 'sg-12345678']);
    expect([...config.allowedAccounts]).toEqual(['111122223333']);
    expect(config.approvalTtlHours).toBe(24);
  });

  it('names every missing or malformed variable at once, before anything runs', () => {
    const load = () =>
      loadConfig(
        {
          AWS_SG_REVOKE_PROTECTED_IDS: 'sg-XYZ',
          AWS_SG_REVOKE_ALLOWED_ACCOUNT_IDS: '1234',
          AWS_SG_REVOKE_APPROVAL_TTL_HOURS: '-3',
        },
        ['actionsTable', 'protectedIds', 'allowedAccounts', 'approvalTtlHours', 'kmsKeyArn'],
      );

    expect(load).toThrow(/AWS_SG_REVOKE_ACTIONS_TABLE is required/);
    expect(load).toThrow(/AWS_SG_REVOKE_PROTECTED_IDS has values that are not security group ids: sg-XYZ/);
    expect(load).toThrow(
      /AWS_SG_REVOKE_ALLOWED_ACCOUNT_IDS has values that are not 12-digit account ids: 1234/,
    );
    expect(load).toThrow(/AWS_SG_REVOKE_APPROVAL_TTL_HOURS `-3` is not a number/);
    expect(load).toThrow(/KMS_KEY_ARN is required/);
  });

  it('refuses an approver pattern with a wildcard account', () => {
    expect(() =>
      loadConfig({ AWS_SG_REVOKE_APPROVER_PRINCIPALS: 'arn:aws:sts::*:assumed-role/Admin/*' }, [
        'approverPrincipals',
      ]),
    ).toThrow(/AWS_SG_REVOKE_APPROVER_PRINCIPALS/);
  });
});

describe('principalMatches', () => {
  const patterns = ['arn:aws:sts::111122223333:assumed-role/IncidentCommander/*'];

  it.each([
    ['arn:aws:sts::111122223333:assumed-role/IncidentCommander/alice', true],
    ['arn:aws:sts::111122223333:assumed-role/IncidentCommanderX/alice', false],
    ['arn:aws:sts::444455556666:assumed-role/IncidentCommander/alice', false],
    ['arn:aws:sts::111122223333:assumed-role/Developer/bob', false],
  ])('%s → %s', (arn, expected) => {
    expect(principalMatches(arn, patterns)).toBe(expected);
  });

  it('treats regex characters in a pattern literally', () => {
    expect(
      principalMatches('arn:aws:iam::111122223333:user/a+b', ['arn:aws:iam::111122223333:user/a+b']),
    ).toBe(true);
    expect(
      principalMatches('arn:aws:iam::111122223333:user/aab', ['arn:aws:iam::111122223333:user/a+b']),
    ).toBe(false);
  });
});
