import { destroyClients, documentClient, s3Client } from '../../../lambda/adapters/clients';
import { DynamoDbControlStore } from '../../../lambda/adapters/dynamodb-control-store';
import { S3EvidenceStore } from '../../../lambda/adapters/s3-evidence-store';
import { DRAIN_EVENT } from '../../../lambda/core/limits';
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
import { createStack, findingFor, lambdaContext, MOTO_ACCOUNT } from './harness';

const SSH = (cidr: string) => ({ protocol: 'tcp', fromPort: 22, toPort: 22, cidr });
const OPERATOR = `arn:aws:sts::${MOTO_ACCOUNT}:assumed-role/SecurityOperator/bob`;

describeMoto('kill switch and rate cap on moto, through the apply handler (stream and drain)', () => {
  let app: App;

  beforeAll(async () => {
    await resetMoto();
    const stack = await createStack();
    app = new App(stack, loadHandlers({ AWS_SG_REVOKE_MAX_REVOKES_PER_HOUR: '1' }));
  });
  afterAll(() => {
    app.close();
    destroyClients();
  });

  const operator = () => {
    const { resources } = app.stack;
    return {
      control: new DynamoDbControlStore(documentClient(), {
        actions: resources.actionsTable,
        audit: resources.auditTable,
      }),
      evidence: new S3EvidenceStore(s3Client(), { bucket: resources.bucket, kmsKeyArn: resources.kmsKeyArn }),
      clock: { nowMs: Date.now },
    };
  };
  const flip = (paused: boolean, reason: string) =>
    setPause(operator(), {
      paused,
      reason,
      by: OPERATOR,
      mode: 'cli',
      accountUid: MOTO_ACCOUNT,
      region: REGION,
    });

  async function approvedGroup(name: string) {
    const group = await createGroup(REGION, { name, ingress: [SSH('0.0.0.0/0'), SSH('10.0.0.0/8')] });
    const planned = await app.plan(findingFor(group.groupId));
    expect((await app.approve(planned.actionId as string)).status).toBe(200);
    return { groupId: group.groupId, actionId: planned.actionId as string };
  }
  const cidrsLeft = async (groupId: string) =>
    (await readIngressRules(REGION, groupId)).map((r) => r.CidrIpv4).sort();
  const drain = () => app.h.apply.handler(DRAIN_EVENT as never, lambdaContext('apply'));

  it('paused: the approval waits with nothing revoked; resumed: the drain applies it, and the cap holds the next', async () => {
    expect((await flip(true, 'INC-2026-0042: apps failing')).kind).toBe('changed');
    const first = await approvedGroup('web-a');

    expect(await app.apply(await app.streamBatch())).toEqual({ batchItemFailures: [] });

    expect(await app.action(first.actionId)).toMatchObject({ status: 'APPROVED', statusDetail: 'paused' });
    expect(await cidrsLeft(first.groupId)).toEqual(['0.0.0.0/0', '10.0.0.0/8']);

    expect((await flip(false, 'root cause fixed')).kind).toBe('changed');
    const second = await approvedGroup('web-b');
    await app.apply(await app.streamBatch());
    expect(await app.action(second.actionId)).toMatchObject({
      status: 'APPROVED',
      statusDetail: 'rate-limited',
    });

    expect(await drain()).toMatchObject({ seen: 2, applied: 1, waiting: 1 });

    expect((await app.action(first.actionId)).status).toBe('APPLIED');
    expect(await cidrsLeft(first.groupId)).toEqual(['10.0.0.0/8']);
    expect(await app.action(second.actionId)).toMatchObject({
      status: 'APPROVED',
      statusDetail: 'rate-limited',
    });
    expect(await cidrsLeft(second.groupId)).toEqual(['0.0.0.0/0', '10.0.0.0/8']);
    const operatorRows = (await readAllRows(app.stack.resources.auditTable))
      .filter((r) => r.sg_id === 'operator')
      .map((r) => [r.step, r.caller])
      .sort();
    expect(operatorRows).toEqual([
      ['pause', OPERATOR],
      ['resume', OPERATOR],
    ]);
  });
});
