import * as crypto from 'node:crypto';
import { createHash, createHmac } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** SHA-256 of the empty string: the payload hash of a request without a body. */
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** RFC 3986 encoding as SigV4 wants it: `encodeURIComponent` plus `!'()*`. */
export function uriEscape(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Percent-decoding that never throws (a malformed `%` sequence stays as it is). */
export function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** Query pairs of a raw query string, decoded (`+` is a space, as URLSearchParams and clients read it). */
export function parseQueryPairs(rawQuery: string): Array<[string, string]> {
  if (rawQuery === '') return [];
  return rawQuery
    .split('&')
    .filter((part) => part !== '')
    .map((part) => {
      const eq = part.indexOf('=');
      const key = eq < 0 ? part : part.slice(0, eq);
      const value = eq < 0 ? '' : part.slice(eq + 1);
      return [safeDecode(key.replace(/\+/g, ' ')), safeDecode(value.replace(/\+/g, ' '))];
    });
}

/** Canonical query string: every pair but the signature, encoded, sorted by key then value. */
export function canonicalQuery(pairs: Array<[string, string]>): string {
  return pairs
    .filter(([key]) => key !== 'X-Amz-Signature')
    .map(([key, value]) => [uriEscape(key), uriEscape(value)] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
    .map(([key, value]) => `${key}=${value}`)
    .join('&');
}

/**
 * Canonical URI. S3 signs the path as sent. Other services sign the normalised path encoded once more
 * (what @smithy/signature-v4 and amplify-js both compute for ordinary paths).
 */
export function canonicalUri(rawPath: string, s3: boolean): string {
  if (s3) return rawPath === '' ? '/' : rawPath;
  const segments: string[] = [];
  for (const segment of rawPath.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const normalised = `/${segments.join('/')}${segments.length > 0 && rawPath.endsWith('/') ? '/' : ''}`;
  return uriEscape(normalised).replace(/%2F/g, '/');
}

/**
 * `name:value` lines of the signed headers, values trimmed and inner whitespace collapsed. `host`, when
 * given, replaces the Host header (the host the client signed for, which the request was not sent to).
 */
export function canonicalHeaders(req: IncomingMessage, signedHeaders: string[], host?: string): string {
  // Only the signed headers' values are normalised (a request carries others: user agent, content length…).
  const values = new Map<string, string[]>(signedHeaders.map((name) => [name, []]));
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const list = values.get(req.rawHeaders[i]!.toLowerCase());
    if (!list) continue;
    const value = req.rawHeaders[i + 1]!;
    list.push(
      PLAIN_VALUE.test(value)
        ? value
        : value
            .replace(/[\r\n]/g, ' ')
            .replace(/[ \t]+/g, ' ')
            .trim(),
    );
  }
  if (host !== undefined) values.set('host', [host]);
  return signedHeaders.map((name) => `${name}:${(values.get(name) ?? []).join(',')}\n`).join('');
}
/** A header value that normalising leaves as it is: no line breaks or tabs, no run of spaces, none at either end. */
const PLAIN_VALUE = /^(?:[^\s]+(?: [^\s]+)*)?$/;

// One-shot hashing (node 20.12 and later) makes no Hash object: a third of the cost for the short inputs of a
// request's signature check (its body and its canonical request, twice per request).
const oneShotHash = (crypto as { hash?: (algorithm: string, data: string | Buffer, encoding: 'hex') => string }).hash;

export function sha256Hex(data: string | Buffer): string {
  return oneShotHash ? oneShotHash('sha256', data, 'hex') : createHash('sha256').update(data).digest('hex');
}

/** The SigV4 signing key: the HMAC chain `AWS4<secret>` → date → region → service → `aws4_request`. */
export function deriveSigningKey(secretAccessKey: string, scope: { date: string; region: string; service: string }): Buffer {
  // A key serves one secret for one day, region and service: kept, it saves four HMACs on every request of a
  // client (as the SDKs keep theirs). The map is bounded and held only in memory.
  const id = `${scope.date}\n${scope.region}\n${scope.service}\n${secretAccessKey}`;
  const known = signingKeys.get(id);
  if (known) return known;
  let key: Buffer = createHmac('sha256', `AWS4${secretAccessKey}`).update(scope.date).digest();
  for (const part of [scope.region, scope.service, 'aws4_request']) key = createHmac('sha256', key).update(part).digest();
  if (signingKeys.size >= MAX_SIGNING_KEYS) signingKeys.clear();
  signingKeys.set(id, key);
  return key;
}
const MAX_SIGNING_KEYS = 1024;
const signingKeys = new Map<string, Buffer>();

/** Hex HMAC-SHA256 of a string to sign. */
export function hmacHex(key: Buffer, stringToSign: string): string {
  return createHmac('sha256', key).update(stringToSign).digest('hex');
}

/** The signature of a canonical request under the given scope and secret. */
export function computeSignature(options: {
  secretAccessKey: string;
  amzDate: string;
  scope: { date: string; region: string; service: string };
  canonicalRequest: string;
}): string {
  const { date, region, service } = options.scope;
  const stringToSign = ['AWS4-HMAC-SHA256', options.amzDate, `${date}/${region}/${service}/aws4_request`, sha256Hex(options.canonicalRequest)].join('\n');
  return hmacHex(deriveSigningKey(options.secretAccessKey, options.scope), stringToSign);
}
