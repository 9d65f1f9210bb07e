/** Why an outbound fetch gave no usable answer. */
export type OutboundFailureReason =
  /** No whole answer (headers and body) within `timeoutMs`. */
  | 'timeout'
  /** The connection failed (refused, reset, unknown host, TLS), or the URL is not one. */
  | 'connection'
  /** A redirect status (301, 302, 303, 307, 308) while the request refuses redirects. */
  | 'redirected'
  /** The body (or its declared Content-Length) is larger than `maxBytes`. */
  | 'too-large'
  /** `fetchOutboundJson` only: the body is not JSON. */
  | 'not-json';

/**
 * An outbound fetch that failed, by `reason`, for the caller to answer in its own protocol. `status` is the
 * server's status when it answered (a redirect, a body too large, not JSON); `cause` the network error (for a
 * timeout, the signal's TimeoutError), if any.
 */
export class OutboundFetchError extends Error {
  override readonly name = 'OutboundFetchError';
  readonly reason: OutboundFailureReason;
  readonly status: number | undefined;

  constructor(reason: OutboundFailureReason, message: string, options: { status?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.reason = reason;
    this.status = options.status;
  }

  /** What the network said, for a `timeout` or `connection` failure: its code (ECONNREFUSED) or message. */
  get detail(): string {
    const inner = (this.cause as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
    if (typeof inner?.code === 'string') return inner.code;
    if (typeof inner?.message === 'string') return inner.message;
    return String(this.cause ?? this.message);
  }
}

export interface OutboundRequest {
  method?: string;
  headers?: HeadersInit;
  body?: BodyInit;
  /** How long the whole call may take, headers and body, in milliseconds. */
  timeoutMs: number;
  /** Largest body read; past it the call is cut off and fails `too-large`. */
  maxBytes: number;
  /**
   * Redirects to an address a user, a template or a provider chose are never followed (the next hop would escape
   * the caller's checks of the address): `error` fails a redirect status as `redirected`, `manual` answers it as
   * any other response. `follow` is for a server the operator configured (the npm registry and its mirrors).
   */
  redirect: 'error' | 'manual' | 'follow';
}

export interface OutboundResponse {
  status: number;
  headers: Headers;
  /** The body, decoded as UTF-8. */
  text: string;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/**
 * Fetches `url` from a server outside the cloud (an identity provider, SAML metadata, an `@http` data source),
 * bounded in time and size: one signal aborts the call at `timeoutMs`, and the body is read as a stream and the
 * call aborted as soon as it passes `maxBytes` (or at once when its Content-Length does), so no more than the
 * cap is ever held. Every failure is an OutboundFetchError; an answer of any status is returned.
 */
export async function fetchOutbound(url: string | URL, request: OutboundRequest): Promise<OutboundResponse> {
  const { status, headers, body } = await fetchOutboundBytes(url, request);
  return { status, headers, text: body.toString('utf8') };
}

/** fetchOutbound, with the body as bytes (a tarball, an image). */
export async function fetchOutboundBytes(url: string | URL, request: OutboundRequest): Promise<{ status: number; headers: Headers; body: Buffer }> {
  let target: URL;
  try {
    target = new URL(url);
  } catch (error) {
    throw new OutboundFetchError('connection', `${String(url)} is not a URL`, { cause: error });
  }
  const timeout = AbortSignal.timeout(request.timeoutMs);
  const cutOff = new AbortController();
  const failed = (error: unknown): OutboundFetchError =>
    timeout.aborted
      ? new OutboundFetchError('timeout', `${target.origin} did not answer within ${request.timeoutMs} ms`, { cause: error })
      : new OutboundFetchError('connection', `${target.origin} could not be reached`, { cause: error });
  const tooLarge = (status: number): OutboundFetchError => {
    cutOff.abort();
    return new OutboundFetchError('too-large', `${target.origin} answered more than ${request.maxBytes} bytes`, { status });
  };
  let response: Response;
  try {
    response = await fetch(target, {
      ...(request.method ? { method: request.method } : {}),
      ...(request.headers ? { headers: request.headers } : {}),
      ...(request.body !== undefined ? { body: request.body } : {}),
      redirect: request.redirect === 'follow' ? 'follow' : 'manual',
      signal: AbortSignal.any([timeout, cutOff.signal]),
    });
  } catch (error) {
    throw failed(error);
  }
  const { status, headers } = response;
  if (request.redirect === 'error' && REDIRECT_STATUSES.has(status)) {
    cutOff.abort();
    throw new OutboundFetchError('redirected', `${target.origin} answered a redirect (${status}), which is not followed`, { status });
  }
  if (Number(headers.get('content-length') ?? 0) > request.maxBytes) throw tooLarge(status);
  if (!response.body) return { status, headers, body: Buffer.alloc(0) };
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > request.maxBytes) throw tooLarge(status);
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof OutboundFetchError) {
      await reader.cancel().catch(() => undefined);
      throw error;
    }
    throw failed(error);
  }
  return { status, headers, body: Buffer.concat(chunks, size) };
}

/** fetchOutbound, with the body parsed as JSON: a body that is not JSON fails `not-json` (with the status). */
export async function fetchOutboundJson(url: string | URL, request: OutboundRequest): Promise<{ status: number; headers: Headers; json: unknown }> {
  const { status, headers, text } = await fetchOutbound(url, request);
  try {
    return { status, headers, json: JSON.parse(text) as unknown };
  } catch (error) {
    throw new OutboundFetchError('not-json', `${new URL(url).origin} answered ${status} without JSON`, { status, cause: error });
  }
}
