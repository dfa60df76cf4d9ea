import { loadConfig } from '../../../lambda/config/config';
import { APPROVAL_TTL_HOURS, VERIFY_WINDOW_DAYS } from '../../../lambda/core/constants';
import { principalMatches } from '../../../lambda/core/principals';

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

  it.each([
    ['arn:aws:sts::*:assumed-role/Admin/*', /12-digit id, never a wildcard/],
    ['arn:aws:sts::111122223333:*', /must name a role/],
    ['arn:aws:sts::111122223333:assumed-role/*/alice@corp.com', /role name must be fixed/],
    ['arn:aws:sts::111122223333:assumed-role/IncidentCommander*', /role name must be fixed/],
    ['arn:aws:sts::111122223333:federated-user/alice', /federated-user/],
    ['arn:aws:iam::111122223333:user/alice', /IAM users/],
    ['arn:aws:iam::111122223333:root', /root/],
  ])('refuses the approver and viewer pattern %s, naming variable, pattern and rule', (pattern, why) => {
    for (const [key, variable] of [
      ['approverPrincipals', 'AWS_SG_REVOKE_APPROVER_PRINCIPALS'],
      ['viewerPrincipals', 'AWS_SG_REVOKE_VIEWER_PRINCIPALS'],
    ] as const) {
      const load = () => loadConfig({ [variable]: `arn:aws:iam::111122223333:role/Ok, ${pattern}` }, [key]);

      expect(load).toThrow(variable);
      expect(load).toThrow(`\`${pattern}\` is refused`);
      expect(load).toThrow(why);
    }
  });

  it('parses approver and viewer patterns with the shared grammar; viewers are optional', () => {
    const config = loadConfig(
      {
        AWS_SG_REVOKE_APPROVER_PRINCIPALS:
          'arn:aws:sts::111122223333:assumed-role/IncidentCommander/*, arn:aws:iam::444455556666:role/ops/SecLead',
      },
      ['approverPrincipals', 'viewerPrincipals'],
      { nonEmpty: ['approverPrincipals'] },
    );

    expect(config.viewerPrincipals).toEqual([]);
    expect(config.approverPrincipals.map((p) => [p.account, p.roleName, p.session])).toEqual([
      ['111122223333', 'IncidentCommander', '*'],
      ['444455556666', 'SecLead', null],
    ]);
    expect(
      principalMatches('arn:aws:sts::444455556666:assumed-role/SecLead/carol', config.approverPrincipals),
    ).toBe(true);
    expect(
      principalMatches(
        'arn:aws:sts::111122223333:assumed-role/IncidentCommanderSandbox/mallory',
        config.approverPrincipals,
      ),
    ).toBe(false);
  });

  it('a list required here (nonEmpty) is reported with every other missing variable, in one error', () => {
    // The CLI apply gate: the allow-list used to be reported only once the six others were fixed.
    const load = () =>
      loadConfig(
        {},
        [
          'incidentId',
          'approver',
          'allowedAccounts',
          'actionsTable',
          'auditTable',
          'auditBucket',
          'kmsKeyArn',
          'protectedIds',
        ],
        { nonEmpty: ['allowedAccounts'] },
      );

    let message = '';
    try {
      load();
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message.split('; ').map((problem) => problem.replace('invalid configuration: ', ''))).toEqual([
      'AWS_SG_REVOKE_INCIDENT_ID is required',
      'AWS_SG_REVOKE_APPROVER is required',
      'AWS_SG_REVOKE_ALLOWED_ACCOUNT_IDS is required',
      'AWS_SG_REVOKE_ACTIONS_TABLE is required',
      'AWS_SG_REVOKE_AUDIT_DYNAMODB_TABLE is required',
      'AWS_SG_REVOKE_AUDIT_BUCKET is required',
      'KMS_KEY_ARN is required',
    ]);
  });

  it('an empty approver list is refused where approvers are required', () => {
    expect(() =>
      loadConfig({ AWS_SG_REVOKE_APPROVER_PRINCIPALS: ' , ' }, ['approverPrincipals'], {
        nonEmpty: ['approverPrincipals'],
      }),
    ).toThrow('AWS_SG_REVOKE_APPROVER_PRINCIPALS is required');
  });

  it.each([
    ['AWS_SG_REVOKE_APPROVAL_TTL_HOURS', 'approvalTtlHours', APPROVAL_TTL_HOURS.max],
    ['AWS_SG_REVOKE_VERIFY_WINDOW_DAYS', 'verifyWindowDays', VERIFY_WINDOW_DAYS.max],
  ] as const)('%s accepts up to the shared limit and no further', (variable, key, max) => {
    expect(loadConfig({ [variable]: String(max) }, [key])[key]).toBe(max);
    expect(() => loadConfig({ [variable]: String(max + 1) }, [key])).toThrow(`(0, ${max}]`);
  });
});

describe('loadConfig: the impact preview Flow Logs settings (optional)', () => {
  const keys = ['flowLogsLogGroup', 'flowLogsDays'] as const;

  it('without a log group the preview runs no query; days default to 7', () => {
    expect(loadConfig({}, keys)).toEqual({ flowLogsLogGroup: null, flowLogsDays: 7 });
  });

  it('reads the log group and the days, up to 14', () => {
    const env = {
      AWS_SG_REVOKE_FLOW_LOGS_LOG_GROUP: '/vpc/flow-logs/prod',
      AWS_SG_REVOKE_FLOW_LOGS_DAYS: '14',
    };

    expect(loadConfig(env, keys)).toEqual({ flowLogsLogGroup: '/vpc/flow-logs/prod', flowLogsDays: 14 });
  });

  it.each([
    ['AWS_SG_REVOKE_FLOW_LOGS_DAYS', '15', 'is not a whole number of days in 1..14'],
    ['AWS_SG_REVOKE_FLOW_LOGS_DAYS', '2.5', 'is not a whole number of days in 1..14'],
    ['AWS_SG_REVOKE_FLOW_LOGS_LOG_GROUP', 'flow logs*', 'is not a log group name'],
  ])('%s=%s is refused, by name', (variable, value, message) => {
    expect(() => loadConfig({ [variable]: value }, keys)).toThrow(`${variable} \`${value}\` ${message}`);
  });
});
