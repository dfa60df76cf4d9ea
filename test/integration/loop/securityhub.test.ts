import { createGroup, describeMoto, REGION, readIngressRules, resetMoto } from '../moto/resources';
import { App } from './app';
import { createStack, lambdaContext, MOTO_ACCOUNT } from './harness';
import { securityHubEvent } from './securityhub-events';

const SSH = (cidr: string) => ({ protocol: 'tcp', fromPort: 22, toPort: 22, cidr });
const rule = (protocol: string, from: number, to: number, cidr: string) => ({
  protocol,
  fromPort: from,
  toPort: to,
  cidr,
});

describeMoto('Security Hub findings through the real handlers on moto', () => {
  let app: App;

  beforeAll(async () => {
    await resetMoto();
    app = new App(await createStack());
  });
  afterAll(() => app.close());

  const left = async (groupId: string) =>
    (await readIngressRules(REGION, groupId))
      .map((r) => `${r.IpProtocol}:${r.FromPort}:${r.CidrIpv4 ?? r.CidrIpv6}`)
      .sort();

  async function approveAndApply(actionId: string) {
    expect((await app.approve(actionId)).status).toBe(200);
    expect(await app.apply(await app.streamBatch())).toEqual({ batchItemFailures: [] });
    return app.action(actionId);
  }

  it('a 2003 EC2.19 finding: the public ssh rules are revoked, tcp/443 and the private rule stay', async () => {
    const group = await createGroup(REGION, {
      name: 'shub-web-tier',
      ingress: [SSH('0.0.0.0/0'), SSH('::/0'), SSH('10.0.0.0/8'), rule('tcp', 443, 443, '0.0.0.0/0')],
    });
    const event = securityHubEvent('v2.compliance.ec2-19.json', group.groupId);

    const planned = (await app.h.plan.handler(event as never, lambdaContext('plan'))) as {
      outcome: string;
      actionId: string;
      status: string;
    };
    expect(planned).toMatchObject({ outcome: 'recorded', status: 'PENDING_APPROVAL' });
    const view = await app.action(planned.actionId);
    expect((view.plan as { targets: { ruleId: string }[] }).targets.map((t) => t.ruleId).sort()).toEqual(
      [group.ruleIds[0], group.ruleIds[1]].sort(),
    );

    const done = await approveAndApply(planned.actionId);

    expect(done.status).toBe('APPLIED');
    expect(await left(group.groupId)).toEqual(['tcp:22:10.0.0.0/8', 'tcp:443:0.0.0.0/0']);
    await app.reverify();
    expect((await app.action(planned.actionId)).verification?.status).toBe('verified');
  });

  it('an ASFF EC2.18 finding: ssh and tcp/8000 revoked (two shapes, two actions), the authorized tcp/80 stays', async () => {
    const group = await createGroup(REGION, {
      name: 'shub-asff',
      ingress: [SSH('0.0.0.0/0'), rule('tcp', 80, 80, '0.0.0.0/0'), rule('tcp', 8000, 8000, '::/0')],
    });
    const event = securityHubEvent('asff.ec2-18.json', group.groupId);

    const planned = (await app.h.plan.handler(event as never, lambdaContext('plan'))) as {
      actionId: string;
      more: number;
    };
    expect(planned.more).toBe(1);
    const ids = (await app.call('GET', '/actions', { query: { status: 'PENDING_APPROVAL' } })).body as {
      items?: { actionId: string; finding: { sgId: string } }[];
    };
    const mine = (ids.items ?? []).filter((a) => a.finding.sgId === group.groupId).map((a) => a.actionId);
    expect(mine).toHaveLength(2);
    for (const id of mine) expect((await approveAndApply(id)).status).toBe('APPLIED');

    expect(await left(group.groupId)).toEqual(['tcp:80:0.0.0.0/0']);
  });

  it('with Security Hub unreachable, status-sync fails (to be retried) while the revoke stays done', async () => {
    const group = await createGroup(REGION, { name: 'shub-offline', ingress: [SSH('0.0.0.0/0')] });
    const planned = (await app.h.plan.handler(
      securityHubEvent('v2.compliance.ec2-19.json', group.groupId) as never,
      lambdaContext('plan'),
    )) as { actionId: string };
    await approveAndApply(planned.actionId);
    await app.reverify();
    const verified = (await app.stack.capture.receive(200, 3_000)).find(
      (e) => e['detail-type'] === 'Action Verified' && e.detail.action_id === planned.actionId,
    );
    expect(verified?.detail).toMatchObject({ origin: { kind: 'securityhub-ocsf' } });
    expect(String(verified?.detail.evidence_uri)).toMatch(/^s3:\/\//);

    // The SDK resolves its endpoint at the first call: keep the unreachable one set until then.
    const saved = process.env.AWS_ENDPOINT_URL_SECURITYHUB;
    process.env.AWS_ENDPOINT_URL_SECURITYHUB = 'http://127.0.0.1:9';
    const sync = loadStatusSync();
    try {
      await expect(
        sync.handler(
          { ...(verified as object), id: 'evt-1', account: MOTO_ACCOUNT } as never,
          lambdaContext('status-sync'),
        ),
      ).rejects.toThrow(/BatchUpdateFindingsV2 failed/);
    } finally {
      if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_SECURITYHUB;
      else process.env.AWS_ENDPOINT_URL_SECURITYHUB = saved;
      sync.destroy();
    }

    expect(await left(group.groupId)).toEqual([]);
    expect((await app.action(planned.actionId)).status).toBe('APPLIED');
  });
});

function loadStatusSync() {
  let loaded:
    | { handler: typeof import('../../../lambda/handlers/status-sync').handler; destroy: () => void }
    | undefined;
  jest.isolateModules(() => {
    loaded = {
      handler: require('../../../lambda/handlers/status-sync').handler,
      destroy: require('../../../lambda/adapters/clients').destroyClients,
    };
  });
  return loaded!;
}
