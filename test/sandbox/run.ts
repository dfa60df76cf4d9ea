/**
 * npm run sandbox — the whole sg-revoke loop on a local AWS emulator (moto_server), step by step:
 * plan → approve (and a refused approval) → apply from the table's stream → reverify → drift.
 * Every call is a real AWS API call, on 127.0.0.1 only, with dummy credentials.
 */

import { AuthorizeSecurityGroupIngressCommand, EC2Client } from '@aws-sdk/client-ec2';
import { documentClient, s3Client } from '../../lambda/adapters/clients';
import { DynamoDbControlStore } from '../../lambda/adapters/dynamodb-control-store';
import { S3EvidenceStore } from '../../lambda/adapters/s3-evidence-store';
import { setPause } from '../../lambda/usecases/pause-control';
import { App, loadHandlers } from '../integration/loop/app';
import {
  APPROVER,
  createStack,
  findingFor,
  lambdaContext,
  MOTO_ACCOUNT,
  NOT_APPROVER,
} from '../integration/loop/harness';
import {
  accountCredentials,
  createMemberRoles,
  MEMBER_ACCOUNT,
  ORGANIZATION_ID,
  OUTSIDER_ACCOUNT,
} from '../integration/loop/member-accounts';
import { securityHubEvent } from '../integration/loop/securityhub-events';
import { createGroup, REGION, readIngressRules } from '../integration/moto/resources';

const { startMoto } = require('../integration/moto/global-setup.js') as {
  startMoto: () => Promise<{ child: { pid: number }; endpoint: string }>;
};

const outcomes: Record<string, number> = {};
let failures = 0;

function step(title: string, ok: boolean, detail: string): void {
  outcomes[ok ? 'ok' : 'failed'] = (outcomes[ok ? 'ok' : 'failed'] ?? 0) + 1;
  if (!ok) failures += 1;
  process.stdout.write(`${ok ? '✔' : '✘'} ${title}\n    ${detail}\n`);
}

async function main(): Promise<void> {
  process.stdout.write('sg-revoke sandbox: starting moto_server on 127.0.0.1 …\n');
  const moto = await startMoto();
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: moto.endpoint,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_REGION: 'us-east-1',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    SG_REVOKE_MOTO_ENDPOINT: moto.endpoint,
  });
  try {
    await loop();
  } finally {
    process.kill(-moto.child.pid, 'SIGKILL');
  }
}

async function loop(): Promise<void> {
  const stack = await createStack();
  step(
    'resources created',
    true,
    `tables, KMS key, Object Lock bucket ${stack.resources.bucket}, bus ${stack.capture.busName}`,
  );
  // A hub in organization mode: its own account as before, and one member account by AssumeRole.
  const app = new App(
    stack,
    loadHandlers({
      AWS_SG_REVOKE_ALLOWED_ACCOUNT_IDS: `${MOTO_ACCOUNT},${MEMBER_ACCOUNT}`,
      AWS_SG_REVOKE_ORGANIZATION_ID: ORGANIZATION_ID,
    }),
  );
  const ec2 = new EC2Client({ region: REGION });
  try {
    const ssh = (cidr: string) => ({ protocol: 'tcp', fromPort: 22, toPort: 22, cidr });
    const g = await createGroup(REGION, {
      name: 'web-tier',
      ingress: [
        ssh('0.0.0.0/0'),
        ssh('::/0'),
        ssh('10.0.0.0/8'),
        { protocol: 'tcp', fromPort: 443, toPort: 443, cidr: '0.0.0.0/0' },
      ],
    });
    const rules = async () =>
      (await readIngressRules(REGION, g.groupId))
        .map((r) => `${r.CidrIpv4 ?? r.CidrIpv6}→${r.FromPort}`)
        .sort();
    step('security group web-tier created', true, `${g.groupId}: ${(await rules()).join(', ')}`);

    const planned = await app.plan(findingFor(g.groupId));
    const id = planned.actionId ?? '';
    step(
      'plan λ: SSH finding (0.0.0.0/0 and ::/0 on tcp/22) → pending action',
      planned.status === 'PENDING_APPROVAL',
      `${id} is ${planned.status}`,
    );

    const refused = await app.approve(id, NOT_APPROVER);
    step(
      'approve API as a non-approver → 403',
      refused.status === 403,
      `${refused.status} ${JSON.stringify(refused.body)}`,
    );

    const approved = await app.approve(id, APPROVER);
    step(
      'approve API as an incident commander → APPROVED',
      approved.status === 200 && approved.body.status === 'APPROVED',
      `${approved.status}, approver ${APPROVER}`,
    );

    const batch = await app.streamBatch();
    const applied = await app.apply(batch);
    const after = await app.action(id);
    const left = await rules();
    const surgical = left.join(',') === '0.0.0.0/0→443,10.0.0.0/8→22';
    step(
      'apply λ from the actions stream → APPLIED, siblings untouched',
      after.status === 'APPLIED' && surgical,
      `${batch.Records.length} stream record(s), failures ${JSON.stringify(applied)}; rules left: ${left.join(', ')}`,
    );

    const v1 = await app.reverify();
    step('reverify λ → VERIFIED', v1.verified === 1 && v1.drift === 0, JSON.stringify(v1));

    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: g.groupId,
        IpPermissions: [
          { IpProtocol: 'tcp', FromPort: 0, ToPort: 1024, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
        ],
      }),
    );
    step('someone re-opens tcp/0-1024 to 0.0.0.0/0 by hand', true, (await rules()).join(', '));

    const v2 = await app.reverify();
    const events = await stack.capture.receive(20, 3_000);
    const drift = events.find((e) => e['detail-type'] === 'OCSF Detection Finding');
    const uid = (drift?.detail as { finding_info?: { uid?: string } } | undefined)?.finding_info?.uid;
    step(
      'reverify λ → DRIFT, OCSF drift finding captured from the bus (EventBridge → SQS)',
      v2.drift === 1 && uid !== undefined,
      `summary ${JSON.stringify(v2)}; drift finding ${uid}; ${events.length} events on the bus`,
    );

    // A DRIFT within the hour after a revoke trips the circuit breaker: applies pause until an operator resumes.
    const { resources } = stack;
    const operator = {
      control: new DynamoDbControlStore(documentClient(), {
        actions: resources.actionsTable,
        audit: resources.auditTable,
      }),
      evidence: new S3EvidenceStore(s3Client(), { bucket: resources.bucket, kmsKeyArn: resources.kmsKeyArn }),
      clock: { nowMs: Date.now },
    };
    const tripped = (await operator.control.readPause()).value;
    step(
      'circuit breaker: the quick DRIFT paused every apply',
      tripped.paused && /circuit-breaker/.test(tripped.reason ?? ''),
      `paused: ${tripped.paused}, reason: ${tripped.reason}`,
    );
    const resumed = await setPause(operator, {
      paused: false,
      reason: 'drift investigated: the re-opened rule was a test',
      by: 'arn:aws:sts::123456789012:assumed-role/SecurityOperator/carol',
      mode: 'cli',
      accountUid: MOTO_ACCOUNT,
      region: REGION,
    });
    step(
      'operator resumes (sg-revoke resume), audited in the operator partition',
      resumed.kind === 'changed' && !resumed.state.paused,
      resumed.kind === 'changed' ? `audit row ${resumed.rowUid}, evidence ${resumed.s3Uri}` : 'unchanged',
    );

    await organization(app);
  } finally {
    app.close();
    ec2.destroy();
  }
}

/** The organization scenario: a Security Hub EC2.19 finding for a group in a member account. */
async function organization(app: App): Promise<void> {
  const member = await accountCredentials(MEMBER_ACCOUNT);
  const outsider = await accountCredentials(OUTSIDER_ACCOUNT);
  await createMemberRoles(member);
  const ssh = (cidr: string) => ({ protocol: 'tcp', fromPort: 22, toPort: 22, cidr });
  const ingress = [
    ssh('0.0.0.0/0'),
    ssh('::/0'),
    ssh('10.0.0.0/8'),
    { protocol: 'tcp', fromPort: 443, toPort: 443, cidr: '0.0.0.0/0' },
  ];
  const inMember = await createGroup(REGION, { name: 'org-web-tier', ingress }, member);
  const inHub = await createGroup(REGION, { name: 'org-web-tier', ingress });
  const rulesOf = async (groupId: string, credentials?: typeof member) =>
    (await readIngressRules(REGION, groupId, credentials))
      .map((r) => `${r.CidrIpv4 ?? r.CidrIpv6}→${r.FromPort}`)
      .sort();
  step(
    'organization: member account and its member-stack roles, the same group in hub and member',
    true,
    `member ${MEMBER_ACCOUNT} ${inMember.groupId}, hub ${MOTO_ACCOUNT} ${inHub.groupId}, org ${ORGANIZATION_ID}`,
  );

  const planned = (await app.h.plan.handler(
    securityHubEvent('v2.compliance.ec2-19.json', inMember.groupId, MEMBER_ACCOUNT) as never,
    lambdaContext('plan'),
  )) as { outcome: string; actionId?: string; status?: string };
  const id = planned.actionId ?? '';
  const view = await app.action(id);
  const targets = ((view as { plan?: { targets?: { ruleId: string }[] } }).plan?.targets ?? []).map(
    (t) => t.ruleId,
  );
  step(
    'plan λ: Security Hub 2003 EC2.19 finding (Findings Imported V2) → the public ssh rules, read through the member role',
    planned.status === 'PENDING_APPROVAL' && targets.length === 2,
    `${id} is ${planned.status}; rule ids ${targets.join(', ')}`,
  );

  const approved = await app.approve(id, APPROVER);
  const applied = await app.apply(await app.streamBatch());
  const left = await rulesOf(inMember.groupId, member);
  const hubLeft = await rulesOf(inHub.groupId);
  const after = await app.action(id);
  step(
    'approve, apply λ (member revoke role) → APPLIED in the member account only',
    approved.status === 200 &&
      after.status === 'APPLIED' &&
      left.join(',') === '0.0.0.0/0→443,10.0.0.0/8→22' &&
      hubLeft.length === 4,
    `failures ${JSON.stringify(applied)}; member rules left: ${left.join(', ')}; hub group untouched: ${hubLeft.join(', ')}`,
  );

  await app.reverify();
  const verified = await app.action(id);
  step(
    'reverify λ (member read role) → VERIFIED',
    verified.verification?.status === 'verified',
    `verification ${verified.verification?.status}`,
  );

  const offList = await createGroup(REGION, { name: 'outsider-web', ingress }, outsider);
  const skipped = (await app.h.plan.handler(
    securityHubEvent('v2.compliance.ec2-19.json', offList.groupId, OUTSIDER_ACCOUNT) as never,
    lambdaContext('plan'),
  )) as { actionId?: string; status?: string };
  const skippedView = await app.action(skipped.actionId ?? '');
  step(
    'a member account off the allow-list → skipped_account_boundary, nothing assumed or read',
    skippedView.recordStatus === 'skipped_account_boundary',
    `${skipped.actionId} is ${skipped.status} (${skippedView.recordStatus})`,
  );
}

main()
  .catch((error: unknown) => {
    step('sandbox crashed', false, error instanceof Error ? (error.stack ?? error.message) : String(error));
  })
  .finally(() => {
    process.stdout.write(`${JSON.stringify({ sandbox: failures === 0 ? 'pass' : 'fail', ...outcomes })}\n`);
    process.exitCode = failures === 0 ? 0 : 1;
  });
