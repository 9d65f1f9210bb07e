import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { brotliCompress, constants, createBrotliCompress, createGzip, gzip } from 'node:zlib';
import type { SiteFile } from '@forte/protocol';
import type { BlobStore, SqlStore } from '../../engines/types.js';
import { hostingBlobIds } from './blob-ids.js';
import { isCompressible } from './content-type.js';
import type { LockGuard } from './site-lock.js';
import { siteStore } from './site-store.js';

/** Files at most this big are sent as they are: compression would save less than a round trip. */
export const MIN_COMPRESS_BYTES = 1024;
/** Files up to this size are compressed in memory (one read, both encodings at once); larger ones stream. */
const IN_MEMORY_BYTES = 4 * 1024 * 1024;
const PARALLEL = 4;
const brotliAsync = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

type Variants = { br: number | undefined; gz: number | undefined };

/**
 * Precomputes the brotli and gzip variants of the compressible files of a deployment that lack them, so
 * serving never compresses. A variant that does not save at least 5% is not kept. The variant sizes, and that
 * the deployment's variants are done, are recorded in one transaction at the end, only while the site's lock
 * is still held (`guard`). Answers how many files it compressed.
 */
export async function ensureCompressedVariants(args: {
  sql: SqlStore;
  blobs: BlobStore;
  siteId: string;
  deploymentId: string;
  files: SiteFile[];
  guard: LockGuard;
}): Promise<number> {
  const { sql, blobs, siteId, deploymentId, guard } = args;
  const wanted = new Set(args.files.filter((f) => f.size > MIN_COMPRESS_BYTES && isCompressible(f.path)).map((f) => f.sha256));
  const known = new Map((await siteStore.blobs(sql, siteId)).map((b) => [b.sha256, b]));
  const todo = [...wanted].filter((sha) => known.get(sha)?.variantsDone === false);
  const done: [string, Variants][] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < todo.length) {
      const sha256 = todo[next++]!;
      const size = known.get(sha256)!.size;
      const variants =
        size <= IN_MEMORY_BYTES ? await compressInMemory({ blobs, siteId, sha256, size }) : await compressStreaming({ blobs, siteId, sha256, size });
      done.push([sha256, variants]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, todo.length) }, worker));
  await sql.transaction(async (tx) => {
    await siteStore.requireHeld(tx, guard);
    for (const [sha256, variants] of done) await siteStore.setVariants(tx, siteId, sha256, variants);
    await siteStore.variantsDone(tx, siteId, deploymentId);
  });
  return todo.length;
}

const brotliOptions = (size: number) => ({
  // Quality 9 rather than 11: close in size for web assets and several times faster on big bundles.
  params: { [constants.BROTLI_PARAM_QUALITY]: 9, [constants.BROTLI_PARAM_SIZE_HINT]: size },
});

async function compressInMemory(args: { blobs: BlobStore; siteId: string; sha256: string; size: number }): Promise<Variants> {
  const { blobs, siteId, sha256, size } = args;
  const body = Buffer.concat(await (await blobs.get(hostingBlobIds.file(siteId, sha256))).toArray());
  const [br, gz] = await Promise.all([brotliAsync(body, brotliOptions(size)), gzipAsync(body, { level: 9 })]);
  const keep = async (encoding: 'br' | 'gz', data: Buffer): Promise<number | undefined> => {
    if (data.length >= size * 0.95) return undefined;
    await blobs.put(hostingBlobIds.variant(siteId, sha256, encoding), data, { digests: [] });
    return data.length;
  };
  const [brSize, gzSize] = await Promise.all([keep('br', br), keep('gz', gz)]);
  return { br: brSize, gz: gzSize };
}

async function compressStreaming(args: { blobs: BlobStore; siteId: string; sha256: string; size: number }): Promise<Variants> {
  return { br: await compressOne({ ...args, encoding: 'br' }), gz: await compressOne({ ...args, encoding: 'gz' }) };
}

async function compressOne(args: { blobs: BlobStore; siteId: string; sha256: string; size: number; encoding: 'br' | 'gz' }): Promise<number | undefined> {
  const { blobs, siteId, sha256, size, encoding } = args;
  const target = hostingBlobIds.variant(siteId, sha256, encoding);
  const source = await blobs.get(hostingBlobIds.file(siteId, sha256));
  const compressor = encoding === 'br' ? createBrotliCompress(brotliOptions(size)) : createGzip({ level: 9 });
  const out = new PassThrough();
  const [, stored] = await Promise.all([pipeline(source, compressor, out), blobs.put(target, out, { digests: [] })]);
  if (stored.size >= size * 0.95) {
    await blobs.delete(target);
    return undefined;
  }
  return stored.size;
}
