import type { ConditionContext } from './iam-conditions.js';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isForteError } from '@forte/protocol';
import { CREDENTIAL_PROVIDERS, REQUEST_LOG_SINKS, type AnsweredRequest } from './capabilities.js';
import { answerPreflight, applyCorsHeaders, corsHeaders, isSameOrigin, refusePreflight } from './cors.js';
import type { KernelRuntime } from './create-kernel.js';
import { internalErrorFor, writeErrorResponse } from './error-response.js';
import { readBody as readRequestBody } from './read-body.js';
import { createRootJsonDispatch } from './root-json-dispatch.js';
import { chainedCredentials, verifySigV4, type VerifyRequest } from './sigv4.js';
import type { Logger } from './logger.js';
import type { CallerNote, CredentialProvider, DenyCode, Principal, RequestContext, Route } from './types.js';

/** Unauthenticated liveness probe, answered before any route. */
export const HEALTH_PATH = '/_forte/health';
/**
 * Readiness for a load balancer: 200 while this instance takes traffic (started, not stopping, its database
 * answers), 503 otherwise. The health check (`HEALTH_PATH`) only says the process is alive.
 */
export const READY_PATH = '/_forte/ready';

/**
 * Whether a request is a GET or HEAD of the health or readiness check: the server answers these at once,
 * ahead of the requests waiting for a turn, so a load balancer's check does not time out behind a busy
 * instance's queue and take a working instance out.
 */
export function isHealthProbe(req: IncomingMessage): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  const url = req.url ?? '';
  const query = url.indexOf('?');
  const path = query === -1 ? url : url.slice(0, query);
  return path === HEALTH_PATH || path === READY_PATH;
}

/** What the health and readiness checks report beyond the version and instance. */
export interface HealthOptions {
  version: string;
  instance?: string;
  /** The engines in use, e.g. `{ database: 'postgres', blobs: 'folder', bus: 'none' }`. */
  engines?: Readonly<Record<string, string>>;
  /** Whether this instance takes traffic now, and if not, why. */
  readiness?: () => Promise<{ ready: true } | { ready: false; reason: string }>;
}

/**
 * The node:http request listener: request ids, CORS, health, dispatch to the first matching route (raw
 * routes, then URL routes, each by `Route.order`), errors in the route's protocol shape, and one access log line per request.
 */
export function createRequestListener(kernel: KernelRuntime, options: HealthOptions) {
  const credentials: CredentialProvider = chainedCredentials(kernel.capability(CREDENTIAL_PROVIDERS));

  const shared = { credentials, hostIsValid: createHostCheck() };
  // The request log (services/request-log): each answered request is handed over, never written here.
  const sinks = kernel.capability(REQUEST_LOG_SINKS);
  const rootJsonRoute = createRootJsonDispatch(kernel.urlRoutes);

  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    const ctx = new KernelRequestContext(kernel, shared, req, res);
    const { rawPath } = ctx;
    const optionsRequest = req.method === 'OPTIONS';
    const routable = !isHealthProbe(req);
    let route = routable ? findRawRoute(kernel.rawRoutes, req, rawPath) : undefined;
    if (!route) {
      if (!ctx.hasValidUrl()) {
        return writeErrorResponse(
          res,
          'text',
          { code: 'BadRequest', message: 'The request URL or Host header is malformed.', status: 400, headers: undefined, fields: undefined },
          ctx.requestId,
        );
      }
      if (routable) route = findUrlRoute(kernel.urlRoutes, ctx) ?? (optionsRequest ? undefined : rootJsonRoute(req, rawPath));
    }
    // OPTIONS is a preflight the kernel answers, unless the route serves OPTIONS as a method of its own.
    if (optionsRequest && route?.ownsOptions !== true) route = undefined;
    const publicStatic = route?.publicStatic === true;
    // A preflight is for the route that the request it announces would reach.
    const preflight = optionsRequest && route === undefined;
    const sameOriginOnly = (preflight ? preflightRoute(kernel, ctx) : route)?.browserAccess === 'same-origin';
    ctx.corsAllowed = !sameOriginOnly;
    if (!publicStatic) {
      if (route?.writesApiHeaders === true) ctx.apiHeadersPending = true;
      else {
        res.setHeader('x-amzn-requestid', ctx.requestId);
        res.setHeader('x-amz-request-id', ctx.requestId);
        if (ctx.corsAllowed) applyCorsHeaders(req, res);
      }
    }
    // Static traffic is logged only at debug level; when that is off, not even a listener is set up.
    // 'close' rather than 'finish': an aborted request is logged too.
    if (!publicStatic || kernel.log.enabled('debug')) {
      const started = process.hrtime.bigint();
      // Health probes and public static files are not kept in the request log (a balancer's checks and a
      // site's traffic would crowd out the API calls).
      const stored = !publicStatic && routable && sinks.length > 0 ? sinks : undefined;
      res.on('close', () => logRequest(kernel, ctx, route, publicStatic, started, stored));
    }

    if (preflight) return sameOriginOnly && !isSameOrigin(req) ? refusePreflight(res) : answerPreflight(req, res);
    if (rawPath === HEALTH_PATH && (req.method === 'GET' || req.method === 'HEAD')) {
      const body = JSON.stringify({
        status: 'ok',
        version: options.version,
        ...(options.instance ? { instance: options.instance } : {}),
        ...(options.engines ? { engines: options.engines } : {}),
      });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      return void res.end(body);
    }
    if (rawPath === READY_PATH && (req.method === 'GET' || req.method === 'HEAD')) {
      const answer = (state: { ready: true } | { ready: false; reason: string }): void => {
        if (res.destroyed) return;
        const body = JSON.stringify(state.ready ? { status: 'ready' } : { status: 'not-ready', reason: state.reason });
        res.writeHead(state.ready ? 200 : 503, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
        res.end(body);
      };
      void (options.readiness?.() ?? Promise.resolve({ ready: true as const })).then(answer, (error: unknown) =>
        answer({ ready: false, reason: error instanceof Error ? error.message : String(error) }),
      );
      return;
    }

    if (!route) {
      const message = `Nothing is served at ${req.method ?? 'GET'} ${rawPath}: check the endpoint URL.`;
      return writeErrorResponse(res, 'json', { code: 'UnknownOperationException', message, status: 404, headers: undefined, fields: undefined }, ctx.requestId);
    }
    const matched = route;
    const fail = (error: unknown): void => failRequest(kernel, ctx, matched, error);
    let pending: Promise<void>;
    try {
      pending = matched.handle(ctx);
    } catch (error) {
      return fail(error);
    }
    pending.catch(fail);
  };

  let refusedSinceWarning = 0;
  let lastWarning = 0;
  /**
   * The answer to a request the cloud has no room to queue (`kernel/request-turns.ts`): 503 in its route's
   * protocol shape, the way each AWS protocol asks a client to slow down (S3's `SlowDown`, JSON and GraphQL
   * `ThrottlingException`), with `Retry-After`, so the SDKs back off and retry. The health check is still
   * answered: it costs no more than the refusal, and supervisors must not take a busy cloud for a dead one.
   */
  const refuse = (req: IncomingMessage, res: ServerResponse): void => {
    const ctx = new KernelRequestContext(kernel, shared, req, res);
    const { rawPath } = ctx;
    if (isHealthProbe(req)) return listener(req, res);
    const route =
      findRawRoute(kernel.rawRoutes, req, rawPath) ?? (ctx.hasValidUrl() ? (findUrlRoute(kernel.urlRoutes, ctx) ?? rootJsonRoute(req, rawPath)) : undefined);
    const format = route?.errorFormat ?? 'json';
    if (route?.browserAccess !== 'same-origin') applyCorsHeaders(req, res);
    // One warning a second at most: a flood must not also flood the log.
    refusedSinceWarning += 1;
    const now = Date.now();
    if (now - lastWarning >= 1000) {
      kernel.log.warn('requests refused: too many requests are waiting', { refused: refusedSinceWarning });
      refusedSinceWarning = 0;
      lastWarning = now;
    }
    const code = format === 'xml' ? 'SlowDown' : 'ThrottlingException';
    const message = format === 'xml' ? 'Please reduce your request rate.' : 'Rate exceeded: the cloud has too many requests waiting. Retry shortly.';
    writeErrorResponse(
      res,
      format,
      { code, message, status: 503, headers: { 'retry-after': '1', 'x-amzn-requestid': ctx.requestId }, fields: undefined },
      ctx.requestId,
    );
  };
  /** `Kernel.dispatchAs`: the route `target` reaches, run with a principal its caller resolved. */
  const dispatchAs: KernelRuntime['dispatchAs'] = async (principal, { req, res, target, except }) => {
    const ctx = new KernelRequestContext(kernel, shared, req, res, { target, principal });
    // The caller answers same-origin pages only: what it hands on answers no CORS headers either.
    ctx.corsAllowed = false;
    let route = findRawRoute(kernel.rawRoutes, req, ctx.rawPath);
    if (!route && ctx.hasValidUrl()) route = findUrlRoute(kernel.urlRoutes, ctx) ?? rootJsonRoute(req, ctx.rawPath);
    if (!route || except.includes(route)) {
      const message = `Nothing is served at ${req.method ?? 'GET'} ${ctx.rawPath}: check the path.`;
      return writeErrorResponse(res, 'json', { code: 'UnknownOperationException', message, status: 404, headers: undefined, fields: undefined }, ctx.requestId);
    }
    if (route.writesApiHeaders === true) ctx.apiHeadersPending = true;
    else {
      res.setHeader('x-amzn-requestid', ctx.requestId);
      res.setHeader('x-amz-request-id', ctx.requestId);
    }
    try {
      await route.handle(ctx);
    } catch (error) {
      failRequest(kernel, ctx, route, error);
    }
  };
  kernel.setDispatchAs(dispatchAs);
  return Object.assign(listener, { refuse });
}

function findRawRoute(routes: readonly Route[], req: IncomingMessage, rawPath: string): Route | undefined {
  for (const route of routes) if ('raw' in route.match && route.match.raw(req, rawPath)) return route;
  return undefined;
}

/** The first `path` or `url` route that matches, by `order`; the URL is parsed only for a `url` route. */
function findUrlRoute(routes: readonly Route[], ctx: KernelRequestContext, req: IncomingMessage = ctx.req): Route | undefined {
  for (const route of routes) {
    const { match } = route;
    if ('path' in match ? match.path(req, ctx.pathname) : 'url' in match && match.url(req, ctx.url)) return route;
  }
  return undefined;
}

/** The route a preflight asks about: the one its path would reach with the method it announces. */
function preflightRoute(kernel: KernelRuntime, ctx: KernelRequestContext): Route | undefined {
  const requested = ctx.req.headers['access-control-request-method'];
  if (typeof requested !== 'string' || !ctx.hasValidUrl()) return undefined;
  // The request as it would come: the same headers and path, the announced method.
  const announced = Object.create(ctx.req, { method: { value: requested.toUpperCase() } }) as IncomingMessage;
  return findRawRoute(kernel.rawRoutes, announced, ctx.rawPath) ?? findUrlRoute(kernel.urlRoutes, ctx, announced);
}

/**
 * The access log line of one request: a flat object of primitives (never the query: presigned URLs carry
 * signatures there). `client` is the client's address (behind a trusted load balancer, the one it forwarded for).
 */
function logRequest(
  kernel: KernelRuntime,
  ctx: KernelRequestContext,
  route: Route | undefined,
  publicStatic: boolean,
  started: bigint,
  sinks: readonly { record(entry: AnsweredRequest): void }[] | undefined,
): void {
  const { res, principal } = ctx;
  const ms = Math.round((Number(process.hrtime.bigint() - started) / 1e6) * 10) / 10;
  const { log } = kernel;
  const client = kernel.clientAddress(ctx.req);
  const caller: CallerNote = ctx.caller ?? {
    kind: principal.kind,
    accessKeyId: principal.kind === 'anonymous' ? undefined : principal.accessKeyId,
    // An identity pool's caller is its identity.
    user: principal.kind === 'role' ? principal.identityId : undefined,
  };
  (publicStatic ? log.debug : log.info)('request', {
    method: ctx.req.method,
    path: ctx.rawPath,
    status: res.statusCode,
    ms,
    requestId: ctx.requestId,
    route: route?.name,
    client,
    principal: caller.kind,
    accessKeyId: caller.accessKeyId,
    user: caller.user,
    aborted: res.writableFinished ? undefined : true,
  });
  if (sinks) {
    const entry: AnsweredRequest = {
      at: Date.now(),
      requestId: ctx.requestId,
      method: ctx.req.method ?? 'GET',
      path: ctx.rawPath,
      status: res.statusCode,
      ms,
      route: route?.name,
      client,
      caller,
    };
    for (const sink of sinks) sink.record(entry);
  }
}

/**
 * Whether `http://<host>` parses as a URL, remembered per Host header value (a cloud sees a handful), so a
 * request whose path needs no normalising is checked without building a URL.
 */
function createHostCheck(): (host: string | undefined) => boolean {
  const known = new Map<string, boolean>();
  return (host) => {
    if (host === undefined) return true; // 'localhost' stands in
    let valid = known.get(host);
    if (valid === undefined) {
      valid = URL.canParse(`http://${host}`);
      if (known.size >= 256) known.clear(); // a client sending many names only loses the memo
      known.set(host, valid);
    }
    return valid;
  };
}

/** Answers an error in the route's format, or drops the socket when the answer is already streaming. */
function failRequest(kernel: KernelRuntime, ctx: KernelRequestContext, route: Route, error: unknown): void {
  const { req, res } = ctx;
  if (res.destroyed || req.socket.destroyed) {
    // The client hung up (an aborted upload or download): nobody is left to answer, and it is not our fault.
    kernel.log.info('client went away', { requestId: ctx.requestId, route: route.name, error: error instanceof Error ? error.message : String(error) });
    return void res.destroy();
  }
  if (isForteError(error)) {
    if (error.status >= 500) kernel.log.error('service error', { requestId: ctx.requestId, route: route.name, error });
    if (!res.headersSent) return writeErrorResponse(ctx.withApiHeaders(), route.errorFormat, error, ctx.requestId);
  } else {
    kernel.log.error('unexpected error', { requestId: ctx.requestId, route: route.name, method: req.method, path: ctx.rawPath, error });
    if (!res.headersSent)
      return writeErrorResponse(
        ctx.withApiHeaders(),
        route.errorFormat,
        { ...internalErrorFor(route.errorFormat), status: 500, headers: undefined, fields: undefined },
        ctx.requestId,
      );
  }
  res.destroy(); // a streamed answer cannot turn into an error any more: cut it so the client sees it
}

/**
 * A path that `new URL` keeps as it is: unreserved and sub-delimiter characters only (nothing it would
 * percent-encode, no `%`, no backslash), not starting with `//` (an authority), and no `.` or `..` segment.
 */
const NORMAL_PATH = /^\/(?!\/)[A-Za-z0-9\-._~!$&()*+,;=:@/]*$/;
const DOT_SEGMENT = /(?:^|\/)\.\.?(?:\/|$)/;

/** One request as services see it. The URL, request id and logger are made only when asked for. */
class KernelRequestContext implements RequestContext {
  readonly rawPath: string;
  private readonly rawQuery: string;
  private readonly target: string;
  private readonly credentials: CredentialProvider;
  private readonly hostIsValid: (host: string | undefined) => boolean;
  private parsedUrl: URL | undefined;
  private normalPath: boolean | undefined;
  private id: string | undefined;
  principal: Principal = { kind: 'anonymous' };
  /** The route writes the API headers itself (`Route.writesApiHeaders`): none is set on `res` yet. */
  apiHeadersPending = false;
  /** Whether answers carry CORS headers (not for `browserAccess: 'same-origin'` routes). */
  corsAllowed = true;
  /** Who the caller was, as the route found out (`noteCaller`); the request log prefers it to `principal`. */
  caller: CallerNote | undefined;

  /** A principal resolved before dispatch (`Kernel.dispatchAs`): `authenticate()` answers it, unsigned. */
  private readonly resolved: Principal | undefined;

  constructor(
    private readonly kernel: KernelRuntime,
    shared: { credentials: CredentialProvider; hostIsValid: (host: string | undefined) => boolean },
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    dispatched?: { target: string; principal: Principal },
  ) {
    this.credentials = shared.credentials;
    this.hostIsValid = shared.hostIsValid;
    this.target = dispatched?.target ?? req.url ?? '/';
    this.resolved = dispatched?.principal;
    const { rawPath, rawQuery } = splitTarget(this.target);
    this.rawPath = rawPath;
    this.rawQuery = rawQuery;
  }

  get url(): URL {
    const target = this.target.startsWith('/') ? this.target : this.rawPath + (this.rawQuery ? `?${this.rawQuery}` : '');
    return (this.parsedUrl ??= new URL(target, `http://${this.req.headers.host ?? 'localhost'}`));
  }

  /** `url.pathname`, without parsing the URL when the raw path is already what parsing would give. */
  get pathname(): string {
    return this.isNormalPath() ? this.rawPath : this.url.pathname;
  }

  /** Whether `url` can be made (the target and the Host header parse). */
  hasValidUrl(): boolean {
    if (this.parsedUrl) return true;
    // A path-only target in normal form cannot fail to parse: only the Host header can.
    if (this.isNormalPath()) return this.hostIsValid(this.req.headers.host);
    try {
      return this.url !== undefined;
    } catch {
      return false;
    }
  }

  private isNormalPath(): boolean {
    return (this.normalPath ??= this.target.startsWith('/') && NORMAL_PATH.test(this.rawPath) && !DOT_SEGMENT.test(this.rawPath));
  }

  get requestId(): string {
    return (this.id ??= randomUUID());
  }

  get log(): Logger {
    return this.kernel.log.child({ requestId: this.requestId });
  }

  apiHeaders(): Record<string, string> {
    const ids = { 'x-amzn-requestid': this.requestId, 'x-amz-request-id': this.requestId };
    return this.corsAllowed ? { ...ids, ...corsHeaders(this.req) } : ids;
  }

  /** The response, with the API headers set on it if its route left them to its own answer. */
  withApiHeaders(): ServerResponse {
    if (this.apiHeadersPending) {
      this.apiHeadersPending = false;
      for (const [name, value] of Object.entries(this.apiHeaders())) this.res.setHeader(name, value);
    }
    return this.res;
  }

  async authenticate({
    service,
    readBody = false,
    body,
    signedFor,
  }: Parameters<RequestContext['authenticate']>[0]): ReturnType<RequestContext['authenticate']> {
    if (this.resolved) {
      this.principal = this.resolved;
      // S3 streams bodies itself; every other service gets the body, as a verified signature would give it.
      return service === 's3' && !readBody ? { principal: this.resolved } : { principal: this.resolved, body: body ?? (await readRequestBody(this.req)) };
    }
    const request: VerifyRequest = { req: this.req, rawPath: this.rawPath, rawQuery: this.rawQuery, service, readBody, credentials: this.credentials };
    if (body) request.body = body;
    if (signedFor) {
      request.rawPath = signedFor.rawPath;
      request.signedHost = signedFor.host;
    }
    const result = await verifySigV4(request);
    this.principal = result.principal;
    return result;
  }

  noteCaller(caller: CallerNote): void {
    this.caller = caller;
  }

  authorize(principal: Principal, action: string, resource: string, denyCode?: DenyCode, context?: ConditionContext): Promise<void> {
    return this.kernel.authorize(principal, action, resource, denyCode, { 'aws:SourceIp': this.kernel.clientAddress(this.req), ...context });
  }
}

/** Path and query of a request target, exactly as sent (absolute-form targets lose their origin). */
export function splitTarget(target: string): { rawPath: string; rawQuery: string } {
  let path = target;
  if (!path.startsWith('/')) {
    const m = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(path);
    path = m ? path.slice(m[0].length) || '/' : `/${path}`;
  }
  const q = path.indexOf('?');
  return q < 0 ? { rawPath: path, rawQuery: '' } : { rawPath: path.slice(0, q), rawQuery: path.slice(q + 1) };
}
