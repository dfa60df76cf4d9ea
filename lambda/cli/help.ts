/** The whole CLI surface, including the modes wired in later builds, so `--help` is the one reference. */
export const HELP = `sg-revoke — surgically revoke internet-open AWS Security Group ingress rules

Usage:
  sg-revoke plan [FILE|-]...        dry-run: one remediation_plan record per finding (default mode)
  sg-revoke plan --live [FILE|-]... dry-run that reads each group's live rules, tags and name
                                    in the finding's region (plans by rule id)
  sg-revoke apply [FILE|-]...       revoke the planned rules (needs AWS_SG_REVOKE_INCIDENT_ID and
                                    AWS_SG_REVOKE_APPROVER), audited before and after
  sg-revoke reverify [FILE|-]...    re-check applied revokes: verified | drift | unreachable
  sg-revoke actions list|show ID|approve ID|reject ID --api URL
                                    the approval API, signed with your AWS credentials (SigV4)
  sg-revoke audit verify [--action ID | --since YYYY-MM-DD]
                                    check each action's audit: hash chain, every row against its
                                    oldest S3 version, the approval signature, state vs last row
  sg-revoke --help                  this text

\`plan\` without --live makes no AWS call. The other modes use your AWS credentials (the SDK
chain: environment, profile, SSO, role) and call AWS in each finding's own region.

apply: the same use cases as the deployed Lambdas. Gate (exit 2 when any is missing):
AWS_SG_REVOKE_INCIDENT_ID, AWS_SG_REVOKE_APPROVER, AWS_SG_REVOKE_ALLOWED_ACCOUNT_IDS (must hold
the caller's STS account), AWS_SG_REVOKE_ACTIONS_TABLE, the dual audit (below). Each finding is
planned on live state, approved under the incident id, and applied: every guardrail again,
audit BEFORE (DynamoDB + S3/KMS), revoke by rule id, confirm, audit AFTER. One
remediation_action record per finding (status success | already_absent | failure |
skipped_*), with audit{row_uid, s3_evidence_uri}, incident_id and approver. Re-running it on
the same findings revokes nothing twice. AWS_SG_REVOKE_EVENT_BUS, if set, gets the lifecycle
events; otherwise they are logged on stderr.

reverify: one remediation_verification record per finding (verified | drift | unreachable), plus
an OCSF drift finding after each drift. Groups are described once per region, batched. With
AWS_SG_REVOKE_ACTIONS_TABLE set, the SLA counts from when the revoke was applied.

actions: --api URL (or SG_REVOKE_API_URL) is the approval API's stage URL.
  actions list [--status S] [--limit N] [--cursor C]
  actions show ID
  actions approve ID --incident INC-…   (fetches the plan, prints it on stderr, binds its hash)
  actions reject ID --reason TEXT
  Exit 0 on a 2xx answer, 1 otherwise; the API's JSON answer is printed on stdout.

audit verify: one JSON line per action, {action_id, status: intact | tampered, problems[]};
exit 1 when any action was tampered with. Needs AWS_SG_REVOKE_ACTIONS_TABLE, the audit table and
bucket, and AWS_SG_REVOKE_APPROVAL_KEY_ARN (kms:GetPublicKey; signatures are checked locally).

Input: OCSF 1.8 Detection Findings (class_uid 2004) of detect-aws-open-security-group, as JSONL
(one finding per line, streamed) or one JSON document (an object, or an array of findings).
FILE \`-\` or no FILE reads stdin. A line that is not JSON (or is over 8 MiB) is reported on
stderr as a JSON log event (with file and line) and skipped; the run goes on. Records keep the
input order.

Output: one JSON record per finding on stdout, skips included. Keys: record_type
("remediation_plan"), status, status_detail, target{sg_id, region, account_uid, cidrs, ports,
ip_protocol, from_port, to_port, ...}, actions[{step, endpoint, status, detail}], action_id,
plan_hash, finding_uid, dry_run, time_ms.
Dry-run statuses: planned, would-violate-protected-sg, skipped_account_boundary,
skipped_not_public, skipped_invalid_finding, skipped_wrong_source, skipped_no_sg_pointer
(with --live also already_absent, failure).

Environment:
  AWS_SG_REVOKE_PROTECTED_IDS        comma-separated SG ids never to change (plan, apply)
  AWS_SG_REVOKE_ALLOWED_ACCOUNT_IDS  comma-separated 12-digit accounts that may be changed; when
                                     set, plan reports other accounts as skipped_account_boundary
  AWS_SG_REVOKE_INCIDENT_ID          incident id recorded with every revoke (apply)
  AWS_SG_REVOKE_APPROVER             who approved the revoke (apply)
  AWS_SG_REVOKE_AUDIT_DYNAMODB_TABLE, AWS_SG_REVOKE_AUDIT_BUCKET, KMS_KEY_ARN
                                     the dual audit: DynamoDB table, S3 bucket, KMS key (apply)
  AWS_SG_REVOKE_ACTIONS_TABLE        the actions table (apply; reverify, optional)
  AWS_SG_REVOKE_EVENT_BUS            lifecycle events (apply, optional)
  AWS_SG_REVOKE_APPROVAL_KEY_ARN     the asymmetric key approvals are signed with (audit verify)
  AWS_SG_REVOKE_APPROVER_PRINCIPALS, AWS_SG_REVOKE_APPROVAL_TTL_HOURS,
  AWS_SG_REVOKE_VERIFY_WINDOW_DAYS, AWS_SG_REVOKE_IDEMPOTENCY_TABLE
                                     used by the deployed stack only
  SG_REVOKE_API_URL                  default --api for \`actions\`
  SKILL_CORRELATION_ID               copied into every stderr log event as correlation_id
  SG_REVOKE_WORKERS                  worker threads for large JSONL inputs (default: one per core,
                                     at most 4; 0 plans on the main thread only)
A malformed value stops the run with exit 2 and a message naming the variable.

Exit codes: 0 every finding handled; 1 any record is failure or unreachable;
            2 usage error (unknown mode or flag, unreadable file, bad environment variable).
`;
