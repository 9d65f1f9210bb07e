import { isForteError } from '@forte/protocol';
import type { FunctionInvocationResult, FunctionInvoker } from '../../kernel/capabilities.js';
import { roleNameOf } from '../../kernel/iam-lite.js';
import { readBody } from '../../kernel/read-body.js';
import type { Kernel, Principal, RequestContext, Route } from '../../kernel/types.js';
import { newTraceRoot, traceOf } from '../../kernel/xray-trace.js';
import type { ApiMethod, ProxyIntegration } from './api-definition.js';
import type { ApiStore, ServedApi } from './api-store.js';
import { writeGatewayError } from './gateway-answers.js';
import type { GatewayErrorKind } from './gateway-errors.js';
import { flattenClaims, verifyCognitoToken } from './cognito-authorizer.js';
import { matchResource } from './match-resource.js';
import { buildProxyEvent } from './proxy-event.js';
import { parseProxyResponse } from './proxy-response.js';

/** Where the cloud serves REST APIs: `<cloud>/restapis/<apiId>/<stage>/<path>`. */
export const REST_API_PREFIX = '/restapis/';

/** API Gateway's limit on a request's body. */
export const MAX_REQUEST_BODY = 10 * 1024 * 1024;

const SIGNATURE_ERRORS: Record<string, GatewayErrorKind> = {
  UnrecognizedClientException: 'UNRECOGNIZED_CLIENT',
  InvalidSignatureException: 'INVALID_SIGNATURE',
  IncompleteSignatureException: 'INCOMPLETE_SIGNATURE',
  ExpiredToken: 'EXPIRED_TOKEN',
};

class GatewayRefusal extends Error {
  constructor(
    readonly kind: GatewayErrorKind,
    message?: string,
    readonly close = false,
  ) {
    super(message);
  }
}

const rawQueryOf = (target: string | undefined): string => {
  const q = (target ?? '').indexOf('?');
  return q < 0 ? '' : target!.slice(q + 1);
};

const decodePath = (path: string): string => {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
};

/** The caller as `User: ...` of an IAM refusal names it. */
function callerArn(principal: Principal, accountId: string): string {
  if (principal.kind === 'role') {
    const roleName = roleNameOf(principal.roleArn);
    return `arn:aws:sts::${accountId}:assumed-role/${roleName}/${principal.identityId ? 'CognitoIdentityCredentials' : principal.accessKeyId}`;
  }
  return principal.kind === 'admin' ? `arn:aws:iam::${accountId}:root` : 'anonymous';
}

/**
 * Serves every REST API of the cloud as API Gateway does: the stage's resource and method for the path
 * (else 403 Missing Authentication Token), SigV4 (service `execute-api`) and `execute-api:Invoke` for IAM
 * methods, Lambda proxy integrations through `FUNCTIONS` and mock integrations (CORS preflights), and the
 * gateway's own errors in its shape, with CORS headers.
 */
export function createGatewayRoute(options: { kernel: Kernel; store: ApiStore; functions(): FunctionInvoker }): Route {
  const { kernel, store } = options;
  const { region, accountId } = kernel.config;

  /** The caller of the method: its verified principal (IAM) or its token's claims (Cognito authorizers). */
  async function authorize(
    ctx: RequestContext,
    method: ApiMethod,
    body: Buffer,
    resourceArn: string,
  ): Promise<{ principal: Principal; claims?: Record<string, unknown> }> {
    if (method.authorization === 'NONE') return { principal: { kind: 'anonymous' } };
    if (method.authorization === 'COGNITO_USER_POOLS') {
      const claims = method.cognito ? await verifyCognitoToken(kernel, ctx.req, method.cognito) : undefined;
      if (!claims) throw new GatewayRefusal('UNAUTHORIZED');
      return { principal: { kind: 'anonymous' }, claims };
    }
    const signed = ctx.req.headers.authorization !== undefined || /(?:^|&)X-Amz-Signature=/i.test(rawQueryOf(ctx.req.url));
    if (!signed) throw new GatewayRefusal('MISSING_AUTHENTICATION_TOKEN');
    let principal: Principal;
    try {
      principal = (await ctx.authenticate({ service: 'execute-api', readBody: true, body })).principal;
    } catch (error) {
      if (!isForteError(error)) throw error;
      throw new GatewayRefusal(SIGNATURE_ERRORS[error.code] ?? 'FORBIDDEN', error.message);
    }
    if (principal.kind === 'anonymous') throw new GatewayRefusal('MISSING_AUTHENTICATION_TOKEN');
    try {
      await ctx.authorize(principal, 'execute-api:Invoke', resourceArn, 'AccessDeniedException');
    } catch (error) {
      if (!isForteError(error)) throw error;
      throw new GatewayRefusal(
        'ACCESS_DENIED',
        `User: ${callerArn(principal, accountId)} is not authorized to perform: execute-api:Invoke on resource: ${resourceArn}`,
      );
    }
    return { principal };
  }

  /** What a request validator requires and the request lacks: 400, naming every missing parameter. */
  function checkRequiredParameters(ctx: RequestContext, method: ApiMethod): void {
    if (!method.requiredParameters) return;
    const query = new URLSearchParams(rawQueryOf(ctx.req.url));
    const missing = method.requiredParameters
      .filter((p) => (p.in === 'header' ? ctx.req.headers[p.name.toLowerCase()] === undefined : !query.has(p.name)))
      .map((p) => p.name);
    if (missing.length > 0) throw new GatewayRefusal('BAD_REQUEST_PARAMETERS', `Missing required request parameters: [${missing.join(', ')}]`);
  }

  async function invoke(
    ctx: RequestContext,
    integration: ProxyIntegration,
    event: Record<string, unknown>,
    sourceArn: string,
    traceHeader: string,
  ): Promise<FunctionInvocationResult> {
    // As on AWS, the gateway invokes through the function's resource policy: an `AWS::Lambda::Permission` for
    // apigateway.amazonaws.com whose SourceArn matches the method's execute-api ARN (Amplify's REST stacks
    // write `<api>/*/*/*`). Without one the method fails with a 500 and the reason is only logged.
    const requester = { principal: 'apigateway.amazonaws.com', sourceArn, sourceAccount: accountId };
    if (!(await options.functions().permits(integration.functionArn, requester))) {
      ctx.log.warn('Execution failed due to configuration error: Invalid permissions on Lambda function', { function: integration.functionArn, sourceArn });
      throw new GatewayRefusal('API_CONFIGURATION_ERROR');
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new GatewayRefusal('INTEGRATION_TIMEOUT')), integration.timeoutMs);
    });
    try {
      return await Promise.race([options.functions().invoke(integration.functionArn, JSON.stringify(event), { traceHeader }), timeout]);
    } catch (error) {
      if (error instanceof GatewayRefusal) {
        ctx.log.warn('the function did not answer within the integration timeout', { function: integration.functionArn, timeoutMs: integration.timeoutMs });
        throw error;
      }
      if (!isForteError(error)) throw error;
      ctx.log.warn('the integration could not invoke the function', { function: integration.functionArn, code: error.code, reason: error.message });
      if (error.code === 'RequestTooLargeException') throw new GatewayRefusal('REQUEST_TOO_LARGE');
      if (error.code === 'TooManyRequestsException') throw new GatewayRefusal('THROTTLED');
      throw new GatewayRefusal(error.code === 'ResourceNotFoundException' ? 'API_CONFIGURATION_ERROR' : 'INTEGRATION_FAILURE');
    } finally {
      clearTimeout(timer);
    }
  }

  async function serve(ctx: RequestContext, api: ServedApi, stage: string, path: string): Promise<void> {
    const { req, res } = ctx;
    const stageInfo = api.stages.get(stage);
    if (!stageInfo) throw new GatewayRefusal('FORBIDDEN');
    const match = matchResource(api.definition, path);
    const httpMethod = (req.method ?? 'GET').toUpperCase();
    const method = match?.resource.methods[httpMethod] ?? match?.resource.methods.ANY;
    if (!match || !method) throw new GatewayRefusal('MISSING_AUTHENTICATION_TOKEN');
    if (Number(req.headers['content-length'] ?? 0) > MAX_REQUEST_BODY) throw new GatewayRefusal('REQUEST_TOO_LARGE', undefined, true);
    let body: Buffer;
    try {
      body = await readBody(req, MAX_REQUEST_BODY);
    } catch (error) {
      if (isForteError(error) && error.status === 413) throw new GatewayRefusal('REQUEST_TOO_LARGE', undefined, true);
      throw error;
    }
    const resourceArn = `arn:aws:execute-api:${region}:${accountId}:${api.apiId}/${stage}/${httpMethod}/${decodePath(path).slice(1)}`;
    const { principal, claims } = await authorize(ctx, method, body, resourceArn);
    checkRequiredParameters(ctx, method);
    const common = { 'x-amzn-RequestId': ctx.requestId, 'x-amz-apigw-id': ctx.requestId.slice(0, 16) };

    if (method.integration.type === 'mock') {
      const mock = method.integration;
      const payload = Buffer.from(mock.body ?? '', 'utf8');
      res.writeHead(mock.statusCode, { 'Content-Type': 'application/json', ...mock.headers, ...common, 'Content-Length': String(payload.length) });
      return void res.end(httpMethod === 'HEAD' ? undefined : payload);
    }
    // As API Gateway, a request is traced: the client's X-Amzn-Trace-Id when it names a trace, else a new one, which
    // the function's invocation continues.
    const clientTrace = req.headers['x-amzn-trace-id'];
    const traceHeader = typeof clientTrace === 'string' && traceOf(clientTrace) ? clientTrace : `Root=${newTraceRoot()}`;
    const event = buildProxyEvent({
      req,
      apiId: api.apiId,
      stage,
      deploymentId: stageInfo.deploymentId,
      stageVariables: stageInfo.variables,
      resource: match.resource,
      path,
      rawQuery: rawQueryOf(req.url),
      pathParameters: match.pathParameters,
      body,
      binaryMediaTypes: api.definition.binaryMediaTypes,
      principal,
      ...(claims ? { claims: flattenClaims(claims) } : {}),
      requestId: ctx.requestId,
      accountId,
      now: new Date(),
      sourceIp: kernel.clientAddress(req),
      forwardedFor: kernel.forwardedFor(req),
      traceHeader,
    });
    const result = await invoke(ctx, method.integration, event, resourceArn, traceHeader);
    if (result.functionError) {
      let reason = 'the function failed';
      try {
        const failure = JSON.parse(result.payload ?? '{}') as { errorType?: unknown; errorMessage?: unknown };
        reason = `${String(failure.errorType ?? 'Error')}: ${String(failure.errorMessage ?? '')}`;
      } catch {
        // the reason stays generic
      }
      ctx.log.warn('Lambda execution failed with status 200 due to customer function error', { function: method.integration.functionArn, reason });
      throw new GatewayRefusal('INTEGRATION_FAILURE');
    }
    const response = parseProxyResponse(result.payload);
    if ('malformed' in response) {
      ctx.log.warn('Execution failed due to configuration error: Malformed Lambda proxy response', {
        function: method.integration.functionArn,
        reason: response.malformed,
      });
      throw new GatewayRefusal('INTEGRATION_FAILURE');
    }
    const headers: Record<string, string | string[]> = {};
    for (const [name, values] of response.headers) headers[name] = values.length === 1 ? values[0]! : values;
    if (![...response.headers.keys()].some((name) => name.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/json';
    res.writeHead(response.statusCode, { ...headers, ...common, 'Content-Length': String(response.body.length) });
    res.end(httpMethod === 'HEAD' ? undefined : response.body);
  }

  return {
    name: 'apigateway',
    errorFormat: 'json',
    writesApiHeaders: true,
    ownsOptions: true,
    match: { raw: (_req, rawPath) => rawPath.startsWith(REST_API_PREFIX) },
    async handle(ctx) {
      const rest = ctx.rawPath.slice(REST_API_PREFIX.length);
      const [apiId = '', stage = '', ...parts] = rest.split('/');
      const api = apiId === '' ? undefined : await store.served(apiId);
      try {
        if (!api) throw new GatewayRefusal('FORBIDDEN');
        await serve(ctx, api, decodePath(stage), `/${parts.join('/')}`);
      } catch (error) {
        // A client that hung up mid-body has nobody left to answer.
        if (ctx.res.destroyed || ctx.req.socket.destroyed) return void ctx.res.destroy();
        if (!(error instanceof GatewayRefusal)) {
          if (!isForteError(error)) ctx.log.error('the gateway failed to serve a request', { error });
          else ctx.log.warn('the gateway failed to serve a request', { code: error.code, reason: error.message });
          if (ctx.res.headersSent) return void ctx.res.destroy();
          return writeGatewayError(ctx.res, { kind: 'INTEGRATION_FAILURE', api, requestId: ctx.requestId });
        }
        if (ctx.res.headersSent) return void ctx.res.destroy();
        writeGatewayError(ctx.res, {
          kind: error.kind,
          api,
          requestId: ctx.requestId,
          close: error.close,
          ...(error.message ? { message: error.message } : {}),
        });
      }
    },
  };
}
