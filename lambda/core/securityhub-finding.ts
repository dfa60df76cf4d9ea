import type { FindingRejection, RawFields } from './finding';
import type { FindingOrigin, SecurityControl } from './model';
import { err, ok, type Result } from './result';

/**
 * Security Hub findings about open security groups, normalised at the edge (DESIGN §12): OCSF
 * (`Findings Imported V2`) class 2003 compliance findings of EC2.18 / EC2.19, class 2004 exposure
 * findings that reference those controls, and ASFF (`Security Hub Findings - Imported`) control
 * findings. A control finding names only the group; the plan resolves its failing rules on live state.
 */
export const SECURITY_HUB_SOURCE = 'aws.securityhub';
export const SECURITY_HUB_V2_DETAIL_TYPE = 'Findings Imported V2';
export const SECURITY_HUB_ASFF_DETAIL_TYPE = 'Security Hub Findings - Imported';
export const SECURITY_CONTROLS: readonly SecurityControl[] = ['EC2.18', 'EC2.19'];
export const COMPLIANCE_FINDING_CLASS = 2003;
export const EXPOSURE_FINDING_CLASS = 2004;

/** A control finding, validated: the group, where it lives, the control, and whom to tell. */
export interface ControlFinding {
  readonly findingUid: string;
  readonly sgId: string;
  readonly accountUid: string;
  readonly region: string;
  readonly control: SecurityControl;
  readonly origin: FindingOrigin;
  readonly timeMs: number | null;
}

export type SecurityHubShape = 'securityhub-ocsf' | 'securityhub-asff';

const SG_ID = /^sg-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
const SG_ARN = /^arn:aws[a-z-]*:ec2:[a-z0-9-]+:\d{12}:security-group\/(sg-[0-9a-f]+)$/;
const ACCOUNT_ID = /^\d{12}$/;
const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/;
const CONTROL_IN_TEXT = /(?:^|security-control\/)(EC2\.1[89])(?:$|[/\s:])/;
const SG_TYPES: ReadonlySet<string> = new Set(['AwsEc2SecurityGroup', 'AWS::EC2::SecurityGroup']);
// OCSF finding status_id: 3 Suppressed, 4 Resolved; compliance status_id 1 Pass (OCSF 1.x).
const OCSF_SUPPRESSED = 3;
const OCSF_RESOLVED = 4;
const OCSF_COMPLIANCE_PASS = 1;

type Obj = Record<string, unknown>;
const isRecord = (value: unknown): value is Obj =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown): string => (typeof value === 'string' ? value.trim() : '');
const at = (value: unknown, ...path: string[]): unknown =>
  path.reduce<unknown>((node, key) => (isRecord(node) ? node[key] : undefined), value);
const records = (value: unknown): Obj[] => (Array.isArray(value) ? value.filter(isRecord) : []);

/** An sg id, from a bare id or an EC2 security-group ARN. */
export function sgIdOf(value: string): string {
  return SG_ARN.exec(value)?.[1] ?? value;
}

function rawOf(fields: Partial<RawFields>): RawFields {
  return {
    findingUid: '',
    sgId: '',
    sgName: '',
    region: '',
    accountUid: '',
    actor: '',
    rule: '',
    cidrs: [],
    ports: [],
    protocol: '',
    fromPort: '',
    toPort: '',
    ...fields,
  };
}

interface Common {
  readonly raw: RawFields;
  readonly control: string;
  readonly skipReason: string | null;
  readonly origin: FindingOrigin | null;
  readonly timeMs: number | null;
}

/** The checks every shape shares, once its fields are read: skip, control, group, account, region. */
function finish(c: Common): Result<ControlFinding, FindingRejection> {
  const { raw } = c;
  if (!(SECURITY_CONTROLS as readonly string[]).includes(c.control)) {
    const reason = `Security Hub control is ${JSON.stringify(c.control || null)}, expected EC2.18 or EC2.19`;
    return err({ kind: 'wrong-source', reason, raw });
  }
  if (c.skipReason !== null) return err({ kind: 'inactive', reason: c.skipReason, raw });
  if (raw.sgId === '') {
    return err({ kind: 'no-sg-pointer', reason: 'finding names no AwsEc2SecurityGroup resource', raw });
  }
  const invalid = (reason: string) => err<FindingRejection>({ kind: 'invalid', reason, raw });
  if (!SG_ID.test(raw.sgId)) return invalid(`resource \`${raw.sgId}\` is not sg- + 8 or 17 hex digits`);
  if (raw.findingUid === '') return invalid('finding has no id');
  if (!ACCOUNT_ID.test(raw.accountUid)) return invalid(`account \`${raw.accountUid}\` is not 12 digits`);
  if (!REGION.test(raw.region)) return invalid(`region \`${raw.region}\` is not an AWS region name`);
  if (c.origin === null) return invalid('finding lacks the identifiers a status update needs');
  return ok({
    findingUid: raw.findingUid,
    sgId: raw.sgId,
    accountUid: raw.accountUid,
    region: raw.region,
    control: c.control as SecurityControl,
    origin: c.origin,
    timeMs: c.timeMs,
  });
}

const notAnObject = (shape: string) =>
  err<FindingRejection>({ kind: 'not-object', reason: `${shape} finding is not a JSON object`, raw: null });

function sgResource(resources: Obj[], typeKey: string, idKey: string): Obj | undefined {
  return resources.find((r) => SG_TYPES.has(text(r[typeKey])) && text(r[idKey]) !== '');
}

/** One OCSF finding of a `Findings Imported V2` event. Never throws. */
export function parseOcsfControlFinding(input: unknown): Result<ControlFinding, FindingRejection> {
  if (!isRecord(input)) return notAnObject('OCSF');
  const classUid = input.class_uid;
  const resource = sgResource(records(input.resources), 'type', 'uid');
  const raw = rawOf({
    findingUid: text(at(input, 'finding_info', 'uid')),
    sgId: sgIdOf(text(resource?.uid)),
    region: text(resource?.region) || text(at(input, 'cloud', 'region')),
    accountUid: text(at(input, 'cloud', 'account', 'uid')),
  });
  if (classUid !== COMPLIANCE_FINDING_CLASS && classUid !== EXPOSURE_FINDING_CLASS) {
    const reason = `class_uid is ${JSON.stringify(classUid) ?? 'missing'}, expected 2003 or 2004`;
    return err({ kind: 'wrong-source', reason, raw });
  }
  const control = classUid === COMPLIANCE_FINDING_CLASS ? controlOf2003(input) : controlOf2004(input);
  const productUid = text(at(input, 'metadata', 'product', 'uid'));
  const origin: FindingOrigin | null =
    raw.findingUid && raw.accountUid && productUid
      ? {
          kind: 'securityhub-ocsf',
          cloudAccountUid: raw.accountUid,
          findingInfoUid: raw.findingUid,
          metadataProductUid: productUid,
        }
      : null;
  return finish({ raw, control, skipReason: ocsfSkipReason(input), origin, timeMs: ocsfTime(input) });
}

const controlOf2003 = (finding: Obj): string => text(at(finding, 'compliance', 'control'));

/** An exposure finding references its control findings in `related_events` (by uid or title). */
function controlOf2004(finding: Obj): string {
  const found = new Set<string>();
  for (const event of records(finding.related_events)) {
    for (const field of [event.uid, event.title, event.product_uid]) {
      const match = CONTROL_IN_TEXT.exec(text(field));
      if (match?.[1]) found.add(match[1]);
    }
  }
  // EC2.19 (high-risk ports) first: it plans the narrower set, and the approver can still see the rest.
  return found.has('EC2.19') ? 'EC2.19' : found.has('EC2.18') ? 'EC2.18' : '';
}

function ocsfSkipReason(finding: Obj): string | null {
  const statusId = finding.status_id;
  if (statusId === OCSF_SUPPRESSED) return 'finding is suppressed in Security Hub (status_id 3)';
  if (statusId === OCSF_RESOLVED) return 'finding is resolved in Security Hub (status_id 4)';
  const compliance = at(finding, 'compliance', 'status_id');
  const word = text(at(finding, 'compliance', 'status')).toLowerCase();
  if (compliance === OCSF_COMPLIANCE_PASS || word === 'pass' || word === 'passed') {
    return 'control check passed (compliance status PASS): nothing to revoke';
  }
  return null;
}

function ocsfTime(finding: Obj): number | null {
  const time = finding.time;
  return typeof time === 'number' && Number.isFinite(time) ? time : null;
}

/** One ASFF finding of a `Security Hub Findings - Imported` event. Never throws. */
export function parseAsffControlFinding(input: unknown): Result<ControlFinding, FindingRejection> {
  if (!isRecord(input)) return notAnObject('ASFF');
  const resource = sgResource(records(input.Resources), 'Type', 'Id');
  const id = text(input.Id);
  const productArn = text(input.ProductArn);
  const raw = rawOf({
    findingUid: id,
    sgId: sgIdOf(text(resource?.Id)),
    region: text(resource?.Region) || text(input.Region),
    accountUid: text(input.AwsAccountId),
  });
  const control = text(at(input, 'Compliance', 'SecurityControlId')) || controlOfGenerator(input.GeneratorId);
  const origin: FindingOrigin | null = id && productArn ? { kind: 'securityhub-asff', id, productArn } : null;
  // ASFF times are ISO strings, and core takes no Date: the detector's epoch `time` has no ASFF twin.
  return finish({ raw, control, skipReason: asffSkipReason(input), origin, timeMs: null });
}

/** `security-control/EC2.19` (consolidated findings) or a standard's `.../EC2.19` generator. */
function controlOfGenerator(generatorId: unknown): string {
  const match = /(?:^|\/)(EC2\.1[89])$/.exec(text(generatorId));
  return match?.[1] ?? text(generatorId);
}

function asffSkipReason(finding: Obj): string | null {
  const workflow = text(at(finding, 'Workflow', 'Status'));
  if (workflow === 'SUPPRESSED') return 'finding is suppressed in Security Hub (Workflow.Status SUPPRESSED)';
  if (workflow === 'RESOLVED') return 'finding is resolved in Security Hub (Workflow.Status RESOLVED)';
  if (text(finding.RecordState) === 'ARCHIVED') return 'finding is archived (RecordState ARCHIVED)';
  if (text(at(finding, 'Compliance', 'Status')) === 'PASSED') {
    return 'control check passed (Compliance.Status PASSED): nothing to revoke';
  }
  return null;
}

/** Parse one finding of the given Security Hub shape. */
export function parseControlFinding(
  shape: SecurityHubShape,
  input: unknown,
): Result<ControlFinding, FindingRejection> {
  return shape === 'securityhub-ocsf' ? parseOcsfControlFinding(input) : parseAsffControlFinding(input);
}
