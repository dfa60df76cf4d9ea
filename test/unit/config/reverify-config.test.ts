import { loadReverifyConfig } from '../../../lambda/config/reverify-config';
import { DEFAULT_VERIFY_POLICY } from '../../../lambda/core/verification-change';

describe('loadReverifyConfig', () => {
  it('defaults every setting: a daily heartbeat, streaks audited at 1 hour and 1 day, 20 transitions, rows kept', () => {
    expect(loadReverifyConfig({})).toEqual({ ...DEFAULT_VERIFY_POLICY, auditRowRetentionDays: undefined });
  });

  it('reads each variable', () => {
    expect(
      loadReverifyConfig({
        AWS_SG_REVOKE_VERIFY_HEARTBEAT_HOURS: '12',
        AWS_SG_REVOKE_UNREACHABLE_ALERT_CHECKS: '2, 8',
        AWS_SG_REVOKE_VERIFY_RECENT_LIMIT: '5',
        AWS_SG_REVOKE_AUDIT_ROW_RETENTION_DAYS: '400',
      }),
    ).toEqual({
      heartbeatMs: 12 * 3_600_000,
      unreachableThresholds: [2, 8],
      recentLimit: 5,
      auditRowRetentionDays: 400,
    });
  });

  it('names every bad variable at once', () => {
    expect(() =>
      loadReverifyConfig({
        AWS_SG_REVOKE_VERIFY_HEARTBEAT_HOURS: '0',
        AWS_SG_REVOKE_UNREACHABLE_ALERT_CHECKS: '4,x',
      }),
    ).toThrow(/AWS_SG_REVOKE_VERIFY_HEARTBEAT_HOURS.*AWS_SG_REVOKE_UNREACHABLE_ALERT_CHECKS/);
  });
});
