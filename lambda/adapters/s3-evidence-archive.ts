import { GetObjectCommand, ListObjectVersionsCommand, type S3Client } from '@aws-sdk/client-s3';
import type { EvidenceArchive } from '../core/ports';
import { translated } from './aws-errors';

/**
 * The audit bucket read back. Evidence is written once; if a later PUT ever made a new version, the
 * oldest one is still the original (Object Lock keeps it), so the oldest is what a row is checked against.
 */
export class S3EvidenceArchive implements EvidenceArchive {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async oldest(key: string): Promise<{ body: string; versions: number } | null> {
    const versions: { id: string; at: number }[] = [];
    // The SDK has no paginator for ListObjectVersions; a key has one version unless it was overwritten.
    let markers: { KeyMarker?: string; VersionIdMarker?: string } = {};
    do {
      const page = await translated(`ListObjectVersions s3://${this.bucket}/${key}`, () =>
        this.s3.send(new ListObjectVersionsCommand({ Bucket: this.bucket, Prefix: key, ...markers })),
      );
      for (const v of page.Versions ?? []) {
        if (v.Key === key && v.VersionId)
          versions.push({ id: v.VersionId, at: v.LastModified?.getTime() ?? 0 });
      }
      markers = page.IsTruncated
        ? { KeyMarker: page.NextKeyMarker, VersionIdMarker: page.NextVersionIdMarker }
        : {};
    } while (markers.KeyMarker !== undefined);
    // Oldest first; the listing's own order (newest first within a key) breaks a tie in time.
    const first = versions.reduce<{ id: string; at: number } | null>(
      (a, v) => (a === null || v.at <= a.at ? v : a),
      null,
    );
    if (!first) return null;
    const out = await translated(`GetObject s3://${this.bucket}/${key}`, () =>
      this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key, VersionId: first.id })),
    );
    return { body: (await out.Body?.transformToString('utf8')) ?? '', versions: versions.length };
  }
}
