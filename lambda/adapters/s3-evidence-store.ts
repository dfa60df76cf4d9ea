import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { AuditRow } from '../core/audit';
import type { EvidenceStore } from '../core/ports';
import { translateAwsError } from './aws-errors';

export interface EvidenceBucket {
  readonly bucket: string;
  /** The stack's key: evidence is readable only by principals the key policy allows. */
  readonly kmsKeyArn: string;
}

/** The S3 half of the dual audit (DESIGN §7): one write-once SSE-KMS object per audit row. */
export class S3EvidenceStore implements EvidenceStore {
  constructor(
    private readonly s3: S3Client,
    private readonly target: EvidenceBucket,
  ) {}

  async put(row: AuditRow): Promise<string> {
    const { bucket, kmsKeyArn } = this.target;
    try {
      await this.s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: row.s3_key,
          Body: JSON.stringify(row),
          ContentType: 'application/json',
          ServerSideEncryption: 'aws:kms',
          SSEKMSKeyId: kmsKeyArn,
          // One KMS data key per bucket and period instead of one KMS call per object.
          BucketKeyEnabled: true,
          // Evidence is never overwritten, even by a retried invocation: S3 answers 412 instead.
          IfNoneMatch: '*',
          // Object Lock buckets refuse a PUT without an integrity checksum.
          ChecksumAlgorithm: 'SHA256',
        }),
      );
    } catch (error) {
      throw translateAwsError(error, `PutObject s3://${bucket}/${row.s3_key}`);
    }
    return `s3://${bucket}/${row.s3_key}`;
  }
}
