import { readBody } from '../../kernel/read-body.js';
import { assertValidBucketName } from './bucket-name.js';
import { corsXml, parseCorsXml } from './bucket-cors.js';
import { deleteBlobQuietly } from './put-object.js';
import { noSuchBucket, requireBucket, s3Arn, type S3Call } from './s3-call.js';
import { el, sendEmpty, sendXml } from './s3-xml.js';
import { S3_ERRORS } from './s3-errors.js';

const MAX_BUCKETS_PAGE = 10_000;
const MAX_CORS_BODY = 64 * 1024;

/** ListBuckets, with `prefix`, `max-buckets` and `continuation-token` (the last name of the previous page). */
export async function listBuckets(call: Omit<S3Call, 'bucket' | 'key'>): Promise<void> {
  await call.ctx.authorize(call.principal, 's3:ListAllMyBuckets', '*', 'AccessDenied');
  const q = call.query;
  const rawMax = q.get('max-buckets');
  if (rawMax !== null && (!/^\d+$/.test(rawMax) || Number(rawMax) < 1 || Number(rawMax) > MAX_BUCKETS_PAGE)) {
    throw S3_ERRORS.error('InvalidArgument', `max-buckets must be an integer from 1 to ${MAX_BUCKETS_PAGE}.`, { fields: { ArgumentName: 'max-buckets' } });
  }
  const token = q.get('continuation-token');
  const after = token === null || token === '' ? undefined : Buffer.from(token, 'base64url').toString('utf8');
  const limit = rawMax === null ? undefined : Number(rawMax);
  const prefix = q.get('prefix') ?? undefined;
  const page = await call.store.listBuckets({
    ...(prefix === undefined ? {} : { prefix }),
    ...(after === undefined ? {} : { after }),
    ...(limit === undefined ? {} : { limit: limit + 1 }),
  });
  const shown = limit === undefined ? page : page.slice(0, limit);
  const next = limit !== undefined && page.length > limit ? shown.at(-1)?.name : undefined;
  sendXml(
    call.ctx.res,
    'ListAllMyBucketsResult',
    `<Owner>${el('ID', call.accountId)}${el('DisplayName', 'forte')}</Owner><Buckets>` +
      shown.map((b) => `<Bucket>${el('Name', b.name)}${el('CreationDate', b.createdAt)}</Bucket>`).join('') +
      '</Buckets>' +
      (prefix === undefined ? '' : el('Prefix', prefix)) +
      (next === undefined ? '' : el('ContinuationToken', Buffer.from(next).toString('base64url'))),
  );
}

export async function createBucket(call: S3Call): Promise<void> {
  await call.ctx.authorize(call.principal, 's3:CreateBucket', s3Arn(call.bucket), 'AccessDenied');
  assertValidBucketName(call.bucket);
  call.ctx.req.resume(); // the optional CreateBucketConfiguration says only the region, which is ours
  // In us-east-1 S3 answers 200 to the owner creating a bucket again (and keeps its objects); elsewhere 409.
  if (!(await call.store.createBucket(call.bucket)) && call.region !== 'us-east-1') {
    throw S3_ERRORS.error('BucketAlreadyOwnedByYou', 'Your previous request to create the named bucket succeeded and you already own it.', {
      fields: { BucketName: call.bucket },
    });
  }
  sendEmpty(call.ctx.res, 200, { location: `/${call.bucket}` });
}

export async function headBucket(call: S3Call): Promise<void> {
  await call.ctx.authorize(call.principal, 's3:ListBucket', s3Arn(call.bucket), 'AccessDenied');
  await requireBucket(call);
  sendEmpty(call.ctx.res, 200, { 'x-amz-bucket-region': call.region });
}

export async function deleteBucket(call: S3Call): Promise<void> {
  await call.ctx.authorize(call.principal, 's3:DeleteBucket', s3Arn(call.bucket), 'AccessDenied');
  const { outcome, partBlobs } = await call.store.deleteBucket(call.bucket);
  for (const blobId of partBlobs) await deleteBlobQuietly(call, blobId);
  if (outcome === 'deleted') await call.notifications.remove(call.bucket); // a new bucket of that name starts without
  if (outcome === 'missing') throw noSuchBucket(call.bucket);
  if (outcome === 'not-empty') {
    throw S3_ERRORS.error('BucketNotEmpty', 'The bucket you tried to delete is not empty', { fields: { BucketName: call.bucket } });
  }
  sendEmpty(call.ctx.res, 204);
}

export async function getBucketLocation(call: S3Call): Promise<void> {
  await call.ctx.authorize(call.principal, 's3:GetBucketLocation', s3Arn(call.bucket), 'AccessDenied');
  await requireBucket(call);
  // us-east-1 is answered as an empty constraint, as S3 does.
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${call.region === 'us-east-1' ? '' : call.region}</LocationConstraint>`;
  call.ctx.res.writeHead(200, { 'content-type': 'application/xml', 'content-length': String(Buffer.byteLength(body)) });
  call.ctx.res.end(body);
}

/** GetBucketCors (`GET ?cors`): NoSuchCORSConfiguration when the bucket has none. */
export async function getBucketCors(call: S3Call): Promise<void> {
  await call.ctx.authorize(call.principal, 's3:GetBucketCORS', s3Arn(call.bucket), 'AccessDenied');
  const rules = await call.store.getBucketCors(call.bucket);
  if (rules === 'missing') throw noSuchBucket(call.bucket);
  if (rules === undefined) {
    throw S3_ERRORS.error('NoSuchCORSConfiguration', 'The CORS configuration does not exist', { fields: { BucketName: call.bucket } });
  }
  sendXml(call.ctx.res, 'CORSConfiguration', corsXml(rules));
}

/** PutBucketCors (`PUT ?cors`): replaces the bucket's rules. */
export async function putBucketCors(call: S3Call): Promise<void> {
  await call.ctx.authorize(call.principal, 's3:PutBucketCORS', s3Arn(call.bucket), 'AccessDenied');
  await requireBucket(call);
  const rules = parseCorsXml((await readBody(call.ctx.req, MAX_CORS_BODY)).toString('utf8'));
  if (!(await call.store.setBucketCors(call.bucket, rules))) throw noSuchBucket(call.bucket);
  sendEmpty(call.ctx.res, 200);
}

/** DeleteBucketCors (`DELETE ?cors`; S3 authorizes it as s3:PutBucketCORS). */
export async function deleteBucketCors(call: S3Call): Promise<void> {
  await call.ctx.authorize(call.principal, 's3:PutBucketCORS', s3Arn(call.bucket), 'AccessDenied');
  if (!(await call.store.setBucketCors(call.bucket, undefined))) throw noSuchBucket(call.bucket);
  sendEmpty(call.ctx.res, 204);
}
