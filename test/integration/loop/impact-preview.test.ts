import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  AllocateAddressCommand,
  AssociateAddressCommand,
  CreateNetworkInterfaceCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  EC2Client,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Impact } from '../../../lambda/core/impact';
import {
  createGroup,
  type DeliveredEvent,
  describeMoto,
  REGION,
  readIngressRules,
  resetMoto,
} from '../moto/resources';
import { App } from './app';
import { createStack, findingFor } from './harness';

const SSH = (cidr: string) => ({ protocol: 'tcp', fromPort: 22, toPort: 22, cidr });

/**
 * DESIGN §13 on moto, through the plan λ and the approval API: what uses the group is read with
 * DescribeNetworkInterfaces (filter group-id) at plan time, shown in the API view and the
 * `Action Planned` event, and bound by the plan hash the approval signs.
 */
describeMoto('impact preview on moto', () => {
  let app: App;
  let subnetId: string;
  let vpcId: string;
  let n = 0;
  const delivered: DeliveredEvent[] = [];
  const ec2 = new EC2Client({ region: REGION });
  const base = new DynamoDBClient({ region: REGION });
  const doc = DynamoDBDocumentClient.from(base);

  beforeAll(async () => {
    await resetMoto();
    app = new App(await createStack());
    vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.20.0.0/16' }))).Vpc!.VpcId!;
    subnetId = (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.20.1.0/24' }))).Subnet!
      .SubnetId!;
  });
  afterAll(() => {
    app.close();
    ec2.destroy();
    base.destroy();
  });

  async function group() {
    n += 1;
    return createGroup(REGION, {
      name: `preview-${n}`,
      vpcId,
      ingress: [SSH('0.0.0.0/0'), SSH('10.0.0.0/8')],
    });
  }

  async function plan(groupId: string) {
    const out = await app.plan(findingFor(groupId));
    expect(out.status).toBe('PENDING_APPROVAL');
    await app.streamBatch(); // the creation record: never an approval
    const view = await app.call('GET', '/actions/{id}', { id: out.actionId! });
    expect(view.status).toBe(200);
    const body = view.body as { plan: { planHash: string; impact: Impact }; impactSummary: string };
    return {
      actionId: out.actionId!,
      plan: body.plan,
      impact: body.plan.impact,
      summary: body.impactSummary,
    };
  }

  async function plannedEvent(actionId: string): Promise<DeliveredEvent | undefined> {
    const find = () =>
      delivered.find((e) => e['detail-type'] === 'Action Planned' && e.detail.action_id === actionId);
    for (let i = 0; i < 5 && !find(); i += 1) delivered.push(...(await app.stack.capture.receive(1, 2_000)));
    return find();
  }

  it('a group on an instance with a public IP is `exposed`, lists the interface, in the API view and the event', async () => {
    const g = await group();
    const run = await ec2.send(
      new RunInstancesCommand({
        ImageId: 'ami-12c6146b',
        MinCount: 1,
        MaxCount: 1,
        NetworkInterfaces: [
          { DeviceIndex: 0, SubnetId: subnetId, Groups: [g.groupId], AssociatePublicIpAddress: true },
        ],
      }),
    );
    const instance = run.Instances![0]!;

    const p = await plan(g.groupId);

    expect(p.impact).toMatchObject({
      status: 'computed',
      verdict: 'exposed',
      interfaceCount: 1,
      publicInterfaceCount: 1,
    });
    expect(p.impact.interfaces).toEqual([
      expect.objectContaining({
        interfaceId: instance.NetworkInterfaces![0]!.NetworkInterfaceId,
        usedBy: `instance ${instance.InstanceId}`,
        attachment: { instanceId: instance.InstanceId, status: 'attached' },
        publicIpv4: instance.PublicIpAddress,
        ipv6: false,
      }),
    ]);
    expect(p.summary).toMatch(/^impact: exposed; 1 interface, 1 with a public address; used by instance i-/);
    const event = await plannedEvent(p.actionId);
    expect(event?.detail).toMatchObject({
      plan_hash: p.plan.planHash,
      impact: p.impact,
      impact_summary: p.summary,
    });
  });

  it('an interface with an Elastic IP is `exposed` too', async () => {
    const g = await group();
    const eni = (
      await ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnetId, Groups: [g.groupId] }))
    ).NetworkInterface!.NetworkInterfaceId!;
    const eip = await ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }));
    await ec2.send(new AssociateAddressCommand({ AllocationId: eip.AllocationId, NetworkInterfaceId: eni }));

    const p = await plan(g.groupId);

    expect(p.impact).toMatchObject({ verdict: 'exposed', interfaceCount: 1 });
    expect(p.impact.interfaces[0]).toMatchObject({
      interfaceId: eni,
      publicIpv4: eip.PublicIp,
      attachment: null,
    });
  });

  it('a group no interface uses is `unused`', async () => {
    const g = await group();

    const p = await plan(g.groupId);

    expect(p.impact).toMatchObject({
      status: 'computed',
      verdict: 'unused',
      interfaceCount: 0,
      interfaces: [],
    });
    expect((await plannedEvent(p.actionId))?.detail.impact).toMatchObject({ verdict: 'unused' });
  });

  it('a private-only interface is `not-reachable`', async () => {
    const g = await group();
    await ec2.send(
      new CreateNetworkInterfaceCommand({
        SubnetId: subnetId,
        Groups: [g.groupId],
        Description: 'batch worker',
      }),
    );

    const p = await plan(g.groupId);

    expect(p.impact).toMatchObject({ verdict: 'not-reachable', interfaceCount: 1, publicInterfaceCount: 0 });
    expect(p.impact.interfaces[0]).toMatchObject({ usedBy: 'batch worker', publicIpv4: null });
  });

  it('the signed preview survives the table: approve → apply revokes the flagged rule', async () => {
    const g = await group();
    const p = await plan(g.groupId);

    expect((await app.approve(p.actionId)).status).toBe(200);
    await app.apply(await app.streamBatch());

    expect((await app.action(p.actionId)).status).toBe('APPLIED');
    expect((await readIngressRules(REGION, g.groupId)).map((r) => r.CidrIpv4)).toEqual(['10.0.0.0/8']);
  });

  it('a preview edited in the table after the approval: apply ends BLOCKED plan-tampered, nothing revoked', async () => {
    const g = await group();
    const p = await plan(g.groupId);
    expect((await app.approve(p.actionId)).status).toBe(200);
    await doc.send(
      new UpdateCommand({
        TableName: app.stack.resources.actionsTable,
        Key: { action_id: p.actionId },
        UpdateExpression: 'SET #plan.#impact.#verdict = :v',
        ExpressionAttributeNames: { '#plan': 'plan', '#impact': 'impact', '#verdict': 'verdict' },
        ExpressionAttributeValues: { ':v': 'not-reachable' },
      }),
    );

    await app.apply(await app.streamBatch());

    const action = await app.action(p.actionId);
    expect(action.status).toBe('BLOCKED');
    expect(action.statusDetail).toMatch(/^plan-tampered: /);
    expect((await readIngressRules(REGION, g.groupId)).map((r) => r.CidrIpv4).sort()).toEqual([
      '0.0.0.0/0',
      '10.0.0.0/8',
    ]);
  });
});
