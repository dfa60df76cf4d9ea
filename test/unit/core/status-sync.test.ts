import fc from 'fast-check';
import { COMMENT_LIMIT, statusUpdateOf, truncateComment } from '../../../lambda/core/status-sync';

const origin = {
  kind: 'securityhub-asff',
  id: 'f-1',
  productArn: 'arn:aws:securityhub:us-east-1::product/aws/securityhub',
};

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
  ])('%s %j changes nothing at the source', (detailType, extra) => {
    expect(statusUpdateOf(detailType, { action_id: 'a', origin, ...extra })).toBeNull();
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
