import type { z } from 'zod';
import { ServiceError, type Principal, type RequestContext, type Route } from './types.js';

export interface JsonOperation<I = unknown> {
  /**
   * Whether the call must be SigV4-signed (default true) and is then authorized as
   * `<actionPrefix>:<Operation>`. Unsigned operations are those AWS serves to callers without keys (a
   * user pool's sign-in, an identity pool's GetId); a signature they carry anyway must still verify.
   */
  signed?: boolean;
  /** Validates and normalises the input; failures answer the route's validation error naming the field. */
  input?: z.ZodType<I>;
  handle(input: I, call: { principal: Principal; ctx: RequestContext }): Promise<unknown>;
}

/**
 * A route for an AWS JSON 1.1 API: `POST <path>` (with or without its trailing slash) with
 * `X-Amz-Target: <prefix><Operation>`, SigV4 for `signingService`, errors `{"__type","message"}`.
 */
export function jsonApiRoute(options: {
  name: string;
  path: string;
  targetPrefix: string;
  signingService: string;
  actionPrefix: string;
  operations: Record<string, JsonOperation<any>>;
  /** The error code of invalid input: ValidationException by default; Cognito's clients know InvalidParameterException. */
  validationErrorCode?: string;
}): Route {
  const paths = new Set([options.path, options.path.replace(/\/$/, '')]);
  return {
    name: options.name,
    errorFormat: 'json',
    match: { url: (req, url) => req.method === 'POST' && paths.has(url.pathname) },
    async handle(ctx) {
      const target = String(ctx.req.headers['x-amz-target'] ?? '');
      if (!target.startsWith(options.targetPrefix)) {
        throw new ServiceError('UnknownOperationException', `X-Amz-Target must start with ${options.targetPrefix}`, 400);
      }
      const name = target.slice(options.targetPrefix.length);
      const op = Object.hasOwn(options.operations, name) ? options.operations[name] : undefined;
      if (!op) throw new ServiceError('UnknownOperationException', `Forte does not support the operation ${name}.`, 400);
      const { principal, body } = await ctx.authenticate({ service: options.signingService, readBody: true });
      if (op.signed !== false) {
        if (principal.kind === 'anonymous') {
          throw new ServiceError('MissingAuthenticationTokenException', `${name} must be SigV4-signed (service ${options.signingService}) with the keys of a Forte profile.`, 403);
        }
        await ctx.authorize(principal, `${options.actionPrefix}:${name}`, '*', 'AccessDeniedException');
      }
      let raw: unknown;
      try {
        raw = body && body.length > 0 ? JSON.parse(body.toString('utf8')) : {};
      } catch {
        throw new ServiceError('SerializationException', 'The request body is not valid JSON.', 400);
      }
      let input: unknown = raw;
      if (op.input) {
        const parsed = op.input.safeParse(raw);
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          const where = issue && issue.path.length > 0 ? issue.path.join('.') : 'request';
          throw new ServiceError(options.validationErrorCode ?? 'ValidationException', `${where}: ${issue?.message ?? 'invalid'}`, 400);
        }
        input = parsed.data;
      }
      const result = await op.handle(input, { principal, ctx });
      const payload = JSON.stringify(result ?? {});
      ctx.res.writeHead(200, {
        'content-type': 'application/x-amz-json-1.1',
        'content-length': Buffer.byteLength(payload),
        'x-amzn-requestid': ctx.requestId,
      });
      ctx.res.end(payload);
    },
  };
}
