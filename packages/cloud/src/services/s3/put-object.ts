import { randomUUID } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import { isForteError } from '@forte/protocol';
import { readBody } from '../../kernel/read-body.js';
import { createAwsChunkedDecoder } from './aws-chunked-decoder.js';
import { etagListMatches, preconditionFailed } from './conditional-request.js';
import { CHECKSUM_ALGORITHMS, checksumHeader, createChecksummer, type ChecksumAlgorithm, type ObjectChecksum } from './object-checksum.js';
import { objectHeadersFrom, single } from './object-headers.js';
import type { S3Object } from './object-store.js';
import { requireBucket, s3Arn, type S3Call } from './s3-call.js';
import { sendEmpty } from './s3-xml.js';
import { S3_ERRORS } from './s3-errors.js';

const HEX_SHA256 = /^[0-9a-f]{64}$/;
/** S3's limit for one PutObject (larger objects need multipart uploads). */
const MAX_SINGLE_PUT_BYTES = 5 * 1024 ** 3;
/** A plain body up to this size (by its content-length) is read into memory and written in one call. */
const BUFFERED_BODY_BYTES = 64 * 1024;

/** A fresh blob id for an object body: never derived from the key. */
export function newBlobId(): string {
  // 122 random bits from the UUID generator's pool: one system call per 128 ids, not one per id.
  return `s3/${randomUUID().replaceAll('-', '')}`;
}

/**
 * PutObject: streams the body into a new blob, checks its hashes, then swaps the object row in a
 * transaction and deletes the replaced blob after the commit (a reader never sees a half-written body).
 */
export async function putObject(call: S3Call): Promise<void> {
  const { ctx, store, blobs } = call;
  await ctx.authorize(call.principal, 's3:PutObject', s3Arn(call.bucket, call.key), 'AccessDenied');
  await requireBucket(call);
  const req = ctx.req;
  const ifNoneMatch = single(req.headers['if-none-match']);
  const ifMatch = single(req.headers['if-match']);
  if (ifNoneMatch !== undefined && ifNoneMatch.trim() !== '*') {
    throw S3_ERRORS.error('NotImplemented', 'PutObject supports If-None-Match only with the value *.');
  }
  const checkConditions = (existing: S3Object | undefined): void => {
    if (ifNoneMatch !== undefined && existing) throw preconditionFailed('If-None-Match');
    if (ifMatch !== undefined && (!existing || !etagListMatches(ifMatch, existing.etag))) {
      if (!existing) throw S3_ERRORS.error('NoSuchKey', 'The specified key does not exist.', { fields: { Key: call.key } });
      throw preconditionFailed('If-Match');
    }
  };
  const conditional = ifNoneMatch !== undefined || ifMatch !== undefined;
  if (conditional) checkConditions(await store.getObject(call.bucket, call.key)); // early, to spare the upload

  const described = objectHeadersFrom(req);
  const { blobId, ...written } = await receiveBody(call, 'one PutObject');
  let replaced: string | undefined;
  try {
    const object: S3Object = {
      bucket: call.bucket,
      key: call.key,
      blobId,
      size: written.size,
      etag: `"${written.md5}"`,
      lastModified: new Date().toISOString(),
      ...described,
      ...(written.checksum === undefined ? {} : { checksum: written.checksum }),
    };
    replaced = await store.sql.transaction(async (tx) => {
      if (!(await store.bucketExists(call.bucket, tx)))
        throw S3_ERRORS.error('NoSuchBucket', 'The specified bucket does not exist', { fields: { BucketName: call.bucket } });
      if (conditional) checkConditions(await store.getObject(call.bucket, call.key, tx)); // again: another writer may have won meanwhile
      const replacedBlob = await store.putObject(object, tx);
      await call.notifications.record(tx, call, { bucket: call.bucket, key: call.key, eventName: 'ObjectCreated:Put', object });
      return replacedBlob;
    });
    sendEmpty(ctx.res, 200, {
      etag: object.etag,
      ...(written.checksum === undefined ? {} : { [checksumHeader(written.checksum.algorithm)]: written.checksum.value }),
    });
  } catch (error) {
    await blobs.delete(blobId);
    throw error;
  }
  if (replaced !== undefined) await deleteBlobQuietly(call, replaced);
}

/**
 * Streams the request body (plain, or aws-chunked with its chunk signatures checked) into a new blob and
 * checks it against `x-amz-content-sha256`, `Content-MD5`, `x-amz-decoded-content-length` and a checksum sent
 * as `x-amz-checksum-<crc32|crc32c|sha1|sha256>` (a header, or an aws-chunked trailer announced in `x-amz-trailer`);
 * the blob is deleted when a check fails. `checksum` is the verified checksum when one was sent. `what` names the
 * call in the size error (PutObject or a part: 5 GiB each).
 */
export async function receiveBody(call: S3Call, what: string): Promise<{ blobId: string; size: number; md5: string; checksum?: ObjectChecksum }> {
  const { ctx, blobs } = call;
  const req = ctx.req;
  const declared = Number(single(req.headers['x-amz-decoded-content-length']) ?? single(req.headers['content-length']) ?? 0);
  if (declared > MAX_SINGLE_PUT_BYTES) {
    throw S3_ERRORS.error('EntityTooLarge', `Your proposed upload exceeds the maximum allowed object size of ${MAX_SINGLE_PUT_BYTES} bytes for ${what}.`);
  }
  const contentSha = single(req.headers['x-amz-content-sha256']);
  // STREAMING-* announces chunk framing. `Content-Encoding: aws-chunked` alone does too, unless the signature
  // covers the body's own SHA-256: then the body is those bytes, and the encoding only names how it was meant.
  const chunked =
    (contentSha ?? '').startsWith('STREAMING-') ||
    (!HEX_SHA256.test(contentSha ?? '') && /(^|,)\s*aws-chunked\s*(,|$)/i.test(single(req.headers['content-encoding']) ?? ''));
  const signedChunks = (contentSha ?? '').startsWith('STREAMING-AWS4-HMAC-SHA256-PAYLOAD');
  if (signedChunks && !call.signing) {
    throw S3_ERRORS.error('InvalidRequest', 'Signed aws-chunked uploads need an Authorization header (they cannot be presigned).');
  }
  const decoder = chunked ? createAwsChunkedDecoder(signedChunks ? call.signing : undefined) : undefined;
  // Every stage gets its error listener now, not when the blob store's pipeline starts: the body flows
  // while the store prepares its file, and an 'error' nobody listens to would stop the process.
  let failure: Error | undefined;
  const watch = <S extends Readable>(stage: S): S => stage.on('error', (error: Error) => void (failure ??= error));
  let body: Readable = req;
  if (decoder) {
    body = watch(req.pipe(decoder));
    req.on('error', (error) => decoder.destroy(error));
  }
  // A checksum (x-amz-checksum-<algorithm>, a header or an aws-chunked trailer) is computed only when the
  // client sends one to compare with; the SHA-256 comes from the blob store.
  const trailers = single(req.headers['x-amz-trailer']) ?? '';
  const inTrailer = (algorithm: ChecksumAlgorithm) => new RegExp(`(^|,)\\s*${checksumHeader(algorithm)}\\s*(,|$)`, 'i').test(trailers);
  const algorithm = CHECKSUM_ALGORITHMS.find((a) => req.headers[checksumHeader(a)] !== undefined || inTrailer(a));
  const claimedHeader = algorithm === undefined ? undefined : single(req.headers[checksumHeader(algorithm)]);
  const summer = algorithm !== undefined && algorithm !== 'SHA256' && (claimedHeader !== undefined || decoder) ? createChecksummer(algorithm) : undefined;
  // The body's SHA-256 is only ever compared: with a hex x-amz-content-sha256 (which the signature covers) or
  // with an x-amz-checksum-sha256. UNSIGNED-PAYLOAD (presigned URLs) and aws-chunked bodies, whose chunks
  // carry signatures of their own, have nothing to compare it with, so it is not computed. The MD5 always
  // is: it is the ETag.
  const sha256Needed = HEX_SHA256.test(contentSha ?? '') || algorithm === 'SHA256';
  const plainLength = decoder === undefined ? single(req.headers['content-length']) : undefined;

  const blobId = newBlobId();
  let written: { size: number; md5: string; sha256?: string };
  try {
    if (plainLength !== undefined && Number(plainLength) <= BUFFERED_BODY_BYTES) {
      // A small body is read whole and written in one call: no stream stages for a few kilobytes.
      const buffered = await readBody(req, BUFFERED_BODY_BYTES);
      summer?.update(buffered);
      written = sha256Needed ? await blobs.put(blobId, buffered) : await blobs.put(blobId, buffered, { digests: ['md5'] });
    } else {
      if (summer) {
        const source = body;
        const summed = watch(
          source.pipe(
            new Transform({
              transform(chunk: Buffer, _encoding, done) {
                summer.update(chunk);
                done(null, chunk);
              },
            }),
          ),
        );
        source.on('error', (error) => summed.destroy(error));
        body = summed;
      }
      written = sha256Needed ? await blobs.put(blobId, body) : await blobs.put(blobId, body, { digests: ['md5'] });
    }
  } catch (error) {
    // The unread rest of a refused body is not worth reading: the connection closes after the answer.
    if (!ctx.res.headersSent) ctx.res.setHeader('connection', 'close');
    // The store's own error for a stage that failed is a premature close; the stage's error says why.
    throw isForteError(failure) ? failure : error;
  }
  let checksum: ObjectChecksum | undefined;
  try {
    if (algorithm !== undefined) {
      const claimed = claimedHeader ?? decoder?.trailers[checksumHeader(algorithm)];
      const computed =
        algorithm === 'SHA256' ? (written.sha256 === undefined ? undefined : Buffer.from(written.sha256, 'hex').toString('base64')) : summer?.digest();
      if (computed === undefined || claimed !== computed)
        throw S3_ERRORS.error('BadDigest', `The ${algorithm} you specified did not match the calculated checksum.`);
      checksum = { algorithm, value: computed };
    }
    if (contentSha !== undefined && HEX_SHA256.test(contentSha) && contentSha !== written.sha256) {
      throw S3_ERRORS.error('XAmzContentSHA256Mismatch', "The provided 'x-amz-content-sha256' header does not match what was computed.", {
        fields: { ClientComputedContentSHA256: contentSha, S3ComputedContentSHA256: written.sha256 },
      });
    }
    const md5 = single(req.headers['content-md5']);
    if (md5 !== undefined && Buffer.from(md5, 'base64').toString('hex') !== written.md5) {
      throw S3_ERRORS.error('BadDigest', 'The Content-MD5 you specified did not match what we received.');
    }
    const decodedLength = single(req.headers['x-amz-decoded-content-length']);
    if (chunked && decodedLength !== undefined && Number(decodedLength) !== written.size) {
      throw S3_ERRORS.error('IncompleteBody', 'You did not provide the number of bytes specified by the x-amz-decoded-content-length header.');
    }
  } catch (error) {
    await blobs.delete(blobId);
    throw error;
  }
  return { blobId, size: written.size, md5: written.md5, ...(checksum === undefined ? {} : { checksum }) };
}

/** Deletes a blob no row points to any more; a failure only leaves an orphan file, so it is logged. */
export async function deleteBlobQuietly(call: Pick<S3Call, 'blobs' | 'ctx'>, blobId: string): Promise<void> {
  try {
    await call.blobs.delete(blobId);
  } catch (error) {
    call.ctx.log.warn('could not delete a replaced object body', { blobId, error });
  }
}
