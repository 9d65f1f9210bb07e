import type { SqlStore } from '../../engines/types.js';

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
];

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
});

/** Buckets and object metadata in SQL. Bodies live in the blob store under `blobId`. */
export function createObjectStore(sql: SqlStore) {
  const store = {
    sql,
    async listBuckets(): Promise<Array<{ name: string; createdAt: string }>> {
      const rows = await sql.all<{ name: string; created_at: string }>('SELECT name, created_at FROM s3_buckets ORDER BY name');
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
    /** Deletes an empty bucket: 'missing', 'not-empty' or 'deleted'. */
    async deleteBucket(name: string): Promise<'missing' | 'not-empty' | 'deleted'> {
      return sql.transaction(async (tx) => {
        if (!(await store.bucketExists(name, tx))) return 'missing';
        if (await tx.get('SELECT 1 AS one FROM s3_objects WHERE bucket = ? LIMIT 1', [name])) return 'not-empty';
        await tx.run('DELETE FROM s3_buckets WHERE name = ?', [name]);
        return 'deleted';
      });
    },
    async getObject(bucket: string, key: string, tx: SqlStore = sql): Promise<S3Object | undefined> {
      const row = await tx.get<ObjectRow>('SELECT * FROM s3_objects WHERE bucket = ? AND key = ?', [bucket, key]);
      return row ? fromRow(row) : undefined;
    },
    /** Inserts or replaces the object row; answers the blob id of the replaced object, if any. */
    async putObject(object: S3Object, tx: SqlStore): Promise<string | undefined> {
      const old = await tx.get<{ blob_id: string }>('SELECT blob_id FROM s3_objects WHERE bucket = ? AND key = ?', [object.bucket, object.key]);
      await tx.run(
        `INSERT INTO s3_objects (bucket, key, blob_id, size, etag, last_modified, content_type, headers, metadata)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (bucket, key) DO UPDATE SET blob_id = excluded.blob_id, size = excluded.size, etag = excluded.etag,
           last_modified = excluded.last_modified, content_type = excluded.content_type, headers = excluded.headers, metadata = excluded.metadata`,
        [object.bucket, object.key, object.blobId, object.size, object.etag, object.lastModified, object.contentType, JSON.stringify(object.headers), JSON.stringify(object.metadata)],
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
    /** Up to `limit` objects with key > `after` (or >= `from` when there is no `after`), in key order. */
    async scan(bucket: string, options: { from: string; after: string | undefined; limit: number }): Promise<S3Object[]> {
      const rows =
        options.after === undefined
          ? await sql.all<ObjectRow>('SELECT * FROM s3_objects WHERE bucket = ? AND key >= ? ORDER BY key LIMIT ?', [bucket, options.from, options.limit])
          : await sql.all<ObjectRow>('SELECT * FROM s3_objects WHERE bucket = ? AND key > ? AND key >= ? ORDER BY key LIMIT ?', [bucket, options.after, options.from, options.limit]);
      return rows.map(fromRow);
    },
  };
  return store;
}

export type ObjectStore = ReturnType<typeof createObjectStore>;
