import { availableParallelism } from 'node:os';
import { loadConfig } from '../config/config';
import { messageOf } from '../core/errors';
import { err, ok, type Result } from '../core/result';
import { nativeSha256Hex } from './native-hash';
import type { PlanOptions } from './plan-command';

const ALLOWED_ACCOUNTS = 'AWS_SG_REVOKE_ALLOWED_ACCOUNT_IDS';
const WORKERS = 'SG_REVOKE_WORKERS';
const MAX_WORKERS = 16;

/**
 * The offline dry-run settings. The allow-list only applies when set: an offline plan must still
 * show what would be revoked when no account binding is configured yet.
 */
export function readPlanOptions(env: NodeJS.ProcessEnv): Result<PlanOptions, string> {
  const workers = workerCount(env[WORKERS]);
  if (!workers.ok) return workers;
  try {
    const config = loadConfig(env, ['protectedIds', 'allowedAccounts']);
    const allowListSet = (env[ALLOWED_ACCOUNTS] ?? '').trim() !== '';
    const ctx = {
      protectedIds: config.protectedIds,
      allowedAccounts: allowListSet ? config.allowedAccounts : null,
      callerAccount: null,
      live: null,
      sha256Hex: nativeSha256Hex,
    };
    return ok({ ctx, workers: workers.value });
  } catch (error) {
    return err(messageOf(error));
  }
}

/** One worker per core beyond the reading thread's, capped: the work is CPU-bound. */
function workerCount(raw: string | undefined): Result<number, string> {
  if (raw === undefined || raw.trim() === '') {
    const cores = availableParallelism();
    return ok(cores < 2 ? 0 : Math.min(cores, 4));
  }
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > MAX_WORKERS) {
    return err(`${WORKERS} \`${raw}\` is not an integer from 0 to ${MAX_WORKERS}`);
  }
  return ok(n);
}
