import { PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { S3EvidenceStore } from '../../../lambda/adapters/s3-evidence-store';
import { buildAuditRow } from '../../../lambda/core/audit';
import { AccessDeniedError, AwsCallError } from '../../../lambda/core/errors';
import type { Cidr } from '../../../lambda/core/permission';

const s3Mock = mockClient(S3Client);
const client = new S3Client({ region: 'us-east-1' });
const KEY_ARN = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const target = { bucket: 'sg-revoke-audit-111122223333', kmsKeyArn: KEY_ARN };
const s3Error = (code: string, status: number) =>
  new S3ServiceException({
    name: code,
    $fault: 'client',
    $metadata: { httpStatusCode: status },
    message: code,
  });

const row = buildAuditRow(
  {
    actionId: 'sgrev-0123456789abcdef',
    findingUid: 'f-1',
    accountUid: '111122223333',
    region: 'us-east-1',
    sgId: 'sg-0123456789abcdef0',
    sgName: 'web',
    rules: [{ ruleId: 'sgr-1', protocol: 'tcp', fromPort: 22, toPort: 22, cidr: '0.0.0.0/0' as Cidr }],
    step: 'revoke_before',
    status: 'in_progress',
    detail: 'about to revoke',
    incidentId: 'INC-1',
    approver: 'arn:aws:iam::111122223333:role/approver',
    caller: 'arn:aws:sts::111122223333:assumed-role/apply/fn',
    mode: 'lambda',
  },
  '2024-05-01T10:00:00.000Z',
  null,
);

beforeEach(() => s3Mock.reset());
afterAll(() => client.destroy());

describe('S3EvidenceStore.put', () => {
  it('writes the row once, SSE-KMS with the stack key and a SHA-256 checksum, and returns its URI', async () => {
    s3Mock.on(PutObjectCommand).resolves({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: KEY_ARN });

    const uri = await new S3EvidenceStore(client, target).put(row);

    expect(uri).toBe(`s3://${target.bucket}/${row.s3_key}`);
    const [call] = s3Mock.commandCalls(PutObjectCommand);
    expect(call?.args[0].input).toEqual({
      Bucket: target.bucket,
      Key: row.s3_key,
      Body: JSON.stringify(row),
      ContentType: 'application/json',
      ServerSideEncryption: 'aws:kms',
      SSEKMSKeyId: KEY_ARN,
      BucketKeyEnabled: true,
      IfNoneMatch: '*',
      ChecksumAlgorithm: 'SHA256',
    });
    expect(JSON.parse(String(call?.args[0].input.Body))).toEqual(row);
    expect(row.s3_key).toMatch(
      /^aws-sg-revoke\/audit\/2024\/05\/01\/sg-0123456789abcdef0\/[A-Za-z0-9._-]+\.json$/,
    );
  });

  it.each([
    ['AccessDenied', 403, AccessDeniedError],
    ['PreconditionFailed', 412, AwsCallError],
    ['NoSuchBucket', 404, AwsCallError],
  ])('translates %s into %p with the cause', async (code, status, type) => {
    const cause = s3Error(code, status);
    s3Mock.on(PutObjectCommand).rejects(cause);

    const error = await new S3EvidenceStore(client, target).put(row).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(type);
    expect((error as Error).cause).toBe(cause);
    expect((error as Error).message).toContain(row.s3_key);
  });
});
