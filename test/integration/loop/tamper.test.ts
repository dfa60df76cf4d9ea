import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { AuthorizeSecurityGroupIngressCommand, EC2Client } from '@aws-sdk/client-ec2';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { DynamoDbControlStore } from '../../../lambda/adapters/dynamodb-control-store';
import { S3EvidenceStore } from '../../../lambda/adapters/s3-evidence-store';
import { runCli } from '../../../lambda/cli/run';
import type { AuditRow } from '../../../lambda/core/audit';
import { buildAuditRow } from '../../../lambda/core/audit';
import { setPause } from '../../../lambda/usecases/pause-control';
import {
  createGroup,
  describeMoto,
  REGION,
  readAllRows,
  readIngressRules,
  resetMoto,
} from '../moto/resources';
import { App, loadHandlers } from './app';
import { createStack, eventBridgeEnvelope, findingFor, lambdaContext } from './harness';

const SSH = (cidr: string) => ({ protocol: 'tcp', fromPort: 22, toPort: 22, cidr });

/**
 * DESIGN §11 on AWS APIs: every attack of issue 8 made with nothing but the table and bucket writes
 * another function's role holds (PutItem / UpdateItem / PutObject), never through the use cases.
 */
describeMoto('nothing the table says is trusted: attacks on moto', () => {
  let app: App;
  let n = 0;
  const base = new DynamoDBClient({ region: REGION });
  const doc = DynamoDBDocumentClient.from(base, { marshallOptions: { removeUndefinedValues: true } });
  const s3 = new S3Client({ region: REGION });
  const ec2 = new EC2Client({ region: REGION });

  beforeAll(async () => {
    await resetMoto();
    // Every test here is an attack the apply λ blocks: with the default threshold (3) the circuit
    // breaker would pause the later tests' applies. It has its own tests (apply-gate, loop/limits).
    app = new App(await createStack(), loadHandlers({ AWS_SG_REVOKE_BREAKER_THRESHOLD: '100' }));
  });
  afterAll(() => {
    app.close();
    for (const c of [base, s3, ec2]) c.destroy();
  });

  /** A group with tcp/22 open to the world and from 10.0.0.0/8, planned by the plan λ. */
  async function planned(cidrs = ['0.0.0.0/0']) {
    n += 1;
    const g = await createGroup(REGION, {
      name: `tamper-${n}`,
      ingress: [SSH('0.0.0.0/0'), SSH('10.0.0.0/8')],
    });
    const out = (await app.h.plan.handler(
      eventBridgeEnvelope(findingFor(g.groupId, { cidrs })),
      lambdaContext('plan'),
    )) as { actionId: string };
    await app.streamBatch();
    return { groupId: g.groupId, id: out.actionId };
  }

  /** An UpdateItem on the actions table, as the approve-api, apply or reverify role may make. */
  const rawUpdate = (
    id: string,
    expression: string,
    values: Record<string, unknown>,
    names?: Record<string, string>,
  ) =>
    doc.send(
      new UpdateCommand({
        TableName: app.stack.resources.actionsTable,
        Key: { action_id: id },
        UpdateExpression: expression,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  const item = async (id: string) =>
    (await doc.send(new GetCommand({ TableName: app.stack.resources.actionsTable, Key: { action_id: id } })))
      .Item as Record<string, unknown> & { plan: Record<string, unknown>; status: string };
  const cidrsOf = async (groupId: string) =>
    (await readIngressRules(REGION, groupId)).map((r) => r.CidrIpv4 ?? r.CidrIpv6);
  const auditRows = async (id: string) =>
    ((await readAllRows(app.stack.resources.auditTable)) as unknown as AuditRow[]).filter(
      (r) => r.action_id === id,
    );

  async function applyFromStream() {
    const batch = await app.streamBatch();
    expect(batch.Records.length).toBeGreaterThan(0);
    await app.apply(batch);
  }

  async function auditVerify(args: string[]) {
    let out = '';
    let err = '';
    const r = app.stack.resources;
    const code = await runCli(['audit', 'verify', ...args], {
      env: {
        ...process.env,
        AWS_SG_REVOKE_ACTIONS_TABLE: r.actionsTable,
        AWS_SG_REVOKE_AUDIT_DYNAMODB_TABLE: r.auditTable,
        AWS_SG_REVOKE_AUDIT_BUCKET: r.bucket,
        AWS_SG_REVOKE_APPROVAL_KEY_ARN: r.approvalKeyArn,
      },
      stdout: { write: (s: string) => (out += s) },
      stderr: { write: (s: string) => (err += s) },
      stdin: process.stdin,
      nowMs: () => Date.now(),
    } as never);
    const verdicts = out
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { action_id: string; status: string; problems: string[] });
    return { code, verdicts, err };
  }

  async function expectBlocked(id: string, groupId: string, reason: string) {
    const action = await app.action(id);
    expect(action.status).toBe('BLOCKED');
    expect(action.statusDetail).toContain(reason);
    expect(await cidrsOf(groupId)).toEqual(['0.0.0.0/0', '10.0.0.0/8']);
    expect((await auditRows(id)).at(-1)).toMatchObject({ step: 'revoke_before', status: 'failure' });
  }

  it('a forged APPROVED (PutItem with the plan role) is refused: nothing revoked, audited', async () => {
    const { id, groupId } = await planned();
    const forged = await item(id);
    await doc.send(
      new PutCommand({
        TableName: app.stack.resources.actionsTable,
        Item: {
          ...forged,
          status: 'APPROVED',
          approval: {
            approver: 'arn:aws:sts::123456789012:assumed-role/Plan/x',
            incidentId: 'FAKE',
            at: 'x',
          },
        },
      }),
    );

    await applyFromStream();

    await expectBlocked(id, groupId, 'approval-invalid');
  });

  it('a rejected action moved to APPROVED with UpdateItem (the reverify role) is refused', async () => {
    const { id, groupId } = await planned();
    const rejected = await app.call('POST', '/actions/{id}/reject', {
      id,
      body: JSON.stringify({ reason: 'not during the freeze' }),
    });
    expect(rejected.status).toBe(200);
    await rawUpdate(id, 'SET #s = :a', { ':a': 'APPROVED' }, { '#s': 'status' });

    await applyFromStream();

    await expectBlocked(id, groupId, 'approval-invalid');
  });

  it('plan.publicCidrs rewritten after the approval: plan-tampered, the private rule is kept', async () => {
    const { id, groupId } = await planned();
    expect((await app.approve(id)).status).toBe(200);
    await rawUpdate(id, 'SET #p.publicCidrs = :c', { ':c': ['10.0.0.0/8'] }, { '#p': 'plan' });

    await applyFromStream();

    await expectBlocked(id, groupId, 'plan-tampered');
  });

  it('a public rule of the same shape added after the approval is left open, named, and raised as DRIFT', async () => {
    // The finding names 0.0.0.0/0 and ::/0; only the IPv4 rule existed when the approver looked.
    const { id, groupId } = await planned(['0.0.0.0/0', '::/0']);
    expect((await app.approve(id)).status).toBe(200);
    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: groupId,
        IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, Ipv6Ranges: [{ CidrIpv6: '::/0' }] }],
      }),
    );

    await applyFromStream();

    expect(await cidrsOf(groupId)).toEqual(['10.0.0.0/8', '::/0']);
    const action = await app.action(id);
    expect(action.status).toBe('APPLIED');
    expect(action.statusDetail).toContain('unapproved public rule(s) left open');
    await app.reverify();
    expect((await app.action(id)).verification?.status).toBe('drift');
    // A DRIFT minutes after the revoke trips the circuit breaker; the operator resumes for what follows.
    const { resources } = app.stack;
    const control = new DynamoDbControlStore(doc, {
      actions: resources.actionsTable,
      audit: resources.auditTable,
    });
    expect((await control.readPause()).value.reason).toMatch(new RegExp(`^circuit-breaker: DRIFT on ${id}`));
    const evidence = new S3EvidenceStore(s3, { bucket: resources.bucket, kmsKeyArn: resources.kmsKeyArn });
    const resumed = await setPause(
      { control, evidence, clock: { nowMs: Date.now } },
      {
        paused: false,
        reason: 'drift handled',
        by: 'operator',
        mode: 'cli',
        accountUid: '123456789012',
        region: REGION,
      },
    );
    expect(resumed.kind).toBe('changed');
  });

  it('audit verify: an untouched history is intact (exit 0)', async () => {
    const { id } = await planned();
    expect((await app.approve(id)).status).toBe(200);
    await applyFromStream();
    expect((await app.action(id)).status).toBe('APPLIED');

    const result = await auditVerify(['--action', id]);

    expect(result.verdicts).toEqual([
      expect.objectContaining({ action_id: id, status: 'intact', problems: [] }),
    ]);
    expect(result.code).toBe(0);
  });

  it('audit verify: rows rewritten and re-sealed (new approver, chain and head recomputed) are tampered (exit 1)', async () => {
    const { id } = await planned();
    expect((await app.approve(id)).status).toBe(200);
    await applyFromStream();
    const rows = (await auditRows(id)).sort((a, b) => a.action_at.localeCompare(b.action_at));
    // Re-seal the whole trail as the approve-api role could: same keys, new content, a valid chain.
    let prev: string | null = null;
    for (const row of rows) {
      const { row_hash: _h, prev_hash: _p, ...rest } = row;
      const facts = {
        actionId: rest.action_id,
        findingUid: rest.finding_uid,
        accountUid: rest.account_uid,
        region: rest.region,
        sgId: rest.sg_id,
        sgName: rest.sg_name,
        rules: rest.rules,
        revokedRules: rest.revoked_rules,
        step: rest.step,
        status: rest.status,
        detail: rest.status_detail,
        incidentId: 'INC-REWRITTEN',
        approver: 'arn:aws:sts::123456789012:assumed-role/IncidentCommander/mallory',
        caller: rest.caller,
        mode: rest.mode,
      };
      const iso = row.action_at.split('#')[0] as string;
      const resealed = buildAuditRow(facts, iso, prev);
      await doc.send(new PutCommand({ TableName: app.stack.resources.auditTable, Item: { ...resealed } }));
      prev = resealed.row_hash;
    }
    await rawUpdate(id, 'SET audit_head = :h', { ':h': prev });

    const result = await auditVerify(['--action', id]);

    expect(result.code).toBe(1);
    expect(result.verdicts[0]?.status).toBe('tampered');
    expect(result.verdicts[0]?.problems.join('\n')).toMatch(/differs from its original S3 evidence/);
  });

  it('audit verify: a second S3 version of an evidence object is tampered (exit 1)', async () => {
    const { id } = await planned();
    expect((await app.approve(id)).status).toBe(200);
    await applyFromStream();
    const [row] = await auditRows(id);
    await s3.send(
      new PutObjectCommand({
        Bucket: app.stack.resources.bucket,
        Key: row!.s3_key,
        Body: JSON.stringify({ ...row, approver: 'mallory' }),
        ChecksumAlgorithm: 'SHA256',
      }),
    );

    const result = await auditVerify(['--action', id]);

    expect(result.code).toBe(1);
    expect(result.verdicts[0]?.problems.join('\n')).toMatch(/2 versions: it was overwritten/);
  });

  it('an applied approval written back to APPROVED is refused as a replay (one approval, one apply)', async () => {
    const { id, groupId } = await planned();
    expect((await app.approve(id)).status).toBe(200);
    await applyFromStream();
    expect((await app.action(id)).status).toBe('APPLIED');
    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: groupId,
        IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
      }),
    );
    // The apply role may delete idempotency records: the second guard is gone, the marker remains.
    for (const record of await readAllRows(app.stack.resources.idempotencyTable)) {
      await doc.send(
        new DeleteCommand({ TableName: app.stack.resources.idempotencyTable, Key: { id: record.id } }),
      );
    }
    await rawUpdate(id, 'SET #s = :a', { ':a': 'APPROVED' }, { '#s': 'status' });

    await applyFromStream();

    const action = await app.action(id);
    expect(action.status).toBe('BLOCKED');
    expect(action.statusDetail).toContain('replay');
    expect(await cidrsOf(groupId)).toEqual(expect.arrayContaining(['0.0.0.0/0', '10.0.0.0/8']));
  });

  it('audit verify --since lists every action of the period, one line each', async () => {
    const result = await auditVerify(['--since', '2000-01-01']);

    const ids = new Set(result.verdicts.map((v) => v.action_id));
    expect(ids.size).toBe(result.verdicts.length);
    expect(result.verdicts.length).toBeGreaterThanOrEqual(n);
    expect(result.code).toBe(1);
  });

  it("audit verify: the kill switch's own trail is intact, and a switch flipped by hand is tampered", async () => {
    // By now the breaker tripped once (quick DRIFT) and the operator resumed: two chained, anchored rows.
    const before = await auditVerify(['--since', '2999-01-01']);
    expect(before.verdicts).toEqual([
      { action_id: 'control#pause', status: 'intact', action_status: 'running', rows: 2, problems: [] },
    ]);
    expect(before.code).toBe(0);

    // A role that may write the actions table pauses (or clears a pause) with no operator row.
    await rawUpdate('control#pause', 'SET paused = :t, reason = :r', { ':t': true, ':r': 'silent' });

    const after = await auditVerify(['--since', '2999-01-01']);
    expect(after.code).toBe(1);
    expect(after.verdicts).toHaveLength(1);
    expect(after.verdicts[0]).toMatchObject({ action_id: 'control#pause', status: 'tampered' });
    expect(after.verdicts[0]?.problems).toContain('the kill switch is on but its audit trail leaves it off');
    await rawUpdate('control#pause', 'SET paused = :f', { ':f': false });
  });
});
