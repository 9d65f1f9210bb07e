import { Transform, type Readable } from 'node:stream';
import { isForteError, type ForteError } from '@forte/protocol';
import { deriveSigningKey, hmacHex } from '../../kernel/sigv4-canonical.js';
import { signaturesEqual } from '../../kernel/sigv4.js';
import type { CredentialProvider, Principal } from '../../kernel/types.js';
import { hasXmlInvalidCharacter } from '../../kernel/xml-escape.js';
import { objectHeadersFrom } from './object-headers.js';
import type { S3Object } from './object-store.js';
import { readPostForm, type PostForm } from './post-form.js';
import { checkPostPolicy, parsePostPolicy } from './post-policy.js';
import { deleteBlobQuietly, newBlobId } from './put-object.js';
import { requireBucket, s3Arn, type S3Call } from './s3-call.js';
import { S3_ERRORS } from './s3-errors.js';
import { el, sendEmpty, sendXml } from './s3-xml.js';

/** S3's limit for one upload without multipart, POST included. */
const MAX_POST_BYTES = 5 * 1024 ** 3;
const SIGV4_FIELDS = ['x-amz-algorithm', 'x-amz-credential', 'x-amz-date', 'x-amz-signature'] as const;

/**
 * POST Object: a browser form upload (`multipart/form-data` to the bucket). The fields before the file say
 * where and what (`key`, with `${filename}`; `Content-Type`, `x-amz-meta-*`, ...), and, signed, who: a SigV4
 * signature of the base64 `policy` whose conditions every field must meet. Unsigned, the caller is anonymous.
 * The caller needs `s3:PutObject` on the key, as for PutObject; the file streams into a new blob, and the
 * object is then written as PutObject writes it (event `ObjectCreated:Post`).
 */
export async function postObject(call: S3Call, credentials: CredentialProvider): Promise<void> {
  const { ctx } = call;
  let form: PostForm;
  try {
    form = await readPostForm(ctx.req);
  } catch (error) {
    ctx.res.setHeader('connection', 'close');
    throw error;
  }
  let blobId: string | undefined;
  try {
    const upload = await checkForm(call, form, credentials);
    const written = await receiveFile(call, form, upload.maxSize);
    blobId = written.blobId;
    await form.finished;
    if (written.size < upload.minSize) {
      throw S3_ERRORS.error('EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed size', {
        fields: { ProposedSize: String(written.size), MinSizeAllowed: String(upload.minSize) },
      });
    }
    const object: S3Object = {
      bucket: call.bucket,
      key: upload.key,
      blobId,
      size: written.size,
      etag: `"${written.md5}"`,
      lastModified: new Date().toISOString(),
      ...upload.described,
    };
    const signedCall = { ...call, principal: upload.principal, key: upload.key };
    const replaced = await call.store.sql.transaction(async (tx) => {
      if (!(await call.store.bucketExists(call.bucket, tx)))
        throw S3_ERRORS.error('NoSuchBucket', 'The specified bucket does not exist', { fields: { BucketName: call.bucket } });
      const replacedBlob = await call.store.putObject(object, tx);
      await call.notifications.record(tx, signedCall, { bucket: call.bucket, key: upload.key, eventName: 'ObjectCreated:Post', object });
      return replacedBlob;
    });
    blobId = undefined;
    answer(call, form.fields, object);
    if (replaced !== undefined) await deleteBlobQuietly(call, replaced);
  } catch (error) {
    if (blobId !== undefined) await deleteBlobQuietly(call, blobId);
    form.file.stream.resume();
    if (!ctx.res.headersSent) ctx.res.setHeader('connection', 'close');
    throw error;
  }
}

interface CheckedUpload {
  key: string;
  principal: Principal;
  minSize: number;
  maxSize: number;
  described: ReturnType<typeof objectHeadersFrom>;
}

/** Everything S3 checks before it reads the file: the key, the signature, the policy, the caller's rights. */
async function checkForm(call: S3Call, form: PostForm, credentials: CredentialProvider): Promise<CheckedUpload> {
  const { fields } = form;
  const keyField = fields.get('key');
  if (keyField === undefined) {
    throw S3_ERRORS.error('InvalidArgument', "Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields.", {
      fields: { ArgumentName: 'key', ArgumentValue: '' },
    });
  }
  const key = form.file.filename === undefined ? keyField : keyField.replaceAll('${filename}', form.file.filename);
  if (key === '') throw S3_ERRORS.error('InvalidArgument', 'User key must have a length greater than 0.', { fields: { ArgumentName: 'key' } });
  if (Buffer.byteLength(key) > 1024) throw S3_ERRORS.error('KeyTooLongError', 'Your key is too long: keys are at most 1024 bytes.');
  if (hasXmlInvalidCharacter(key)) {
    throw S3_ERRORS.error('InvalidArgument', 'Object keys cannot contain NUL or other control characters that XML 1.0 cannot carry.', {
      fields: { ArgumentName: 'key' },
    });
  }
  // The policy's conditions see the key as it will be stored.
  const checked = new Map(fields).set('key', key);
  let principal = call.principal;
  let range: { min: number; max: number } | undefined;
  if (fields.has('awsaccesskeyid') || fields.has('signature')) {
    throw S3_ERRORS.error('InvalidRequest', 'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.');
  }
  if (SIGV4_FIELDS.some((name) => fields.has(name)) || fields.has('policy')) {
    principal = await verifyPolicySignature(fields, credentials);
    range = checkPostPolicy(parsePostPolicy(fields.get('policy') ?? ''), { fields: checked, bucket: call.bucket, now: new Date() });
  }
  await call.ctx.authorize(principal, 's3:PutObject', s3Arn(call.bucket, key), 'AccessDenied');
  await requireBucket(call);
  const headers: Record<string, string> = {};
  for (const [name, value] of fields) headers[name] = value;
  return {
    key,
    principal,
    minSize: range?.min ?? 0,
    maxSize: Math.min(range?.max ?? MAX_POST_BYTES, MAX_POST_BYTES),
    described: objectHeadersFrom({ headers }),
  };
}

/**
 * The principal whose secret signed the policy (SigV4: `x-amz-signature` is the HMAC-SHA256 of the base64
 * policy with the key derived for the credential's date, region and `s3`). S3 checks no clock skew here: the
 * policy's expiration bounds the form's life.
 */
async function verifyPolicySignature(fields: ReadonlyMap<string, string>, credentials: CredentialProvider): Promise<Principal> {
  for (const name of ['policy', ...SIGV4_FIELDS]) {
    if (!fields.has(name)) {
      throw S3_ERRORS.error('InvalidArgument', `Bucket POST must contain a field named '${name}'.  If it is specified, please check the order of the fields.`, {
        fields: { ArgumentName: name, ArgumentValue: '' },
      });
    }
  }
  const algorithm = fields.get('x-amz-algorithm') ?? '';
  if (algorithm !== 'AWS4-HMAC-SHA256') {
    throw S3_ERRORS.error('InvalidArgument', 'X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"', {
      fields: { ArgumentName: 'x-amz-algorithm', ArgumentValue: algorithm },
    });
  }
  const credential = fields.get('x-amz-credential') ?? '';
  const amzDate = fields.get('x-amz-date') ?? '';
  const parts = credential.split('/');
  const [accessKeyId, date, region, service, terminator] = parts;
  if (parts.length !== 5 || parts.some((part) => part === '') || terminator !== 'aws4_request' || service !== 's3' || !amzDate.startsWith(`${date}T`)) {
    throw S3_ERRORS.error('InvalidArgument', 'X-Amz-Credential must be <AccessKeyId>/<yyyymmdd>/<region>/s3/aws4_request, dated as X-Amz-Date.', {
      fields: { ArgumentName: 'x-amz-credential', ArgumentValue: credential },
    });
  }
  const known = await credentials.lookup(accessKeyId!, fields.get('x-amz-security-token'));
  if (!known) throw S3_ERRORS.error('InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.');
  const signingKey = deriveSigningKey(known.secretAccessKey, { date: date!, region: region!, service: 's3' });
  const expected = hmacHex(signingKey, fields.get('policy') ?? '');
  if (!signaturesEqual(expected, fields.get('x-amz-signature') ?? '')) {
    throw S3_ERRORS.error(
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
    );
  }
  return known.principal;
}

/** Streams the file into a new blob, refusing it (EntityTooLarge) as soon as it outgrows `maxSize`. */
async function receiveFile(call: S3Call, form: PostForm, maxSize: number): Promise<{ blobId: string; size: number; md5: string }> {
  let size = 0;
  let failure: ForteError | undefined;
  const source: Readable = form.file.stream;
  const counted = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      size += chunk.length;
      if (size > maxSize) {
        failure = S3_ERRORS.error('EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size', {
          fields: { ProposedSize: String(size), MaxSizeAllowed: String(maxSize) },
        });
        done(failure);
        return;
      }
      done(null, chunk);
    },
  });
  source.on('error', (error) => counted.destroy(error));
  // Listened to now, not when the blob store's pipeline starts: the refusal may come before the store is ready.
  counted.on('error', () => undefined);
  source.pipe(counted);
  const blobId = newBlobId();
  try {
    const written = await call.blobs.put(blobId, counted);
    return { blobId, size: written.size, md5: written.md5 };
  } catch (error) {
    if (failure) throw failure;
    throw isForteError(error)
      ? error
      : S3_ERRORS.error('MalformedPOSTRequest', 'The body of your POST request is not well-formed multipart/form-data.', { cause: error });
  }
}

/** S3's answer to a form upload: a redirect when asked for one, else the status asked for (204 by default). */
function answer(call: S3Call, fields: ReadonlyMap<string, string>, object: S3Object): void {
  const { ctx } = call;
  const location = objectLocation(call, object.key);
  const redirect = fields.get('success_action_redirect') ?? fields.get('redirect');
  const target = redirect === undefined ? undefined : parseRedirect(redirect);
  if (target) {
    target.searchParams.set('bucket', call.bucket);
    target.searchParams.set('key', object.key);
    target.searchParams.set('etag', object.etag);
    sendEmpty(ctx.res, 303, { location: target.toString(), etag: object.etag });
    return;
  }
  const status = fields.get('success_action_status');
  if (status === '201') {
    const inner = el('Location', location) + el('Bucket', call.bucket) + el('Key', object.key) + el('ETag', object.etag);
    sendXml(ctx.res, 'PostResponse', inner, 201, { etag: object.etag, location });
    return;
  }
  sendEmpty(ctx.res, status === '200' ? 200 : 204, { etag: object.etag, location });
}

function parseRedirect(value: string): URL | undefined {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
}

/** The URL of the stored object, addressed as the form was (path style or the bucket's host). */
function objectLocation(call: S3Call, key: string): string {
  const { req, rawPath } = call.ctx;
  const tls = 'encrypted' in req.socket && req.socket.encrypted === true;
  const base = `${tls ? 'https' : 'http'}://${req.headers.host ?? 'localhost'}${rawPath.replace(/\/+$/, '')}`;
  return `${base}/${encodeURIComponent(key).replace(/%2F/g, '/')}`;
}
