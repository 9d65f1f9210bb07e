import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { answerPreflight, applyCorsHeaders } from './cors.js';
import type { KernelRuntime } from './create-kernel.js';
import { internalErrorFor, writeErrorResponse } from './error-response.js';
import { verifySigV4 } from './sigv4.js';
import type { Logger } from './logger.js';
import { ServiceError, type CredentialProvider, type Principal, type RequestContext, type Route } from './types.js';

/** Unauthenticated liveness probe, answered before any route. */
export const HEALTH_PATH = '/_forte/health';

/**
 * The node:http request listener: request ids, CORS, health, dispatch to the first matching route in
 * registration order, errors in the route's protocol shape, and one access log line per request.
 */
export function createRequestListener(kernel: KernelRuntime, options: { version: string }) {
  const credentials: CredentialProvider = {
    async lookup(accessKeyId, sessionToken) {
      for (const provider of kernel.credentialProviders) {
        const found = await provider.lookup(accessKeyId, sessionToken);
        if (found) return found;
      }
      return undefined;
    },
  };

  return (req: IncomingMessage, res: ServerResponse): void => {
    const ctx = new KernelRequestContext(kernel, credentials, req, res);
    const { rawPath } = ctx;
    const routable = req.method !== 'OPTIONS' && !(rawPath === HEALTH_PATH && (req.method === 'GET' || req.method === 'HEAD'));
    let route: Route | undefined;
    if (routable) route = kernel.rawRoutes.find((candidate) => 'raw' in candidate.match && candidate.match.raw(req, rawPath));
    if (!route) {
      let url: URL;
      try {
        url = ctx.url;
      } catch {
        return writeErrorResponse(res, 'text', { code: 'BadRequest', message: 'The request URL or Host header is malformed.', status: 400, headers: undefined, extra: undefined }, ctx.requestId);
      }
      if (routable) route = kernel.urlRoutes.find((candidate) => 'url' in candidate.match && candidate.match.url(req, url));
    }
    const publicStatic = route?.publicStatic === true;
    if (!publicStatic) {
      res.setHeader('x-amzn-requestid', ctx.requestId);
      res.setHeader('x-amz-request-id', ctx.requestId);
      applyCorsHeaders(req, res);
    }
    // Static traffic is logged only at debug level; when that is off, not even a listener is set up.
    if (!publicStatic || kernel.log.enabled('debug')) {
      const started = process.hrtime.bigint();
      res.on('close', () => {
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        const principal = ctx.principal;
        (publicStatic ? kernel.log.debug : kernel.log.info)('request', {
          method: req.method,
          path: rawPath, // never the query: presigned URLs carry signatures there
          status: res.statusCode,
          ms: Math.round(ms * 10) / 10,
          requestId: ctx.requestId,
          route: route?.name,
          principal: principal.kind,
          accessKeyId: principal.kind === 'anonymous' ? undefined : principal.accessKeyId,
          aborted: res.writableFinished ? undefined : true,
        });
      });
    }

    if (req.method === 'OPTIONS') return answerPreflight(req, res);
    if (rawPath === HEALTH_PATH && (req.method === 'GET' || req.method === 'HEAD')) {
      const body = JSON.stringify({ status: 'ok', version: options.version });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      return void res.end(body);
    }

    if (!route) {
      const message = `Nothing is served at ${req.method ?? 'GET'} ${rawPath}: check the endpoint URL.`;
      return writeErrorResponse(res, 'json', { code: 'UnknownOperationException', message, status: 404, headers: undefined, extra: undefined }, ctx.requestId);
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
}

/** Answers an error in the route's format, or drops the socket when the answer is already streaming. */
function failRequest(kernel: KernelRuntime, ctx: KernelRequestContext, route: Route, error: unknown): void {
  const { req, res } = ctx;
  if (res.destroyed || req.socket.destroyed) {
    // The client hung up (an aborted upload or download): nobody is left to answer, and it is not our fault.
    kernel.log.info('client went away', { requestId: ctx.requestId, route: route.name, error: error instanceof Error ? error.message : String(error) });
    return void res.destroy();
  }
  if (error instanceof ServiceError) {
    if (error.status >= 500) kernel.log.error('service error', { requestId: ctx.requestId, route: route.name, error });
    if (!res.headersSent) return writeErrorResponse(res, route.errorFormat, error, ctx.requestId);
  } else {
    kernel.log.error('unexpected error', { requestId: ctx.requestId, route: route.name, method: req.method, path: ctx.rawPath, error });
    if (!res.headersSent) return writeErrorResponse(res, route.errorFormat, { ...internalErrorFor(route.errorFormat), status: 500, headers: undefined, extra: undefined }, ctx.requestId);
  }
  res.destroy(); // a streamed answer cannot turn into an error any more: cut it so the client sees it
}

/** One request as services see it. The URL, request id and logger are made only when asked for. */
class KernelRequestContext implements RequestContext {
  readonly rawPath: string;
  private readonly rawQuery: string;
  private readonly target: string;
  private parsedUrl: URL | undefined;
  private id: string | undefined;
  principal: Principal = { kind: 'anonymous' };

  constructor(
    private readonly kernel: KernelRuntime,
    private readonly credentials: CredentialProvider,
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
  ) {
    this.target = req.url ?? '/';
    const { rawPath, rawQuery } = splitTarget(this.target);
    this.rawPath = rawPath;
    this.rawQuery = rawQuery;
  }

  get url(): URL {
    const target = this.target.startsWith('/') ? this.target : this.rawPath + (this.rawQuery ? `?${this.rawQuery}` : '');
    return (this.parsedUrl ??= new URL(target, `http://${this.req.headers.host ?? 'localhost'}`));
  }

  get requestId(): string {
    return (this.id ??= randomUUID());
  }

  get log(): Logger {
    return this.kernel.log.child({ requestId: this.requestId });
  }

  async authenticate({ service, readBody = false }: { service: string; readBody?: boolean }): ReturnType<RequestContext['authenticate']> {
    const result = await verifySigV4({ req: this.req, rawPath: this.rawPath, rawQuery: this.rawQuery, service, readBody, credentials: this.credentials });
    this.principal = result.principal;
    return result;
  }

  authorize(principal: Principal, action: string, resource: string, denyCode?: string): Promise<void> {
    return this.kernel.authorize(principal, action, resource, denyCode);
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
