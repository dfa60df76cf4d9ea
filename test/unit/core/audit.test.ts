import {
  type AuditFacts,
  type AuditRow,
  auditKeyOf,
  buildAuditRow,
  s3KeyOf,
  verifyAuditChain,
} from '../../../lambda/core/audit';
import type { Cidr } from '../../../lambda/core/permission';

const facts: AuditFacts = {
  actionId: 'sgrev-6f6cb4309a632969',
  findingUid: 'asg-11f2f83f01e65ee8',
  accountUid: '111122223333',
  region: 'us-east-1',
  sgId: 'sg-0a1b2c3d4e5f60001',
  sgName: 'web-tier',
  rules: [
    { ruleId: 'sgr-0000000000000000a', protocol: 'tcp', fromPort: 22, toPort: 22, cidr: '0.0.0.0/0' as Cidr },
  ],
  step: 'revoke_before',
  status: 'in_progress',
  detail: 'about to revoke',
  incidentId: 'INC-1234',
  approver: 'arn:aws:iam::111122223333:role/secops',
  caller: 'arn:aws:sts::111122223333:assumed-role/sg-revoke-apply/fn',
  mode: 'lambda',
};

function chain(): AuditRow[] {
  const before = buildAuditRow(facts, '2026-04-19T12:00:00.000Z', null);
  const after = buildAuditRow(
    { ...facts, step: 'revoke_after', status: 'success', detail: 'revoked', revokedRules: facts.rules },
    '2026-04-19T12:00:01.000Z',
    before.row_hash,
  );
  return [before, after];
}

describe('buildAuditRow', () => {
  it('carries every fact of DESIGN §7 and its write-once keys', () => {
    const row = buildAuditRow(facts, '2026-04-19T12:00:00.000Z', null);

    expect(row).toMatchObject({
      record_type: 'remediation_audit',
      sg_id: 'sg-0a1b2c3d4e5f60001',
      action_at: '2026-04-19T12:00:00.000Z#sgrev-6f6cb4309a632969#revoke_before',
      action_id: 'sgrev-6f6cb4309a632969',
      finding_uid: 'asg-11f2f83f01e65ee8',
      account_uid: '111122223333',
      region: 'us-east-1',
      rules: facts.rules,
      revoked_rules: [],
      incident_id: 'INC-1234',
      approver: 'arn:aws:iam::111122223333:role/secops',
      mode: 'lambda',
      prev_hash: null,
      s3_key:
        'aws-sg-revoke/audit/2026/04/19/sg-0a1b2c3d4e5f60001/2026-04-19T12-00-00.000Z-sgrev-6f6cb4309a632969-revoke_before.json',
    });
    expect(row.row_hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('keys two steps of one action in the same millisecond apart', () => {
    const at = '2026-04-19T12:00:00.000Z';

    expect(auditKeyOf({ ...facts, step: 'revoke_before' }, at)).not.toBe(
      auditKeyOf({ ...facts, step: 'revoke_after' }, at),
    );
  });

  it('keeps only safe characters in the S3 key', () => {
    expect(s3KeyOf('sg-../../x y', '2026-04-19T12:00:00.000Z#a/b')).toBe(
      'aws-sg-revoke/audit/2026/04/19/sg-..-..-x-y/2026-04-19T12-00-00.000Z-a-b.json',
    );
  });
});

describe('verifyAuditChain', () => {
  it('accepts an intact chain', () => {
    expect(verifyAuditChain(chain())).toBe(-1);
  });

  it('finds a tampered row', () => {
    const [before, after] = chain();
    const tampered = { ...after!, status: 'failure' as const };

    expect(verifyAuditChain([before!, tampered])).toBe(1);
  });

  it('finds a row whose hash was recomputed but whose link breaks the next row', () => {
    const [, after] = chain();
    const mallory = 'arn:aws:iam::111122223333:user/mallory';
    const rehashed = buildAuditRow({ ...facts, approver: mallory }, '2026-04-19T12:00:00.000Z', null);

    expect(verifyAuditChain([rehashed, after!])).toBe(1);
  });

  it('finds a missing or reordered row', () => {
    const [before, after] = chain();

    expect(verifyAuditChain([after!])).toBe(0);
    expect(verifyAuditChain([after!, before!])).toBe(0);
  });
});
