import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { answerPreflight, applyCorsHeaders } from './cors.js';
import type { KernelRuntime } from './create-kernel.js';
import { internalErrorFor, writeErrorResponse } from './error-response.js';
import { verifySigV4 } from './sigv4.js';
import { ServiceError, type CredentialProvider, type ErrorFormat, type Principal, type RequestContext, type Route } from './types.js';

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
    const started = process.hrtime.bigint();
    let id: string | undefined;
    const requestIdOf = (): string => (id ??= randomUUID());
    const target = req.url ?? '/';
    const { rawPath, rawQuery } = splitTarget(target);
    let principal: Principal = { kind: 'anonymous' };
    let route: Route | undefined;
    let url: URL;
    try {
      url = new URL(target.startsWith('/') ? target : rawPath + (rawQuery ? `?${rawQuery}` : ''), `http://${req.headers.host ?? 'localhost'}`);
    } catch {
      return writeErrorResponse(res, 'text', { code: 'BadRequest', message: 'The request URL or Host header is malformed.', status: 400, headers: undefined, extra: undefined }, requestIdOf());
    }
    if (req.method !== 'OPTIONS' && !(rawPath === HEALTH_PATH && (req.method === 'GET' || req.method === 'HEAD'))) {
      route = kernel.routes.find((candidate) => candidate.match(req, url));
    }
    const publicStatic = route?.publicStatic === true;
    if (!publicStatic) {
      res.setHeader('x-amzn-requestid', requestIdOf());
      res.setHeader('x-amz-request-id', requestIdOf());
      applyCorsHeaders(req, res);
    }
    // Static traffic is logged only at debug level; when that is off, not even a listener is set up.
    if (!publicStatic || kernel.log.enabled('debug')) res.on('close', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      (publicStatic ? kernel.log.debug : kernel.log.info)('request', {
        method: req.method,
        path: rawPath, // never the query: presigned URLs carry signatures there
        status: res.statusCode,
        ms: Math.round(ms * 10) / 10,
        requestId: requestIdOf(),
        route: route?.name,
        principal: principal.kind,
        accessKeyId: principal.kind === 'anonymous' ? undefined : principal.accessKeyId,
        aborted: res.writableFinished ? undefined : true,
      });
    });

    const fail = (format: ErrorFormat, error: unknown): void => {
      if (res.destroyed || req.socket.destroyed) {
        // The client hung up (an aborted upload or download): nobody is left to answer, and it is not our fault.
        kernel.log.info('client went away', { requestId: requestIdOf(), route: route?.name, error: error instanceof Error ? error.message : String(error) });
        return void res.destroy();
      }
      if (error instanceof ServiceError) {
        if (error.status >= 500) kernel.log.error('service error', { requestId: requestIdOf(), route: route?.name, error });
        if (!res.headersSent) return writeErrorResponse(res, format, error, requestIdOf());
      } else {
        kernel.log.error('unexpected error', { requestId: requestIdOf(), route: route?.name, method: req.method, path: rawPath, error });
        if (!res.headersSent) return writeErrorResponse(res, format, { ...internalErrorFor(format), status: 500, headers: undefined, extra: undefined }, requestIdOf());
      }
      res.destroy(); // a streamed answer cannot turn into an error any more: cut it so the client sees it
    };

    if (req.method === 'OPTIONS') return answerPreflight(req, res);
    if (rawPath === HEALTH_PATH && (req.method === 'GET' || req.method === 'HEAD')) {
      const body = JSON.stringify({ status: 'ok', version: options.version });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      return void res.end(body);
    }

    if (!route) {
      const message = `Nothing is served at ${req.method ?? 'GET'} ${rawPath}: check the endpoint URL.`;
      return writeErrorResponse(res, 'json', { code: 'UnknownOperationException', message, status: 404, headers: undefined, extra: undefined }, requestIdOf());
    }
    const format = route.errorFormat;
    const ctx: RequestContext = {
      req,
      res,
      url,
      rawPath,
      get requestId() {
        return requestIdOf();
      },
      get log() {
        return kernel.log.child({ requestId: requestIdOf() });
      },
      async authenticate({ service, readBody = false }) {
        const result = await verifySigV4({ req, rawPath, rawQuery, service, readBody, credentials });
        principal = result.principal;
        return result;
      },
      authorize: (who, action, resource, denyCode) => kernel.authorize(who, action, resource, denyCode),
    };
    let pending: Promise<void>;
    try {
      pending = route.handle(ctx);
    } catch (error) {
      return fail(format, error);
    }
    pending.catch((error: unknown) => fail(format, error));
  };
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
