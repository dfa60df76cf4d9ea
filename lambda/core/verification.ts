import type { RecordStatus, VerificationStatus } from './action';
import { type Exposure, findCoveringRules } from './coverage';
import { shortHash } from './hash';
import type { IngressRule, LiveRead } from './model';
import { SCHEMA_VERSION, SOURCE_SKILL } from './records';

/** The original's SLA: a revoke is expected to hold within 15 minutes of being applied. */
export const VERIFICATION_SLA_MS = 15 * 60 * 1000;

export interface VerificationSubject extends Exposure {
  readonly actionId: string;
  readonly findingUid: string;
  readonly sgId: string;
  readonly sgName: string;
  readonly region: string;
  readonly accountUid: string;
  /** When the revoke was applied (not when the finding was detected: DESIGN §5). */
  readonly appliedAtMs: number;
}

export interface Verification {
  readonly status: VerificationStatus;
  readonly expectedState: string;
  readonly actualState: string;
  readonly detail: string;
  readonly offending: readonly IngressRule[];
}

const portsText = (s: Exposure) => (s.fromPort === null ? 'all' : `${s.fromPort}-${s.toPort}`);

export function targetIdentifier(s: Omit<VerificationSubject, 'appliedAtMs'>): string {
  return `${s.sgId}/${s.publicCidrs.join(',')}:${s.protocol}:${portsText(s)}`;
}

export function expectedStateOf(s: Omit<VerificationSubject, 'appliedAtMs'>): string {
  return `no ingress rule on \`${s.sgId}\` lets [${s.publicCidrs.join(', ')}] reach protocol \`${s.protocol}\` ports \`${portsText(s)}\``;
}

const describeRule = (r: IngressRule) =>
  `${r.ruleId} ${r.cidr} ${r.protocol}:${r.fromPort === null ? 'all' : `${r.fromPort}-${r.toPort}`}`;

/** Never turns an error into VERIFIED: only a read group without covering rules, or a deleted one. */
export function verifyExposure(
  subject: Omit<VerificationSubject, 'appliedAtMs'>,
  live: LiveRead,
): Verification {
  const expectedState = expectedStateOf(subject);
  switch (live.kind) {
    case 'not-found':
      return {
        status: 'verified',
        expectedState,
        actualState: 'security group not found (deleted) — stronger than revoked',
        detail: 'containment confirmed via absence (InvalidGroup.NotFound)',
        offending: [],
      };
    case 'error':
      return {
        status: 'unreachable',
        expectedState,
        actualState: 'the group could not be read; state unknown',
        detail: live.message,
        offending: [],
      };
    case 'found': {
      const offending = findCoveringRules(subject, live.group.ingress);
      if (offending.length === 0) {
        return {
          status: 'verified',
          expectedState,
          actualState: 'no covering ingress rule present',
          detail: 'revoke confirmed',
          offending,
        };
      }
      return {
        status: 'drift',
        expectedState,
        actualState: `covering ingress rules present: [${offending.map(describeRule).join('; ')}]`,
        detail: 'ingress was re-added or never landed',
        offending,
      };
    }
  }
}

/**
 * `appliedAtMs` null: the apply time is unknown (the CLI without an actions table). The SLA is
 * then not measured: `sla_deadline_ms` and `within_sla` are left out rather than counted from
 * the detection time, which would call a fresh revoke late.
 */
export function buildVerificationRecord(
  s: Omit<VerificationSubject, 'appliedAtMs'> & { readonly appliedAtMs: number | null },
  v: Verification,
  checkedAtMs: number,
) {
  const sla =
    s.appliedAtMs === null
      ? {}
      : {
          sla_deadline_ms: s.appliedAtMs + VERIFICATION_SLA_MS,
          within_sla: checkedAtMs <= s.appliedAtMs + VERIFICATION_SLA_MS,
        };
  return {
    schema_mode: 'native' as const,
    canonical_schema_version: SCHEMA_VERSION,
    record_type: 'remediation_verification' as const,
    source_skill: SOURCE_SKILL,
    record_uid: shortHash('rev', { action: s.actionId, checked: checkedAtMs }),
    reference: {
      remediation_skill: SOURCE_SKILL,
      remediation_action_uid: s.actionId,
      target_provider: 'AWS',
      target_identifier: targetIdentifier(s),
      original_finding_uid: s.findingUid,
      remediated_at_ms: s.appliedAtMs,
    },
    status: v.status,
    checked_at_ms: checkedAtMs,
    ...sla,
    expected_state: v.expectedState,
    actual_state: v.actualState,
    detail: v.detail,
    target: {
      provider: 'AWS',
      sg_id: s.sgId,
      sg_name: s.sgName,
      region: s.region,
      account_uid: s.accountUid,
    },
    offending_rules: v.offending.map((r) => ({
      rule_id: r.ruleId,
      cidr: r.cidr,
      ip_protocol: r.protocol,
      from_port: r.fromPort,
      to_port: r.toPort,
    })),
  };
}

/** A finding that cannot be verified (not parsed, or nothing public to check) keeps its skip status. */
export function buildVerificationSkipRecord(input: {
  readonly status: RecordStatus;
  readonly detail: string;
  readonly findingUid: string;
  readonly target: { sg_id: string; sg_name: string; region: string; account_uid: string };
  readonly checkedAtMs: number;
}) {
  return {
    schema_mode: 'native' as const,
    canonical_schema_version: SCHEMA_VERSION,
    record_type: 'remediation_verification' as const,
    source_skill: SOURCE_SKILL,
    status: input.status,
    status_detail: input.detail,
    checked_at_ms: input.checkedAtMs,
    finding_uid: input.findingUid,
    target: { provider: 'AWS', ...input.target },
  };
}

export type VerificationRecord = ReturnType<typeof buildVerificationRecord>;
