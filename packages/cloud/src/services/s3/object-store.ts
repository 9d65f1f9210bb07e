import { storedLength } from '../../engines/dialect/nul-text.js';
import type { SqlStore } from '../../engines/types.js';
import type { CorsRule } from './bucket-cors.js';
import type { ChecksumAlgorithm, ObjectChecksum } from './object-checksum.js';

export const S3_MIGRATIONS = [
  `CREATE TABLE s3_buckets (
    name TEXT PRIMARY KEY,
    created_at TEXT NOT NULL
  )`,
  // Keys sort by SQLite's BINARY collation, i.e. by UTF-8 bytes: the order S3 lists in.
  `CREATE TABLE s3_objects (
    bucket TEXT NOT NULL,
    key TEXT NOT NULL,
    blob_id TEXT NOT NULL,
    size INTEGER NOT NULL,
    etag TEXT NOT NULL,
    last_modified TEXT NOT NULL,
    content_type TEXT NOT NULL,
    headers TEXT NOT NULL,
    metadata TEXT NOT NULL,
    PRIMARY KEY (bucket, key)
  )`,
  // Multipart uploads in progress, and their parts (bodies in the blob store until CompleteMultipartUpload joins them).
  `CREATE TABLE s3_uploads (
    upload_id TEXT PRIMARY KEY,
    bucket TEXT NOT NULL,
    key TEXT NOT NULL,
    initiated TEXT NOT NULL,
    content_type TEXT NOT NULL,
    headers TEXT NOT NULL,
    metadata TEXT NOT NULL
  )`,
  `CREATE INDEX s3_uploads_key ON s3_uploads (bucket, key, upload_id)`,
  `CREATE TABLE s3_upload_parts (
    upload_id TEXT NOT NULL,
    part_number INTEGER NOT NULL,
    blob_id TEXT NOT NULL,
    size INTEGER NOT NULL,
    md5 TEXT NOT NULL,
    checksum_crc32 TEXT,
    last_modified TEXT NOT NULL,
    PRIMARY KEY (upload_id, part_number)
  )`,
  // The CRC32 a client sent with a whole object's body (verified; base64 of the 4 bytes, as on the wire).
  `ALTER TABLE s3_objects ADD COLUMN checksum_crc32 TEXT`,
  // The bucket's CORS rules (JSON, CorsRule[]), or NULL when it has none.
  `ALTER TABLE s3_buckets ADD COLUMN cors TEXT`,
  // A multipart object's part sizes in order (JSON array), for GetObject ?partNumber; NULL for single uploads.
  `ALTER TABLE s3_objects ADD COLUMN part_sizes TEXT`,
  // The whole body's checksum a client sent (verified): JSON {algorithm, value}; supersedes checksum_crc32.
  `ALTER TABLE s3_objects ADD COLUMN checksum TEXT`,
  // The checksum algorithm a multipart upload was created with (its parts carry that checksum), and each
  // part's checksum (JSON ObjectChecksum).
  `ALTER TABLE s3_uploads ADD COLUMN checksum_algorithm TEXT`,
  `ALTER TABLE s3_upload_parts ADD COLUMN checksum TEXT`,
  // The multipart upload an object was completed from: a retried CompleteMultipartUpload is answered again.
  `ALTER TABLE s3_objects ADD COLUMN upload_id TEXT`,
  // The bucket's website configuration (JSON, BucketWebsite), or NULL: only such buckets are served on their website host.
  `ALTER TABLE s3_buckets ADD COLUMN website TEXT`,
  // The template resource (Forte::S3::BucketObjects) that wrote the object, or NULL for what clients wrote: a
  // template's files are not data a deletion loses (the template holds them).
  `ALTER TABLE s3_objects ADD COLUMN written_by TEXT`,
];

/** A bucket's website configuration (CloudFormation's `WebsiteConfiguration`): what its website host serves. */
export interface BucketWebsite {
  /** The object served for `/` and for any path ending in `/` (S3's IndexDocument suffix). */
  indexDocument: string;
  /** The object served, with status 404, for a key the bucket does not hold. */
  errorDocument?: string;
}

/** Representation headers S3 stores with an object and answers on GET/HEAD. */
export const STORED_HEADERS = ['cache-control', 'content-disposition', 'content-encoding', 'content-language', 'expires'] as const;

export interface S3Object {
  bucket: string;
  key: string;
  blobId: string;
  size: number;
  /** Quoted, as on the wire: `"<md5 hex>"`. */
  etag: string;
  /** ISO 8601 with milliseconds. */
  lastModified: string;
  contentType: string;
  /** Lower-case names from STORED_HEADERS. */
  headers: Record<string, string>;
  /** `x-amz-meta-*` without the prefix, lower-case names. */
  metadata: Record<string, string>;
  /** The whole body's checksum when the client sent one, answered to `x-amz-checksum-mode: ENABLED`. */
  checksum?: ObjectChecksum | undefined;
  /** A multipart object's part sizes, in part order. */
  partSizes?: number[] | undefined;
  /** The multipart upload it was completed from. */
  uploadId?: string | undefined;
  /** The template resource that wrote it (its files are the template's, not data); undefined for clients' objects. */
  writtenBy?: string | undefined;
}

interface ObjectRow {
  bucket: string;
  key: string;
  blob_id: string;
  size: number;
  etag: string;
  last_modified: string;
  content_type: string;
  headers: string;
  metadata: string;
  checksum_crc32: string | null;
  part_sizes?: string | null;
  checksum?: string | null;
  upload_id?: string | null;
  written_by?: string | null;
}

const fromRow = (row: ObjectRow): S3Object => ({
  bucket: row.bucket,
  key: row.key,
  blobId: row.blob_id,
  size: row.size,
  etag: row.etag,
  lastModified: row.last_modified,
  contentType: row.content_type,
  headers: JSON.parse(row.headers) as Record<string, string>,
  metadata: JSON.parse(row.metadata) as Record<string, string>,
  ...(typeof row.checksum === 'string'
    ? { checksum: JSON.parse(row.checksum) as ObjectChecksum }
    : row.checksum_crc32 === null
      ? {}
      : { checksum: { algorithm: 'CRC32' as const, value: row.checksum_crc32 } }),
  ...(row.part_sizes === null || row.part_sizes === undefined ? {} : { partSizes: JSON.parse(row.part_sizes) as number[] }),
  ...(typeof row.upload_id === 'string' ? { uploadId: row.upload_id } : {}),
  ...(typeof row.written_by === 'string' ? { writtenBy: row.written_by } : {}),
});

/** A multipart upload in progress: what the object will be described as once completed. */
export interface S3Upload {
  uploadId: string;
  bucket: string;
  key: string;
  initiated: string;
  contentType: string;
  headers: Record<string, string>;
  metadata: Record<string, string>;
  /** CreateMultipartUpload's x-amz-checksum-algorithm: the object gets the composite checksum of its parts. */
  checksumAlgorithm?: ChecksumAlgorithm | undefined;
}

/** One uploaded part; `md5` is hex (its ETag is `"<md5>"`). */
export interface S3UploadPart {
  partNumber: number;
  blobId: string;
  size: number;
  md5: string;
  checksumCrc32: string | undefined;
  /** The part's verified checksum, of any algorithm. */
  checksum?: ObjectChecksum | undefined;
  lastModified: string;
}

interface UploadRow {
  upload_id: string;
  bucket: string;
  key: string;
  initiated: string;
  content_type: string;
  headers: string;
  metadata: string;
  checksum_algorithm?: string | null;
}
interface PartRow {
  part_number: number;
  blob_id: string;
  size: number;
  md5: string;
  checksum_crc32: string | null;
  checksum?: string | null;
  last_modified: string;
}

const uploadFromRow = (row: UploadRow): S3Upload => ({
  uploadId: row.upload_id,
  bucket: row.bucket,
  key: row.key,
  initiated: row.initiated,
  contentType: row.content_type,
  headers: JSON.parse(row.headers) as Record<string, string>,
  metadata: JSON.parse(row.metadata) as Record<string, string>,
  ...(typeof row.checksum_algorithm === 'string' ? { checksumAlgorithm: row.checksum_algorithm as ChecksumAlgorithm } : {}),
});
const partFromRow = (row: PartRow): S3UploadPart => ({
  partNumber: row.part_number,
  blobId: row.blob_id,
  size: row.size,
  md5: row.md5,
  checksumCrc32: row.checksum_crc32 ?? undefined,
  ...(typeof row.checksum === 'string' ? { checksum: JSON.parse(row.checksum) as ObjectChecksum } : {}),
  lastModified: row.last_modified,
});

/**
 * Buckets and object metadata in SQL. Bodies live in the blob store under `blobId`. Keys and names come from
 * requests as sent, U+0000 included: on PostgreSQL give `sql` through `nulSafeText`.
 */
export function createObjectStore(sql: SqlStore) {
  const store = {
    sql,
    /** Buckets in name order: those whose name starts with `prefix`, after `after`, at most `limit`. */
    async listBuckets(options: { prefix?: string; after?: string; limit?: number } = {}): Promise<Array<{ name: string; createdAt: string }>> {
      const prefix = options.prefix ?? '';
      const rows = await sql.all<{ name: string; created_at: string }>(
        `SELECT name, created_at FROM s3_buckets WHERE substr(name, 1, ?) = ? AND name > ? ORDER BY name${options.limit === undefined ? '' : ' LIMIT ?'}`,
        [storedLength(sql, prefix), prefix, options.after ?? '', ...(options.limit === undefined ? [] : [options.limit])],
      );
      return rows.map((r) => ({ name: r.name, createdAt: r.created_at }));
    },
    async bucketExists(name: string, tx: SqlStore = sql): Promise<boolean> {
      return (await tx.get('SELECT 1 AS one FROM s3_buckets WHERE name = ?', [name])) !== undefined;
    },
    /** Answers false when the bucket already existed. */
    async createBucket(name: string): Promise<boolean> {
      const result = await sql.run('INSERT INTO s3_buckets (name, created_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING', [name, new Date().toISOString()]);
      return result.changes > 0;
    },
    /**
     * Deletes an empty bucket: 'missing', 'not-empty' or 'deleted'. Its multipart uploads in progress go with
     * it; `partBlobs` are their parts' bodies, for the caller to delete after.
     */
    async deleteBucket(name: string): Promise<{ outcome: 'missing' | 'not-empty' | 'deleted'; partBlobs: string[] }> {
      return sql.transaction(async (tx) => {
        if (!(await store.bucketExists(name, tx))) return { outcome: 'missing', partBlobs: [] };
        if (await tx.get('SELECT 1 AS one FROM s3_objects WHERE bucket = ? LIMIT 1', [name])) return { outcome: 'not-empty', partBlobs: [] };
        const partBlobs: string[] = [];
        for (const { upload_id } of await tx.all<{ upload_id: string }>('SELECT upload_id FROM s3_uploads WHERE bucket = ?', [name]))
          partBlobs.push(...(await store.deleteUpload(upload_id, tx)));
        await tx.run('DELETE FROM s3_buckets WHERE name = ?', [name]);
        return { outcome: 'deleted', partBlobs };
      });
    },
    /** The bucket's CORS rules: undefined when it has none, 'missing' when there is no such bucket. */
    async getBucketCors(name: string): Promise<CorsRule[] | undefined | 'missing'> {
      const row = await sql.get<{ cors: string | null }>('SELECT cors FROM s3_buckets WHERE name = ?', [name]);
      if (!row) return 'missing';
      return row.cors === null ? undefined : (JSON.parse(row.cors) as CorsRule[]);
    },
    /** Sets (or with undefined, removes) the bucket's CORS rules; answers false when there is no such bucket. */
    async setBucketCors(name: string, rules: CorsRule[] | undefined): Promise<boolean> {
      const result = await sql.run('UPDATE s3_buckets SET cors = ? WHERE name = ?', [rules === undefined ? null : JSON.stringify(rules), name]);
      return result.changes > 0;
    },
    /** The bucket's website configuration: undefined when it has none, 'missing' when there is no such bucket. */
    async getBucketWebsite(name: string): Promise<BucketWebsite | undefined | 'missing'> {
      const row = await sql.get<{ website: string | null }>('SELECT website FROM s3_buckets WHERE name = ?', [name]);
      if (!row) return 'missing';
      return row.website === null ? undefined : (JSON.parse(row.website) as BucketWebsite);
    },
    /** Sets (or with undefined, removes) the bucket's website configuration; answers false when there is no such bucket. */
    async setBucketWebsite(name: string, website: BucketWebsite | undefined): Promise<boolean> {
      const result = await sql.run('UPDATE s3_buckets SET website = ? WHERE name = ?', [website === undefined ? null : JSON.stringify(website), name]);
      return result.changes > 0;
    },
    /** How many objects clients wrote into the bucket (0 when it does not exist); a template's files are not counted. */
    async countObjects(bucket: string): Promise<number> {
      const row = await sql.get<{ n: number }>('SELECT COUNT(*) AS n FROM s3_objects WHERE bucket = ? AND written_by IS NULL', [bucket]);
      return Number(row?.n ?? 0);
    },
    async getObject(bucket: string, key: string, tx: SqlStore = sql): Promise<S3Object | undefined> {
      const row = await tx.get<ObjectRow>('SELECT * FROM s3_objects WHERE bucket = ? AND key = ?', [bucket, key]);
      return row ? fromRow(row) : undefined;
    },
    /** Inserts or replaces the object row; answers the blob id of the replaced object, if any. */
    async putObject(object: S3Object, tx: SqlStore): Promise<string | undefined> {
      const old = await tx.get<{ blob_id: string }>('SELECT blob_id FROM s3_objects WHERE bucket = ? AND key = ?', [object.bucket, object.key]);
      await tx.run(
        `INSERT INTO s3_objects (bucket, key, blob_id, size, etag, last_modified, content_type, headers, metadata, checksum_crc32, part_sizes, checksum, upload_id, written_by)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (bucket, key) DO UPDATE SET blob_id = excluded.blob_id, size = excluded.size, etag = excluded.etag,
           last_modified = excluded.last_modified, content_type = excluded.content_type, headers = excluded.headers, metadata = excluded.metadata,
           checksum_crc32 = excluded.checksum_crc32, part_sizes = excluded.part_sizes, checksum = excluded.checksum,
           upload_id = excluded.upload_id, written_by = excluded.written_by`,
        [
          object.bucket,
          object.key,
          object.blobId,
          object.size,
          object.etag,
          object.lastModified,
          object.contentType,
          JSON.stringify(object.headers),
          JSON.stringify(object.metadata),
          null,
          object.partSizes === undefined ? null : JSON.stringify(object.partSizes),
          object.checksum === undefined ? null : JSON.stringify(object.checksum),
          object.uploadId ?? null,
          object.writtenBy ?? null,
        ],
      );
      return old?.blob_id;
    },
    /** Deletes the row; answers its blob id (to delete after commit), or undefined if there was none. */
    async deleteObject(bucket: string, key: string, tx: SqlStore = sql): Promise<string | undefined> {
      const old = await tx.get<{ blob_id: string }>('SELECT blob_id FROM s3_objects WHERE bucket = ? AND key = ?', [bucket, key]);
      if (!old) return undefined;
      await tx.run('DELETE FROM s3_objects WHERE bucket = ? AND key = ?', [bucket, key]);
      return old.blob_id;
    },
    async createUpload(upload: S3Upload): Promise<void> {
      await sql.run(
        'INSERT INTO s3_uploads (upload_id, bucket, key, initiated, content_type, headers, metadata, checksum_algorithm) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        [
          upload.uploadId,
          upload.bucket,
          upload.key,
          upload.initiated,
          upload.contentType,
          JSON.stringify(upload.headers),
          JSON.stringify(upload.metadata),
          upload.checksumAlgorithm ?? null,
        ],
      );
    },
    /** The upload `uploadId` of this bucket and key, or undefined. */
    async getUpload(bucket: string, key: string, uploadId: string, tx: SqlStore = sql): Promise<S3Upload | undefined> {
      const row = await tx.get<UploadRow>('SELECT * FROM s3_uploads WHERE upload_id = ? AND bucket = ? AND key = ?', [uploadId, bucket, key]);
      return row ? uploadFromRow(row) : undefined;
    },
    /** Up to `limit` uploads of the bucket whose key starts with `prefix`, after (key, uploadId) `after`, in that order. */
    async listUploads(bucket: string, options: { prefix: string; after: { key: string; uploadId: string } | undefined; limit: number }): Promise<S3Upload[]> {
      const after = options.after ?? { key: '', uploadId: '' };
      const rows = await sql.all<UploadRow>(
        'SELECT * FROM s3_uploads WHERE bucket = ? AND substr(key, 1, ?) = ? AND (key > ? OR (key = ? AND upload_id > ?)) ORDER BY key, upload_id LIMIT ?',
        [bucket, storedLength(sql, options.prefix), options.prefix, after.key, after.key, after.uploadId, options.limit],
      );
      return rows.map(uploadFromRow);
    },
    /** Inserts or replaces a part; answers the blob id of the replaced part, if any. */
    async putPart(uploadId: string, part: S3UploadPart, tx: SqlStore): Promise<string | undefined> {
      const old = await tx.get<{ blob_id: string }>('SELECT blob_id FROM s3_upload_parts WHERE upload_id = ? AND part_number = ?', [uploadId, part.partNumber]);
      await tx.run(
        `INSERT INTO s3_upload_parts (upload_id, part_number, blob_id, size, md5, checksum_crc32, last_modified, checksum) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (upload_id, part_number) DO UPDATE SET blob_id = excluded.blob_id, size = excluded.size, md5 = excluded.md5,
           checksum_crc32 = excluded.checksum_crc32, last_modified = excluded.last_modified, checksum = excluded.checksum`,
        [
          uploadId,
          part.partNumber,
          part.blobId,
          part.size,
          part.md5,
          part.checksumCrc32 ?? null,
          part.lastModified,
          part.checksum === undefined ? null : JSON.stringify(part.checksum),
        ],
      );
      return old?.blob_id;
    },
    /** Parts of an upload in part-number order, from after `afterPart`, at most `limit`. */
    async listParts(uploadId: string, options: { afterPart: number; limit: number }, tx: SqlStore = sql): Promise<S3UploadPart[]> {
      const rows = await tx.all<PartRow>('SELECT * FROM s3_upload_parts WHERE upload_id = ? AND part_number > ? ORDER BY part_number LIMIT ?', [
        uploadId,
        options.afterPart,
        options.limit,
      ]);
      return rows.map(partFromRow);
    },
    /** Deletes an upload and its parts; answers the parts' blob ids (to delete after commit). */
    async deleteUpload(uploadId: string, tx: SqlStore): Promise<string[]> {
      const parts = await tx.all<{ blob_id: string }>('SELECT blob_id FROM s3_upload_parts WHERE upload_id = ?', [uploadId]);
      await tx.run('DELETE FROM s3_upload_parts WHERE upload_id = ?', [uploadId]);
      await tx.run('DELETE FROM s3_uploads WHERE upload_id = ?', [uploadId]);
      return parts.map((p) => p.blob_id);
    },
    /** Up to `limit` objects with key > `after` (or >= `from` when there is no `after`), in key order. */
    async scan(bucket: string, options: { from: string; after: string | undefined; limit: number }): Promise<S3Object[]> {
      const rows =
        options.after === undefined
          ? await sql.all<ObjectRow>('SELECT * FROM s3_objects WHERE bucket = ? AND key >= ? ORDER BY key LIMIT ?', [bucket, options.from, options.limit])
          : await sql.all<ObjectRow>('SELECT * FROM s3_objects WHERE bucket = ? AND key > ? AND key >= ? ORDER BY key LIMIT ?', [
              bucket,
              options.after,
              options.from,
              options.limit,
            ]);
      return rows.map(fromRow);
    },
  };
  return store;
}

export type ObjectStore = ReturnType<typeof createObjectStore>;
