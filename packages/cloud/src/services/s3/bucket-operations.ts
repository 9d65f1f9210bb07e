import { assertValidBucketName } from './bucket-name.js';
import { deleteBlobQuietly } from './put-object.js';
import { noSuchBucket, requireBucket, s3Arn, type S3Call } from './s3-call.js';
import { el, sendEmpty, sendXml } from './s3-xml.js';
import { S3_ERRORS } from './s3-errors.js';

export async function listBuckets(call: Omit<S3Call, 'bucket' | 'key'>): Promise<void> {
  await call.ctx.authorize(call.principal, 's3:ListAllMyBuckets', '*', 'AccessDenied');
  const buckets = await call.store.listBuckets();
  sendXml(
    call.ctx.res,
    'ListAllMyBucketsResult',
    `<Owner>${el('ID', call.accountId)}${el('DisplayName', 'forte')}</Owner><Buckets>` +
      buckets.map((b) => `<Bucket>${el('Name', b.name)}${el('CreationDate', b.createdAt)}</Bucket>`).join('') +
      '</Buckets>',
  );
}

export async function createBucket(call: S3Call): Promise<void> {
  await call.ctx.authorize(call.principal, 's3:CreateBucket', s3Arn(call.bucket), 'AccessDenied');
  assertValidBucketName(call.bucket);
  call.ctx.req.resume(); // the optional CreateBucketConfiguration says only the region, which is ours
  if (!(await call.store.createBucket(call.bucket))) {
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
