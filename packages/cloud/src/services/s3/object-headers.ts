import type { IncomingHttpHeaders } from 'node:http';
import { STORED_HEADERS, type S3Object } from './object-store.js';
import { S3_ERRORS } from './s3-errors.js';

/** S3's content type for objects uploaded without one. */
export const DEFAULT_CONTENT_TYPE = 'binary/octet-stream';
const MAX_METADATA_BYTES = 2048;

/** The representation headers and user metadata an upload carries (PutObject, CopyObject REPLACE; POST Object's fields). */
export function objectHeadersFrom(req: { headers: IncomingHttpHeaders }): Pick<S3Object, 'contentType' | 'headers' | 'metadata'> {
  const headers: Record<string, string> = {};
  for (const name of STORED_HEADERS) {
    const value = single(req.headers[name]);
    if (value !== undefined) headers[name] = value;
  }
  // aws-chunked is how the body travelled, not how the object is encoded.
  if (headers['content-encoding'] !== undefined) {
    const kept = headers['content-encoding']
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '' && s.toLowerCase() !== 'aws-chunked');
    if (kept.length > 0) headers['content-encoding'] = kept.join(', ');
    else delete headers['content-encoding'];
  }
  const metadata: Record<string, string> = {};
  let metadataBytes = 0;
  for (const [name, value] of Object.entries(req.headers)) {
    if (!name.startsWith('x-amz-meta-') || value === undefined) continue;
    const key = name.slice('x-amz-meta-'.length);
    metadata[key] = Array.isArray(value) ? value.join(',') : value;
    metadataBytes += Buffer.byteLength(key) + Buffer.byteLength(metadata[key]);
  }
  if (metadataBytes > MAX_METADATA_BYTES) {
    throw S3_ERRORS.error('MetadataTooLarge', `Your metadata headers exceed the maximum allowed metadata size of ${MAX_METADATA_BYTES} bytes.`);
  }
  return { contentType: single(req.headers['content-type']) ?? DEFAULT_CONTENT_TYPE, headers, metadata };
}

/** Response overrides a signed GET may ask for in its query (`response-content-type`, ...). */
const OVERRIDES = ['content-type', 'content-language', 'expires', 'cache-control', 'content-disposition', 'content-encoding'] as const;

/** Headers of a GET/HEAD answer for `object`, with `response-*` query overrides applied. */
export function objectResponseHeaders(object: S3Object, query: URLSearchParams): Record<string, string> {
  const headers: Record<string, string> = {
    'content-type': object.contentType,
    etag: object.etag,
    'last-modified': new Date(object.lastModified).toUTCString(),
    'accept-ranges': 'bytes',
    ...object.headers,
  };
  for (const [name, value] of Object.entries(object.metadata)) headers[`x-amz-meta-${name}`] = value;
  for (const name of OVERRIDES) {
    const value = query.get(`response-${name}`);
    if (value === null) continue;
    if (/[^\t\x20-\x7e\x80-\xff]/.test(value)) {
      throw S3_ERRORS.error('InvalidArgument', `response-${name} holds characters a header cannot carry: percent-encode them (RFC 5987 for filenames).`);
    }
    headers[name] = value;
  }
  return headers;
}

export function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
