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
  /**
   * The resources the call acts on (ARNs), each authorized for `<actionPrefix>:<Operation>` once the input is
   * valid, so policies can name them; without it the call is authorized on `*` before the body is parsed.
   */
  resources?(input: I): string[];
  handle(input: I, call: { principal: Principal; ctx: RequestContext }): Promise<unknown>;
}

/**
 * A client error whose JSON body carries structured fields besides `__type` and `message` (DynamoDB's
 * `CancellationReasons`, the current `Item` of a failed condition).
 */
export class JsonServiceError extends ServiceError {
  constructor(code: string, message: string, status: number, readonly fields: Record<string, unknown>) {
    super(code, message, status);
  }
}

/**
 * A route for an AWS JSON API (1.1 by default, 1.0 for DynamoDB): `POST <path>` (with or without its trailing
 * slash) with `X-Amz-Target: <prefix><Operation>`, SigV4 for `signingService`, errors `{"__type","message"}`.
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
  /** `1.0` answers `application/x-amz-json-1.0` (DynamoDB); default `1.1`. */
  jsonVersion?: '1.0' | '1.1';
  /** Prepended to the code in `__type` of client errors: DynamoDB answers `com.amazonaws.dynamodb.v20120810#<Code>`. */
  errorTypePrefix?: string;
  /** `same-origin` for the cloud's admin APIs, which no app calls from a browser (Route.browserAccess). */
  browserAccess?: 'any' | 'same-origin';
}): Route {
  const paths = new Set([options.path, options.path.replace(/\/$/, '')]);
  const contentType = `application/x-amz-json-${options.jsonVersion ?? '1.1'}`;
  return {
    name: options.name,
    errorFormat: 'json',
    writesApiHeaders: true,
    ...(options.browserAccess ? { browserAccess: options.browserAccess } : {}),
    match: { path: (req, pathname) => req.method === 'POST' && paths.has(pathname) },
    jsonApi: {
      path: options.path,
      targetPrefix: options.targetPrefix,
      signingService: options.signingService,
      jsonVersion: options.jsonVersion ?? '1.1',
      operations: Object.keys(options.operations),
    },
    async handle(ctx) {
      try {
        await handleCall(ctx);
      } catch (error) {
        // Client errors are answered here, in this API's own shape; the rest goes to the kernel (logged, masked).
        if (!(error instanceof ServiceError) || error.status >= 500 || ctx.res.headersSent) throw error;
        const fields = error instanceof JsonServiceError ? error.fields : {};
        const payload = JSON.stringify({ __type: `${options.errorTypePrefix ?? ''}${error.code}`, message: error.message, ...error.extra, ...fields });
        const headers = Object.assign(ctx.apiHeaders(), error.headers);
        headers['content-type'] = contentType;
        headers['content-length'] = String(Buffer.byteLength(payload));
        headers['x-amzn-errortype'] = error.code;
        ctx.res.writeHead(error.status, headers);
        ctx.res.end(payload);
      }
    },
  };

  async function handleCall(ctx: RequestContext): Promise<void> {
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
      if (!op.resources) await ctx.authorize(principal, `${options.actionPrefix}:${name}`, '*', 'AccessDeniedException');
    }
    let raw: unknown;
    try {
      raw = body && body.length > 0 ? JSON.parse(body.toString('utf8')) : {};
    } catch {
      throw new ServiceError('SerializationException', 'The request body is not valid JSON.', 400);
    }
    // Every operation of an AWS JSON protocol takes an object.
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ServiceError(options.validationErrorCode ?? 'ValidationException', 'request: the body must be a JSON object.', 400);
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
    if (op.signed !== false && op.resources) {
      for (const resource of new Set(op.resources(input))) await ctx.authorize(principal, `${options.actionPrefix}:${name}`, resource, 'AccessDeniedException');
    }
    const result = await op.handle(input, { principal, ctx });
    const payload = JSON.stringify(result ?? {});
    // One header call: the API headers (request ids, CORS) are this route's to write (`writesApiHeaders`).
    const headers = ctx.apiHeaders();
    headers['content-type'] = contentType;
    headers['content-length'] = String(Buffer.byteLength(payload));
    ctx.res.writeHead(200, headers);
    ctx.res.end(payload);
  }
}
