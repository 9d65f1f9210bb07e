import type { IncomingMessage } from 'node:http';
import { S3_ERRORS } from './s3-errors.js';

/** Path prefix of path-style S3 requests: `/s3/<bucket>/<key>`. */
export const S3_PATH_PREFIX = '/s3';
const VIRTUAL_HOST = /^(.+)\.s3\.localhost(?::\d+)?$/i;
/**
 * Path prefix of requests a client signed for an AWS S3 host and `@forte/amplify` sent here instead:
 * `/s3-aws/<AWS host>/<path as signed>`. The host travels in the path (not a header) so that a presigned URL
 * stays a plain URL that an `<img src>` can load.
 */
export const S3_AWS_PREFIX = '/s3-aws/';
/** The hosts aws-amplify addresses: `[<bucket>.]s3.<region>.amazonaws.com[.cn]` and the accelerate endpoint. */
const AWS_S3_HOST = /^(?:([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\.)?s3(?:\.[a-z0-9-]+|-accelerate)\.amazonaws\.com(?:\.cn)?$/;

/** What an S3 request addresses: the service (no bucket), a bucket, or an object. */
export interface S3Target {
  bucket: string | undefined;
  key: string | undefined;
  style: 'path' | 'virtual-host';
  /** For `/s3-aws/` requests: the host and path the client signed (SigV4 is verified against them). */
  signedFor?: { host: string; rawPath: string };
}

/** The bucket of a virtual-host style request (`Host: <bucket>.s3.localhost[:port]`), if it is one. */
export function virtualHostBucket(req: IncomingMessage): string | undefined {
  const host = req.headers.host;
  return host ? VIRTUAL_HOST.exec(host)?.[1]?.toLowerCase() : undefined;
}

/** True for requests the S3 route serves. */
export function isS3Request(req: IncomingMessage, rawPath: string): boolean {
  return rawPath === S3_PATH_PREFIX || rawPath.startsWith(`${S3_PATH_PREFIX}/`) || rawPath.startsWith(S3_AWS_PREFIX) || virtualHostBucket(req) !== undefined;
}

/**
 * Bucket and key from the raw (undecoded) path. Keys are decoded once and are never normalised: `..`,
 * `%2F` and leading slashes are part of the key, which is only ever a database value.
 */
export function parseS3Target(req: IncomingMessage, rawPath: string): S3Target {
  if (rawPath.startsWith(S3_AWS_PREFIX)) return parseAwsAddressed(rawPath);
  const hostBucket = virtualHostBucket(req);
  if (hostBucket !== undefined) return virtualHostTarget(hostBucket, rawPath);
  return pathStyleTarget(rawPath.slice(S3_PATH_PREFIX.length)); // after "/s3"
}

/**
 * `/s3-aws/<host><path>`: addressed as the client addressed AWS (the bucket in the host, or path style when
 * the host is the regional endpoint). Only AWS S3 host names are taken: the cloud's own buckets answer
 * whichever region the host names, as they answer a request signed for any region.
 */
function parseAwsAddressed(rawPath: string): S3Target {
  const rest = rawPath.slice(S3_AWS_PREFIX.length);
  const slash = rest.indexOf('/');
  const host = (slash < 0 ? rest : rest.slice(0, slash)).toLowerCase();
  const path = slash < 0 ? '/' : rest.slice(slash);
  const match = AWS_S3_HOST.exec(host);
  if (!match) {
    throw S3_ERRORS.error(
      'InvalidURI',
      `Couldn't parse the specified URI: ${S3_AWS_PREFIX}<host>/ takes an AWS S3 host name such as <bucket>.s3.<region>.amazonaws.com.`,
    );
  }
  const signedFor = { host, rawPath: path };
  const target = match[1] !== undefined ? virtualHostTarget(match[1], path) : pathStyleTarget(path);
  return { ...target, signedFor };
}

function virtualHostTarget(bucket: string, rawPath: string): S3Target {
  const rest = rawPath.startsWith('/') ? rawPath.slice(1) : rawPath;
  return { bucket, key: rest === '' ? undefined : decodeKey(rest), style: 'virtual-host' };
}

/** `/<bucket>/<key>` (the path after a path-style prefix). */
function pathStyleTarget(path: string): S3Target {
  const rest = path.slice(1);
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
