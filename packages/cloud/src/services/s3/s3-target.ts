import type { IncomingMessage } from 'node:http';
import { S3_ERRORS } from './s3-errors.js';

/** Path prefix of path-style S3 requests: `/s3/<bucket>/<key>`. */
export const S3_PATH_PREFIX = '/s3';
const VIRTUAL_HOST = /^(.+)\.s3\.localhost(?::\d+)?$/i;

/** What an S3 request addresses: the service (no bucket), a bucket, or an object. */
export interface S3Target {
  bucket: string | undefined;
  key: string | undefined;
  style: 'path' | 'virtual-host';
}

/** The bucket of a virtual-host style request (`Host: <bucket>.s3.localhost[:port]`), if it is one. */
export function virtualHostBucket(req: IncomingMessage): string | undefined {
  const host = req.headers.host;
  return host ? VIRTUAL_HOST.exec(host)?.[1]?.toLowerCase() : undefined;
}

/** True for requests the S3 route serves. */
export function isS3Request(req: IncomingMessage, rawPath: string): boolean {
  return rawPath === S3_PATH_PREFIX || rawPath.startsWith(`${S3_PATH_PREFIX}/`) || virtualHostBucket(req) !== undefined;
}

/**
 * Bucket and key from the raw (undecoded) path. Keys are decoded once and are never normalised: `..`,
 * `%2F` and leading slashes are part of the key, which is only ever a database value.
 */
export function parseS3Target(req: IncomingMessage, rawPath: string): S3Target {
  const hostBucket = virtualHostBucket(req);
  if (hostBucket !== undefined) {
    const rest = rawPath.startsWith('/') ? rawPath.slice(1) : rawPath;
    return { bucket: hostBucket, key: rest === '' ? undefined : decodeKey(rest), style: 'virtual-host' };
  }
  const rest = rawPath.slice(S3_PATH_PREFIX.length + 1); // after "/s3/"
  if (rest === '') return { bucket: undefined, key: undefined, style: 'path' };
  const slash = rest.indexOf('/');
  const bucket = decodeKey(slash < 0 ? rest : rest.slice(0, slash));
  const key = slash < 0 || slash === rest.length - 1 ? undefined : decodeKey(rest.slice(slash + 1));
  return { bucket, key, style: 'path' };
}

function decodeKey(raw: string): string {
  let key: string;
  try {
    key = decodeURIComponent(raw);
  } catch (error) {
    throw S3_ERRORS.error('InvalidURI', "Couldn't parse the specified URI: percent-encode the key as UTF-8.", { cause: error });
  }
  if (Buffer.byteLength(key) > 1024) throw S3_ERRORS.error('KeyTooLongError', 'Your key is too long: keys are at most 1024 bytes.');
  return key;
}
