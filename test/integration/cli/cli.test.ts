import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuthorizeSecurityGroupIngressCommand, EC2Client } from '@aws-sdk/client-ec2';
import type { AuditRow } from '../../../lambda/core/audit';
import { App } from '../loop/app';
import { APPROVER, createStack, findingFor, MOTO_ACCOUNT } from '../loop/harness';
import {
  createGroup,
  defaultGroupId,
  describeMoto,
  REGION,
  readAllRows,
  readIngressRules,
  resetMoto,
} from '../moto/resources';

const CLI = join(__dirname, '../../../lambda/cli/sg-revoke.js');
const SSH = (cidr: string) => ({ protocol: 'tcp', fromPort: 22, toPort: 22, cidr });

interface Run {
  code: number;
  records: Record<string, unknown>[];
  stderr: string;
}

/** The CLI as a user runs it, against this worker's moto_server, with dummy credentials. */
function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const base: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('AWS_SG_REVOKE_')) base[k] = v;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { env: { ...base, ...env }, maxBuffer: 64 << 20 },
      (error, stdout, stderr) => {
        const code = error ? Number((error as { code?: number }).code ?? 1) : 0;
        const records = stdout
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .map((l) => JSON.parse(l) as Record<string, unknown>);
        resolve({ code, records, stderr });
      },
    );
  });
}

function file(name: string, findings: unknown[]): string {
  const path = join(tmpdir(), `sg-revoke-cli-${process.pid}-${name}.jsonl`);
  writeFileSync(path, findings.map((f) => JSON.stringify(f)).join('\n'));
  return path;
}

describeMoto('the sg-revoke CLI against AWS APIs (moto)', () => {
  let app: App;
  let gate: Record<string, string>;
  const ec2 = new EC2Client({ region: REGION });

  beforeAll(async () => {
    await resetMoto();
    app = new App(await createStack());
    const r = app.stack.resources;
    gate = {
      AWS_SG_REVOKE_INCIDENT_ID: 'INC-2026-0042',
      AWS_SG_REVOKE_APPROVER: 'alice@security',
      AWS_SG_REVOKE_ALLOWED_ACCOUNT_IDS: MOTO_ACCOUNT,
      AWS_SG_REVOKE_ACTIONS_TABLE: r.actionsTable,
      AWS_SG_REVOKE_AUDIT_DYNAMODB_TABLE: r.auditTable,
      AWS_SG_REVOKE_AUDIT_BUCKET: r.bucket,
      KMS_KEY_ARN: r.kmsKeyArn,
    };
  });
  afterAll(() => {
    app.close();
    ec2.destroy();
  });

  it('plan --live plans by live rule id, reads the live default name, and sees a deleted group', async () => {
    const g = await createGroup(REGION, { name: 'live-1', ingress: [SSH('0.0.0.0/0'), SSH('10.0.0.0/8')] });
    const input = file('live', [
      findingFor(g.groupId, { cidrs: ['0.0.0.0/0'] }),
      findingFor(await defaultGroupId(REGION), { cidrs: ['0.0.0.0/0'], uid: 'asg-default0000000000' }),
      findingFor('sg-0a1b2c3d4e5f60009', { cidrs: ['0.0.0.0/0'] }),
    ]);

    const run = await cli(['plan', '--live', input]);

    expect(run.code).toBe(0);
    expect(run.records.map((r) => r.status)).toEqual([
      'planned',
      'would-violate-protected-sg',
      'already_absent',
    ]);
    expect(((run.records[0]?.actions ?? []) as { endpoint: string }[])[0]?.endpoint).toContain(
      `SecurityGroupRuleIds=${g.ruleIds[0]}`,
    );
    expect(await readIngressRules(REGION, g.groupId)).toHaveLength(2);
  });

  it('apply revokes exactly the flagged rule with the dual audit, and a second run revokes nothing again', async () => {
    const g = await createGroup(REGION, {
      name: 'apply-1',
      ingress: [SSH('0.0.0.0/0'), SSH('::/0'), SSH('10.0.0.0/8')],
    });
    const input = file('apply', [findingFor(g.groupId, { cidrs: ['0.0.0.0/0'] })]);

    const first = await cli(['apply', input], gate);
    const second = await cli(['apply', input], gate);

    expect(first.code).toBe(0);
    expect(first.records[0]).toMatchObject({
      record_type: 'remediation_action',
      status: 'success',
      dry_run: false,
      incident_id: 'INC-2026-0042',
      audit: { s3_evidence_uri: expect.stringMatching(/^s3:\/\/sg-revoke-audit\/aws-sg-revoke\/audit\//) },
    });
    expect(first.records[0]?.approver).toMatch(/^alice@security \(arn:aws:(sts|iam)::123456789012:.+\)$/);
    const left = (await readIngressRules(REGION, g.groupId)).map((r) => r.CidrIpv4 ?? r.CidrIpv6).sort();
    expect(left).toEqual(['10.0.0.0/8', '::/0']);
    expect(second.code).toBe(0);
    expect(second.records[0]).toMatchObject({
      status: 'already_absent',
      status_detail: expect.stringMatching(/^already applied at .* nothing revoked by this run$/),
      approver: first.records[0]?.approver,
      incident_id: 'INC-2026-0042',
    });
    expect(second.records[0]).not.toHaveProperty('audit');
    const rows = ((await readAllRows(app.stack.resources.auditTable)) as unknown as AuditRow[]).filter(
      (r) => r.sg_id === g.groupId,
    );
    expect(rows.map((r) => r.step).sort()).toEqual(['approve', 'revoke_after', 'revoke_before']);
    expect(rows.every((r) => r.mode === 'cli')).toBe(true);
  });

  it('apply protects a group named Default-Legacy (the name is compared lower-cased, as the original does)', async () => {
    const g = await createGroup(REGION, { name: 'Default-Legacy', ingress: [SSH('0.0.0.0/0')] });
    const finding = findingFor(g.groupId, { cidrs: ['0.0.0.0/0'], name: 'Default-Legacy' });

    const run = await cli(['apply', file('default-legacy', [finding])], gate);

    expect(run.code).toBe(0);
    expect(run.records[0]).toMatchObject({
      status: 'skipped_protected_sg',
      status_detail: 'target is protected: sg-name prefix `default`',
      actions: [],
    });
    expect(run.records[0]).not.toHaveProperty('approver');
    expect(await readIngressRules(REGION, g.groupId)).toHaveLength(1);
  });

  it('apply reads protocol `06` as tcp, as the original does: the open tcp/22 rule is revoked, not already_absent', async () => {
    const g = await createGroup(REGION, { name: 'proto-06', ingress: [SSH('0.0.0.0/0'), SSH('10.0.0.0/8')] });
    const finding = findingFor(g.groupId, { cidrs: ['0.0.0.0/0'] }) as unknown as {
      observables: { name: string; value: string }[];
    };
    for (const o of finding.observables) if (o.name === 'permission.protocol') o.value = '06';

    const run = await cli(['apply', file('proto-06', [finding])], gate);

    expect(run.code).toBe(0);
    expect(run.records[0]).toMatchObject({ status: 'success', target: { ip_protocol: 'tcp' } });
    const left = (await readIngressRules(REGION, g.groupId)).map((r) => r.CidrIpv4);
    expect(left).toEqual(['10.0.0.0/8']);
  });

  it('apply leaves an action the platform planned to its approvers, and keeps going', async () => {
    const g = await createGroup(REGION, { name: 'platform-planned', ingress: [SSH('0.0.0.0/0')] });
    const finding = findingFor(g.groupId, { cidrs: ['0.0.0.0/0'] });
    await app.plan(finding);

    const run = await cli(['apply', file('platform', [finding, { not: 'a finding' }])], gate);

    expect(run.code).toBe(0);
    expect(run.records.map((r) => r.status)).toEqual(['planned', 'skipped_wrong_source']);
    expect(String(run.records[0]?.status_detail)).toContain('pending approval through the approval API');
    expect(await readIngressRules(REGION, g.groupId)).toHaveLength(1);
  });

  it.each([
    ['no incident id', { AWS_SG_REVOKE_INCIDENT_ID: '' }, /AWS_SG_REVOKE_INCIDENT_ID is required/],
    ['no approver', { AWS_SG_REVOKE_APPROVER: '' }, /AWS_SG_REVOKE_APPROVER is required/],
    [
      'an allow-list without the STS account',
      { AWS_SG_REVOKE_ALLOWED_ACCOUNT_IDS: '111122223333' },
      /STS account 123456789012 is not in/,
    ],
  ])('apply refuses with exit 2 and revokes nothing when the gate has %s', async (_n, override, message) => {
    const g = await createGroup(REGION, {
      name: `gate-${Math.random().toString(16).slice(2, 8)}`,
      ingress: [SSH('0.0.0.0/0')],
    });

    const run = await cli(['apply', file('gate', [findingFor(g.groupId, { cidrs: ['0.0.0.0/0'] })])], {
      ...gate,
      ...override,
    });

    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.records).toEqual([]);
    expect(await readIngressRules(REGION, g.groupId)).toHaveLength(1);
  });

  it('reverify reports verified, then drift with the OCSF drift finding after the rule comes back', async () => {
    const g = await createGroup(REGION, { name: 'reverify-1', ingress: [SSH('0.0.0.0/0')] });
    const input = file('reverify', [findingFor(g.groupId, { cidrs: ['0.0.0.0/0'] })]);
    await cli(['apply', input], gate);

    const verified = await cli(['reverify', input], gate);
    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: g.groupId,
        IpPermissions: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
      }),
    );
    const drift = await cli(['reverify', input], gate);

    expect(verified.code).toBe(0);
    expect(verified.records.map((r) => r.status)).toEqual(['verified']);
    expect(drift.records.map((r) => r.record_type ?? r.class_uid)).toEqual([
      'remediation_verification',
      2004,
    ]);
    expect(drift.records[0]).toMatchObject({ status: 'drift' });
  });

  it('reverify reports unreachable (exit 1), never verified, when EC2 cannot be reached', async () => {
    const g = await createGroup(REGION, { name: 'reverify-2', ingress: [] });

    const run = await cli(
      ['reverify', file('unreachable', [findingFor(g.groupId, { cidrs: ['0.0.0.0/0'] })])],
      {
        AWS_ENDPOINT_URL_EC2: 'http://127.0.0.1:9',
      },
    );

    expect(run.code).toBe(1);
    expect(run.records[0]).toMatchObject({ status: 'unreachable' });
  });

  describe('actions (SigV4 client of the approval API)', () => {
    let server: Server;
    let url: string;
    const seen: string[] = [];

    /** API Gateway's part: refuse unsigned requests, then hand the call to the real handler. */
    async function gateway(req: IncomingMessage, body: string) {
      const auth = String(req.headers.authorization ?? '');
      seen.push(auth);
      if (
        !/^AWS4-HMAC-SHA256 Credential=testing\/\d{8}\/us-east-1\/execute-api\/aws4_request, SignedHeaders=[^,]*host[^,]*, Signature=[0-9a-f]{64}$/.test(
          auth,
        ) ||
        !req.headers['x-amz-date']
      ) {
        return { statusCode: 403, body: JSON.stringify({ message: 'Missing Authentication Token' }) };
      }
      const u = new URL(req.url ?? '/', 'http://x');
      const parts = u.pathname.split('/').filter(Boolean).slice(1);
      const resource =
        parts.length === 1 ? '/actions' : parts.length === 2 ? '/actions/{id}' : `/actions/{id}/${parts[2]}`;
      return app.h.api.handler(
        {
          httpMethod: req.method,
          resource,
          path: u.pathname,
          pathParameters: parts[1] ? { id: decodeURIComponent(parts[1]) } : null,
          queryStringParameters: u.searchParams.size ? Object.fromEntries(u.searchParams) : null,
          body: body || null,
          requestContext: { identity: { userArn: APPROVER } },
        } as never,
        {} as never,
      );
    }

    beforeAll(async () => {
      server = createServer((req, res) => {
        let body = '';
        req.on('data', (c) => (body += c));
        req.on('end', async () => {
          const out = await gateway(req, body);
          res.writeHead(out.statusCode, { 'content-type': 'application/json' }).end(out.body);
        });
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const address = server.address() as { port: number };
      url = `http://127.0.0.1:${address.port}/prod`;
    });
    afterAll(() => new Promise<void>((r) => server.close(() => r())));

    it('lists, shows and approves with signed requests; the approval binds the plan hash and triggers apply', async () => {
      const g = await createGroup(REGION, { name: 'api-cli', ingress: [SSH('0.0.0.0/0')] });
      const { actionId } = await app.plan(findingFor(g.groupId, { cidrs: ['0.0.0.0/0'] }));
      await app.streamBatch();
      const env = { AWS_REGION: 'us-east-1', SG_REVOKE_API_URL: url };

      const list = await cli(['actions', 'list'], env);
      const show = await cli(['actions', 'show', actionId!], env);
      const approve = await cli(['actions', 'approve', actionId!, '--incident', 'INC-2026-0099'], env);
      const again = await cli(['actions', 'approve', actionId!, '--incident', 'INC-2026-0099'], env);

      expect(list.code).toBe(0);
      expect(((list.records[0]?.items ?? []) as { actionId: string }[]).map((i) => i.actionId)).toContain(
        actionId,
      );
      expect(show.records[0]).toMatchObject({ actionId, status: 'PENDING_APPROVAL' });
      expect(approve.code).toBe(0);
      expect(approve.records[0]).toMatchObject({
        status: 'APPROVED',
        approval: { approver: APPROVER, incidentId: 'INC-2026-0099' },
      });
      expect(again.code).toBe(1);
      expect(seen.length).toBeGreaterThanOrEqual(5);
      await app.apply(await app.streamBatch());
      expect(await readIngressRules(REGION, g.groupId)).toHaveLength(0);
    });

    it('asks for a rollback with a signed request; the rollback λ restores the rule', async () => {
      const g = await createGroup(REGION, { name: 'api-cli-3', ingress: [SSH('0.0.0.0/0')] });
      const { actionId } = await app.plan(findingFor(g.groupId, { cidrs: ['0.0.0.0/0'] }));
      await app.streamBatch();
      expect((await app.approve(actionId!)).status).toBe(200);
      await app.apply(await app.streamBatch());
      expect(await readIngressRules(REGION, g.groupId)).toHaveLength(0);
      const env = { AWS_REGION: 'us-east-1', SG_REVOKE_API_URL: url };

      const usage = await cli(['actions', 'rollback', actionId!, '--incident', 'INC-2026-0100'], env);
      const run = await cli(
        [
          'actions',
          'rollback',
          actionId!,
          '--incident',
          'INC-2026-0100',
          '--reason',
          'broke the health checks',
        ],
        env,
      );
      await app.rollback(await app.stack.stream.next());

      expect(usage.code).toBe(2);
      expect(run.code).toBe(0);
      expect(run.records[0]).toMatchObject({
        status: 'APPLIED',
        rollback: { approver: APPROVER, incidentId: 'INC-2026-0100', reason: 'broke the health checks' },
      });
      expect((await app.action(actionId!)).status).toBe('ROLLED_BACK');
      expect((await readIngressRules(REGION, g.groupId)).map((r) => r.CidrIpv4)).toEqual(['0.0.0.0/0']);
    });

    it('rejects with a reason', async () => {
      const g = await createGroup(REGION, { name: 'api-cli-2', ingress: [SSH('0.0.0.0/0')] });
      const { actionId } = await app.plan(findingFor(g.groupId, { cidrs: ['0.0.0.0/0'] }));

      const run = await cli(['actions', 'reject', actionId!, '--reason', 'accepted risk: lab VPC'], {
        AWS_REGION: 'us-east-1',
        SG_REVOKE_API_URL: url,
      });

      expect(run.code).toBe(0);
      expect(run.records[0]).toMatchObject({
        status: 'REJECTED',
        rejection: { reason: 'accepted risk: lab VPC' },
      });
    });
  });
});
