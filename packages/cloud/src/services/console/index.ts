import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  CONSOLE_API_PATH,
  CONSOLE_CSRF_HEADER,
  CONSOLE_DOWNLOAD_URL_PATH,
  CONSOLE_LOGIN_PATH,
  CONSOLE_PATH,
  CONSOLE_PIPE_PATH,
  CONSOLE_SESSION_COOKIE,
  CONSOLE_SESSION_PATH,
  CONSOLE_USER_TOKENS_PATH,
  isForteError,
} from '@forte/protocol';
import { CONSOLE_LOGIN_LINKS, CREDENTIAL_PROVIDERS } from '../../kernel/capabilities.js';
import { provide } from '../../kernel/capability.js';
import { isSameOrigin } from '../../kernel/cors.js';
import { readBody } from '../../kernel/read-body.js';
import type { Kernel, RequestContext, Route, Service } from '../../kernel/types.js';
import { CONSOLE_ERRORS } from './console-errors.js';
import { presignDownloadUrl } from './console-download-url.js';
import { locateConsoleFiles, readConsoleFiles, type ConsoleFile } from './console-files.js';
import { createConsoleSessions, sameSecret, type ConsoleSession } from './console-sessions.js';
import { CONSOLE_MIGRATIONS } from './migrations.js';
import { issueConsoleUserTokens, USER_TOKENS_BODY_LIMIT } from './console-user-tokens.js';

/** The console's settings (config.json `console`). */
export interface ConsoleOptions {
  /** The folder of the built console (index.html, assets/); default: the cloud's dist/console/. */
  filesDir?: string | undefined;
  /** How long a session lasts; default 12 hours. */
  sessionMs?: number | undefined;
  /** How long a login link may wait to be used; default 10 minutes. */
  loginLinkMs?: number | undefined;
  /** Failed sign-ins per client address within 15 minutes before further ones are refused; default 10. */
  maxSignInFailures?: number | undefined;
}

const SIGN_IN_BODY_LIMIT = 4096;

/**
 * Content-Security-Policy of every console answer: the console's own scripts, styles and calls only, and
 * it may not be framed (no clickjacking of its buttons).
 */
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; " +
  "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
const SECURITY_HEADERS = {
  'content-security-policy': CSP,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  // The login link's token is in the URL: no page the console links to may learn it.
  'referrer-policy': 'no-referrer',
};

/**
 * The web console (`/_forte/console/`): its built files, sign-in (admin keys, or a one-time login link from
 * the control API's `CreateConsoleLoginLink`), sessions in an HttpOnly SameSite=Strict cookie, and the pipe:
 * a call to `/_forte/console/api/aws/<path>` carrying the session cookie and its CSRF header is served by the
 * cloud's own route at `/<path>` as the admin (`Kernel.dispatchAs`), so every page is a client of the AWS and
 * control operations and the console has no operations of its own. The ordinary endpoints never read the
 * cookie.
 */
export function createConsoleService(kernel: Kernel, options: ConsoleOptions = {}): Service {
  const log = kernel.log.child({ service: 'console' });
  const sessions = createConsoleSessions({
    sql: kernel.sql,
    sessionMs: options.sessionMs ?? 12 * 3_600_000,
    loginLinkMs: options.loginLinkMs ?? 10 * 60_000,
    maxFailures: options.maxSignInFailures ?? 10,
    failureWindowMs: 15 * 60_000,
  });
  const filesDir = options.filesDir ?? locateConsoleFiles(import.meta.url);
  let files: Map<string, ConsoleFile> | undefined;
  const secure = (): boolean => kernel.baseUrl().startsWith('https:');

  const fail = (code: Parameters<typeof CONSOLE_ERRORS.error>[0], message: string): never => {
    throw CONSOLE_ERRORS.error(code, message);
  };

  const answerJson = (res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void => {
    const body = JSON.stringify(value);
    res.writeHead(status, {
      ...SECURITY_HEADERS,
      'content-type': 'application/json',
      'cache-control': 'no-store',
      'content-length': String(Buffer.byteLength(body)),
      ...headers,
    });
    res.end(body);
  };

  const sessionCookie = (id: string, maxAgeSeconds: number): string =>
    `${CONSOLE_SESSION_COOKIE}=${id}; Path=${CONSOLE_PATH}; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${secure() ? '; Secure' : ''}`;

  const cookieOf = (req: IncomingMessage): string | undefined => {
    for (const part of (req.headers.cookie ?? '').split(';')) {
      const [name, ...value] = part.trim().split('=');
      if (name === CONSOLE_SESSION_COOKIE) return value.join('=');
    }
    return undefined;
  };

  const requireSession = async (req: IncomingMessage): Promise<{ id: string; session: ConsoleSession }> => {
    const id = cookieOf(req);
    const session = id ? await sessions.find(id) : undefined;
    if (!id || !session) return fail('NotSignedIn', 'Sign in to the console: the session is missing, expired or signed out.');
    return { id, session };
  };

  /** Writes must come from the console's own page: the session's CSRF token, and no other origin. */
  const requireCsrf = (req: IncomingMessage, session: ConsoleSession): void => {
    if (req.headers.origin !== undefined && !isSameOrigin(req)) fail('InvalidCsrfToken', "Console calls are accepted from the console's own origin only.");
    const sent = req.headers[CONSOLE_CSRF_HEADER];
    if (typeof sent !== 'string' || !sameSecret(sent, session.csrfToken))
      fail('InvalidCsrfToken', `The ${CONSOLE_CSRF_HEADER} header is missing or wrong: reload the console.`);
  };

  const signIn = async (ctx: RequestContext): Promise<void> => {
    const address = ctx.req.socket.remoteAddress ?? 'unknown';
    if (await sessions.blocked(address))
      fail('TooManyAttempts', 'Too many failed sign-ins from this address: wait 15 minutes, or use `forte console` for a login link.');
    let input: { accessKeyId?: unknown; secretAccessKey?: unknown };
    try {
      input = JSON.parse((await readBody(ctx.req, SIGN_IN_BODY_LIMIT)).toString('utf8')) as typeof input;
    } catch {
      return fail('ValidationException', 'The body must be JSON: {"accessKeyId", "secretAccessKey"}.');
    }
    if (typeof input !== 'object' || input === null || typeof input.accessKeyId !== 'string' || typeof input.secretAccessKey !== 'string')
      return fail('ValidationException', 'The body must be JSON: {"accessKeyId", "secretAccessKey"}.');
    let known: Awaited<ReturnType<(typeof providers)[number]['lookup']>> = undefined;
    const providers = kernel.capability(CREDENTIAL_PROVIDERS);
    for (const provider of providers) {
      known = await provider.lookup(input.accessKeyId, undefined).catch(() => undefined);
      if (known) break;
    }
    // Only the cloud's admin keys open the console; temporary credentials of a role do not.
    if (!known || known.principal.kind !== 'admin' || !sameSecret(known.secretAccessKey, input.secretAccessKey)) {
      await sessions.recordFailure(address);
      log.warn('console sign-in refused', { address });
      return fail(
        'InvalidCredentials',
        "Wrong access key id or secret: use the cloud's admin keys (admin-credentials.json in its data folder) or the login link `forte console` prints.",
      );
    }
    const { id, session } = await sessions.create(input.accessKeyId);
    log.info('console signed in', { accessKeyId: input.accessKeyId, with: 'keys' });
    answerJson(
      ctx.res,
      200,
      { csrfToken: session.csrfToken, expiresAt: new Date(session.expiresAt).toISOString() },
      { 'set-cookie': sessionCookie(id, Math.floor((session.expiresAt - Date.now()) / 1000)) },
    );
  };

  const useLoginLink = async (ctx: RequestContext): Promise<void> => {
    const token = ctx.url.searchParams.get('token') ?? '';
    const accessKeyId = token ? await sessions.redeemLoginToken(token) : undefined;
    if (!accessKeyId) {
      log.warn('console login link refused', { address: ctx.req.socket.remoteAddress });
      const text = 'This login link is unknown, already used or expired (links last 10 minutes and work once): run `forte console` for a new one.\n';
      ctx.res.writeHead(401, { ...SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
      return void ctx.res.end(text);
    }
    const { id, session } = await sessions.create(accessKeyId);
    log.info('console signed in', { with: 'login link' });
    ctx.res.writeHead(303, {
      ...SECURITY_HEADERS,
      location: CONSOLE_PATH,
      'cache-control': 'no-store',
      'set-cookie': sessionCookie(id, Math.floor((session.expiresAt - Date.now()) / 1000)),
    });
    ctx.res.end();
  };

  const sessionApi = async (ctx: RequestContext): Promise<void> => {
    const method = ctx.req.method ?? 'GET';
    if (method === 'POST') return signIn(ctx);
    if (method === 'GET') {
      // Asked at every page load: no session is an answer, not an error (a signed-out browser logs no failure).
      const id = cookieOf(ctx.req);
      const session = id ? await sessions.find(id) : undefined;
      if (!session) return answerJson(ctx.res, 200, { signedIn: false });
      return answerJson(ctx.res, 200, { signedIn: true, csrfToken: session.csrfToken, expiresAt: new Date(session.expiresAt).toISOString() });
    }
    if (method === 'DELETE') {
      const { id, session } = await requireSession(ctx.req);
      requireCsrf(ctx.req, session);
      await sessions.remove(id);
      return answerJson(ctx.res, 200, {}, { 'set-cookie': sessionCookie('', 0) });
    }
    return fail(
      'MethodNotAllowed',
      `${method} is not served at ${CONSOLE_SESSION_PATH}: POST signs in, GET tells whether this browser is signed in, DELETE signs out.`,
    );
  };

  /** A short-lived presigned GetObject URL for a download link (a link cannot carry the CSRF header the pipe wants). */
  const downloadUrl = async (ctx: RequestContext): Promise<void> => {
    if (ctx.req.method !== 'POST') fail('MethodNotAllowed', `${CONSOLE_DOWNLOAD_URL_PATH} is called with POST {"bucket", "key"}.`);
    const { session } = await requireSession(ctx.req);
    requireCsrf(ctx.req, session);
    ctx.noteCaller({ kind: 'admin', accessKeyId: session.accessKeyId });
    let input: { bucket?: unknown; key?: unknown };
    try {
      input = JSON.parse((await readBody(ctx.req, SIGN_IN_BODY_LIMIT)).toString('utf8')) as typeof input;
    } catch {
      return fail('ValidationException', 'The body must be JSON: {"bucket", "key"}.');
    }
    if (typeof input !== 'object' || input === null || typeof input.bucket !== 'string' || typeof input.key !== 'string' || !input.bucket || !input.key)
      return fail('ValidationException', 'The body must be JSON with a non-empty "bucket" and "key".');
    let secretAccessKey: string | undefined;
    for (const provider of kernel.capability(CREDENTIAL_PROVIDERS)) {
      const known = await provider.lookup(session.accessKeyId, undefined).catch(() => undefined);
      if (known) {
        secretAccessKey = known.secretAccessKey;
        break;
      }
    }
    if (secretAccessKey === undefined) return fail('NotSignedIn', "The session's admin keys are no longer known to the cloud: sign in again.");
    const { url, expiresAt } = presignDownloadUrl({
      baseUrl: kernel.baseUrl(),
      region: kernel.config.region,
      accessKeyId: session.accessKeyId,
      secretAccessKey,
      bucket: input.bucket,
      key: input.key,
    });
    answerJson(ctx.res, 200, { url, expiresAt });
  };

  /**
   * A user's tokens for the GraphQL page's "as user" calls: only for a session whose keys are still the cloud's
   * admin keys (the tokens act as any user of any pool).
   */
  const userTokens = async (ctx: RequestContext): Promise<void> => {
    if (ctx.req.method !== 'POST') fail('MethodNotAllowed', `${CONSOLE_USER_TOKENS_PATH} is called with POST {"userPoolId", "username"}.`);
    const { session } = await requireSession(ctx.req);
    requireCsrf(ctx.req, session);
    let admin = false;
    for (const provider of kernel.capability(CREDENTIAL_PROVIDERS)) {
      const known = await provider.lookup(session.accessKeyId, undefined).catch(() => undefined);
      if (known) {
        admin = known.principal.kind === 'admin';
        break;
      }
    }
    if (!admin) fail('NotSignedIn', "The session's admin keys are no longer the cloud's admin keys: sign in again.");
    const body = await readBody(ctx.req, USER_TOKENS_BODY_LIMIT);
    answerJson(ctx.res, 200, await issueConsoleUserTokens({ kernel, log, body, accessKeyId: session.accessKeyId }));
  };

  const pipe = async (ctx: RequestContext, pathname: string): Promise<void> => {
    const { session } = await requireSession(ctx.req);
    requireCsrf(ctx.req, session);
    // The request log names the session's admin key, not an anonymous caller.
    ctx.noteCaller({ kind: 'admin', accessKeyId: session.accessKeyId });
    const query = ctx.req.url?.includes('?') ? ctx.req.url.slice(ctx.req.url.indexOf('?')) : '';
    const target = `/${ctx.rawPath.slice(CONSOLE_PIPE_PATH.length)}${query}`;
    if (!pathname.startsWith(CONSOLE_PIPE_PATH)) fail('NotFound', 'Unknown console path.');
    await kernel.dispatchAs({ kind: 'admin', accessKeyId: session.accessKeyId }, { req: ctx.req, res: ctx.res, target, except: [route] });
  };

  const serveFile = (ctx: RequestContext, pathname: string): void => {
    const { req, res } = ctx;
    if (req.method !== 'GET' && req.method !== 'HEAD') fail('MethodNotAllowed', "The console's pages are read with GET.");
    if (!filesDir) {
      res.writeHead(503, { ...SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
      return void res.end('The web console is not built: run `npm run build` (it writes packages/cloud/dist/console/).\n');
    }
    files ??= readConsoleFiles(filesDir);
    const key = pathname.slice(CONSOLE_PATH.length);
    // Page paths (no file extension) are the app's own routes: index.html renders them.
    const file = files.get(key) ?? (/\.[a-z0-9]+$/i.test(key) ? undefined : files.get('index.html'));
    if (!file) fail('NotFound', `The console has no file ${key}.`);
    const accepted = String(req.headers['accept-encoding'] ?? '');
    const [body, encoding] =
      file!.brotli && /\bbr\b/.test(accepted) ? [file!.brotli, 'br'] : file!.gzip && /\bgzip\b/.test(accepted) ? [file!.gzip, 'gzip'] : [file!.body, undefined];
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': file!.contentType,
      'cache-control': file!.cacheControl,
      'content-length': String(body.length),
      vary: 'accept-encoding',
      ...(encoding ? { 'content-encoding': encoding } : {}),
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  };

  const route: Route = {
    name: 'console',
    errorFormat: 'json',
    browserAccess: 'same-origin',
    match: { path: (_req, pathname) => pathname === CONSOLE_PATH.slice(0, -1) || pathname.startsWith(CONSOLE_PATH) },
    async handle(ctx) {
      const pathname = ctx.url.pathname;
      try {
        if (pathname === CONSOLE_PATH.slice(0, -1)) {
          ctx.res.writeHead(301, { location: CONSOLE_PATH });
          return void ctx.res.end();
        }
        if (pathname === CONSOLE_SESSION_PATH) return await sessionApi(ctx);
        if (pathname.startsWith(CONSOLE_PIPE_PATH)) return await pipe(ctx, pathname);
        if (pathname === CONSOLE_DOWNLOAD_URL_PATH) return await downloadUrl(ctx);
        if (pathname === CONSOLE_USER_TOKENS_PATH) return await userTokens(ctx);
        if (pathname.startsWith(CONSOLE_API_PATH)) return fail('NotFound', `Nothing is served at ${pathname}.`);
        if (pathname === CONSOLE_LOGIN_PATH && ctx.req.method === 'GET') return await useLoginLink(ctx);
        return serveFile(ctx, pathname);
      } catch (error) {
        if (!isForteError(error) || error.status >= 500 || ctx.res.headersSent) throw error;
        answerJson(ctx.res, error.status, { __type: error.code, message: error.message });
      }
    },
  };

  return {
    name: 'console',
    routes: [route],
    provides: [
      provide(CONSOLE_LOGIN_LINKS, {
        async create(accessKeyId) {
          const { token, expiresAt } = await sessions.createLoginToken(accessKeyId);
          return { url: `${kernel.baseUrl()}${CONSOLE_LOGIN_PATH}?token=${token}`, expiresAt: new Date(expiresAt).toISOString() };
        },
      }),
    ],
    async start() {
      await kernel.sql.migrate('console', CONSOLE_MIGRATIONS);
    },
  };
}
