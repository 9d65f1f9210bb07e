import type { IncomingMessage } from 'node:http';
import { roleNameOf } from '../../kernel/iam-lite.js';
import type { Principal } from '../../kernel/types.js';
import type { ApiResource } from './api-definition.js';

export interface ProxyEventInput {
  req: IncomingMessage;
  apiId: string;
  stage: string;
  deploymentId: string;
  stageVariables: Record<string, string>;
  resource: ApiResource;
  /** The request path after the stage, as sent (percent-encoded), `/` at least. */
  path: string;
  rawQuery: string;
  pathParameters: Record<string, string>;
  body: Buffer;
  binaryMediaTypes: readonly string[];
  /** The verified caller of an IAM method; anonymous for methods without authorization. */
  principal: Principal;
  /** The claims of a Cognito authorizer's token, flattened as API Gateway passes them. */
  claims?: Record<string, string>;
  requestId: string;
  accountId: string;
  now: Date;
  /** The client's address (`kernel.clientAddress`): `requestContext.identity.sourceIp`. */
  sourceIp: string;
  /** The X-Forwarded-For the function sees (`kernel.forwardedFor`): the client's claims, then `sourceIp`. */
  forwardedFor: string;
  /** The request's X-Ray trace header (`X-Amzn-Trace-Id`), the client's or the gateway's own. */
  traceHeader: string;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number): string => String(n).padStart(2, '0');

/** `requestContext.requestTime` as API Gateway writes it: `15/May/2020:06:01:09 +0000`. */
export const requestTimeOf = (d: Date): string =>
  `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;

/**
 * Single- and multi-value maps of the request's headers, names as the client wrote them; the single map keeps the
 * last value. `extra` headers replace the request's of the same name (in any case).
 */
function headerMaps(req: IncomingMessage, extra: Record<string, string>): { headers: Record<string, string>; multi: Record<string, string[]> } {
  const headers: Record<string, string> = {};
  const multi: Record<string, string[]> = {};
  const raw = req.rawHeaders;
  const add = (name: string, value: string): void => {
    headers[name] = value;
    (multi[name] ??= []).push(value);
  };
  const replaced = new Set(Object.keys(extra).map((name) => name.toLowerCase()));
  for (let i = 0; i + 1 < raw.length; i += 2) if (!replaced.has(raw[i]!.toLowerCase())) add(raw[i]!, raw[i + 1]!);
  for (const [name, value] of Object.entries(extra)) add(name, value);
  return { headers, multi };
}

const decodeQuery = (text: string): string => {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
};

/** Query maps; API Gateway percent-decodes names and values and keeps `+` as it is; the single map keeps the last value. */
function queryMaps(rawQuery: string): { single: Record<string, string> | null; multi: Record<string, string[]> | null } {
  if (rawQuery === '') return { single: null, multi: null };
  const single: Record<string, string> = {};
  const multi: Record<string, string[]> = {};
  for (const pair of rawQuery.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = decodeQuery(eq < 0 ? pair : pair.slice(0, eq));
    const value = eq < 0 ? '' : decodeQuery(pair.slice(eq + 1));
    single[name] = value;
    (multi[name] ??= []).push(value);
  }
  return Object.keys(single).length === 0 ? { single: null, multi: null } : { single, multi };
}

/** Whether a content type is one of the API's binary media types (`*\/*`, `image/*` wildcards included). */
export function isBinaryType(contentType: string | undefined, binaryMediaTypes: readonly string[]): boolean {
  if (!contentType || binaryMediaTypes.length === 0) return false;
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  return binaryMediaTypes.some((pattern) => {
    const p = pattern.toLowerCase().replace('~1', '/');
    if (p === '*/*') return true;
    if (p.endsWith('/*')) return type.startsWith(p.slice(0, -1));
    return p === type;
  });
}

/** The identity of `requestContext`: who signed, as an identity pool's credentials describe them. */
function identityOf(principal: Principal, req: IncomingMessage, accountId: string, sourceIp: string): Record<string, string | null> {
  const userAgent = req.headers['user-agent'] ?? null;
  const none = {
    cognitoIdentityPoolId: null,
    accountId: null,
    cognitoIdentityId: null,
    caller: null,
    sourceIp,
    principalOrgId: null,
    accessKey: null,
    cognitoAuthenticationType: null,
    cognitoAuthenticationProvider: null,
    userArn: null,
    userAgent,
    user: null,
  };
  if (principal.kind === 'admin') {
    return { ...none, accountId, caller: accountId, accessKey: principal.accessKeyId, userArn: `arn:aws:iam::${accountId}:root`, user: accountId };
  }
  if (principal.kind !== 'role') return none;
  const roleName = roleNameOf(principal.roleArn);
  // Identity pool credentials are sessions named CognitoIdentityCredentials, as AWS names them.
  const session = principal.identityId ? 'CognitoIdentityCredentials' : principal.accessKeyId;
  const providers = (principal.amr ?? []).filter((a) => a !== 'authenticated' && a !== 'unauthenticated');
  return {
    ...none,
    cognitoIdentityPoolId: principal.identityPoolId ?? null,
    accountId,
    cognitoIdentityId: principal.identityId ?? null,
    caller: `${roleName}:${session}`,
    accessKey: principal.accessKeyId,
    cognitoAuthenticationType: principal.identityAuthType ?? null,
    cognitoAuthenticationProvider: principal.identityAuthType === 'authenticated' && providers.length > 0 ? providers.join(',') : null,
    userArn: `arn:aws:sts::${accountId}:assumed-role/${roleName}/${session}`,
    user: `${roleName}:${session}`,
  };
}

/** The Lambda proxy integration's event, REST API (payload format 1.0), as API Gateway sends it. */
export function buildProxyEvent(input: ProxyEventInput): Record<string, unknown> {
  const { req, resource, principal } = input;
  const host = req.headers.host ?? 'localhost';
  // As API Gateway, what the client sent with its own address appended: a client cannot make itself another.
  const extra: Record<string, string> = { 'X-Forwarded-For': input.forwardedFor, 'X-Amzn-Trace-Id': input.traceHeader };
  if (req.headers['x-forwarded-proto'] === undefined) extra['X-Forwarded-Proto'] = 'http';
  if (req.headers['x-forwarded-port'] === undefined && req.socket.localPort !== undefined) extra['X-Forwarded-Port'] = String(req.socket.localPort);
  const { headers, multi } = headerMaps(req, extra);
  const query = queryMaps(input.rawQuery);
  const binary = isBinaryType(req.headers['content-type'], input.binaryMediaTypes);
  const method = req.method ?? 'GET';
  return {
    resource: resource.path,
    path: input.path,
    httpMethod: method,
    headers,
    multiValueHeaders: multi,
    queryStringParameters: query.single,
    multiValueQueryStringParameters: query.multi,
    pathParameters: Object.keys(input.pathParameters).length > 0 ? input.pathParameters : null,
    stageVariables: Object.keys(input.stageVariables).length > 0 ? input.stageVariables : null,
    requestContext: {
      resourceId: resource.id,
      resourcePath: resource.path,
      httpMethod: method,
      extendedRequestId: input.requestId,
      requestTime: requestTimeOf(input.now),
      path: `/${input.stage}${input.path === '/' ? '/' : input.path}`,
      accountId: input.accountId,
      protocol: `HTTP/${req.httpVersion}`,
      stage: input.stage,
      domainPrefix: host.split('.')[0]!.split(':')[0],
      requestTimeEpoch: input.now.getTime(),
      requestId: input.requestId,
      identity: identityOf(principal, req, input.accountId, input.sourceIp),
      ...(input.claims ? { authorizer: { claims: input.claims } } : {}),
      domainName: host,
      deploymentId: input.deploymentId,
      apiId: input.apiId,
    },
    body: input.body.length === 0 ? null : binary ? input.body.toString('base64') : input.body.toString('utf8'),
    isBase64Encoded: binary && input.body.length > 0,
  };
}
