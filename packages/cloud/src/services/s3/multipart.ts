import { createHash, randomBytes } from 'node:crypto';
import { xmlElements } from './xml-elements.js';
import type { IncomingHttpHeaders } from 'node:http';
import { Readable } from 'node:stream';
import type { ForteError } from '@forte/protocol';
import { readBody } from '../../kernel/read-body.js';
import { xmlUnescape } from '../../kernel/xml-escape.js';
import { isBlobNotFound } from '../../engines/types.js';
import { checkPreconditions, preconditionFailed } from './conditional-request.js';
import { parseCopySource } from './copy-object.js';
import { CHECKSUM_ALGORITHMS, checksumHeader, createChecksummer, type ChecksumAlgorithm, type ObjectChecksum } from './object-checksum.js';
import { objectHeadersFrom, single } from './object-headers.js';
import type { S3Object, S3Upload, S3UploadPart } from './object-store.js';
import { deleteBlobQuietly, newBlobId, receiveBody } from './put-object.js';
import { noSuchBucket, noSuchKey, requireBucket, s3Arn, type S3Call } from './s3-call.js';
import { el, sendEmpty, sendXml } from './s3-xml.js';
import { S3_ERRORS } from './s3-errors.js';

/** S3's limits: part numbers 1–10,000; every part but the last at least 5 MiB. */
const MAX_PART_NUMBER = 10_000;
export const MIN_PART_BYTES = 5 * 1024 ** 2;
/** Largest CompleteMultipartUpload body read (10,000 parts with their ETags and checksums fit easily). */
const MAX_COMPLETE_BODY = 4 * 1024 ** 2;
const MAX_LIST = 1000;

function noSuchUpload(uploadId: string): ForteError {
  return S3_ERRORS.error(
    'NoSuchUpload',
    'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
    { fields: { UploadId: uploadId } },
  );
}

/** The upload the request names (`?uploadId=`), of this bucket and key; NoSuchUpload otherwise. */
async function uploadOf(call: S3Call): Promise<S3Upload> {
  const uploadId = call.query.get('uploadId') ?? '';
  const upload = await call.store.getUpload(call.bucket, call.key, uploadId);
  if (!upload) {
    await requireBucket(call);
    throw noSuchUpload(uploadId);
  }
  return upload;
}

/** A count parameter (`max-parts`, `max-uploads`): 0–1000, default 1000. */
function maxOf(call: S3Call, name: string): number {
  const raw = call.query.get(name);
  if (raw === null) return MAX_LIST;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n))
    throw S3_ERRORS.error('InvalidArgument', `${name} must be an integer from 0 to ${MAX_LIST}.`, { fields: { ArgumentName: name, ArgumentValue: raw } });
  return Math.min(n, MAX_LIST);
}

const owner = (call: S3Call): string => `${el('ID', call.accountId)}${el('DisplayName', 'forte')}`;

/** CreateMultipartUpload (`POST /<key>?uploads`): the object's headers and metadata are taken now. */
export async function createMultipartUpload(call: S3Call): Promise<void> {
  await call.ctx.authorize(call.principal, 's3:PutObject', s3Arn(call.bucket, call.key), 'AccessDenied');
  await requireBucket(call);
  call.ctx.req.resume();
  const algorithm = single(call.ctx.req.headers['x-amz-checksum-algorithm'])?.toUpperCase();
  if (algorithm !== undefined && !CHECKSUM_ALGORITHMS.includes(algorithm as ChecksumAlgorithm)) {
    throw S3_ERRORS.error('InvalidRequest', `Checksum algorithm must be one of ${CHECKSUM_ALGORITHMS.join(', ')}.`);
  }
  const upload: S3Upload = {
    uploadId: randomBytes(32).toString('base64url'),
    bucket: call.bucket,
    key: call.key,
    initiated: new Date().toISOString(),
    ...objectHeadersFrom(call.ctx.req),
    ...(algorithm === undefined ? {} : { checksumAlgorithm: algorithm as ChecksumAlgorithm }),
  };
  await call.store.createUpload(upload);
  sendXml(
    call.ctx.res,
    'InitiateMultipartUploadResult',
    `${el('Bucket', call.bucket)}${el('Key', call.key)}${el('UploadId', upload.uploadId)}`,
    200,
    algorithm === undefined ? {} : { 'x-amz-checksum-algorithm': algorithm },
  );
}

/** The request's `?partNumber=` (1–10,000). */
function partNumberOf(call: S3Call): number {
  const raw = call.query.get('partNumber') ?? '';
  const partNumber = Number(raw);
  if (!/^\d+$/.test(raw) || partNumber < 1 || partNumber > MAX_PART_NUMBER) {
    throw S3_ERRORS.error('InvalidArgument', `Part number must be an integer between 1 and ${MAX_PART_NUMBER}, inclusive.`, {
      fields: { ArgumentName: 'partNumber', ArgumentValue: raw },
    });
  }
  return partNumber;
}

/** UploadPart (`PUT /<key>?partNumber=N&uploadId=…`): a part sent again replaces the earlier one. */
export async function uploadPart(call: S3Call): Promise<void> {
  await call.ctx.authorize(call.principal, 's3:PutObject', s3Arn(call.bucket, call.key), 'AccessDenied');
  const partNumber = partNumberOf(call);
  const upload = await uploadOf(call);
  const { blobId, size, md5, checksum } = await receiveBody(call, 'one part');
  // A part keeps its CRC32 (ListParts answers it); any verified checksum is answered back.
  const crc32 = checksum?.algorithm === 'CRC32' ? checksum.value : undefined;
  const part: S3UploadPart = { partNumber, blobId, size, md5, checksumCrc32: crc32, ...(checksum ? { checksum } : {}), lastModified: new Date().toISOString() };
  await storePart(call, upload, part);
  sendEmpty(call.ctx.res, 200, { etag: `"${md5}"`, ...(checksum ? { [checksumHeader(checksum.algorithm)]: checksum.value } : {}) });
}

/** Records a part whose body is in the blob store (deleting that body if the upload is gone meanwhile). */
async function storePart(call: S3Call, upload: S3Upload, part: S3UploadPart): Promise<void> {
  const { blobId } = part;
  let replaced: string | undefined;
  try {
    replaced = await call.store.sql.transaction(async (tx) => {
      // Aborted or completed while the part was on its way: the part has nowhere to go.
      if (!(await call.store.getUpload(call.bucket, call.key, upload.uploadId, tx))) throw noSuchUpload(upload.uploadId);
      return call.store.putPart(upload.uploadId, part, tx);
    });
  } catch (error) {
    await call.blobs.delete(blobId);
    throw error;
  }
  if (replaced !== undefined) await deleteBlobQuietly(call, replaced);
}

/** `x-amz-copy-source-range: bytes=first-last` against an object of `size` bytes. */
export function copySourceRange(header: string | undefined, size: number): { start: number; end: number } | undefined {
  if (header === undefined) return undefined;
  const m = /^bytes=(\d+)-(\d+)$/.exec(header.trim());
  if (!m || Number(m[1]) > Number(m[2])) {
    throw S3_ERRORS.error(
      'InvalidArgument',
      'The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy',
      { fields: { ArgumentName: 'x-amz-copy-source-range', ArgumentValue: header } },
    );
  }
  const start = Number(m[1]);
  const end = Number(m[2]);
  if (end >= size) throw S3_ERRORS.error('InvalidRange', 'The requested range is not satisfiable', { fields: { ActualObjectSize: String(size) } });
  return { start, end };
}

/**
 * UploadPartCopy (`PUT /<key>?partNumber=N&uploadId=…` with `x-amz-copy-source`): the part's body is the
 * source object, or the range `x-amz-copy-source-range` of it, streamed blob to blob.
 */
export async function uploadPartCopy(call: S3Call, copySourceHeader: string): Promise<void> {
  const { ctx, store, blobs } = call;
  await ctx.authorize(call.principal, 's3:PutObject', s3Arn(call.bucket, call.key), 'AccessDenied');
  const partNumber = partNumberOf(call);
  const source = parseCopySource(copySourceHeader);
  await ctx.authorize(call.principal, 's3:GetObject', s3Arn(source.bucket, source.key), 'AccessDenied');
  const upload = await uploadOf(call);
  ctx.req.resume();
  if (!(await store.bucketExists(source.bucket))) throw noSuchBucket(source.bucket);
  const from = await store.getObject(source.bucket, source.key);
  if (!from) throw noSuchKey(source.key);
  const outcome = checkPreconditions(from, {
    ifMatch: single(ctx.req.headers['x-amz-copy-source-if-match']),
    ifNoneMatch: single(ctx.req.headers['x-amz-copy-source-if-none-match']),
    ifModifiedSince: single(ctx.req.headers['x-amz-copy-source-if-modified-since']),
    ifUnmodifiedSince: single(ctx.req.headers['x-amz-copy-source-if-unmodified-since']),
  });
  if (outcome === 'not-modified') throw preconditionFailed('x-amz-copy-source-If-None-Match');
  const range = copySourceRange(single(ctx.req.headers['x-amz-copy-source-range']), from.size);
  const blobId = newBlobId();
  let written: { size: number; md5: string };
  try {
    written = await blobs.put(blobId, await blobs.get(from.blobId, range), { digests: ['md5'] });
  } catch (error) {
    if (isBlobNotFound(error)) throw noSuchKey(source.key, error); // replaced or deleted meanwhile
    throw error;
  }
  const part: S3UploadPart = { partNumber, blobId, size: written.size, md5: written.md5, checksumCrc32: undefined, lastModified: new Date().toISOString() };
  await storePart(call, upload, part);
  sendXml(ctx.res, 'CopyPartResult', el('LastModified', part.lastModified) + el('ETag', `"${part.md5}"`));
}

/** The `<Part>` list of a CompleteMultipartUpload body: part numbers, ETags (quotes removed), checksums. */
export function parseCompleteRequest(xml: string): Array<{ partNumber: number; etag: string; checksums: Record<string, string> }> {
  const malformed = S3_ERRORS.error(
    'MalformedXML',
    'The XML you provided was not well-formed or did not validate against our published schema (a CompleteMultipartUpload with <Part><PartNumber> and <ETag> entries).',
  );
  if (!/<CompleteMultipartUpload[\s>]/.test(xml)) throw malformed;
  const parts: Array<{ partNumber: number; etag: string; checksums: Record<string, string> }> = [];
  const fail = (): Error => malformed;
  for (const inner of xmlElements(xml, 'Part', fail)) {
    const number = xmlElements(inner, 'PartNumber', fail)[0]?.trim();
    const etag = xmlElements(inner, 'ETag', fail)[0];
    if (number === undefined || !/^\d+$/.test(number) || etag === undefined) throw malformed;
    const checksums: Record<string, string> = {};
    for (const algorithm of ['CRC32C', 'CRC32', 'SHA1', 'SHA256']) {
      const value = xmlElements(inner, `Checksum${algorithm}`, fail)[0];
      if (value !== undefined) checksums[algorithm] = xmlUnescape(value).trim();
    }
    parts.push({ partNumber: Number(number), etag: xmlUnescape(etag).trim().replace(/^"|"$/g, ''), checksums });
  }
  if (parts.length === 0) throw malformed;
  return parts;
}

/**
 * CompleteMultipartUpload (`POST /<key>?uploadId=…`): joins the listed parts, in order, into the object's
 * body (a new blob), then swaps the object row and removes the upload in one transaction; the parts'
 * bodies are deleted after. The ETag is S3's: the MD5 of the parts' binary MD5s, `-<number of parts>`.
 */
export async function completeMultipartUpload(call: S3Call): Promise<void> {
  const { ctx, store, blobs } = call;
  await ctx.authorize(call.principal, 's3:PutObject', s3Arn(call.bucket, call.key), 'AccessDenied');
  // A retry of a completion that succeeded (its answer was lost) gets the same answer, while the object is still that upload's.
  const completed = await store.getObject(call.bucket, call.key);
  const requestedId = call.query.get('uploadId') ?? '';
  if (completed?.uploadId !== undefined && completed.uploadId === requestedId && !(await store.getUpload(call.bucket, call.key, requestedId))) {
    ctx.req.resume();
    return sendCompleteResult(call, completed);
  }
  const upload = await uploadOf(call);
  const listed = parseCompleteRequest((await readBody(ctx.req, MAX_COMPLETE_BODY)).toString('utf8'));
  const ifNoneMatch = single(ctx.req.headers['if-none-match']);
  if (ifNoneMatch !== undefined && ifNoneMatch.trim() !== '*')
    throw S3_ERRORS.error('NotImplemented', 'CompleteMultipartUpload supports If-None-Match only with the value *.');

  const stored = new Map((await store.listParts(upload.uploadId, { afterPart: 0, limit: MAX_PART_NUMBER })).map((p) => [p.partNumber, p]));
  const parts: S3UploadPart[] = [];
  if (listed.some((p, i) => i > 0 && p.partNumber <= listed[i - 1]!.partNumber)) {
    throw S3_ERRORS.error('InvalidPartOrder', 'The list of parts was not in ascending order. The parts list must be specified in order by part number.');
  }
  for (const [i, { partNumber, etag, checksums }] of listed.entries()) {
    const part = stored.get(partNumber);
    const algorithm = upload.checksumAlgorithm;
    if (
      part &&
      algorithm !== undefined &&
      (part.checksum?.algorithm !== algorithm || (checksums[algorithm] !== undefined && checksums[algorithm] !== part.checksum.value))
    ) {
      throw S3_ERRORS.error('BadDigest', `The ${algorithm} of part ${partNumber} is missing or does not match the one it was uploaded with.`);
    }
    if (!part || part.md5 !== etag) {
      throw S3_ERRORS.error(
        'InvalidPart',
        "One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
        { fields: { UploadId: upload.uploadId, PartNumber: String(partNumber), ETag: etag } },
      );
    }
    if (i < listed.length - 1 && part.size < MIN_PART_BYTES) {
      throw S3_ERRORS.error(
        'EntityTooSmall',
        `Your proposed upload is smaller than the minimum allowed size: every part but the last must be at least ${MIN_PART_BYTES} bytes (part ${partNumber} has ${part.size}).`,
        {
          fields: { PartNumber: String(partNumber), ProposedSize: String(part.size), MinSizeAllowed: String(MIN_PART_BYTES) },
        },
      );
    }
    parts.push(part);
  }
  if (ifNoneMatch !== undefined && (await store.getObject(call.bucket, call.key))) throw preconditionFailed('If-None-Match');
  const checksum = compositeChecksum(ctx.req.headers, upload.checksumAlgorithm, parts);

  const blobId = newBlobId();
  // The ETag and checksum come from the parts' own: the joined bytes need no digest.
  const written = await blobs.put(blobId, Readable.from(joined(call, parts)), { digests: [] });
  const etag = `"${createHash('md5')
    .update(Buffer.concat(parts.map((p) => Buffer.from(p.md5, 'hex'))))
    .digest('hex')}-${parts.length}"`;
  const object: S3Object = {
    bucket: call.bucket,
    key: call.key,
    blobId,
    size: written.size,
    etag,
    lastModified: new Date().toISOString(),
    contentType: upload.contentType,
    headers: upload.headers,
    metadata: upload.metadata,
    partSizes: parts.map((p) => p.size),
    ...(checksum === undefined ? {} : { checksum }),
    uploadId: upload.uploadId,
  };
  let outcome: { replaced: string | undefined; partBlobs: string[] };
  try {
    outcome = await store.sql.transaction(async (tx) => {
      if (!(await store.bucketExists(call.bucket, tx))) throw noSuchBucket(call.bucket);
      // Another Complete or an Abort may have won while the parts were joined.
      if (!(await store.getUpload(call.bucket, call.key, upload.uploadId, tx))) throw noSuchUpload(upload.uploadId);
      const now = await store.listParts(upload.uploadId, { afterPart: 0, limit: MAX_PART_NUMBER }, tx);
      if (parts.some((p) => now.find((n) => n.partNumber === p.partNumber)?.blobId !== p.blobId)) {
        throw S3_ERRORS.error('InvalidPart', 'A part was uploaded again while the upload was being completed: complete it again.');
      }
      if (ifNoneMatch !== undefined && (await store.getObject(call.bucket, call.key, tx))) throw preconditionFailed('If-None-Match');
      const replaced = await store.putObject(object, tx);
      await call.notifications.record(tx, call, { bucket: call.bucket, key: call.key, eventName: 'ObjectCreated:CompleteMultipartUpload', object });
      return { replaced, partBlobs: await store.deleteUpload(upload.uploadId, tx) };
    });
  } catch (error) {
    await blobs.delete(blobId);
    throw error;
  }
  for (const id of [...outcome.partBlobs, ...(outcome.replaced === undefined ? [] : [outcome.replaced])]) await deleteBlobQuietly(call, id);
  sendCompleteResult(call, object);
}

function sendCompleteResult(call: S3Call, object: S3Object): void {
  const { ctx } = call;
  const location = `${ctx.url.protocol}//${ctx.req.headers.host ?? 'localhost'}${ctx.rawPath}`;
  const { checksum } = object;
  sendXml(
    ctx.res,
    'CompleteMultipartUploadResult',
    `${el('Location', location)}${el('Bucket', call.bucket)}${el('Key', call.key)}${el('ETag', object.etag)}` +
      (checksum === undefined ? '' : el(`Checksum${checksum.algorithm}`, checksum.value) + el('ChecksumType', 'COMPOSITE')),
  );
}

/**
 * The composite checksum of an upload created with a checksum algorithm: that algorithm over the parts'
 * binary checksums, `<base64>-<number of parts>`, as S3 computes it; a value the request sends for it
 * (`x-amz-checksum-<algorithm>`) must match.
 */
function compositeChecksum(headers: IncomingHttpHeaders, algorithm: ChecksumAlgorithm | undefined, parts: S3UploadPart[]): ObjectChecksum | undefined {
  if (algorithm === undefined) return undefined;
  const summer = createChecksummer(algorithm);
  for (const part of parts) summer.update(Buffer.from(part.checksum!.value, 'base64'));
  const value = `${summer.digest()}-${parts.length}`;
  const claimed = single(headers[checksumHeader(algorithm)]);
  if (claimed !== undefined && claimed !== value) throw S3_ERRORS.error('BadDigest', `The ${algorithm} you specified did not match the calculated checksum.`);
  return { algorithm, value, parts: parts.map((p) => p.checksum!.value) };
}

/** The parts' bodies one after the other. */
async function* joined(call: S3Call, parts: S3UploadPart[]): AsyncGenerator<Buffer> {
  for (const part of parts) {
    for await (const chunk of await call.blobs.get(part.blobId)) yield chunk as Buffer;
  }
}

/** AbortMultipartUpload (`DELETE /<key>?uploadId=…`): the upload and its parts are gone. */
export async function abortMultipartUpload(call: S3Call): Promise<void> {
  await call.ctx.authorize(call.principal, 's3:AbortMultipartUpload', s3Arn(call.bucket, call.key), 'AccessDenied');
  const upload = await uploadOf(call);
  const partBlobs = await call.store.sql.transaction((tx) => call.store.deleteUpload(upload.uploadId, tx));
  for (const id of partBlobs) await deleteBlobQuietly(call, id);
  sendEmpty(call.ctx.res, 204);
}

/** ListParts (`GET /<key>?uploadId=…`), with `max-parts` and `part-number-marker`. */
export async function listParts(call: S3Call): Promise<void> {
  await call.ctx.authorize(call.principal, 's3:ListMultipartUploadParts', s3Arn(call.bucket, call.key), 'AccessDenied');
  const upload = await uploadOf(call);
  const max = maxOf(call, 'max-parts');
  const marker = Number(call.query.get('part-number-marker') ?? 0) || 0;
  const page = await call.store.listParts(upload.uploadId, { afterPart: marker, limit: max + 1 });
  const truncated = page.length > max;
  const shown = page.slice(0, max);
  sendXml(
    call.ctx.res,
    'ListPartsResult',
    `${el('Bucket', call.bucket)}${el('Key', call.key)}${el('UploadId', upload.uploadId)}<Initiator>${owner(call)}</Initiator><Owner>${owner(call)}</Owner>` +
      `${el('StorageClass', 'STANDARD')}${el('PartNumberMarker', marker)}${el('NextPartNumberMarker', shown.at(-1)?.partNumber ?? marker)}${el('MaxParts', max)}${el('IsTruncated', truncated)}` +
      shown
        .map(
          (p) =>
            `<Part>${el('PartNumber', p.partNumber)}${el('LastModified', p.lastModified)}${el('ETag', `"${p.md5}"`)}${el('Size', p.size)}${el('ChecksumCRC32', p.checksumCrc32)}</Part>`,
        )
        .join(''),
  );
}

/** ListMultipartUploads (`GET /?uploads` on a bucket), with `prefix`, `max-uploads`, `key-marker` and `upload-id-marker`. */
export async function listMultipartUploads(call: S3Call): Promise<void> {
  await call.ctx.authorize(call.principal, 's3:ListBucketMultipartUploads', s3Arn(call.bucket), 'AccessDenied');
  await requireBucket(call);
  const max = maxOf(call, 'max-uploads');
  const prefix = call.query.get('prefix') ?? '';
  const keyMarker = call.query.get('key-marker') ?? '';
  const uploadIdMarker = call.query.get('upload-id-marker') ?? '';
  // Without an upload-id marker, the key marker's own uploads are skipped (S3: "keys after the marker").
  const after = keyMarker === '' ? undefined : { key: keyMarker, uploadId: uploadIdMarker === '' ? '\u{10FFFF}' : uploadIdMarker };
  const page = await call.store.listUploads(call.bucket, { prefix, after, limit: max + 1 });
  const truncated = page.length > max;
  const shown = page.slice(0, max);
  const last = shown.at(-1);
  sendXml(
    call.ctx.res,
    'ListMultipartUploadsResult',
    `${el('Bucket', call.bucket)}${el('KeyMarker', keyMarker)}${el('UploadIdMarker', uploadIdMarker)}${el('NextKeyMarker', truncated ? last?.key : undefined)}` +
      `${el('NextUploadIdMarker', truncated ? last?.uploadId : undefined)}${el('Prefix', prefix)}${el('MaxUploads', max)}${el('IsTruncated', truncated)}` +
      shown
        .map(
          (u) =>
            `<Upload>${el('Key', u.key)}${el('UploadId', u.uploadId)}<Initiator>${owner(call)}</Initiator><Owner>${owner(call)}</Owner>${el('StorageClass', 'STANDARD')}${el('Initiated', u.initiated)}</Upload>`,
        )
        .join(''),
  );
}
