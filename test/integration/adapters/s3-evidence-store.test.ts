import { destroyClients, s3Client } from '../../../lambda/adapters/clients';
import { S3EvidenceStore } from '../../../lambda/adapters/s3-evidence-store';
import { buildAuditRow } from '../../../lambda/core/audit';
import { AwsCallError } from '../../../lambda/core/errors';
import type { Cidr } from '../../../lambda/core/permission';
import {
  type AuditResources,
  createAuditResources,
  describeMoto,
  readAllObjects,
  resetMoto,
} from '../moto/resources';

const row = buildAuditRow(
  {
    actionId: 'sgrev-0123456789abcdef',
    findingUid: 'det-1',
    accountUid: '123456789012',
    region: 'us-east-1',
    sgId: 'sg-0123456789abcdef0',
    sgName: 'web',
    rules: [{ ruleId: 'sgr-1', protocol: 'tcp', fromPort: 22, toPort: 22, cidr: '0.0.0.0/0' as Cidr }],
    step: 'revoke_before',
    status: 'in_progress',
    detail: 'about to revoke',
    incidentId: 'INC-1',
    approver: 'arn:aws:iam::123456789012:role/approver',
    caller: 'arn:aws:sts::123456789012:assumed-role/apply/fn',
    mode: 'lambda',
  },
  '2024-05-01T10:00:00.000Z',
  null,
);

describeMoto('S3EvidenceStore on moto_server', () => {
  let resources: AuditResources;
  let store: S3EvidenceStore;

  beforeEach(async () => {
    await resetMoto();
    resources = await createAuditResources();
    store = new S3EvidenceStore(s3Client(), { bucket: resources.bucket, kmsKeyArn: resources.kmsKeyArn });
  });
  afterAll(destroyClients);

  it('stores the row as JSON, encrypted aws:kms with the stack key, under the audit prefix', async () => {
    const uri = await store.put(row);

    expect(uri).toBe(`s3://${resources.bucket}/${row.s3_key}`);
    const objects = await readAllObjects(resources.bucket);
    expect(objects).toEqual([
      {
        key: row.s3_key,
        body: JSON.stringify(row),
        serverSideEncryption: 'aws:kms',
        kmsKeyId: resources.kmsKeyArn,
        bucketKeyEnabled: true,
        objectLockMode: 'COMPLIANCE',
      },
    ]);
  });

  it('never overwrites evidence: a second write of the key fails and the first object stays', async () => {
    await store.put(row);
    const tampered = { ...row, status_detail: 'rewritten' };

    const error = await store.put(tampered).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(AwsCallError);
    expect((error as AwsCallError).code).toBe('PreconditionFailed');
    expect((await readAllObjects(resources.bucket)).map((o) => o.body)).toEqual([JSON.stringify(row)]);
  });

  it('fails with the AWS code when the bucket does not exist', async () => {
    const lost = new S3EvidenceStore(s3Client(), {
      bucket: 'no-such-bucket',
      kmsKeyArn: resources.kmsKeyArn,
    });

    await expect(lost.put(row)).rejects.toMatchObject({ name: 'AwsCallError', code: 'NoSuchBucket' });
  });
});
