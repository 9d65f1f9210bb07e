import { isBlobNotFound } from '../../engines/types.js';
import { checkPreconditions, preconditionFailed } from './conditional-request.js';
import { objectHeadersFrom, single } from './object-headers.js';
import type { S3Object } from './object-store.js';
import { deleteBlobQuietly, newBlobId } from './put-object.js';
import { noSuchBucket, noSuchKey, requireBucket, s3Arn, type S3Call } from './s3-call.js';
import { el, sendXml } from './s3-xml.js';
import { S3_ERRORS } from './s3-errors.js';

/**
 * Source bucket and key of `x-amz-copy-source`: `[/]<bucket>/<key>[?versionId=…]`, URL-encoded (SDKs)
 * or raw (amplify-js). A raw header's non-ASCII bytes arrive as latin1 and are read back as UTF-8.
 */
export function parseCopySource(header: string): { bucket: string; key: string } {
  let value = header.startsWith('/') ? header.slice(1) : header;
  const version = value.indexOf('?versionId=');
  if (version >= 0) value = value.slice(0, version);
  if (/[^\x00-\x7f]/.test(value)) value = Buffer.from(value, 'latin1').toString('utf8');
  let decoded = value;
  try {
    decoded = decodeURIComponent(value);
  } catch {
    // Not percent-encoded: a raw key that happens to hold a '%'.
  }
  const slash = decoded.indexOf('/');
  if (slash <= 0 || slash === decoded.length - 1) {
    throw S3_ERRORS.error('InvalidArgument', 'x-amz-copy-source must be <bucket>/<key> (URL-encoded).', { fields: { ArgumentName: 'x-amz-copy-source' } });
  }
  return { bucket: decoded.slice(0, slash), key: decoded.slice(slash + 1) };
}

/** CopyObject: the body is copied blob to blob; metadata is copied (COPY) or taken from the request (REPLACE). */
export async function copyObject(call: S3Call, copySourceHeader: string): Promise<void> {
  const { ctx, store, blobs } = call;
  const source = parseCopySource(copySourceHeader);
  await ctx.authorize(call.principal, 's3:GetObject', s3Arn(source.bucket, source.key), 'AccessDenied');
  await ctx.authorize(call.principal, 's3:PutObject', s3Arn(call.bucket, call.key), 'AccessDenied');
  await requireBucket(call);
  if (!(await store.bucketExists(source.bucket))) throw noSuchBucket(source.bucket);
  const from = await store.getObject(source.bucket, source.key);
  if (!from) throw noSuchKey(source.key);

  const req = ctx.req;
  const outcome = checkPreconditions(from, {
    ifMatch: single(req.headers['x-amz-copy-source-if-match']),
    ifNoneMatch: single(req.headers['x-amz-copy-source-if-none-match']),
    ifModifiedSince: single(req.headers['x-amz-copy-source-if-modified-since']),
    ifUnmodifiedSince: single(req.headers['x-amz-copy-source-if-unmodified-since']),
  });
  if (outcome === 'not-modified') throw preconditionFailed('x-amz-copy-source-If-None-Match');

  const directive = (single(req.headers['x-amz-metadata-directive']) ?? 'COPY').toUpperCase();
  if (directive !== 'COPY' && directive !== 'REPLACE') {
    throw S3_ERRORS.error('InvalidArgument', 'x-amz-metadata-directive must be COPY or REPLACE.', { fields: { ArgumentName: 'x-amz-metadata-directive' } });
  }
  if (directive === 'COPY' && source.bucket === call.bucket && source.key === call.key) {
    throw S3_ERRORS.error(
      'InvalidRequest',
      "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
    );
  }
  const described = directive === 'REPLACE' ? objectHeadersFrom(req) : { contentType: from.contentType, headers: from.headers, metadata: from.metadata };

  const blobId = newBlobId();
  try {
    await blobs.copy(from.blobId, blobId);
  } catch (error) {
    if (isBlobNotFound(error)) throw noSuchKey(source.key, error); // replaced or deleted meanwhile
    throw error;
  }
  const object: S3Object = {
    bucket: call.bucket,
    key: call.key,
    blobId,
    size: from.size,
    etag: from.etag,
    lastModified: new Date().toISOString(),
    ...described,
    ...(from.checksum === undefined ? {} : { checksum: from.checksum }), // the same bytes
  };
  let replaced: string | undefined;
  try {
    replaced = await store.sql.transaction(async (tx) => {
      if (!(await store.bucketExists(call.bucket, tx))) throw noSuchBucket(call.bucket);
      const replacedBlob = await store.putObject(object, tx);
      await call.notifications.record(tx, call, { bucket: call.bucket, key: call.key, eventName: 'ObjectCreated:Copy', object });
      return replacedBlob;
    });
  } catch (error) {
    await blobs.delete(blobId);
    throw error;
  }
  sendXml(ctx.res, 'CopyObjectResult', el('LastModified', object.lastModified) + el('ETag', object.etag));
  if (replaced !== undefined) await deleteBlobQuietly(call, replaced);
}
