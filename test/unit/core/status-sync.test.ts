import fc from 'fast-check';
import { COMMENT_LIMIT, statusUpdateOf, truncateComment } from '../../../lambda/core/status-sync';

const origin = {
  kind: 'securityhub-asff',
  id: 'f-1',
  productArn: 'arn:aws:securityhub:us-east-1::product/aws/securityhub',
};

const ocsf = {
  kind: 'securityhub-ocsf',
  cloudAccountUid: '111122223333',
  findingInfoUid: 'arn:aws:securityhub:us-east-1:111122223333:security-control/EC2.19/finding/f-1',
  metadataProductUid: 'arn:aws:securityhub:us-east-1::productv2/aws/securityhub',
};

describe('statusUpdateOf: every transition, both APIs', () => {
  const base = {
    action_id: 'sgrev-1',
    rules: [{ ruleId: 'sgr-1' }],
    evidence_uri: 's3://b/k',
    status_detail: 'why',
  };
  it.each([
    [
      'Action Planned',
      {},
      2,
      'NOTIFIED',
      'sg-revoke action sgrev-1 planned, awaiting approval; rules: sgr-1',
    ],
    [
      'Action Verified',
      {},
      4,
      'RESOLVED',
      'sg-revoke action sgrev-1 revoked and re-verified; audit evidence s3://b/k; rules: sgr-1',
    ],
    ['Drift Detected', {}, 1, 'NEW', 'sg-revoke action sgrev-1: DRIFT, the revoked exposure is open again'],
    [
      'Action Skipped',
      { record_status: 'skipped_protected_sg' },
      3,
      'SUPPRESSED',
      'sg-revoke skipped action sgrev-1: why',
    ],
    ['Action Rejected', {}, 3, 'SUPPRESSED', 'sg-revoke action sgrev-1 rejected: why'],
  ])('%s %j → StatusId %i / %s', (type, extra, statusId, workflow, text) => {
    expect(statusUpdateOf(type, { ...base, ...extra, origin: ocsf })).toEqual({
      kind: 'securityhub-ocsf',
      identifier: {
        CloudAccountUid: ocsf.cloudAccountUid,
        FindingInfoUid: ocsf.findingInfoUid,
        MetadataProductUid: ocsf.metadataProductUid,
      },
      statusId,
      comment: text,
    });
    expect(statusUpdateOf(type, { ...base, ...extra, origin })).toEqual({
      kind: 'securityhub-asff',
      identifier: { Id: 'f-1', ProductArn: origin.productArn },
      workflowStatus: workflow,
      note: text,
    });
  });
});

describe('statusUpdateOf', () => {
  it('a long comment is cut to 512 characters and still names the action and the evidence first', () => {
    const rules = Array.from({ length: 60 }, (_, i) => ({ ruleId: `sgr-${String(i).padStart(17, '0')}` }));
    const update = statusUpdateOf('Action Verified', {
      action_id: 'sgrev-0123456789abcdef',
      evidence_uri: 's3://bucket/aws-sg-revoke/audit/2026/11/30/sg-0a1b2c3d/x.json',
      rules,
      origin,
    });
    const note = update?.kind === 'securityhub-asff' ? update.note : '';
    expect(note.length).toBe(COMMENT_LIMIT);
    expect(note).toMatch(
      /^sg-revoke action sgrev-0123456789abcdef revoked and re-verified; audit evidence s3:\/\/bucket\//,
    );
    expect(note.endsWith('…')).toBe(true);
  });

  it.each([
    ['Action Applied', { record_status: 'success' }],
    ['Action Expired', {}],
    ['Action Skipped', { record_status: 'already_absent' }],
    ['Action Skipped', { record_status: 'skipped_not_public' }],
    // A finding of an account this deployment may not touch is not ours to suppress.
    ['Action Skipped', { record_status: 'skipped_account_boundary' }],
  ])('%s %j changes nothing at the source', (detailType, extra) => {
    expect(statusUpdateOf(detailType, { action_id: 'a', origin, ...extra })).toBeNull();
  });

  it("another product's finding (GuardDuty, a custom import) is never written to", () => {
    const guardDuty = {
      kind: 'securityhub-asff',
      id: 'gd-1',
      productArn: 'arn:aws:securityhub:us-east-1::product/aws/guardduty',
    };
    const custom = {
      ...ocsf,
      metadataProductUid: 'arn:aws:securityhub:us-east-1:111122223333:product/111122223333/default',
    };

    expect(statusUpdateOf('Action Verified', { action_id: 'a', origin: guardDuty })).toBeNull();
    expect(statusUpdateOf('Action Verified', { action_id: 'a', origin: custom })).toBeNull();
  });

  it('an origin missing an identifier is ignored, never half-written', () => {
    expect(
      statusUpdateOf('Action Planned', {
        action_id: 'a',
        origin: { kind: 'securityhub-ocsf', findingInfoUid: 'x' },
      }),
    ).toBeNull();
  });

  it('never throws on random details', () => {
    fc.assert(
      fc.property(fc.string(), fc.jsonValue(), (type, detail) => {
        statusUpdateOf(type, detail);
        statusUpdateOf('Action Planned', { origin: detail });
      }),
    );
  });
});

describe('truncateComment', () => {
  it('never splits a surrogate pair and never exceeds the limit', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 800 }), (text) => {
        const out = truncateComment(text);
        expect(out.length).toBeLessThanOrEqual(COMMENT_LIMIT);
        expect(() => encodeURIComponent(out)).not.toThrow();
      }),
    );
  });
});
