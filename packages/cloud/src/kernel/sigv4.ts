import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { ForteError } from '@forte/protocol';
import { JSON_API_ERRORS, S3_KERNEL_ERRORS } from './api-errors.js';
import { readBody } from './read-body.js';
import { EMPTY_SHA256, canonicalHeaders, canonicalQuery, canonicalUri, deriveSigningKey, hmacHex, parseQueryPairs, sha256Hex } from './sigv4-canonical.js';
import { headerValue, parseAmzDate, parseAuthorizationHeader, parsePresignedQuery, type SignatureFailure, type SignatureFields } from './sigv4-fields.js';
import { MAX_CLOCK_SKEW_MS } from './sigv4-limits.js';
import type { CredentialProvider, Principal, SignedHeadersInput, SigningInfo } from './types.js';

export { MAX_CLOCK_SKEW_MS, MAX_PRESIGN_EXPIRES_SECONDS } from './sigv4-limits.js';

const HEX_SHA256 = /^[0-9a-f]{64}$/;
const S3_PAYLOAD_MODES = new Set([
  'UNSIGNED-PAYLOAD',
  'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
  'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
  'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER',
]);

export interface VerifyRequest {
  req: IncomingMessage;
  rawPath: string;
  rawQuery: string;
  /** Signing service the route expects (`s3` selects S3 rules and S3 error codes). */
  service: string;
  readBody: boolean;
  credentials: CredentialProvider;
  now?: Date;
  /** The body, when it was already read (or never came through a stream): it is hashed instead of read. */
  body?: Buffer;
  /** The `host` the client signed, when not the request's own Host (with `rawPath` as the path it signed). */
  signedHost?: string;
}

export interface VerifyResult {
  principal: Principal;
  body?: Buffer;
  /** Present for Authorization-header requests. */
  signing?: SigningInfo;
}

type Failure = SignatureFailure;

const S3_CODES: Record<Failure, keyof typeof S3_KERNEL_ERRORS.statuses> = {
  unknownKey: 'InvalidAccessKeyId',
  badSignature: 'SignatureDoesNotMatch',
  skew: 'RequestTimeTooSkewed',
  expired: 'AccessDenied',
  malformed: 'AuthorizationHeaderMalformed',
  presignMalformed: 'AuthorizationQueryParametersError',
};
const JSON_CODES: Record<Failure, keyof typeof JSON_API_ERRORS.statuses> = {
  unknownKey: 'UnrecognizedClientException',
  badSignature: 'InvalidSignatureException',
  skew: 'InvalidSignatureException',
  expired: 'InvalidSignatureException',
  malformed: 'IncompleteSignatureException',
  presignMalformed: 'IncompleteSignatureException',
};

/** A request without a signature: anonymous, with its body read when asked for (not for S3, which streams). */
async function anonymous(input: VerifyRequest, s3: boolean): Promise<VerifyResult> {
  const body = input.readBody && !s3 ? await readBody(input.req) : undefined;
  return body ? { principal: { kind: 'anonymous' }, body } : { principal: { kind: 'anonymous' } };
}

/**
 * Verifies an AWS Signature Version 4 request (Authorization header or presigned query) and resolves
 * its principal. A request with no signature at all is anonymous; a bad one throws ForteError with the
 * codes of the protocol family (S3 XML codes for `s3`, AWS JSON codes otherwise).
 */
export async function verifySigV4(input: VerifyRequest): Promise<VerifyResult> {
  const s3 = input.service === 's3';
  const fail = (kind: Failure, message: string): ForteError => {
    return s3 ? S3_KERNEL_ERRORS.error(S3_CODES[kind], message) : JSON_API_ERRORS.error(JSON_CODES[kind], message);
  };
  const { req } = input;
  const authorization = req.headers.authorization;
  if (authorization === undefined && input.rawQuery === '') return anonymous(input, s3);
  const now = input.now ?? new Date();
  const pairs = parseQueryPairs(input.rawQuery);
  const queryValue = (name: string): string | undefined => pairs.find(([key]) => key === name)?.[1];
  const presigned = queryValue('X-Amz-Signature') !== undefined || queryValue('X-Amz-Algorithm') !== undefined;
  if (authorization === undefined && !presigned) return anonymous(input, s3);

  // A request signed at the wrong time is refused for that before anything else of its signature is looked
  // at, as AWS's JSON services do.
  const skew = (amzDate: string, signedAt = parseAmzDate(amzDate)): ForteError | undefined => {
    if (!signedAt) return undefined;
    const late = now.getTime() - signedAt.getTime();
    if (Math.abs(late) <= MAX_CLOCK_SKEW_MS) return undefined;
    if (s3) return fail('skew', 'The difference between the request time and the current time is too large.');
    return late > 0
      ? fail(
          'skew',
          `Signature expired: ${amzDate} is now earlier than ${formatAmzDate(new Date(now.getTime() - MAX_CLOCK_SKEW_MS))} (${formatAmzDate(now)} - 15 min.)`,
        )
      : fail(
          'skew',
          `Signature not yet current: ${amzDate} is still later than ${formatAmzDate(new Date(now.getTime() + MAX_CLOCK_SKEW_MS))} (${formatAmzDate(now)} + 15 min.)`,
        );
  };
  const headerDate = req.headers['x-amz-date'];
  let checkedDate: string | undefined;
  if (authorization !== undefined && !s3 && typeof headerDate === 'string') {
    const early = skew(headerDate);
    if (early) throw early;
    checkedDate = headerDate;
  }

  let fields: SignatureFields;
  if (authorization !== undefined) {
    fields = parseAuthorizationHeader(authorization, req, (m) => fail('malformed', m));
  } else {
    fields = parsePresignedQuery(queryValue, now, (kind, m) => fail(kind, m));
  }

  const scopeParts = fields.credential.split('/');
  if (scopeParts.length !== 5 || scopeParts[4] !== 'aws4_request' || scopeParts.some((p) => p === '')) {
    throw fail(
      authorization === undefined ? 'presignMalformed' : 'malformed',
      'The credential must look like <AccessKeyId>/<yyyymmdd>/<region>/<service>/aws4_request.',
    );
  }
  const [accessKeyId, date, region, service] = scopeParts as [string, string, string, string, string];
  if (date !== fields.amzDate.slice(0, 8)) {
    throw fail(
      authorization === undefined ? 'presignMalformed' : 'malformed',
      `The credential date ${date} does not match the request date ${fields.amzDate.slice(0, 8)}.`,
    );
  }
  if (service !== input.service) {
    throw fail(
      authorization === undefined ? 'presignMalformed' : 'malformed',
      `The credential is scoped to service '${service}'; this endpoint expects '${input.service}'.`,
    );
  }
  const signedHeaders = fields.signedHeaders.split(';');
  // Over HTTP/2 the SDKs sign the host as `:authority`.
  if (!signedHeaders.includes('host') && !(req.httpVersionMajor === 2 && signedHeaders.includes(':authority')))
    throw fail(authorization === undefined ? 'presignMalformed' : 'malformed', 'SignedHeaders must include host.');
  // As the signers write it: each name once, in order. A name repeated had the canonical request repeat that
  // header's whole value for each mention (16 KB of headers made 32 MB of text to hash).
  for (let i = 1; i < signedHeaders.length; i++)
    if (!(signedHeaders[i - 1]! < signedHeaders[i]!))
      throw fail(authorization === undefined ? 'presignMalformed' : 'malformed', 'SignedHeaders must list lower-case header names in order, each once.');
  // The operation of a JSON API is named by this header alone: unsigned, a captured signature would
  // authorize any other operation of the same API with the same body.
  if (!s3 && req.headers['x-amz-target'] !== undefined && !signedHeaders.includes('x-amz-target')) {
    throw fail(
      authorization === undefined ? 'presignMalformed' : 'malformed',
      'SignedHeaders must include x-amz-target: sign the header that names the operation.',
    );
  }

  if (authorization !== undefined) {
    const signedAt = parseAmzDate(fields.amzDate);
    if (!signedAt) throw fail('malformed', `x-amz-date '${fields.amzDate}' is not in the form yyyyMMddTHHmmssZ.`);
    const late = fields.amzDate === checkedDate ? undefined : skew(fields.amzDate, signedAt);
    if (late) throw late;
  }

  const known = await input.credentials.lookup(accessKeyId, fields.sessionToken);
  if (!known) {
    throw fail(
      'unknownKey',
      s3 ? 'The AWS Access Key Id you provided does not exist in our records.' : 'The security token included in the request is invalid.',
    );
  }

  const { payloadHash, body } = await resolvePayloadHash(input, s3, pairs, fail);
  const canonicalRequest = [
    req.method ?? 'GET',
    canonicalUri(input.rawPath, s3),
    canonicalQuery(pairs),
    canonicalHeaders(req, signedHeaders, input.signedHost),
    fields.signedHeaders,
    payloadHash,
  ].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const signingKey = deriveSigningKey(known.secretAccessKey, { date, region, service });
  const expected = hmacHex(signingKey, ['AWS4-HMAC-SHA256', fields.amzDate, scope, sha256Hex(canonicalRequest)].join('\n'));
  if (!constantTimeEqual(expected, fields.signature.toLowerCase())) {
    throw fail('badSignature', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.');
  }
  const result: VerifyResult = { principal: known.principal };
  if (body) result.body = body;
  if (authorization !== undefined) result.signing = { amzDate: fields.amzDate, scope, seedSignature: expected, signingKey };
  return result;
}

/**
 * The payload hash the client signed. S3 trusts `x-amz-content-sha256` (the S3 service checks the body
 * against a hex value once it has streamed it); other services hash the body they read, unless the
 * caller streams it itself (`readBody: false` with a hex header).
 */
async function resolvePayloadHash(
  input: VerifyRequest,
  s3: boolean,
  pairs: Array<[string, string]>,
  fail: (kind: Failure, message: string) => ForteError,
): Promise<{ payloadHash: string; body?: Buffer }> {
  const contentSha = headerValue(input.req, 'x-amz-content-sha256');
  if (s3) {
    const presigned = input.req.headers.authorization === undefined;
    if (!presigned && contentSha === undefined) {
      throw S3_KERNEL_ERRORS.error('InvalidRequest', 'Missing required header for this request: x-amz-content-sha256.');
    }
    const payloadHash = presigned ? (pairs.find(([key]) => key.toLowerCase() === 'x-amz-content-sha256')?.[1] ?? 'UNSIGNED-PAYLOAD') : contentSha!;
    if (!HEX_SHA256.test(payloadHash) && !S3_PAYLOAD_MODES.has(payloadHash)) {
      throw S3_KERNEL_ERRORS.error('InvalidArgument', 'x-amz-content-sha256 must be UNSIGNED-PAYLOAD, a STREAMING-* mode or the hex sha256 of the body.');
    }
    return { payloadHash };
  }
  if (!input.readBody && contentSha !== undefined && HEX_SHA256.test(contentSha)) return { payloadHash: contentSha };
  const body = input.body ?? (await readBody(input.req));
  const actual = body.length === 0 ? EMPTY_SHA256 : sha256Hex(body);
  if (contentSha !== undefined && contentSha !== actual) {
    throw fail('badSignature', 'The x-amz-content-sha256 header does not match the sha256 of the body.');
  }
  return { payloadHash: actual, body };
}

/** Compares two hex signatures in constant time. */
export function signaturesEqual(a: string, b: string): boolean {
  return constantTimeEqual(a, b.toLowerCase());
}

function formatAmzDate(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** One provider that asks each of `providers` in order (the first that knows a key wins). */
export function chainedCredentials(providers: readonly CredentialProvider[]): CredentialProvider {
  return {
    async lookup(accessKeyId, sessionToken) {
      for (const provider of providers) {
        const found = await provider.lookup(accessKeyId, sessionToken);
        if (found) return found;
      }
      return undefined;
    },
  };
}

/**
 * Verifies a SigV4 Authorization carried in a header set (no live request): the AppSync realtime
 * handshake sends the headers of a signed `POST` with its body. Answers the principal (anonymous when
 * the headers carry no signature); throws ForteError with the AWS JSON codes for a bad one.
 */
export async function verifySignedHeaders(input: SignedHeadersInput, credentials: CredentialProvider): Promise<Principal> {
  const headers: Record<string, string> = {};
  const rawHeaders: string[] = [];
  for (const [name, value] of Object.entries(input.headers)) {
    if (value === undefined) continue;
    headers[name.toLowerCase()] = value;
    rawHeaders.push(name, value);
  }
  const q = input.path.indexOf('?');
  const req = { method: input.method, headers, rawHeaders } as unknown as IncomingMessage;
  const result = await verifySigV4({
    req,
    rawPath: q < 0 ? input.path : input.path.slice(0, q),
    rawQuery: q < 0 ? '' : input.path.slice(q + 1),
    service: input.service,
    readBody: true,
    credentials,
    body: Buffer.isBuffer(input.body) ? input.body : Buffer.from(input.body, 'utf8'),
  });
  return result.principal;
}
