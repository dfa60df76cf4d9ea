import type { Mode } from './args';

/** What every mode reads and writes; each mode's own help adds what is particular to it. */
const INPUT = `Input: OCSF 1.8 Detection Findings (class_uid 2004) of detect-aws-open-security-group, or
EventBridge events carrying one in \`detail\`, as JSONL (one per line, streamed) or one JSON
document (an object, or an array). FILE \`-\` or no FILE reads stdin. A line that is not JSON (or
is over 8 MiB) is reported on stderr as a \`json_parse_failed\` event (with file and line) and
skipped; a finding of another producer is reported as \`wrong_source_skill\`. The run goes on.
One JSON record per finding on stdout, skips included, in input order; at the end, one
\`run_summary\` event on stderr (findings read, records by status, malformed lines).
--fail-on STATUS[,STATUS]  exit 1 when any record has one of these statuses (e.g. drift)`;

const EXIT = `Exit codes: 0 every finding handled; 1 any record is failure or unreachable (or a --fail-on
            status); 2 usage error (unknown mode or flag, unreadable file, bad or missing
            environment variable, no AWS credentials or region).`;

const AWS = `AWS: your credentials (the SDK chain: AWS_PROFILE, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY,
SSO, role) and a region (AWS_REGION, or the profile's); calls go to each finding's own region.
Without credentials or a region the run stops before any call, exit 2, naming what to set.`;

const PLAN = `sg-revoke plan [--live] [--fail-on S] [FILE|-]...

Dry-run: one remediation_plan record per finding. Without --live it makes no AWS call and reads
no tags or live names (the offline guardrails: protected ids, the finding's \`default\` name, the
allow-list when set). With --live it reads each group's live rules, tags and name in the
finding's region with your credentials and plans by rule id; it never changes anything.

Records: record_type "remediation_plan", status, status_detail, target{sg_id, sg_name, region,
account_uid, cidrs, ports, ip_protocol, from_port, to_port, actor, rule}, actions[{step,
endpoint, status, detail}], action_id, plan_hash, finding_uid, dry_run, time_ms.
Statuses: planned, would-violate-protected-sg, skipped_account_boundary, skipped_not_public,
skipped_invalid_finding, skipped_wrong_source, skipped_no_sg_pointer (with --live also
already_absent, failure).

Environment: AWS_SG_REVOKE_PROTECTED_IDS (SG ids never to change), AWS_SG_REVOKE_ALLOWED_ACCOUNT_IDS
(when set, other accounts are skipped_account_boundary), SG_REVOKE_WORKERS (worker threads for
large JSONL inputs; default one per core, at most 4; 0 = main thread only).`;

const APPLY = `sg-revoke apply [--fail-on S] [FILE|-]...

Revokes the flagged rules with the same use cases as the deployed Lambdas. Gate (exit 2 when any
is missing, all named at once): AWS_SG_REVOKE_INCIDENT_ID, AWS_SG_REVOKE_APPROVER,
AWS_SG_REVOKE_ALLOWED_ACCOUNT_IDS (must hold the caller's STS account),
AWS_SG_REVOKE_ACTIONS_TABLE, and the dual audit: AWS_SG_REVOKE_AUDIT_DYNAMODB_TABLE,
AWS_SG_REVOKE_AUDIT_BUCKET, KMS_KEY_ARN. Each finding is planned on live state, approved under
the incident id, and applied: every guardrail again, audit BEFORE (DynamoDB + S3/KMS), revoke by
rule id, confirm, audit AFTER.

One remediation_action record per finding: success | already_absent | failure | skipped_*, with
audit{row_uid, s3_evidence_uri}, incident_id and approver ("NAME (caller ARN)") when approved.
A re-run revokes nothing twice: an action an earlier run applied is reported already_absent,
"already applied …". AWS_SG_REVOKE_EVENT_BUS, if set, gets the lifecycle events; otherwise they
are logged on stderr.`;

const REVERIFY = `sg-revoke reverify [--fail-on drift] [FILE|-]...

Re-checks each finding's exposure on the live group: one remediation_verification record per
finding (verified | drift | unreachable; a finding that cannot be verified keeps its skipped_*
status), plus an OCSF drift finding after each drift. Groups are described once per region,
batched. With AWS_SG_REVOKE_ACTIONS_TABLE set, the SLA (15 min) counts from when the revoke was
applied and the record has within_sla; without it the apply time is unknown, and the record
leaves within_sla out. --fail-on drift makes a drift exit 1.`;

const ACTIONS = `sg-revoke actions list|show ID|approve ID|reject ID|rollback ID --api URL

The approval API, signed with your AWS credentials (SigV4). --api URL (or SG_REVOKE_API_URL) is
the API's stage URL; --region overrides the region read from it.
  actions list [--status S] [--limit N] [--cursor C]
  actions show ID
  actions approve ID --incident INC-…   (fetches the plan, prints it on stderr, binds its hash)
  actions reject ID --reason TEXT
  actions rollback ID --incident INC-… --reason TEXT
                                        (re-authorizes exactly the rules the action revoked, from
                                        the audited before-image; approvers only; APPLIED actions)
Exit 0 on a 2xx answer, 1 otherwise (the API's JSON answer is printed on stdout); 2 on a usage
error or missing credentials.`;

const AUDIT = `sg-revoke audit verify [--action ID | --since YYYY-MM-DD]

Checks each action's audit end to end: the hash chain of its DynamoDB rows, every row against the
OLDEST version of its S3 object (a rewritten row or a second version is tampering), the approval's
KMS signature (checked locally with the public key) and plan hash, and that the action's state
agrees with its last audited step. One JSON line per action: {action_id, status: intact |
tampered, action_status, rows, problems[]}. Without --action, every action created since --since
(default: all). Needs AWS_SG_REVOKE_ACTIONS_TABLE, AWS_SG_REVOKE_AUDIT_DYNAMODB_TABLE,
AWS_SG_REVOKE_AUDIT_BUCKET and AWS_SG_REVOKE_APPROVAL_KEY_ARN (kms:GetPublicKey).
Exit 0 all intact, 1 any tampered (or a read that failed), 2 usage or configuration error.`;

const ENV = `sg-revoke env --stack NAME [--region R] [--format shell|dotenv|json]

Prints the variables this CLI reads, from the deployed stack's outputs (CloudFormation
DescribeStacks, with your credentials): SG_REVOKE_API_URL, AWS_REGION, AWS_SG_REVOKE_ACTIONS_TABLE,
AWS_SG_REVOKE_AUDIT_DYNAMODB_TABLE, AWS_SG_REVOKE_AUDIT_BUCKET, KMS_KEY_ARN,
AWS_SG_REVOKE_APPROVAL_KEY_ARN, AWS_SG_REVOKE_ALLOWED_ACCOUNT_IDS, AWS_SG_REVOKE_PROTECTED_IDS.
  eval "$(sg-revoke env --stack SgRevokeStack --region us-east-1)"
--format shell (default) prints \`export KEY=value\` lines, shell-quoted; dotenv prints KEY=value
lines for a .env file; json prints one object. AWS_SG_REVOKE_EVENT_BUS is never set: the
lifecycle bus admits only the stack's own functions. --region defaults to the SDK's (AWS_REGION or
the profile's). Nothing is printed unless every variable is filled.
Exit 0 printed; 1 the stack is not found, lacks an output (deployed by an older version, or not
finished) or could not be read; 2 usage error or no credentials (one line on stderr).`;

const PAUSE = `sg-revoke pause --reason TEXT | sg-revoke resume [--reason TEXT] | sg-revoke pause --status

The kill switch of the deployed stack (the actions table's control#pause item). While paused, the
apply function revokes nothing: approvals are still accepted and wait (APPROVED, detail paused);
after resume the drain schedule applies them, oldest approval first. A tripped circuit breaker is
the same pause (reason circuit-breaker: …) and is cleared the same way. Each change is audited: one
row in the audit table (partition operator) and one S3 object, with your principal ARN.
Needs AWS_SG_REVOKE_ACTIONS_TABLE, AWS_SG_REVOKE_AUDIT_DYNAMODB_TABLE, AWS_SG_REVOKE_AUDIT_BUCKET,
KMS_KEY_ARN. Prints the switch as one JSON line. Exit 0 done, 1 AWS error, 2 usage error.`;

const MODES: Readonly<Record<Mode, string>> = {
  pause: PAUSE,
  resume: PAUSE,
  plan: PLAN,
  apply: APPLY,
  reverify: REVERIFY,
  actions: ACTIONS,
  audit: AUDIT,
  env: ENV,
};

const OVERVIEW = `sg-revoke — surgically revoke internet-open AWS Security Group ingress rules

Usage (the mode is required and comes first):
  sg-revoke plan [FILE|-]...        dry-run: one remediation_plan record per finding, offline
  sg-revoke plan --live [FILE|-]... dry-run that reads each group's live rules, tags and name
  sg-revoke apply [FILE|-]...       revoke the planned rules (needs AWS_SG_REVOKE_INCIDENT_ID and
                                    AWS_SG_REVOKE_APPROVER), audited before and after
  sg-revoke reverify [FILE|-]...    re-check applied revokes: verified | drift | unreachable
  sg-revoke actions list|show ID|approve ID|reject ID|rollback ID --api URL
                                    the approval API, signed with your AWS credentials (SigV4)
  sg-revoke audit verify [--action ID | --since DATE]
                                    check the audit: chain, S3 originals, signatures, state
  sg-revoke env --stack NAME [--region R] [--format shell|dotenv|json]
                                    print this CLI's variables from the deployed stack's outputs
  sg-revoke pause --reason TEXT | resume
                                    the kill switch: stop every revoke, audited; resume
  sg-revoke MODE --help             the mode's own help
  sg-revoke --help                  this text

Environment: AWS_SG_REVOKE_PROTECTED_IDS, AWS_SG_REVOKE_ALLOWED_ACCOUNT_IDS (plan, apply);
AWS_SG_REVOKE_INCIDENT_ID, AWS_SG_REVOKE_APPROVER, AWS_SG_REVOKE_AUDIT_DYNAMODB_TABLE,
AWS_SG_REVOKE_AUDIT_BUCKET, KMS_KEY_ARN (apply); AWS_SG_REVOKE_ACTIONS_TABLE (apply; reverify,
optional); AWS_SG_REVOKE_EVENT_BUS (apply, optional); SG_REVOKE_API_URL (actions);
AWS_SG_REVOKE_APPROVAL_KEY_ARN (audit verify); \`eval "$(sg-revoke env --stack NAME)"\` sets them;
SKILL_CORRELATION_ID (copied into every stderr event); SG_REVOKE_WORKERS (plan).
A malformed value stops the run with exit 2 and a message naming the variable.

Node.js 20 or newer (the deployed functions run on Node 24).`;

/** The whole help (`sg-revoke --help`), or one mode's (`sg-revoke MODE --help`). */
export function helpText(mode: Mode | null): string {
  const sections =
    mode === null
      ? [OVERVIEW, INPUT, AWS, EXIT]
      : [
          MODES[mode],
          ...(mode === 'actions' || mode === 'audit' || mode === 'env' ? [] : [INPUT]),
          ...(mode === 'plan' ? [] : [AWS]),
          ...(mode === 'env' ? [] : [EXIT]),
        ];
  return `${sections.join('\n\n')}\n`;
}
