import type { TLSSocket } from 'node:tls';
import { isForteError } from '@forte/protocol';
import { readBody } from '../../kernel/read-body.js';
import type { RequestContext } from '../../kernel/types.js';
import { HOSTED_UI_CSP } from './login-page.js';

/** Largest form the hosted UI reads (a sign-in form, a token request). */
const MAX_FORM_BYTES = 64 * 1024;

/** The request's cookies (the first of a repeated name). */
export function cookiesOf(ctx: RequestContext): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (ctx.req.headers.cookie ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at <= 0) continue;
    const name = part.slice(0, at).trim();
    if (!cookies.has(name)) cookies.set(name, part.slice(at + 1).trim());
  }
  return cookies;
}

/** A cookie of the domain's path: HttpOnly, SameSite=Lax (the authorize request is a top-level navigation from the app), Secure over TLS. */
export function cookie(ctx: RequestContext, path: string, name: string, value: string, maxAgeSeconds: number, secureOrigin: boolean): string {
  const secure = secureOrigin || Boolean((ctx.req.socket as Partial<TLSSocket>).encrypted);
  return `${name}=${value}; Path=${path}; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`;
}

/** The form body of a POST, as Cognito's endpoints take it (application/x-www-form-urlencoded). */
export async function readForm(ctx: RequestContext): Promise<URLSearchParams | undefined> {
  const type = (ctx.req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  const body = await readBody(ctx.req, MAX_FORM_BYTES);
  if (type !== 'application/x-www-form-urlencoded') return undefined;
  return new URLSearchParams(body.toString('utf8'));
}

function write(ctx: RequestContext, status: number, headers: Record<string, string | string[]>, body: string): void {
  ctx.res.writeHead(status, { ...headers, 'content-length': Buffer.byteLength(body) });
  ctx.res.end(ctx.req.method === 'HEAD' ? undefined : body);
}

/** An HTML page of the hosted UI, never cached, never framed, with its Content-Security-Policy. */
export function sendPage(ctx: RequestContext, status: number, html: string, cookies: string[] = []): void {
  write(
    ctx,
    status,
    {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': HOSTED_UI_CSP,
      'x-frame-options': 'DENY',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
      ...(cookies.length > 0 ? { 'set-cookie': cookies } : {}),
    },
    html,
  );
}

export function sendRedirect(ctx: RequestContext, location: string, cookies: string[] = []): void {
  write(ctx, 302, { location, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer', ...(cookies.length > 0 ? { 'set-cookie': cookies } : {}) }, '');
}

/** A JSON answer of the token, userInfo and revoke endpoints: never cached (it carries tokens). */
export function sendJson(ctx: RequestContext, status: number, body: unknown, headers: Record<string, string> = {}): void {
  write(ctx, status, { 'content-type': 'application/json;charset=UTF-8', 'cache-control': 'no-store', pragma: 'no-cache', ...headers }, JSON.stringify(body));
}

export function sendCss(ctx: RequestContext, css: string): void {
  write(ctx, 200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'max-age=3600', 'x-content-type-options': 'nosniff' }, css);
}

/** An OAuth error of the token endpoints (RFC 6749 §5.2). */
export class OAuthError extends Error {
  constructor(
    readonly error: string,
    readonly description: string,
    readonly status = 400,
  ) {
    super(description);
  }
}

/**
 * RFC 6749's `error` and `error_description`, and the description again as `error_message`, which aws-amplify v6
 * shows in preference to the bare code (`{"error":"invalid_grant"}` alone, as Cognito sends, tells a user nothing).
 */
export function sendOAuthError(ctx: RequestContext, failure: OAuthError): void {
  sendJson(
    ctx,
    failure.status,
    { error: failure.error, error_description: failure.description, error_message: failure.description },
    failure.status === 401 ? { 'www-authenticate': failure.error === 'invalid_token' ? 'Bearer error="invalid_token"' : 'Basic' } : {},
  );
}

/** A Cognito error (a trigger's refusal, a disabled user) as the message it carries; anything else is a fault and goes on. */
export function userFacingMessage(error: unknown): string {
  if (isForteError(error) && error.status < 500) return error.message;
  throw error;
}
