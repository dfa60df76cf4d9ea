import { destroyClients, documentClient, s3Client } from '../../../lambda/adapters/clients';
import { DynamoDbActionStore } from '../../../lambda/adapters/dynamodb-action-store';
import { DynamoDbControlStore } from '../../../lambda/adapters/dynamodb-control-store';
import { S3EvidenceStore } from '../../../lambda/adapters/s3-evidence-store';
import { verifyAuditChain } from '../../../lambda/core/audit';
import { limitsKeyOf } from '../../../lambda/core/limits';
import { type PauseDeps, setPause } from '../../../lambda/usecases/pause-control';
import {
  type AuditResources,
  createAuditResources,
  describeMoto,
  readAllObjects,
  readAllRows,
  resetMoto,
} from '../moto/resources';

const OPERATOR = 'arn:aws:sts::123456789012:assumed-role/SecurityOperator/bob';

describeMoto('DynamoDbControlStore on moto_server', () => {
  let resources: AuditResources;
  let control: DynamoDbControlStore;
  let deps: PauseDeps;
  let now = Date.parse('2026-11-25T12:00:00.000Z');

  beforeEach(async () => {
    await resetMoto();
    resources = await createAuditResources();
    control = new DynamoDbControlStore(documentClient(), {
      actions: resources.actionsTable,
      audit: resources.auditTable,
    });
    deps = {
      control,
      evidence: new S3EvidenceStore(s3Client(), { bucket: resources.bucket, kmsKeyArn: resources.kmsKeyArn }),
      clock: { nowMs: () => (now += 1_000) },
    };
  });
  afterAll(destroyClients);

  const request = (paused: boolean, reason: string) => ({
    paused,
    reason,
    by: OPERATOR,
    mode: 'cli' as const,
    accountUid: '123456789012',
    region: 'us-east-1',
  });

  it('pauses and resumes with one audit row and one S3 object each, chained, in partition operator', async () => {
    expect((await setPause(deps, request(true, 'INC-7 storm'))).kind).toBe('changed');
    expect((await setPause(deps, request(true, 'again'))).kind).toBe('unchanged');
    expect((await control.readPause()).value).toMatchObject({
      paused: true,
      reason: 'INC-7 storm',
      by: OPERATOR,
    });
    expect((await setPause(deps, request(false, 'fixed'))).kind).toBe('changed');

    const rows = (await readAllRows(resources.auditTable))
      .filter((r) => r.sg_id === 'operator')
      .sort((a, b) => String(a.action_at).localeCompare(String(b.action_at)));
    expect(rows.map((r) => [r.step, r.status, r.caller, r.status_detail])).toEqual([
      ['pause', 'paused', OPERATOR, 'INC-7 storm'],
      ['resume', 'resumed', OPERATOR, 'fixed'],
    ]);
    expect(verifyAuditChain(rows as never)).toBe(-1);
    const objects = await readAllObjects(resources.bucket);
    expect(objects.map((o) => o.key).sort()).toEqual(rows.map((r) => r.s3_key).sort());
    const pause = (await readAllRows(resources.actionsTable)).find((i) => i.action_id === 'control#pause');
    expect(pause).toMatchObject({ paused: false, version: 2, audit_head: rows[1]?.row_hash });
    expect(pause).not.toHaveProperty('status');
  });

  it('replaces a counter only at the version read (sequential: the second writer of a slot loses)', async () => {
    const key = limitsKeyOf('123456789012', 'us-east-1');

    expect(await control.writeStamps(key, [1], 0)).toBe('written');
    expect(await control.writeStamps(key, [2], 0)).toBe('conflict');
    expect(await control.writeStamps(key, [1, 3], 1)).toBe('written');
    expect(await control.writeStamps(key, [1, 4], 1)).toBe('conflict');

    expect(await control.readStamps(key)).toEqual({ value: [1, 3], version: 2 });
  });

  it('keeps control items out of every status listing (audit verify walks those)', async () => {
    await setPause(deps, request(true, 'INC-7 storm'));
    await control.writeStamps(limitsKeyOf('123456789012', 'us-east-1'), [1], 0);
    const actions = new DynamoDbActionStore(documentClient(), { actions: resources.actionsTable });

    for (const status of ['APPROVED', 'PENDING_APPROVAL'] as const) {
      expect((await actions.listByStatus(status, 10, null)).items).toEqual([]);
    }
  });
});
