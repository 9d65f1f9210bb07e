import { JSON_API_ERRORS } from '../../kernel/api-errors.js';
import type { Principal, RequestContext, Route } from '../../kernel/types.js';
import type { CodeLocations } from './code-location.js';
import { functionConfiguration } from './function-configuration.js';
import { MAX_SYNC_PAYLOAD, type FunctionInvokerService, type InvocationType } from './function-invoker.js';
import type { FunctionStore } from './function-store.js';
import { LAMBDA_ERRORS } from './lambda-errors.js';

const PREFIX = '/2015-03-31/functions';
const INVOCATION_TYPES: readonly InvocationType[] = ['RequestResponse', 'Event', 'DryRun'];

/**
 * Lambda's REST-JSON API (SigV4 service `lambda`), as `@aws-sdk/client-lambda` sends it: Invoke
 * (`POST /2015-03-31/functions/{name}/invocations`), GetFunction, GetFunctionConfiguration and ListFunctions.
 * Errors carry `x-amzn-errortype` and a JSON body (the kernel's `json` format), which the SDK names.
 */
export function createLambdaRoute(options: { store: FunctionStore; invoker: FunctionInvokerService; codeLocations: CodeLocations }): Route {
  const { store, invoker, codeLocations } = options;

  async function authenticate(ctx: RequestContext, operation: string): Promise<{ principal: Principal; body: Buffer }> {
    // Lambda's own limit and error, before the kernel reads the body (it refuses above 10 MiB with another code).
    if (Number(ctx.req.headers['content-length'] ?? 0) > MAX_SYNC_PAYLOAD)
      throw LAMBDA_ERRORS.error('RequestTooLargeException', `Request must be smaller than ${MAX_SYNC_PAYLOAD} bytes for the InvokeFunction operation`, {
        fields: { Type: 'User' },
      });
    const { principal, body } = await ctx.authenticate({ service: 'lambda', readBody: true });
    if (principal.kind === 'anonymous')
      throw JSON_API_ERRORS.error(
        'MissingAuthenticationTokenException',
        `${operation} must be SigV4-signed (service lambda) with the keys of a Forte profile or role.`,
      );
    return { principal, body: body ?? Buffer.alloc(0) };
  }

  /** Authorizes on the ARN the reference names (before looking it up, as Lambda does), then resolves it. */
  async function target(ctx: RequestContext, principal: Principal, ref: string, action: string) {
    const named = invoker.arnOf(ref);
    if (named) await ctx.authorize(principal, `lambda:${action}`, named.arn, 'AccessDeniedException');
    // Most calls have no query: the URL is then not parsed for it.
    const qualifier = ctx.req.url?.includes('?') ? (ctx.url.searchParams.get('Qualifier') ?? undefined) : undefined;
    return invoker.resolve(ref, qualifier);
  }

  function answer(ctx: RequestContext, status: number, body: string, headers: Record<string, string> = {}): void {
    const all = Object.assign(ctx.apiHeaders(), headers);
    all['content-type'] = 'application/json';
    all['content-length'] = String(Buffer.byteLength(body));
    ctx.res.writeHead(status, all);
    ctx.res.end(body);
  }

  async function invoke(ctx: RequestContext, ref: string): Promise<void> {
    const { principal, body } = await authenticate(ctx, 'Invoke');
    const fn = await target(ctx, principal, ref, 'InvokeFunction');
    const type = String(ctx.req.headers['x-amz-invocation-type'] ?? 'RequestResponse') as InvocationType;
    if (!INVOCATION_TYPES.includes(type))
      throw LAMBDA_ERRORS.error(
        'InvalidParameterValueException',
        `X-Amz-Invocation-Type must be one of ${INVOCATION_TYPES.join(', ')}, not ${JSON.stringify(type)}.`,
      );
    const logType = String(ctx.req.headers['x-amz-log-type'] ?? 'None');
    if (logType !== 'None' && logType !== 'Tail')
      throw LAMBDA_ERRORS.error('InvalidParameterValueException', `X-Amz-Log-Type must be None or Tail, not ${JSON.stringify(logType)}.`);
    const clientContext = decodeClientContext(ctx.req.headers['x-amz-client-context']);
    const traceHeader = ctx.req.headers['x-amzn-trace-id'];
    const result = await invoker.invoke(fn, body, type, {
      requestId: ctx.requestId,
      ...(clientContext !== undefined ? { clientContext } : {}),
      ...(typeof traceHeader === 'string' ? { traceHeader } : {}),
      tail: logType === 'Tail' && type === 'RequestResponse',
    });
    const headers: Record<string, string> = { 'x-amz-executed-version': '$LATEST' };
    if (result.functionError) headers['x-amz-function-error'] = result.functionError;
    if (result.outcome?.logTail !== undefined) headers['x-amz-log-result'] = Buffer.from(result.outcome.logTail, 'utf8').subarray(-4096).toString('base64');
    if (result.statusCode !== 200) headers['x-amzn-requestid'] = result.requestId;
    answer(ctx, result.statusCode, result.payload ?? '', headers);
  }

  return {
    name: 'lambda',
    errorFormat: 'json',
    writesApiHeaders: true,
    match: { path: (_req, pathname) => pathname === PREFIX || pathname.startsWith(`${PREFIX}/`) },
    async handle(ctx) {
      const parts = ctx.rawPath
        .slice(PREFIX.length)
        .split('/')
        .filter((p) => p !== '');
      const method = ctx.req.method;
      let ref: string;
      try {
        ref = decodeURIComponent(parts[0] ?? '');
      } catch {
        throw LAMBDA_ERRORS.error('InvalidParameterValueException', 'The function name in the path is not valid percent-encoding.');
      }
      if (method === 'POST' && parts.length === 2 && parts[1] === 'invocations') return invoke(ctx, ref);
      if (method === 'GET' && parts.length === 0) {
        const { principal } = await authenticate(ctx, 'ListFunctions');
        await ctx.authorize(principal, 'lambda:ListFunctions', '*', 'AccessDeniedException');
        return answer(ctx, 200, JSON.stringify(await listFunctions(store, ctx.url.searchParams)));
      }
      if (method === 'GET' && parts.length === 2 && parts[1] === 'configuration') {
        const { principal } = await authenticate(ctx, 'GetFunctionConfiguration');
        const fn = await target(ctx, principal, ref, 'GetFunctionConfiguration');
        return answer(ctx, 200, JSON.stringify(await functionConfiguration(store, fn)));
      }
      if (method === 'GET' && parts.length === 1) {
        const { principal } = await authenticate(ctx, 'GetFunction');
        const fn = await target(ctx, principal, ref, 'GetFunction');
        const body = {
          Configuration: await functionConfiguration(store, fn),
          Code: { RepositoryType: 'S3', ...(fn.config.codeSource ? { Location: codeLocations.url(fn.config.codeSource) } : {}) },
          ...(fn.config.reservedConcurrency !== undefined ? { Concurrency: { ReservedConcurrentExecutions: fn.config.reservedConcurrency } } : {}),
        };
        return answer(ctx, 200, JSON.stringify(body));
      }
      throw JSON_API_ERRORS.error(
        'UnknownOperationException',
        `Forte's Lambda API does not serve ${method ?? ''} ${ctx.rawPath}: it serves Invoke, GetFunction, GetFunctionConfiguration and ListFunctions.`,
      );
    },
  };
}

function decodeClientContext(header: string | string[] | undefined): string | undefined {
  if (typeof header !== 'string' || header === '') return undefined;
  const text = Buffer.from(header, 'base64').toString('utf8');
  try {
    JSON.parse(text);
  } catch (error) {
    throw LAMBDA_ERRORS.error('InvalidRequestContentException', 'X-Amz-Client-Context must be base64-encoded JSON.', { cause: error });
  }
  if (Buffer.byteLength(header) > 3583)
    throw LAMBDA_ERRORS.error('InvalidParameterValueException', 'X-Amz-Client-Context must be at most 3583 bytes (base64).');
  return text;
}

async function listFunctions(store: FunctionStore, query: URLSearchParams): Promise<unknown> {
  const maxItems = Number(query.get('MaxItems') ?? 50);
  if (!Number.isInteger(maxItems) || maxItems < 1 || maxItems > 10000)
    throw LAMBDA_ERRORS.error('InvalidParameterValueException', 'MaxItems must be an integer from 1 to 10000.');
  const marker = query.get('Marker');
  const after = marker ? Buffer.from(marker, 'base64url').toString('utf8') : '';
  const page = await store.list(after, maxItems + 1);
  const shown = page.slice(0, maxItems);
  const functions = await Promise.all(shown.map((fn) => functionConfiguration(store, fn)));
  return { Functions: functions, ...(page.length > maxItems ? { NextMarker: Buffer.from(shown.at(-1)!.name, 'utf8').toString('base64url') } : {}) };
}
