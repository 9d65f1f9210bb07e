import type { IncomingMessage } from 'node:http';
import type { ForteError } from '@forte/protocol';
import { MAX_CLOCK_SKEW_MS, MAX_PRESIGN_EXPIRES_SECONDS } from './sigv4-limits.js';

/** Why a signature is refused; each protocol family maps it to its own error code. */
export type SignatureFailure = 'unknownKey' | 'badSignature' | 'skew' | 'expired' | 'malformed' | 'presignMalformed';

/** What a SigV4 request claims: from its Authorization header or its presigned query. */
export interface SignatureFields {
  credential: string;
  signedHeaders: string;
  signature: string;
  amzDate: string;
  sessionToken: string | undefined;
}

/** The fields of an `AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…` header. */
export function parseAuthorizationHeader(header: string, req: IncomingMessage, malformed: (message: string) => ForteError): SignatureFields {
  const match = /^AWS4-HMAC-SHA256\s+(.*)$/s.exec(header.trim());
  if (!match) throw malformed('The Authorization header must start with AWS4-HMAC-SHA256 (only Signature Version 4 is supported).');
  const parts = new Map<string, string>();
  for (const piece of match[1]!.split(',')) {
    const eq = piece.indexOf('=');
    if (eq > 0) parts.set(piece.slice(0, eq).trim(), piece.slice(eq + 1).trim());
  }
  const credential = parts.get('Credential');
  const signedHeaders = parts.get('SignedHeaders');
  const signature = parts.get('Signature');
  if (!credential || !signedHeaders || !signature) {
    throw malformed('The Authorization header needs Credential=, SignedHeaders= and Signature=.');
  }
  const amzDate = headerValue(req, 'x-amz-date');
  if (!amzDate) throw malformed('Signed requests need an x-amz-date header.');
  return { credential, signedHeaders: signedHeaders.toLowerCase(), signature, amzDate, sessionToken: headerValue(req, 'x-amz-security-token') };
}

/** The fields of a presigned URL, refusing expired ones and lifetimes over a week. */
export function parsePresignedQuery(
  value: (name: string) => string | undefined,
  now: Date,
  fail: (kind: SignatureFailure, message: string) => ForteError,
): SignatureFields {
  const algorithm = value('X-Amz-Algorithm');
  const credential = value('X-Amz-Credential');
  const amzDate = value('X-Amz-Date');
  const expires = value('X-Amz-Expires');
  const signedHeaders = value('X-Amz-SignedHeaders');
  const signature = value('X-Amz-Signature');
  if (algorithm !== 'AWS4-HMAC-SHA256') throw fail('presignMalformed', 'X-Amz-Algorithm must be AWS4-HMAC-SHA256.');
  if (!credential || !amzDate || !expires || !signedHeaders || !signature) {
    throw fail('presignMalformed', 'Presigned URLs need X-Amz-Credential, X-Amz-Date, X-Amz-Expires, X-Amz-SignedHeaders and X-Amz-Signature.');
  }
  const signedAt = parseAmzDate(amzDate);
  if (!signedAt) throw fail('presignMalformed', `X-Amz-Date '${amzDate}' is not in the form yyyyMMddTHHmmssZ.`);
  if (!/^[0-9]+$/.test(expires)) throw fail('presignMalformed', 'X-Amz-Expires must be a number of seconds.');
  const seconds = Number(expires);
  if (seconds > MAX_PRESIGN_EXPIRES_SECONDS) {
    throw fail('presignMalformed', `X-Amz-Expires must be less than a week (in seconds) that is ${MAX_PRESIGN_EXPIRES_SECONDS}.`);
  }
  if (signedAt.getTime() - now.getTime() > MAX_CLOCK_SKEW_MS) throw fail('expired', 'Request is not valid yet.');
  if (now.getTime() > signedAt.getTime() + seconds * 1000) throw fail('expired', 'Request has expired.');
  return { credential, signedHeaders: signedHeaders.toLowerCase(), signature, amzDate, sessionToken: value('X-Amz-Security-Token') };
}

/** A header's value, repeated headers joined with commas. */
export function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/** `yyyyMMddTHHmmssZ` as a Date, or undefined when malformed. */
export function parseAmzDate(value: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])));
  return Number.isNaN(date.getTime()) ? undefined : date;
}
