import { nativeSha256Hex } from '../../../lambda/cli/native-hash';
import { readPlanOptions } from '../../../lambda/cli/plan-config';

describe('readPlanOptions', () => {
  it('reads protected ids; without an allow-list the account binding stays off', () => {
    const options = readPlanOptions({
      AWS_SG_REVOKE_PROTECTED_IDS: ' sg-0a1b2c3d , sg-0a1b2c3d4e5f60001 ',
      SG_REVOKE_WORKERS: '3',
    });

    expect(options.ok && options.value).toEqual({
      ctx: {
        protectedIds: new Set(['sg-0a1b2c3d', 'sg-0a1b2c3d4e5f60001']),
        allowedAccounts: null,
        callerAccount: null,
        live: null,
        sha256Hex: nativeSha256Hex,
      },
      workers: 3,
    });
  });

  it('applies the allow-list when it is set', () => {
    const options = readPlanOptions({ AWS_SG_REVOKE_ALLOWED_ACCOUNT_IDS: '111122223333,444455556666' });

    expect(options.ok && options.value.ctx.allowedAccounts).toEqual(
      new Set(['111122223333', '444455556666']),
    );
  });

  it('defaults the workers to the cores, at most 4', () => {
    const options = readPlanOptions({});

    expect(options.ok && options.value.workers).toBeLessThanOrEqual(4);
  });

  it.each([
    [{ AWS_SG_REVOKE_PROTECTED_IDS: 'sg-xyz' }, 'AWS_SG_REVOKE_PROTECTED_IDS'],
    [{ AWS_SG_REVOKE_ALLOWED_ACCOUNT_IDS: '12345' }, 'AWS_SG_REVOKE_ALLOWED_ACCOUNT_IDS'],
    [{ SG_REVOKE_WORKERS: '-1' }, 'SG_REVOKE_WORKERS'],
    [{ SG_REVOKE_WORKERS: '17' }, 'SG_REVOKE_WORKERS'],
    [{ SG_REVOKE_WORKERS: '1.5' }, 'SG_REVOKE_WORKERS'],
  ])('refuses %j, naming the variable', (env, variable) => {
    const options = readPlanOptions(env);

    expect(options.ok).toBe(false);
    expect(!options.ok && options.error).toContain(variable);
  });
});
