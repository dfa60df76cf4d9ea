import { parseArgs } from 'node:util';
import { destroyClients } from '../adapters/clients';
import { callerIdentity, controlStore, evidenceStore } from '../adapters/factories';
import { loadConfig } from '../config/config';
import { messageOf } from '../core/errors';
import { type PauseDeps, setPause } from '../usecases/pause-control';
import type { CliIo } from './plan-command';
import { EXIT_FAILURE, EXIT_OK, usageError } from './usage-error';

type Request = { readonly show: true } | { readonly show: false; readonly reason: string };

const REASON = /^[^\p{Cc}]{3,500}$/u;

/**
 * `sg-revoke pause --reason TEXT`, `sg-revoke resume [--reason TEXT]`, `sg-revoke pause --status`:
 * the kill switch, set with the operator's own credentials and audited under their principal ARN.
 */
export async function runPause(
  verb: 'pause' | 'resume',
  argv: readonly string[],
  io: CliIo,
): Promise<number> {
  let request: Request;
  try {
    request = parseRequest(verb, argv);
  } catch (error) {
    return usageError(io.stderr, `${verb}: ${messageOf(error)}`);
  }
  let deps: PauseDeps;
  try {
    const config = loadConfig(io.env, ['actionsTable', 'auditTable', 'auditBucket', 'kmsKeyArn']);
    deps = { control: controlStore(config), evidence: evidenceStore(config), clock: { nowMs: io.nowMs } };
  } catch (error) {
    return usageError(io.stderr, `${verb}: ${messageOf(error)}`);
  }
  try {
    if (request.show) {
      io.stdout.write(`${JSON.stringify((await deps.control.readPause()).value)}\n`);
      return EXIT_OK;
    }
    const me = await callerIdentity().whoAmI();
    const result = await setPause(deps, {
      paused: verb === 'pause',
      reason: request.reason,
      by: me.arn,
      mode: 'cli',
      accountUid: me.account,
      region: io.env.AWS_REGION ?? io.env.AWS_DEFAULT_REGION ?? 'unknown',
    });
    const audit =
      result.kind === 'changed' ? { row_uid: result.rowUid, s3_evidence_uri: result.s3Uri } : null;
    io.stdout.write(`${JSON.stringify({ ...result.state, changed: result.kind === 'changed', audit })}\n`);
    return EXIT_OK;
  } catch (error) {
    io.stderr.write(`${verb} failed: ${messageOf(error)}\n`);
    return EXIT_FAILURE;
  } finally {
    destroyClients();
  }
}

function parseRequest(verb: 'pause' | 'resume', argv: readonly string[]): Request {
  const { values, positionals } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: true,
    options: { reason: { type: 'string' }, status: { type: 'boolean' } },
  });
  if (positionals.length > 0) throw new Error(`unexpected argument \`${positionals[0]}\``);
  if (values.status) {
    if (values.reason !== undefined) throw new Error('--status takes no --reason');
    return { show: true };
  }
  const reason = values.reason ?? (verb === 'resume' ? 'resumed by the operator' : undefined);
  if (reason === undefined) throw new Error('--reason TEXT is required (it goes in the audit)');
  if (!REASON.test(reason)) throw new Error('--reason must be 3-500 printable characters');
  return { show: false, reason };
}
