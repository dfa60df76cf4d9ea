import {
  accountsOf,
  type PrincipalPattern,
  parsePrincipalPattern,
  parsePrincipalPatterns,
  parseRoleSession,
  principalMatches,
} from '../../../lambda/core/principals';

const ACCT = '111122223333';
const OTHER = '444455556666';

const patternOf = (raw: string): PrincipalPattern => {
  const parsed = parsePrincipalPattern(raw);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
};

describe('parsePrincipalPattern: accepted', () => {
  it.each([
    [`arn:aws:sts::${ACCT}:assumed-role/IncidentCommander/*`, 'IncidentCommander', '*'],
    [
      `arn:aws:sts::${ACCT}:assumed-role/IncidentCommander/alice@corp.com`,
      'IncidentCommander',
      'alice@corp.com',
    ],
    [`arn:aws:sts::${ACCT}:assumed-role/sg-revoke-approver/alice-*`, 'sg-revoke-approver', 'alice-*'],
    [`arn:aws-us-gov:sts::${ACCT}:assumed-role/Approver/*`, 'Approver', '*'],
    [`arn:aws-cn:sts::${ACCT}:assumed-role/Approver/*`, 'Approver', '*'],
    [`arn:aws:iam::${ACCT}:role/SecLead`, 'SecLead', null],
    [`arn:aws:iam::${ACCT}:role/security/leads/SecLead`, 'SecLead', null],
    [
      `arn:aws:iam::${ACCT}:role/AWSReservedSSO_Admin_0123456789abcdef`,
      'AWSReservedSSO_Admin_0123456789abcdef',
      null,
    ],
    [`  arn:aws:sts::${ACCT}:assumed-role/Approver/*  `, 'Approver', '*'],
  ])('%s → role %s, session %s', (raw, roleName, session) => {
    const parsed = parsePrincipalPattern(raw);

    expect(parsed).toEqual({
      ok: true,
      value: expect.objectContaining({ account: ACCT, roleName, session, pattern: raw.trim() }),
    });
  });
});

describe('parsePrincipalPattern: refused, with the pattern and the reason', () => {
  it.each([
    // Issue 8: names chosen by whoever calls AssumeRole / GetFederationToken.
    [`arn:aws:sts::${ACCT}:assumed-role/*/alice@corp.com`, /role name must be fixed/],
    [`arn:aws:sts::${ACCT}:assumed-role/IncidentCommander*/x`, /role name must be fixed/],
    [`arn:aws:sts::${ACCT}:assumed-role/IncidentCommander*`, /role name must be fixed/],
    [`arn:aws:sts::${ACCT}:assumed-role/*`, /role name must be fixed/],
    [`arn:aws:sts::${ACCT}:assumed-role/Incident*Commander/*`, /role name must be fixed/],
    [
      `arn:aws:sts::${ACCT}:federated-user/alice`,
      /federated-user names are chosen by whoever calls GetFederationToken/,
    ],
    [`arn:aws:sts::${ACCT}:federated-user/*`, /federated-user/],
    [`arn:aws:iam::${ACCT}:user/alice`, /IAM users are not accepted/],
    [`arn:aws:iam::${ACCT}:user/*`, /IAM users are not accepted/],
    [`arn:aws:iam::${ACCT}:root`, /root \(the whole account\)/],
    [`arn:aws:sts::${ACCT}:*`, /must name a role/],
    [`arn:aws:iam::${ACCT}:*`, /must name a role/],
    // The account is always fixed.
    ['arn:aws:sts::*:assumed-role/Admin/*', /12-digit id, never a wildcard/],
    ['arn:aws:sts::1111*:assumed-role/Admin/*', /12-digit id, never a wildcard/],
    ['arn:aws:iam::*:role/approver', /12-digit id, never a wildcard/],
    ['arn:aws:sts:::assumed-role/Admin/*', /the account is missing/],
    // Not an ARN, or not a principal ARN.
    ['*', /not an ARN/],
    ['IncidentCommander', /not an ARN/],
    ['', /not an ARN/],
    [`arn:aws:sts::${ACCT}:assumed-role/Admin/a:b`, /not an ARN/],
    [`arn:aws-eu:sts::${ACCT}:assumed-role/Admin/*`, /unknown partition `aws-eu`/],
    [`arn:*:sts::${ACCT}:assumed-role/Admin/*`, /unknown partition/],
    [`arn:aws:s3:::${ACCT}-bucket`, /service `s3` is not iam or sts/],
    [`arn:aws:sts:us-east-1:${ACCT}:assumed-role/Admin/*`, /have no region/],
    // Shape.
    [`arn:aws:sts::${ACCT}:assumed-role/Admin`, /assumed-role\/ROLE\/SESSION/],
    [`arn:aws:sts::${ACCT}:assumed-role/Admin/`, /assumed-role\/ROLE\/SESSION/],
    [`arn:aws:sts::${ACCT}:assumed-role/Admin/alice/extra`, /assumed-role\/ROLE\/SESSION/],
    [`arn:aws:sts::${ACCT}:role/Admin`, /is not an assumed-role/],
    [`arn:aws:iam::${ACCT}:role/*`, /names one role and takes no `\*`/],
    [`arn:aws:iam::${ACCT}:role/Incident*`, /names one role and takes no `\*`/],
    [`arn:aws:iam::${ACCT}:role/*/Admin`, /names one role and takes no `\*`/],
    [`arn:aws:iam::${ACCT}:role/`, /not a valid role path and name/],
    [`arn:aws:iam::${ACCT}:group/admins`, /is not an IAM role/],
    [`arn:aws:sts::${ACCT}:assumed-role/${'R'.repeat(65)}/*`, /is not a valid role name/],
  ])('%s', (raw, why) => {
    const parsed = parsePrincipalPattern(raw);

    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.error).toContain(`\`${raw.trim()}\` is refused`);
    expect(parsed.error).toMatch(why);
  });

  it('reports every refused pattern of a list, not only the first', () => {
    const parsed = parsePrincipalPatterns([
      `arn:aws:sts::${ACCT}:assumed-role/Approver/*`,
      `arn:aws:iam::${ACCT}:user/alice`,
      `arn:aws:iam::${ACCT}:root`,
    ]);

    expect(parsed).toEqual({
      ok: false,
      error: [expect.stringContaining('user/alice'), expect.stringContaining(':root')],
    });
  });
});

describe('principalMatches', () => {
  const commander = [patternOf(`arn:aws:sts::${ACCT}:assumed-role/IncidentCommander/*`)];
  const alice = [patternOf(`arn:aws:sts::${ACCT}:assumed-role/IncidentCommander/alice-*`)];
  const secLead = [patternOf(`arn:aws:iam::${ACCT}:role/security/SecLead`)];

  it.each([
    [commander, `arn:aws:sts::${ACCT}:assumed-role/IncidentCommander/alice`, true],
    [commander, `arn:aws:sts::${ACCT}:assumed-role/IncidentCommander/mallory@corp.com`, true],
    // Issue 8: a longer role name that starts with the approver's is another role.
    [commander, `arn:aws:sts::${ACCT}:assumed-role/IncidentCommanderSandbox/mallory`, false],
    [commander, `arn:aws:sts::${ACCT}:assumed-role/IncidentCommanderX/alice`, false],
    [commander, `arn:aws:sts::${ACCT}:assumed-role/incidentcommander/alice`, false],
    [commander, `arn:aws:sts::${OTHER}:assumed-role/IncidentCommander/alice`, false],
    [commander, `arn:aws-us-gov:sts::${ACCT}:assumed-role/IncidentCommander/alice`, false],
    [commander, `arn:aws:sts::${ACCT}:assumed-role/Developer/bob`, false],
    [commander, `arn:aws:sts::${ACCT}:federated-user/IncidentCommander`, false],
    [commander, `arn:aws:iam::${ACCT}:user/IncidentCommander`, false],
    [commander, `arn:aws:iam::${ACCT}:role/IncidentCommander`, false],
    [commander, `arn:aws:iam::${ACCT}:root`, false],
    // `*` never crosses `/` or `:`.
    [commander, `arn:aws:sts::${ACCT}:assumed-role/IncidentCommander/a/b`, false],
    [commander, `arn:aws:sts::${ACCT}:assumed-role/IncidentCommander/a:b`, false],
    [alice, `arn:aws:sts::${ACCT}:assumed-role/IncidentCommander/alice-laptop`, true],
    [alice, `arn:aws:sts::${ACCT}:assumed-role/IncidentCommander/bob-alice-laptop`, false],
    // An IAM role ARN means any session of that role; the assumed-role ARN has no path.
    [secLead, `arn:aws:sts::${ACCT}:assumed-role/SecLead/carol`, true],
    [secLead, `arn:aws:sts::${ACCT}:assumed-role/SecLeadSandbox/carol`, false],
    [secLead, `arn:aws:sts::${OTHER}:assumed-role/SecLead/carol`, false],
    [secLead, `arn:aws:iam::${ACCT}:role/security/SecLead`, false],
    [[], `arn:aws:sts::${ACCT}:assumed-role/IncidentCommander/alice`, false],
  ])('%#: %s', (patterns, arn, expected) => {
    expect(principalMatches(arn, patterns)).toBe(expected);
  });

  it('treats regex characters of a session name literally', () => {
    const patterns = [patternOf(`arn:aws:sts::${ACCT}:assumed-role/Approver/a+b.c`)];

    expect(principalMatches(`arn:aws:sts::${ACCT}:assumed-role/Approver/a+b.c`, patterns)).toBe(true);
    expect(principalMatches(`arn:aws:sts::${ACCT}:assumed-role/Approver/aab.c`, patterns)).toBe(false);
    expect(principalMatches(`arn:aws:sts::${ACCT}:assumed-role/Approver/a+bxc`, patterns)).toBe(false);
  });
});

describe('parseRoleSession and accountsOf', () => {
  it('reads a role session and nothing else', () => {
    expect(parseRoleSession(`arn:aws-cn:sts::${ACCT}:assumed-role/R/s1`)).toEqual({
      partition: 'aws-cn',
      account: ACCT,
      roleName: 'R',
      session: 's1',
    });
    expect(parseRoleSession(`arn:aws:iam::${ACCT}:user/alice`)).toBeNull();
  });

  it('lists the accounts the patterns name, once each, sorted', () => {
    const patterns = [
      patternOf(`arn:aws:sts::${OTHER}:assumed-role/A/*`),
      patternOf(`arn:aws:iam::${ACCT}:role/B`),
      patternOf(`arn:aws:sts::${OTHER}:assumed-role/C/*`),
    ];

    expect(accountsOf(patterns)).toEqual([ACCT, OTHER]);
  });
});
