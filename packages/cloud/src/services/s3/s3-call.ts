import type { ForteError } from '@forte/protocol';
import type { BlobStore } from '../../engines/types.js';
import { Principal, RequestContext, SigningInfo } from '../../kernel/types.js';
import type { BucketNotifications } from './bucket-notifications.js';
import type { ObjectStore } from './object-store.js';
import { S3_ERRORS } from './s3-errors.js';

/** Everything an S3 operation handler needs about one request. */
export interface S3Call {
  ctx: RequestContext;
  principal: Principal;
  /** What the Authorization header signed (absent for presigned and anonymous requests). */
  signing: SigningInfo | undefined;
  store: ObjectStore;
  blobs: BlobStore;
  /** Records the event of a committed change, inside the change's transaction. */
  notifications: BucketNotifications;
  region: string;
  accountId: string;
  query: URLSearchParams;
  bucket: string;
  key: string;
}

/** `arn:aws:s3:::<bucket>[/<key>]`, the resource S3 actions are authorized on. */
export function s3Arn(bucket: string, key?: string): string {
  return key === undefined ? `arn:aws:s3:::${bucket}` : `arn:aws:s3:::${bucket}/${key}`;
}

export function noSuchBucket(bucket: string): ForteError {
  return S3_ERRORS.error('NoSuchBucket', 'The specified bucket does not exist', { fields: { BucketName: bucket } });
}

export function noSuchKey(key: string, cause?: unknown): ForteError {
  return S3_ERRORS.error('NoSuchKey', 'The specified key does not exist.', { fields: { Key: key }, cause });
}

/** Throws NoSuchBucket unless the bucket exists. */
export async function requireBucket(call: Pick<S3Call, 'store' | 'bucket'>): Promise<void> {
  if (!(await call.store.bucketExists(call.bucket))) throw noSuchBucket(call.bucket);
}
