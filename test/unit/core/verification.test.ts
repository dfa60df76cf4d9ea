import type { Cidr } from '../../../lambda/core/permission';
import {
  buildVerificationRecord,
  VERIFICATION_SLA_MS,
  type VerificationSubject,
  verifyExposure,
} from '../../../lambda/core/verification';
import { group, rule } from './support';

const APPLIED = 1_776_600_001_000;
const subject: VerificationSubject = {
  actionId: 'sgrev-1c4ef8d9129dd5e7',
  findingUid: 'asg-11f2f83f01e65ee8',
  sgId: 'sg-0a1b2c3d4e5f60001',
  sgName: 'web-tier',
  region: 'us-east-1',
  accountUid: '111122223333',
  appliedAtMs: APPLIED,
  protocol: 'tcp',
  fromPort: 22,
  toPort: 22,
  publicCidrs: ['0.0.0.0/0' as Cidr],
  ports: [22],
};

describe('verifyExposure', () => {
  it('is unreachable, never verified, when the group cannot be read', () => {
    const v = verifyExposure(subject, { kind: 'error', message: 'RequestExpired: credentials expired' });

    expect(v).toMatchObject({
      status: 'unreachable',
      detail: 'RequestExpired: credentials expired',
      offending: [],
    });
  });

  it('is verified when the group is gone (InvalidGroup.NotFound)', () => {
    const v = verifyExposure(subject, { kind: 'not-found' });

    expect(v.status).toBe('verified');
    expect(v.detail).toBe('containment confirmed via absence (InvalidGroup.NotFound)');
  });

  it('is verified when no rule covers the exposure any more', () => {
    const live = group({ ingress: [rule('sgr-b', '10.0.0.0/8', 'tcp', 22, 22)] });

    expect(verifyExposure(subject, { kind: 'found', group: live }).status).toBe('verified');
  });

  it('is drift when a wider rule came back, and names it', () => {
    const live = group({ ingress: [rule('sgr-a', '0.0.0.0/0', '-1', null, null)] });

    const v = verifyExposure(subject, { kind: 'found', group: live });

    expect(v.status).toBe('drift');
    expect(v.offending.map((r) => r.ruleId)).toEqual(['sgr-a']);
    expect(v.actualState).toBe('covering ingress rules present: [sgr-a 0.0.0.0/0 -1:all]');
  });
});

describe('buildVerificationRecord', () => {
  it('counts the SLA from the time the revoke was applied', () => {
    const v = verifyExposure(subject, { kind: 'not-found' });

    const early = buildVerificationRecord(subject, v, APPLIED + VERIFICATION_SLA_MS);
    const late = buildVerificationRecord(subject, v, APPLIED + VERIFICATION_SLA_MS + 1);

    expect([early.within_sla, late.within_sla]).toEqual([true, false]);
    expect(early.sla_deadline_ms).toBe(APPLIED + 15 * 60 * 1000);
  });

  it('carries the reference to the action and the offending rules', () => {
    const live = group({ ingress: [rule('sgr-a', '0.0.0.0/0', 'tcp', 22, 22)] });
    const v = verifyExposure(subject, { kind: 'found', group: live });

    const record = buildVerificationRecord(subject, v, APPLIED + 1000);

    expect(record).toMatchObject({
      record_type: 'remediation_verification',
      status: 'drift',
      reference: {
        remediation_action_uid: 'sgrev-1c4ef8d9129dd5e7',
        target_identifier: 'sg-0a1b2c3d4e5f60001/0.0.0.0/0:tcp:22-22',
        original_finding_uid: 'asg-11f2f83f01e65ee8',
        remediated_at_ms: APPLIED,
      },
      offending_rules: [
        { rule_id: 'sgr-a', cidr: '0.0.0.0/0', ip_protocol: 'tcp', from_port: 22, to_port: 22 },
      ],
    });
    expect(record.record_uid).toMatch(/^rev-[0-9a-f]{16}$/);
  });
});
