import type { RecordStatus } from './action';
import type { RawFields } from './finding';
import type { Finding } from './model';
import { describeTargets, type Plan, type RevokeTarget } from './plan';

export const SOURCE_SKILL = 'remediate-aws-sg-revoke';
export const SCHEMA_VERSION = '2026-04';
export const REVOKE_STEP = 'revoke_security_group_ingress';

export interface RecordTarget {
  provider: 'AWS';
  sg_id: string;
  sg_name: string;
  region: string;
  account_uid: string;
  cidrs: string[];
  ports: number[];
  ip_protocol: string;
  from_port: number | null;
  to_port: number | null;
  actor: string;
  rule: string;
}

export interface RecordStep {
  step: string;
  endpoint: string;
  status: RecordStatus;
  detail: string | null;
}

export interface RemediationRecord {
  schema_mode: 'native';
  canonical_schema_version: string;
  record_type: 'remediation_plan' | 'remediation_action';
  source_skill: string;
  action_id?: string;
  target: RecordTarget;
  actions: RecordStep[];
  status: RecordStatus;
  status_detail?: string;
  plan_hash?: string;
  dry_run: boolean;
  time_ms: number;
  finding_uid: string;
  audit?: { row_uid: string; s3_evidence_uri: string };
  incident_id?: string;
  approver?: string;
}

export function targetOfFinding(f: Finding): RecordTarget {
  const p = f.permission;
  return {
    provider: 'AWS',
    sg_id: f.sgId,
    sg_name: f.sgName ?? f.sgId,
    region: f.region,
    account_uid: f.accountUid,
    cidrs: [...p.cidrs],
    ports: [...p.ports],
    ip_protocol: p.protocol,
    from_port: p.fromPort ?? p.declaredPorts?.from ?? null,
    to_port: p.toPort ?? p.declaredPorts?.to ?? null,
    actor: f.actor ?? '',
    rule: f.rule ?? '',
  };
}

const intOrNull = (text: string): number | null => (/^-?\d{1,6}$/.test(text) ? Number(text) : null);

export function targetOfRaw(raw: RawFields | null): RecordTarget {
  return {
    provider: 'AWS',
    sg_id: raw?.sgId ?? '',
    sg_name: raw?.sgName || raw?.sgId || '',
    region: raw?.region ?? '',
    account_uid: raw?.accountUid ?? '',
    cidrs: [...(raw?.cidrs ?? [])],
    ports: (raw?.ports ?? []).map(intOrNull).filter((p): p is number => p !== null),
    ip_protocol: raw?.protocol ?? '',
    from_port: intOrNull(raw?.fromPort ?? ''),
    to_port: intOrNull(raw?.toPort ?? ''),
    actor: raw?.actor ?? '',
    rule: raw?.rule ?? '',
  };
}

export function revokeEndpoint(sgId: string, targets: readonly RevokeTarget[], plan: Plan): string {
  const ids = targets.map((t) => t.ruleId).filter((id): id is string => id !== null);
  if (ids.length > 0) {
    return `POST ec2:RevokeSecurityGroupIngress GroupId=${sgId} SecurityGroupRuleIds=${ids.join(',')}`;
  }
  // All traffic is FromPort/ToPort -1 in EC2's own terms, and in the original's endpoint.
  const ports =
    plan.protocol === '-1'
      ? ' FromPort=-1 ToPort=-1'
      : plan.fromPort === null
        ? ''
        : ` FromPort=${plan.fromPort} ToPort=${plan.toPort}`;
  return `POST ec2:RevokeSecurityGroupIngress GroupId=${sgId} IpProtocol=${plan.protocol}${ports}`;
}

export function planStep(plan: Plan, status: RecordStatus, detail: string | null): RecordStep {
  return { step: REVOKE_STEP, endpoint: revokeEndpoint(plan.sgId, plan.targets, plan), status, detail };
}

export function wouldRevokeDetail(plan: Plan): string {
  return `dry-run: would revoke ${describeTargets(plan)} on ${plan.sgId}`;
}

interface RecordInput {
  readonly recordType: RemediationRecord['record_type'];
  readonly target: RecordTarget;
  readonly findingUid: string;
  readonly status: RecordStatus;
  readonly statusDetail?: string | undefined;
  readonly steps: RecordStep[];
  readonly nowMs: number;
  readonly plan?: Plan | null | undefined;
}

export function buildRecord(input: RecordInput): RemediationRecord {
  const record: RemediationRecord = {
    schema_mode: 'native',
    canonical_schema_version: SCHEMA_VERSION,
    record_type: input.recordType,
    source_skill: SOURCE_SKILL,
    target: input.target,
    actions: input.steps,
    status: input.status,
    dry_run: input.recordType === 'remediation_plan',
    time_ms: input.nowMs,
    finding_uid: input.findingUid,
  };
  if (input.plan) {
    record.action_id = input.plan.actionId;
    record.plan_hash = input.plan.planHash;
  }
  if (input.statusDetail !== undefined) record.status_detail = input.statusDetail;
  return record;
}
