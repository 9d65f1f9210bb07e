import type { ForteError } from '@forte/protocol';
import type { BlobStore } from '../../engines/types.js';
import type { CredentialProvider, Route } from '../../kernel/types.js';
import { applyBucketCors, answerS3Preflight } from './bucket-cors-response.js';
import { createBucket, deleteBucket, deleteBucketCors, getBucketCors, getBucketLocation, headBucket, listBuckets, putBucketCors } from './bucket-operations.js';
import { hasXmlInvalidCharacter } from '../../kernel/xml-escape.js';
import { copyObject } from './copy-object.js';
import { deleteObject, deleteObjects } from './delete-objects.js';
import { getObject } from './get-object.js';
import { getObjectAttributes } from './object-attributes.js';
import { listObjectVersions, listObjectsV1, listObjectsV2 } from './list-objects.js';
import { single } from './object-headers.js';
import {
  abortMultipartUpload,
  completeMultipartUpload,
  createMultipartUpload,
  listMultipartUploads,
  listParts,
  uploadPart,
  uploadPartCopy,
} from './multipart.js';
import type { BucketNotifications } from './bucket-notifications.js';
import { getBucketNotificationConfiguration, putBucketNotificationConfiguration } from './notification-api.js';
import type { ObjectStore } from './object-store.js';
import { isFormUpload } from './post-form.js';
import { postObject } from './post-object.js';
import { putObject } from './put-object.js';
import type { S3Call } from './s3-call.js';
import { isS3Request, parseS3Target, virtualHostBucket } from './s3-target.js';
import { S3_ERRORS } from './s3-errors.js';

/** Bucket and object subresources Forte does not implement (answered 501 rather than misread as plain calls). */
const UNSUPPORTED = [
  'acl',
  'tagging',
  'versioning',
  'policy',
  'lifecycle',
  'website',
  'encryption',
  'logging',
  'replication',
  'accelerate',
  'requestPayment',
  'object-lock',
  'retention',
  'legal-hold',
  'restore',
  'select',
  'torrent',
  'ownershipControls',
  'publicAccessBlock',
  'analytics',
  'inventory',
  'metrics',
  'intelligent-tiering',
];

/** The S3 REST route: path style under `/s3/` and virtual-host style (`<bucket>.s3.localhost`). */
export function createS3Route(options: {
  store: ObjectStore;
  blobs: BlobStore;
  notifications: BucketNotifications;
  region: string;
  accountId: string;
  /** The keys a POST Object form's policy may be signed with. */
  credentials: CredentialProvider;
}): Route {
  return {
    name: 's3',
    errorFormat: 'xml',
    // The raw target decides (path-style prefix or a bucket host name): no URL parsing needed.
    match: { raw: (req, rawPath) => isS3Request(req, rawPath) },
    // Preflights are answered by the bucket's CORS rules, when it has some.
    ownsOptions: true,
    async handle(ctx) {
      // Objects are what users uploaded: never sniffed into another type, and on the API's own origin (path
      // style, where the cloud's other APIs answer) an HTML object cannot run script as that origin.
      ctx.res.setHeader('x-content-type-options', 'nosniff');
      if (virtualHostBucket(ctx.req) === undefined) ctx.res.setHeader('content-security-policy', 'sandbox');
      const target = parseS3Target(ctx.req, ctx.rawPath);
      const method = ctx.req.method ?? 'GET';
      const query = ctx.url.searchParams;
      if (method === 'OPTIONS') return answerS3Preflight(ctx, options.store, target.bucket);
      if (target.bucket !== undefined) await applyBucketCors(ctx, options.store, target.bucket);
      const { principal, signing } = await ctx.authenticate(target.signedFor ? { service: 's3', signedFor: target.signedFor } : { service: 's3' });
      const { store, blobs, notifications, region, accountId } = options;
      const base = { ctx, principal, signing, store, blobs, notifications, region, accountId, query };

      const unsupported = UNSUPPORTED.find((name) => query.has(name)) ?? (target.key !== undefined && query.has('notification') ? 'notification' : undefined);
      if (unsupported !== undefined) throw notImplemented(`The ?${unsupported} subresource is not implemented.`);

      if (target.bucket === undefined) {
        if (method === 'GET') return listBuckets(base);
        throw methodNotAllowed(method, 'the service');
      }
      if (target.key === undefined) {
        const call: S3Call = { ...base, bucket: target.bucket, key: '' };
        switch (method) {
          case 'PUT':
            if (query.has('notification')) return putBucketNotificationConfiguration(call);
            if (query.has('cors')) return putBucketCors(call);
            return createBucket(call);
          case 'HEAD':
            return headBucket(call);
          case 'DELETE':
            if (query.has('cors')) return deleteBucketCors(call);
            return deleteBucket(call);
          case 'POST':
            if (query.has('delete')) return deleteObjects(call);
            if (isFormUpload(ctx.req)) return postObject(call, options.credentials);
            throw methodNotAllowed(method, 'a bucket (only POST ?delete and form uploads)');
          case 'GET':
            if (query.has('notification')) return getBucketNotificationConfiguration(call);
            if (query.has('location')) return getBucketLocation(call);
            if (query.has('cors')) return getBucketCors(call);
            if (query.has('uploads')) return listMultipartUploads(call);
            if (query.has('versions')) return listObjectVersions(call);
            return query.get('list-type') === '2' ? listObjectsV2(call) : listObjectsV1(call);
          default:
            throw methodNotAllowed(method, 'a bucket');
        }
      }
      const call: S3Call = { ...base, bucket: target.bucket, key: target.key };
      // Objects have one version, `null` (S3's id for objects of a bucket never versioned).
      const versionId = query.get('versionId');
      if (versionId !== null && versionId !== 'null') {
        throw S3_ERRORS.error('InvalidArgument', 'Invalid version id specified', { fields: { ArgumentName: 'versionId', ArgumentValue: versionId } });
      }
      const copySource = single(ctx.req.headers['x-amz-copy-source']);
      if (query.has('uploadId')) {
        // A multipart upload in progress: its parts, its completion, its abort.
        switch (method) {
          case 'PUT':
            return copySource !== undefined ? uploadPartCopy(call, copySource) : uploadPart(call);
          case 'POST':
            return completeMultipartUpload(call);
          case 'GET':
            return listParts(call);
          case 'DELETE':
            return abortMultipartUpload(call);
          default:
            throw methodNotAllowed(method, 'a multipart upload');
        }
      }
      switch (method) {
        case 'PUT':
          if (query.has('partNumber')) throw S3_ERRORS.error('InvalidRequest', 'A part needs the uploadId of its upload (?partNumber=N&uploadId=…).');
          refuseUnlistableKey(target.key);
          return copySource !== undefined ? copyObject(call, copySource) : putObject(call);
        case 'POST':
          if (query.has('uploads')) {
            refuseUnlistableKey(target.key);
            return createMultipartUpload(call);
          }
          throw methodNotAllowed(method, 'an object (only POST ?uploads and POST ?uploadId)');
        case 'GET':
          if (query.has('attributes')) return getObjectAttributes(call);
          return getObject(call, false);
        case 'HEAD':
          return getObject(call, true);
        case 'DELETE':
          return deleteObject(call);
        default:
          throw methodNotAllowed(method, 'an object');
      }
    },
  };
}

/**
 * S3 takes any Unicode key, but XML 1.0 cannot carry some characters (NUL and most C0 controls), so its
 * listings are then invalid XML unless the client asks for `encoding-type=url`. Forte refuses such keys at
 * upload rather than store an object that breaks every plain listing of its bucket.
 */
function refuseUnlistableKey(key: string): void {
  if (hasXmlInvalidCharacter(key)) {
    throw S3_ERRORS.error(
      'InvalidArgument',
      'Object keys cannot contain NUL or other control characters that XML 1.0 cannot carry (U+0000-U+0008, U+000B, U+000C, U+000E-U+001F, U+FFFE, U+FFFF).',
      { fields: { ArgumentName: 'key' } },
    );
  }
}

function notImplemented(message: string): ForteError {
  return S3_ERRORS.error('NotImplemented', message);
}

function methodNotAllowed(method: string, what: string): ForteError {
  return S3_ERRORS.error('MethodNotAllowed', `The specified method ${method} is not allowed against ${what}.`, { fields: { Method: method } });
}
