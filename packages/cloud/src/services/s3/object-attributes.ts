import { checkPreconditions } from './conditional-request.js';
import { single } from './object-headers.js';
import { noSuchKey, requireBucket, s3Arn, type S3Call } from './s3-call.js';
import { el, sendXml } from './s3-xml.js';
import { S3_ERRORS } from './s3-errors.js';

const ATTRIBUTES = new Set(['ETag', 'Checksum', 'ObjectParts', 'StorageClass', 'ObjectSize']);

/**
 * GetObjectAttributes (`GET /<key>?attributes`, the list in `x-amz-object-attributes`): the object's ETag
 * (unquoted, as S3 answers it here), checksum, parts of a multipart object, storage class and size.
 */
export async function getObjectAttributes(call: S3Call): Promise<void> {
  const { ctx } = call;
  await ctx.authorize(call.principal, 's3:GetObject', s3Arn(call.bucket, call.key), 'AccessDenied');
  const wanted = (single(ctx.req.headers['x-amz-object-attributes']) ?? '')
    .split(',')
    .map((a) => a.trim())
    .filter((a) => a !== '');
  const unknown = wanted.find((a) => !ATTRIBUTES.has(a));
  if (wanted.length === 0 || unknown !== undefined) {
    throw S3_ERRORS.error('InvalidArgument', `Invalid attribute name specified: x-amz-object-attributes lists ${[...ATTRIBUTES].join(', ')}.`, {
      fields: { ArgumentName: 'x-amz-object-attributes', ...(unknown === undefined ? {} : { ArgumentValue: unknown }) },
    });
  }
  await requireBucket(call);
  const object = await call.store.getObject(call.bucket, call.key);
  if (!object) throw noSuchKey(call.key);
  checkPreconditions(object, {
    ifMatch: single(ctx.req.headers['if-match']),
    ifUnmodifiedSince: single(ctx.req.headers['if-unmodified-since']),
  });
  const has = (a: string) => wanted.includes(a);
  const maxParts = Math.min(Number(single(ctx.req.headers['x-amz-max-parts']) ?? 1000) || 1000, 1000);
  const marker = Number(single(ctx.req.headers['x-amz-part-number-marker']) ?? 0) || 0;
  let parts = '';
  if (has('ObjectParts') && object.partSizes !== undefined) {
    const shown = object.partSizes.map((size, i) => ({ n: i + 1, size })).filter((p) => p.n > marker);
    const page = shown.slice(0, maxParts);
    parts =
      `<ObjectParts>${el('PartsCount', object.partSizes.length)}${el('PartNumberMarker', marker)}` +
      `${el('NextPartNumberMarker', page.at(-1)?.n ?? marker)}${el('MaxParts', maxParts)}${el('IsTruncated', shown.length > page.length)}` +
      page
        .map((p) => {
          const partChecksum = object.checksum?.parts?.[p.n - 1];
          return `<Part>${el('PartNumber', p.n)}${el('Size', p.size)}${partChecksum === undefined ? '' : el(`Checksum${object.checksum!.algorithm}`, partChecksum)}</Part>`;
        })
        .join('') +
      '</ObjectParts>';
  }
  const checksum =
    has('Checksum') && object.checksum !== undefined
      ? `<Checksum>${el(`Checksum${object.checksum.algorithm}`, object.checksum.value)}${el('ChecksumType', object.checksum.parts === undefined ? 'FULL_OBJECT' : 'COMPOSITE')}</Checksum>`
      : '';
  sendXml(
    ctx.res,
    'GetObjectAttributesResponse',
    (has('ETag') ? el('ETag', object.etag.replace(/"/g, '')) : '') +
      checksum +
      parts +
      (has('StorageClass') ? el('StorageClass', 'STANDARD') : '') +
      (has('ObjectSize') ? el('ObjectSize', object.size) : ''),
    200,
    { 'last-modified': new Date(object.lastModified).toUTCString() },
  );
}
