import 'aws-cdk-lib/testhelpers/jest-autoclean';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { InvalidConfigError, parseConfig } from '../../infra/lib/config';
import { createSgRevokeApp } from '../../infra/lib/sg-revoke-app';
import { TRIAL_KEY_PENDING_DAYS } from '../../infra/lib/trial-profile';
import { testContext } from './synthetic-context';

type Resource = {
  Type: string;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
  Properties?: Record<string, unknown>;
};

function synth(overrides: Record<string, unknown> = {}) {
  const { app, stack } = createSgRevokeApp({
    context: testContext({ 'aws:cdk:bundling-stacks': [], ...overrides }),
  });
  const resources = (Template.fromStack(stack).toJSON() as { Resources: Record<string, Resource> }).Resources;
  const ofType = (type: string) => Object.values(resources).filter((r) => r.Type === type);
  return { app, stack, resources, ofType };
}

/** The audit bucket: the one with Object Lock. */
const evidenceBucket = (buckets: Resource[]) => {
  const locked = buckets.filter((b) => b.Properties?.ObjectLockEnabled === true);
  expect(locked).toHaveLength(1);
  return locked[0] as Resource;
};

const minimal = {
  allowedAccountIds: ['111122223333'],
  approverPrincipals: ['arn:aws:sts::111122223333:assumed-role/sg-revoke-approver/*'],
};

describe('production profile (the default)', () => {
  const { ofType } = synth();

  it('locks evidence in COMPLIANCE mode for a year', () => {
    expect(evidenceBucket(ofType('AWS::S3::Bucket')).Properties?.ObjectLockConfiguration).toEqual({
      ObjectLockEnabled: 'Enabled',
      Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 365 } },
    });
  });

  it('retains buckets, the audit and actions tables and the keys when the stack is deleted', () => {
    for (const type of ['AWS::S3::Bucket', 'AWS::KMS::Key']) {
      for (const resource of ofType(type)) expect([type, resource.DeletionPolicy]).toEqual([type, 'Retain']);
    }
    const tables = ofType('AWS::DynamoDB::Table');
    const retained = tables.filter((t) => t.DeletionPolicy === 'Retain');
    expect(retained).toHaveLength(2); // audit rows and actions; the idempotency records may go
    for (const table of retained) expect(table.Properties?.DeletionProtectionEnabled).toBe(true);
  });
});

describe('trial profile (profile: trial)', () => {
  const { app, stack, resources, ofType } = synth({ profile: 'trial' });

  it('locks evidence in GOVERNANCE mode for one day, and expires it after one day', () => {
    const bucket = evidenceBucket(ofType('AWS::S3::Bucket'));

    expect(bucket.Properties?.ObjectLockConfiguration).toEqual({
      ObjectLockEnabled: 'Enabled',
      Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 1 } },
    });
    expect(bucket.Properties?.LifecycleConfiguration).toEqual({
      Rules: [
        expect.objectContaining({
          Status: 'Enabled',
          ExpirationInDays: 1,
          NoncurrentVersionExpiration: { NoncurrentDays: 1 },
        }),
      ],
    });
  });

  it('deletes every resource with the stack: no Retain anywhere, no deletion protection', () => {
    const kept = Object.entries(resources).filter(
      ([, r]) => r.DeletionPolicy === 'Retain' || r.UpdateReplacePolicy === 'Retain',
    );

    expect(kept.map(([id]) => id)).toEqual([]);
    for (const table of ofType('AWS::DynamoDB::Table')) {
      expect(table.Properties?.DeletionProtectionEnabled).toBe(false);
    }
  });

  it('schedules its keys for deletion after the shortest wait KMS allows', () => {
    const keys = ofType('AWS::KMS::Key');

    expect(keys.length).toBeGreaterThanOrEqual(3); // audit, approval signing, notifications
    for (const key of keys) expect(key.Properties?.PendingWindowInDays).toBe(TRIAL_KEY_PENDING_DAYS);
  });

  it('keeps the write-once bucket policy and adds no auto-delete function (it could not delete locked versions)', () => {
    expect(ofType('Custom::S3AutoDeleteObjects')).toEqual([]);
    const denies = ofType('AWS::S3::BucketPolicy').flatMap(
      (p) =>
        (p.Properties?.PolicyDocument as { Statement?: { Sid?: string }[] } | undefined)?.Statement ?? [],
    );
    expect(denies.map((s) => s.Sid)).toEqual(expect.arrayContaining(['NoDeletesNoRetentionBypass']));
  });

  it('passes cdk-nag like production', () => {
    const report = new AwsSolutionsChecks(app).validateScope(stack);

    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
  });
});

describe('choosing a profile', () => {
  it('is explicit: without `profile` the context is production', () => {
    expect(parseConfig(minimal)).toMatchObject({
      profile: 'production',
      objectLockMode: 'COMPLIANCE',
      auditRetentionDays: 365,
    });
  });

  it('trial fills its defaults only where the context is silent', () => {
    expect(parseConfig({ ...minimal, profile: 'trial' })).toMatchObject({
      objectLockMode: 'GOVERNANCE',
      auditRetentionDays: 1,
      auditRowRetentionDays: 1,
      auditObjectRetentionDays: 1,
    });
    expect(parseConfig({ ...minimal, profile: 'trial', auditRetentionDays: '3' })).toMatchObject({
      auditRetentionDays: 3,
      auditRowRetentionDays: 3,
      auditObjectRetentionDays: 3,
    });
  });

  it('refuses trial with COMPLIANCE, and an unknown profile, naming the key', () => {
    const messageOf = (raw: Record<string, unknown>) => {
      try {
        parseConfig(raw);
      } catch (error) {
        expect(error).toBeInstanceOf(InvalidConfigError);
        return (error as InvalidConfigError).problems.join('\n');
      }
      throw new Error('expected an InvalidConfigError');
    };

    expect(messageOf({ ...minimal, profile: 'trial', objectLockMode: 'COMPLIANCE' })).toMatch(
      /^objectLockMode: must be GOVERNANCE with profile trial/,
    );
    expect(messageOf({ ...minimal, profile: 'staging' })).toMatch(/^profile: must be production or trial/);
  });
});
