import type { ConditionContext } from '../../kernel/iam-conditions.js';
import type { S3Object } from './object-store.js';
import { requireBucket, s3Arn, type S3Call } from './s3-call.js';
import { el, sendXml } from './s3-xml.js';
import { S3_ERRORS } from './s3-errors.js';

const PAGE = 1000;
const MAX_KEYS = 1000;

export interface ListPage {
  contents: S3Object[];
  commonPrefixes: string[];
  truncated: boolean;
  /** Last key or common prefix returned: where the next page resumes (after a prefix, past all its keys). */
  lastKey: string | undefined;
}

/**
 * One page of a listing in key order (UTF-8 byte order, from SQL). With a delimiter, keys that share a
 * prefix up to the next delimiter count once, as a common prefix. Resuming after a key that lies inside
 * a common prefix skips the rest of that prefix, so pages never repeat a common prefix.
 */
export async function listPage(call: S3Call, options: { prefix: string; delimiter: string; after: string | undefined; maxKeys: number }): Promise<ListPage> {
  const { prefix, delimiter, maxKeys } = options;
  const page: ListPage = { contents: [], commonPrefixes: [], truncated: false, lastKey: undefined };
  if (maxKeys === 0) return page;
  const commonPrefixOf = (key: string): string | undefined => {
    if (delimiter === '') return undefined;
    const at = key.indexOf(delimiter, prefix.length);
    return at < 0 ? undefined : key.slice(0, at + delimiter.length);
  };
  let after = options.after;
  let skip = after !== undefined && after.startsWith(prefix) ? commonPrefixOf(after) : undefined;
  for (;;) {
    const rows = await call.store.scan(call.bucket, { from: prefix, after, limit: PAGE });
    for (const row of rows) {
      after = row.key;
      if (!row.key.startsWith(prefix)) return page; // past the prefix's range: keys are sorted
      if (skip !== undefined && row.key.startsWith(skip)) continue;
      if (page.contents.length + page.commonPrefixes.length === maxKeys) {
        page.truncated = true;
        return page;
      }
      const common = commonPrefixOf(row.key);
      if (common !== undefined) {
        page.commonPrefixes.push(common);
        skip = common;
      } else {
        page.contents.push(row);
      }
      page.lastKey = common ?? row.key;
    }
    if (rows.length < PAGE) return page;
  }
}

/** `encoding-type=url`: keys percent-encoded (slashes kept), so any key survives XML. */
function encoder(query: URLSearchParams): (value: string) => string {
  const type = query.get('encoding-type');
  if (type === null) return (v) => v;
  if (type !== 'url')
    throw S3_ERRORS.error('InvalidArgument', 'Invalid Encoding Method specified in Request: encoding-type must be url.', {
      fields: { ArgumentName: 'encoding-type' },
    });
  return (v) => encodeURIComponent(v).replace(/%2F/g, '/');
}

function parseMaxKeys(query: URLSearchParams): { echo: string; limit: number } {
  const raw = query.get('max-keys');
  if (raw === null) return { echo: String(MAX_KEYS), limit: MAX_KEYS };
  if (!/^[0-9]+$/.test(raw))
    throw S3_ERRORS.error('InvalidArgument', 'Provided max-keys not an integer or within integer range', { fields: { ArgumentName: 'max-keys' } });
  return { echo: raw, limit: Math.min(Number(raw), MAX_KEYS) };
}

function contentsXml(objects: S3Object[], encode: (v: string) => string, owner: string): string {
  return objects
    .map(
      (o) =>
        `<Contents>${el('Key', encode(o.key))}${el('LastModified', o.lastModified)}${el('ETag', o.etag)}${el('Size', o.size)}${owner}<StorageClass>STANDARD</StorageClass></Contents>`,
    )
    .join('');
}

/**
 * The condition keys of a list (S3's `s3:prefix`, `s3:delimiter`, `s3:max-keys`), so a policy can allow listing some
 * prefixes only (Amplify's read policies: `StringLike s3:prefix public/*`). A list without a prefix has the empty
 * prefix, as in S3, which such a policy does not allow.
 */
function listConditionKeys(call: S3Call): ConditionContext {
  const q = call.query;
  return {
    's3:prefix': q.get('prefix') ?? '',
    ...(q.has('delimiter') ? { 's3:delimiter': q.get('delimiter')! } : {}),
    ...(q.has('max-keys') ? { 's3:max-keys': q.get('max-keys')! } : {}),
  };
}

/** ListObjectsV2 (`GET ?list-type=2`); echoes what amplify-js checks (Name, Prefix, Delimiter, MaxKeys, ContinuationToken). */
export async function listObjectsV2(call: S3Call): Promise<void> {
  await call.ctx.authorize(call.principal, 's3:ListBucket', s3Arn(call.bucket), 'AccessDenied', listConditionKeys(call));
  await requireBucket(call);
  const q = call.query;
  const encode = encoder(q);
  const prefix = q.get('prefix') ?? '';
  const delimiter = q.get('delimiter') ?? '';
  const maxKeys = parseMaxKeys(q);
  const token = q.get('continuation-token');
  const startAfter = q.get('start-after');
  let after = startAfter ?? undefined;
  if (token !== null && token !== '') {
    const decoded = decodeToken(token);
    if (decoded === undefined)
      throw S3_ERRORS.error('InvalidArgument', 'The continuation token provided is incorrect', { fields: { ArgumentName: 'continuation-token' } });
    after = decoded;
  }
  const page = await listPage(call, { prefix, delimiter, after, maxKeys: maxKeys.limit });
  const owner = q.get('fetch-owner') === 'true' ? `<Owner>${el('ID', call.accountId)}${el('DisplayName', 'forte')}</Owner>` : '';
  sendXml(
    call.ctx.res,
    'ListBucketResult',
    el('Name', call.bucket) +
      el('Prefix', encode(prefix)) +
      (delimiter !== '' ? el('Delimiter', encode(delimiter)) : '') +
      el('MaxKeys', maxKeys.echo) +
      (q.has('encoding-type') ? el('EncodingType', 'url') : '') +
      el('KeyCount', page.contents.length + page.commonPrefixes.length) +
      (token !== null ? el('ContinuationToken', token) : '') +
      (startAfter !== null ? el('StartAfter', encode(startAfter)) : '') +
      el('IsTruncated', page.truncated) +
      (page.truncated && page.lastKey !== undefined ? el('NextContinuationToken', encodeToken(page.lastKey)) : '') +
      contentsXml(page.contents, encode, owner) +
      page.commonPrefixes.map((p) => `<CommonPrefixes>${el('Prefix', encode(p))}</CommonPrefixes>`).join(''),
  );
}

/** ListObjects (version 1, `marker`): kept for older SDKs and tools. */
export async function listObjectsV1(call: S3Call): Promise<void> {
  await call.ctx.authorize(call.principal, 's3:ListBucket', s3Arn(call.bucket), 'AccessDenied', listConditionKeys(call));
  await requireBucket(call);
  const q = call.query;
  const encode = encoder(q);
  const prefix = q.get('prefix') ?? '';
  const delimiter = q.get('delimiter') ?? '';
  const marker = q.get('marker') ?? '';
  const maxKeys = parseMaxKeys(q);
  const page = await listPage(call, { prefix, delimiter, after: marker === '' ? undefined : marker, maxKeys: maxKeys.limit });
  const owner = `<Owner>${el('ID', call.accountId)}${el('DisplayName', 'forte')}</Owner>`;
  const nextMarker = page.truncated && delimiter !== '' ? page.lastKey : undefined;
  sendXml(
    call.ctx.res,
    'ListBucketResult',
    el('Name', call.bucket) +
      // Version 1 answers the prefix as sent (its clients decode Delimiter, Marker, NextMarker and keys only).
      el('Prefix', prefix) +
      el('Marker', encode(marker)) +
      (nextMarker !== undefined ? el('NextMarker', encode(nextMarker)) : '') +
      el('MaxKeys', maxKeys.echo) +
      (delimiter !== '' ? el('Delimiter', encode(delimiter)) : '') +
      (q.has('encoding-type') ? el('EncodingType', 'url') : '') +
      el('IsTruncated', page.truncated) +
      contentsXml(page.contents, encode, owner) +
      page.commonPrefixes.map((p) => `<CommonPrefixes>${el('Prefix', encode(p))}</CommonPrefixes>`).join(''),
  );
}

/**
 * ListObjectVersions (`GET ?versions`). Forte does not version objects, so every object is its only version,
 * `null`, as S3 lists the objects of a bucket that never had versioning enabled. `version-id-marker` is only
 * meaningful with `key-marker`, and then only `null` names a version here.
 */
export async function listObjectVersions(call: S3Call): Promise<void> {
  await call.ctx.authorize(call.principal, 's3:ListBucketVersions', s3Arn(call.bucket), 'AccessDenied');
  await requireBucket(call);
  const q = call.query;
  const encode = encoder(q);
  const prefix = q.get('prefix') ?? '';
  const delimiter = q.get('delimiter') ?? '';
  const keyMarker = q.get('key-marker') ?? '';
  const versionIdMarker = q.get('version-id-marker') ?? '';
  if (versionIdMarker !== '' && keyMarker === '')
    throw S3_ERRORS.error('InvalidArgument', 'A version-id marker cannot be specified without a key marker.', {
      fields: { ArgumentName: 'version-id-marker' },
    });
  if (versionIdMarker !== '' && versionIdMarker !== 'null')
    throw S3_ERRORS.error('InvalidArgument', 'Invalid version id specified', { fields: { ArgumentName: 'version-id-marker', ArgumentValue: versionIdMarker } });
  const maxKeys = parseMaxKeys(q);
  const page = await listPage(call, { prefix, delimiter, after: keyMarker === '' ? undefined : keyMarker, maxKeys: maxKeys.limit });
  const owner = `<Owner>${el('ID', call.accountId)}${el('DisplayName', 'forte')}</Owner>`;
  const next = page.truncated ? page.lastKey : undefined;
  sendXml(
    call.ctx.res,
    'ListVersionsResult',
    el('Name', call.bucket) +
      el('Prefix', encode(prefix)) +
      el('KeyMarker', encode(keyMarker)) +
      el('VersionIdMarker', versionIdMarker) +
      (next !== undefined ? el('NextKeyMarker', encode(next)) + el('NextVersionIdMarker', 'null') : '') +
      el('MaxKeys', maxKeys.echo) +
      (delimiter !== '' ? el('Delimiter', encode(delimiter)) : '') +
      (q.has('encoding-type') ? el('EncodingType', 'url') : '') +
      el('IsTruncated', page.truncated) +
      page.contents
        .map(
          (o) =>
            `<Version>${el('Key', encode(o.key))}${el('VersionId', 'null')}${el('IsLatest', true)}${el('LastModified', o.lastModified)}${el('ETag', o.etag)}${el('Size', o.size)}${owner}<StorageClass>STANDARD</StorageClass></Version>`,
        )
        .join('') +
      page.commonPrefixes.map((p) => `<CommonPrefixes>${el('Prefix', encode(p))}</CommonPrefixes>`).join(''),
  );
}

function encodeToken(key: string): string {
  return Buffer.from(JSON.stringify({ k: key })).toString('base64url');
}

function decodeToken(token: string): string | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { k?: unknown };
    return typeof parsed.k === 'string' ? parsed.k : undefined;
  } catch {
    return undefined;
  }
}
