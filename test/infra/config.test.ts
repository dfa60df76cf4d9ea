import 'aws-cdk-lib/testhelpers/jest-autoclean';
import { CONFIG_KEYS, InvalidConfigError, parseConfig } from '../../infra/lib/config';
import { cdkJsonContext, createSgRevokeApp } from '../../infra/lib/sg-revoke-app';
import { loadConfig } from '../../lambda/config/config';
import { APPROVAL_TTL_HOURS, VERIFY_WINDOW_DAYS } from '../../lambda/core/constants';
import { DEFAULT_CONTROL_PORTS } from '../../lambda/core/control-rules';
import { testContext } from './synthetic-context';

const valid = {
  allowedAccountIds: ['111122223333'],
  approverPrincipals: ['arn:aws:sts::111122223333:assumed-role/sg-revoke-approver/*'],
};

const errorOf = (raw: Record<string, unknown>): string => {
  try {
    parseConfig(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidConfigError);
    return (error as Error).message;
  }
  throw new Error('expected an InvalidConfigError');
};

describe('sg-revoke context', () => {
  it('accepts the synthetic deployment the tests synthesize', () => {
    const config = parseConfig(testContext());

    expect(config.allowedAccountIds).toEqual(['111122223333']);
    expect(config.busName).toBeUndefined();
    expect(config.objectLockMode).toBe('COMPLIANCE');
    expect(config.applyReservedConcurrency).toBe(2);
  });

  it('cdk.json ships no account, role or group as a silent default: its context alone fails', () => {
    const shipped = cdkJsonContext();

    expect(CONFIG_KEYS.filter((key) => key in shipped)).toEqual([]);
    expect(JSON.stringify(shipped)).not.toMatch(/\d{12}|arn:aws|sg-[0-9a-f]{8}/);
    expect(errorOf(shipped)).toMatch(/allowedAccountIds: is required[\s\S]*approverPrincipals: is required/);
  });

  it('fills the documented defaults for optional keys', () => {
    expect(parseConfig(valid)).toEqual({
      ...valid,
      profile: 'production',
      protectedIds: [],
      viewerPrincipals: [],
      findingPublisherPrincipals: [],
      reverifySchedule: 'rate(15 minutes)',
      auditRetentionDays: 365,
      auditRowRetentionDays: 400,
      auditObjectRetentionDays: 400,
      objectLockMode: 'COMPLIANCE',
      logRetentionDays: 90,
      approvalTtlHours: 24,
      verifyWindowDays: 30,
      applyReservedConcurrency: 2,
      securityHubV2Intake: true,
      securityHubAsffIntake: false,
      ec2HighRiskPorts: DEFAULT_CONTROL_PORTS.highRiskPorts,
      ec2AuthorizedTcpPorts: [80, 443],
      ec2AuthorizedUdpPorts: [],
      flowLogsDays: 7,
      maxRevokesPerHour: 20,
      breakerThreshold: 3,
    });
  });

  it('refuses a Security Hub switch that is not a boolean and a port outside 0-65535, naming the key', () => {
    const message = errorOf({ ...valid, securityHubAsffIntake: 'yes', ec2HighRiskPorts: [22, 70000] });
    expect(message).toMatch(/securityHubAsffIntake: must be true or false/);
    expect(message).toMatch(/ec2HighRiskPorts\[1\]: must be a port 0-65535/);
  });

  it.each([
    ['maxRevokesPerHour', 0],
    ['maxRevokesPerHour', 1001],
    ['maxRevokesPerHour', 2.5],
    ['breakerThreshold', 0],
    ['breakerThreshold', 'three'],
  ])('refuses %s = %p, naming the key', (key, value) => {
    expect(() => parseConfig({ ...valid, [key]: value })).toThrow(new RegExp(`- ${key}:`));
  });

  it('accepts the string forms `cdk -c key=value` passes', () => {
    const config = parseConfig({
      allowedAccountIds: '111122223333, 444455556666',
      approverPrincipals: '["arn:aws:iam::111122223333:role/sec-lead"]',
      protectedIds: 'sg-0123abcd,sg-0123456789abcdef0',
      applyReservedConcurrency: '3',
      logRetentionDays: '30',
      busName: '',
    });

    expect(config.allowedAccountIds).toEqual(['111122223333', '444455556666']);
    expect(config.approverPrincipals).toEqual(['arn:aws:iam::111122223333:role/sec-lead']);
    expect(config.protectedIds).toEqual(['sg-0123abcd', 'sg-0123456789abcdef0']);
    expect(config.applyReservedConcurrency).toBe(3);
    expect(config.logRetentionDays).toBe(30);
    expect(config.busName).toBeUndefined();
  });

  it.each([
    ['allowedAccountIds', ['12345']],
    ['allowedAccountIds', []],
    ['protectedIds', ['sg-0123456']],
    ['protectedIds', ['sg-0123456789ABCDEF0']],
    ['protectedIds', '[not json'],
    ['approverPrincipals', ['*']],
    ['approverPrincipals', ['arn:aws:iam::*:role/approver']],
    ['findingPublisherPrincipals', ['arn:aws:iam::111122223333:role/*']],
    ['busName', 'has spaces'],
    ['reverifySchedule', 'every 15 minutes'],
    ['auditRetentionDays', 0],
    ['objectLockMode', 'STRICT'],
    ['logRetentionDays', 31],
    ['approvalTtlHours', 'abc'],
    ['verifyWindowDays', 1.5],
    ['applyReservedConcurrency', 0],
  ])('rejects %s = %j with an error naming the key', (key, value) => {
    const message = errorOf({ ...valid, [key]: value });

    expect(message).toMatch(new RegExp(`^  - ${key}(\\[\\d+\\])?: `, 'm'));
  });

  // Issue 8: every pattern whose role or account the caller could choose, refused at synth.
  it.each([
    ['arn:aws:sts::111122223333:assumed-role/*/alice@corp.com', /role name must be fixed/],
    ['arn:aws:sts::111122223333:assumed-role/IncidentCommander*/x', /role name must be fixed/],
    ['arn:aws:sts::111122223333:assumed-role/IncidentCommander*', /role name must be fixed/],
    ['arn:aws:sts::111122223333:federated-user/alice', /federated-user/],
    ['arn:aws:iam::111122223333:user/alice', /IAM users/],
    ['arn:aws:iam::111122223333:root', /root/],
    ['arn:aws:sts::111122223333:*', /must name a role/],
    ['arn:aws:sts::*:assumed-role/Admin/*', /never a wildcard/],
    ['arn:aws:sts:::assumed-role/Admin/*', /account is missing/],
    ['IncidentCommander', /not an ARN/],
  ])('refuses the approver or viewer pattern %s, naming the key, the pattern and why', (pattern, why) => {
    for (const key of ['approverPrincipals', 'viewerPrincipals']) {
      const message = errorOf({ ...valid, [key]: [pattern] });

      expect(message).toContain(`  - ${key}[0]: \`${pattern}\` is refused`);
      expect(message).toMatch(why);
    }
  });

  it.each([
    'arn:aws:sts::111122223333:assumed-role/IncidentCommander/*',
    'arn:aws:sts::111122223333:assumed-role/IncidentCommander/alice@corp.com',
    'arn:aws:iam::111122223333:role/ops/SecLead',
    'arn:aws-us-gov:sts::111122223333:assumed-role/Approver/*',
    'arn:aws-cn:iam::111122223333:role/Approver',
    'arn:aws:sts::111122223333:assumed-role/*/alice',
    'arn:aws:sts::111122223333:federated-user/alice',
    'arn:aws:iam::111122223333:user/alice',
    'arn:aws:sts::111122223333:*',
    'arn:aws:sts::*:assumed-role/Admin/*',
  ])('synth and run time agree on %s', (pattern) => {
    const atSynth = (() => {
      try {
        parseConfig({ ...valid, approverPrincipals: [pattern] });
        return true;
      } catch {
        return false;
      }
    })();
    const atRunTime = (() => {
      try {
        loadConfig({ AWS_SG_REVOKE_APPROVER_PRINCIPALS: pattern }, ['approverPrincipals']);
        return true;
      } catch {
        return false;
      }
    })();

    expect(atSynth).toBe(atRunTime);
  });

  it('bounds the approval TTL and the verify window with the limits the functions use', () => {
    expect(parseConfig({ ...valid, approvalTtlHours: APPROVAL_TTL_HOURS.max }).approvalTtlHours).toBe(
      APPROVAL_TTL_HOURS.max,
    );
    expect(errorOf({ ...valid, approvalTtlHours: APPROVAL_TTL_HOURS.max + 1 })).toMatch(/approvalTtlHours/);
    expect(parseConfig({ ...valid, verifyWindowDays: VERIFY_WINDOW_DAYS.max }).verifyWindowDays).toBe(
      VERIFY_WINDOW_DAYS.max,
    );
    expect(errorOf({ ...valid, verifyWindowDays: VERIFY_WINDOW_DAYS.max + 1 })).toMatch(/verifyWindowDays/);
  });

  it('keeps audit rows and objects at least as long as the Object Lock retention', () => {
    const message = errorOf({ ...valid, auditRetentionDays: 365, auditRowRetentionDays: 30 });

    expect(message).toMatch(/auditRowRetentionDays: must be at least auditRetentionDays \(365\)/);
    expect(errorOf({ ...valid, auditObjectRetentionDays: 100 })).toMatch(/auditObjectRetentionDays/);
    expect(parseConfig({ ...valid, auditRowRetentionDays: 3650 }).auditRowRetentionDays).toBe(3650);
  });

  it('requires the account and approver lists', () => {
    const message = errorOf({});

    expect(message).toMatch(/allowedAccountIds: is required/);
    expect(message).toMatch(/approverPrincipals: is required/);
  });

  it('refuses publisher principals for an imported bus it cannot manage', () => {
    const message = errorOf({
      ...valid,
      busName: 'default',
      findingPublisherPrincipals: ['arn:aws:iam::111122223333:root'],
    });

    expect(message).toMatch(/findingPublisherPrincipals: only applies to the dedicated bus/);
  });

  it('stops the synth of the app before any resource is built', () => {
    const context = { ...testContext(), allowedAccountIds: ['not-an-account'] };

    expect(() => createSgRevokeApp({ context })).toThrow(
      /allowedAccountIds\[0\]: must be a 12-digit AWS account id/,
    );
  });
});
