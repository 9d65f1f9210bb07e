import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { constants, createBrotliCompress, createGzip } from 'node:zlib';
import type { SiteFile } from '@forte/protocol';
import type { BlobStore, SqlStore } from '../../engines/types.js';
import { hostingBlobIds } from './blob-ids.js';
import { isCompressible } from './content-type.js';
import { siteStore } from './site-store.js';

/** Files at most this big are sent as they are: compression would save less than a round trip. */
export const MIN_COMPRESS_BYTES = 1024;
const PARALLEL = 2;

/**
 * Precomputes the brotli and gzip variants of the compressible files of a deployment that lack them, so
 * serving never compresses. A variant that does not save at least 5% is not kept.
 */
export async function ensureCompressedVariants(args: { sql: SqlStore; blobs: BlobStore; siteId: string; files: SiteFile[] }): Promise<number> {
  const { sql, blobs, siteId } = args;
  const wanted = new Set(args.files.filter((f) => f.size > MIN_COMPRESS_BYTES && isCompressible(f.path)).map((f) => f.sha256));
  const known = new Map((await siteStore.blobs(sql, siteId)).map((b) => [b.sha256, b]));
  const todo = [...wanted].filter((sha) => known.get(sha)?.variantsDone === false);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < todo.length) {
      const sha256 = todo[next++]!;
      const size = known.get(sha256)!.size;
      const br = await compressOne({ blobs, siteId, sha256, size, encoding: 'br' });
      const gz = await compressOne({ blobs, siteId, sha256, size, encoding: 'gz' });
      await siteStore.setVariants(sql, siteId, sha256, { br, gz });
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, todo.length) }, worker));
  return todo.length;
}

async function compressOne(args: { blobs: BlobStore; siteId: string; sha256: string; size: number; encoding: 'br' | 'gz' }): Promise<number | undefined> {
  const { blobs, siteId, sha256, size, encoding } = args;
  const target = hostingBlobIds.variant(siteId, sha256, encoding);
  const source = await blobs.get(hostingBlobIds.file(siteId, sha256));
  // Quality 9 rather than 11: close in size for web assets and several times faster on big bundles.
  const compressor =
    encoding === 'br'
      ? createBrotliCompress({ params: { [constants.BROTLI_PARAM_QUALITY]: 9, [constants.BROTLI_PARAM_SIZE_HINT]: size } })
      : createGzip({ level: 9 });
  const out = new PassThrough();
  const [, stored] = await Promise.all([pipeline(source, compressor, out), blobs.put(target, out)]);
  if (stored.size >= size * 0.95) {
    await blobs.delete(target);
    return undefined;
  }
  return stored.size;
}
