import { parseArgs } from 'node:util';
import { destroyClients } from '../adapters/clients';
import {
  actionStore,
  approvalVerifier,
  auditTrail,
  controlStore,
  evidenceArchive,
} from '../adapters/factories';
import { loadConfig } from '../config/config';
import type { AuditVerdict } from '../core/audit-verify';
import { messageOf } from '../core/errors';
import { type AuditVerifyDeps, verifyAuditOf, verifyAuditSince } from '../usecases/verify-audit';
import type { CliIo } from './plan-command';
import { EXIT_FAILURE, EXIT_OK, usageError } from './usage-error';

export const AUDIT_USAGE = 'audit verify [--action ID | --since YYYY-MM-DD]';

/**
 * `sg-revoke audit verify`: one JSON line per action (`intact` / `tampered` with what differs);
 * exit 1 when anything was tampered with, 2 on a usage or configuration error.
 */
export async function runAudit(argv: readonly string[], io: CliIo): Promise<number> {
  let scope: { action: string } | { since: string };
  try {
    scope = parseScope(argv);
  } catch (error) {
    return usageError(io.stderr, `${messageOf(error)} (usage: sg-revoke ${AUDIT_USAGE})`);
  }
  let deps: AuditVerifyDeps;
  try {
    const config = loadConfig(io.env, ['actionsTable', 'auditTable', 'auditBucket', 'approvalKeyArn']);
    deps = {
      actions: actionStore(config),
      trail: auditTrail(config.auditTable),
      archive: evidenceArchive(config.auditBucket),
      verifier: approvalVerifier(config.approvalKeyArn),
      control: controlStore(config),
    };
  } catch (error) {
    return usageError(io.stderr, `audit verify: ${messageOf(error)}`);
  }
  let tampered = 0;
  const report = (verdict: AuditVerdict) => {
    if (verdict.status === 'tampered') tampered += 1;
    io.stdout.write(`${JSON.stringify(verdict)}\n`);
  };
  try {
    if ('action' in scope) {
      const verdict = await verifyAuditOf(deps, scope.action);
      if (!verdict) return usageError(io.stderr, `audit verify: no action ${scope.action}`);
      report(verdict);
    } else {
      for await (const verdict of verifyAuditSince(deps, scope.since)) report(verdict);
    }
  } catch (error) {
    io.stderr.write(`audit verify failed: ${messageOf(error)}\n`);
    return EXIT_FAILURE;
  } finally {
    destroyClients();
  }
  return tampered > 0 ? EXIT_FAILURE : EXIT_OK;
}

function parseScope(argv: readonly string[]): { action: string } | { since: string } {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: { action: { type: 'string' }, since: { type: 'string' } },
  });
  if (positionals.length !== 1 || positionals[0] !== 'verify') throw new Error('expected `audit verify`');
  if (values.action !== undefined && values.since !== undefined)
    throw new Error('--action and --since exclude each other');
  if (values.action !== undefined) return { action: values.action };
  const since = values.since ?? '1970-01-01';
  if (!/^\d{4}-\d{2}-\d{2}/.test(since) || Number.isNaN(Date.parse(since)))
    throw new Error(`--since ${since} is not a date`);
  return { since: new Date(Date.parse(since)).toISOString() };
}
