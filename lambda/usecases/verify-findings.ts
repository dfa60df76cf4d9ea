import { buildDriftFinding, type DriftFinding } from '../core/drift-finding';
import { rejectionStatus } from '../core/dry-run';
import { messageOf } from '../core/errors';
import { parseFinding } from '../core/finding';
import type { Finding } from '../core/model';
import { isPublicCidr } from '../core/permission';
import { actionIdOf } from '../core/plan';
import type { ActionStore, Clock, SecurityGroups } from '../core/ports';
import { targetOfRaw } from '../core/records';
import { buildVerificationRecord, buildVerificationSkipRecord, verifyExposure } from '../core/verification';
import { readByRegion, subjectOf } from './reverify-actions';

export interface VerifyFindingsDeps {
  readonly securityGroups: SecurityGroups;
  /** The actions table, when there is one: the SLA then counts from the recorded apply time. */
  readonly actions: Pick<ActionStore, 'get'> | null;
  readonly clock: Clock;
}

export type VerificationOutput =
  | ReturnType<typeof buildVerificationRecord>
  | ReturnType<typeof buildVerificationSkipRecord>;

/** One result per input finding, in input order: its record, and a drift finding after a drift. */
export interface FindingVerification {
  readonly record: VerificationOutput;
  readonly driftFinding: DriftFinding | null;
  /** Set when the actions table could not be read for this finding (the SLA is then unknown). */
  readonly storeError: string | null;
}

/**
 * The original's `reverify` over findings (the CLI): every finding gets a verification record,
 * skips included. Groups are read once per region; a group that cannot be read is UNREACHABLE,
 * never VERIFIED. Nothing is written: the schedule's reverify (reverifyActions) owns the table.
 */
export async function verifyFindings(
  deps: VerifyFindingsDeps,
  values: readonly unknown[],
): Promise<FindingVerification[]> {
  const parsed = values.map((value) => parseFinding(value));
  const checkable = parsed.flatMap((p) => (p.ok && hasPublicCidr(p.value) ? [p.value] : []));
  const read = await readByRegion(deps.securityGroups, checkable);
  const results: FindingVerification[] = [];
  for (const p of parsed) {
    const checkedAtMs = deps.clock.nowMs();
    if (!p.ok) {
      const raw = targetOfRaw(p.error.raw);
      const status = rejectionStatus(p.error);
      const record = buildVerificationSkipRecord({
        status,
        detail: p.error.reason,
        findingUid: p.error.raw?.findingUid ?? '',
        target: raw,
        checkedAtMs,
      });
      results.push({ record, driftFinding: null, storeError: null });
    } else if (!hasPublicCidr(p.value)) {
      const f = p.value;
      const record = buildVerificationSkipRecord({
        status: 'skipped_not_public',
        detail: `no internet-wide CIDR among [${f.permission.cidrs.join(', ')}]: nothing was revoked to verify`,
        findingUid: f.findingUid,
        target: { sg_id: f.sgId, sg_name: f.sgName ?? f.sgId, region: f.region, account_uid: f.accountUid },
        checkedAtMs,
      });
      results.push({ record, driftFinding: null, storeError: null });
    } else {
      results.push(await verifyOne(deps, p.value, read(p.value, p.value.sgId), checkedAtMs));
    }
  }
  return results;
}

const hasPublicCidr = (f: Finding): boolean => f.permission.cidrs.some(isPublicCidr);

async function verifyOne(
  deps: VerifyFindingsDeps,
  finding: Finding,
  live: Parameters<typeof verifyExposure>[1],
  checkedAtMs: number,
): Promise<FindingVerification> {
  const actionId = actionIdOf(finding);
  let appliedAtMs: number | null = null;
  let storeError: string | null = null;
  if (deps.actions) {
    try {
      const at = (await deps.actions.get(actionId))?.outcome?.at;
      appliedAtMs = at ? Date.parse(at) : null;
    } catch (error) {
      storeError = messageOf(error);
    }
  }
  const subject = { ...subjectOf(finding, actionId, 0), appliedAtMs };
  const v = verifyExposure(subject, live);
  const record = buildVerificationRecord(subject, v, checkedAtMs);
  const driftFinding =
    v.status === 'drift' ? buildDriftFinding(subject, v, 'create', checkedAtMs, checkedAtMs) : null;
  return { record, driftFinding, storeError };
}
