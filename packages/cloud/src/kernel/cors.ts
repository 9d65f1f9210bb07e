import type { IncomingMessage, ServerResponse } from 'node:http';

/** Response headers browsers may read (amplify-js reads ETag on multipart uploads, request ids on errors). */
const EXPOSED_HEADERS = [
  'ETag',
  'x-amz-version-id',
  'x-amzn-requestid',
  'x-amz-request-id',
  'x-amzn-errortype',
  'Content-Length',
  'Content-Type',
  'Content-Range',
  'Last-Modified',
  'x-amz-meta-*',
  'x-amz-checksum-crc32',
  'x-amz-checksum-type',
].join(', ');

const ALLOWED_METHODS = 'GET, PUT, POST, DELETE, HEAD';

/**
 * CORS headers on every response. The Origin is echoed with credentials allowed because clients that
 * send cookies (`withCredentials`) refuse a `*` answer; requests without an Origin get `*`.
 */
export function applyCorsHeaders(req: IncomingMessage, res: ServerResponse): void {
  const origin = req.headers.origin;
  if (origin) {
    res.setHeader('access-control-allow-origin', origin);
    res.setHeader('access-control-allow-credentials', 'true');
    res.setHeader('vary', 'Origin');
  } else {
    res.setHeader('access-control-allow-origin', '*');
  }
  res.setHeader('access-control-expose-headers', EXPOSED_HEADERS);
}

/** The headers `applyCorsHeaders` sets, as one object (for a route that passes them to its own `writeHead`). */
export function corsHeaders(req: IncomingMessage): Record<string, string> {
  const origin = req.headers.origin;
  return origin
    ? { 'access-control-allow-origin': origin, 'access-control-allow-credentials': 'true', vary: 'Origin', 'access-control-expose-headers': EXPOSED_HEADERS }
    : { 'access-control-allow-origin': '*', 'access-control-expose-headers': EXPOSED_HEADERS };
}

/** Answers a preflight: any method of ours, and whatever headers the browser asks for. */
export function answerPreflight(req: IncomingMessage, res: ServerResponse): void {
  const requested = req.headers['access-control-request-headers'];
  if (requested) res.setHeader('access-control-allow-headers', requested);
  res.setHeader('access-control-allow-methods', ALLOWED_METHODS);
  res.setHeader('access-control-max-age', '600');
  res.writeHead(200, { 'content-length': 0 });
  res.end();
}

/** Whether the request's Origin is the origin it was sent to (a page the cloud itself served). */
export function isSameOrigin(req: IncomingMessage): boolean {
  const { origin, host } = req.headers;
  return origin !== undefined && host !== undefined && (origin === `http://${host}` || origin === `https://${host}`);
}

/** Refuses a preflight: no CORS headers, so the browser never sends the request. */
export function refusePreflight(res: ServerResponse): void {
  for (const name of res.getHeaderNames()) if (name.startsWith('access-control-') || name === 'vary') res.removeHeader(name);
  res.writeHead(403, { 'content-type': 'text/plain; charset=utf-8' });
  res.end("Browsers may call this API only from the cloud's own origin.\n");
}
