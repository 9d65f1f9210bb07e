import { sendBlob } from '../../engines/send-blob.js';
import { isBlobNotFound } from '../../engines/types.js';
import { objectByteRange } from './byte-range.js';
import { checkPreconditions } from './conditional-request.js';
import { objectResponseHeaders, single } from './object-headers.js';
import { checksumHeader } from './object-checksum.js';
import type { S3Object } from './object-store.js';
import { noSuchKey, requireBucket, s3Arn, type S3Call } from './s3-call.js';
import { S3_ERRORS } from './s3-errors.js';
import { sendEmpty } from './s3-xml.js';

/** Bodies (or ranges) up to this size are read whole and written at once; larger ones are streamed. */
const BUFFERED_BODY_BYTES = 64 * 1024;

/**
 * `?partNumber=N`: part N of a multipart object (206, with its parts count), or of a single upload its only
 * part, the whole object. Undefined without the parameter.
 */
function partRange(call: S3Call, object: S3Object): { range: { start: number; end: number } | undefined; count: number | undefined } | undefined {
  const raw = call.query.get('partNumber');
  if (raw === null) return undefined;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1 || n > 10_000) {
    throw S3_ERRORS.error('InvalidArgument', 'Part number must be an integer between 1 and 10000, inclusive.', {
      fields: { ArgumentName: 'partNumber', ArgumentValue: raw },
    });
  }
  if (call.ctx.req.headers.range !== undefined) throw S3_ERRORS.error('InvalidRequest', 'Cannot specify both Range header and partNumber query parameter.');
  const sizes = object.partSizes;
  if (sizes === undefined) {
    if (n !== 1) throw S3_ERRORS.error('InvalidPart', 'The requested partnumber is not satisfiable', { fields: { PartNumber: raw } });
    return { range: undefined, count: undefined };
  }
  if (n > sizes.length) throw S3_ERRORS.error('InvalidPartNumber', 'The requested partnumber is not satisfiable', { fields: { PartNumber: raw } });
  const start = sizes.slice(0, n - 1).reduce((a, b) => a + b, 0);
  return { range: sizes[n - 1] === 0 ? undefined : { start, end: start + sizes[n - 1]! - 1 }, count: sizes.length };
}

/** GetObject and HeadObject: conditional requests, single byte ranges, `response-*` overrides, streamed body. */
export async function getObject(call: S3Call, head: boolean): Promise<void> {
  const { ctx, store, blobs } = call;
  await ctx.authorize(call.principal, 's3:GetObject', s3Arn(call.bucket, call.key), 'AccessDenied');
  const req = ctx.req;
  // A concurrent overwrite deletes the old body after its commit: look the row up again if that races us.
  for (let attempt = 0; ; attempt++) {
    const object = await store.getObject(call.bucket, call.key);
    if (!object) {
      // An object's row means its bucket exists (a bucket with objects cannot be deleted): only a miss asks.
      await requireBucket(call);
      throw noSuchKey(call.key);
    }
    const headers = objectResponseHeaders(object, call.query);
    const outcome = checkPreconditions(object, {
      ifMatch: single(req.headers['if-match']),
      ifNoneMatch: single(req.headers['if-none-match']),
      ifModifiedSince: single(req.headers['if-modified-since']),
      ifUnmodifiedSince: single(req.headers['if-unmodified-since']),
    });
    if (outcome === 'not-modified') {
      return sendEmpty(ctx.res, 304, { etag: object.etag, 'last-modified': headers['last-modified']! });
    }
    const part = partRange(call, object);
    const range = part?.range ?? objectByteRange(single(req.headers.range), object.size);
    if (range) headers['content-range'] = `bytes ${range.start}-${range.end}/${object.size}`;
    if (part?.count !== undefined) headers['x-amz-mp-parts-count'] = String(part.count);
    // The whole body's checksum, when asked for and kept (the SDKs check what they download against it).
    if (!range && object.checksum !== undefined && single(req.headers['x-amz-checksum-mode'])?.toUpperCase() === 'ENABLED') {
      headers[checksumHeader(object.checksum.algorithm)] = object.checksum.value;
      headers['x-amz-checksum-type'] = object.checksum.parts === undefined ? 'FULL_OBJECT' : 'COMPOSITE';
    }
    headers['content-length'] = String(range ? range.end - range.start + 1 : object.size);
    const status = range ? 206 : 200;
    if (head) {
      ctx.res.writeHead(status, headers);
      return void ctx.res.end();
    }
    const whole = object.size === 0 ? undefined : { start: 0, end: object.size - 1 };
    let body;
    try {
      const small = (range ? range.end - range.start + 1 : object.size) <= BUFFERED_BODY_BYTES;
      // A large body through the store's own buffers where it has them (engines/send-blob.ts).
      if (!small) return await sendBlob(blobs, object.blobId, range ?? whole, ctx.res, () => ctx.res.writeHead(status, headers));
      // A small body is read into memory and answered in one write: no stream pipeline for a few kilobytes.
      body = await blobs.read(object.blobId, range ?? whole);
    } catch (error) {
      if (isBlobNotFound(error) && attempt === 0) continue;
      throw error;
    }
    ctx.res.writeHead(status, headers);
    return void ctx.res.end(body);
  }
}
