import { isForteError, type AppSyncAuthProvider } from '@forte/protocol';
import { verifyIdentityToken } from '../../kernel/identity-tokens.js';
import { roleNameOf } from '../../kernel/iam-lite.js';
import type { Kernel, Principal, VerifiedIdentityToken } from '../../kernel/types.js';
import type { DeployedApi } from './api-registry.js';
import { AppSyncAuthError, type Caller } from './caller.js';
import { authorizeWithLambda } from './lambda-authorizer.js';
import { withoutTrailing } from '../../kernel/without-trailing.js';

const unauthorized = (message: string): AppSyncAuthError => new AppSyncAuthError('UnauthorizedException', message);

/** The unverified payload of a JWT, only to route it to the right verifier. */
function peekJwt(token: string): Record<string, unknown> | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const payload: unknown = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'));
    return typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * What an IAM caller is to the API's `@auth` rules: Forte's admin keys and the API's admin roles pass them all (Amplify
 * makes the roles of functions with access to the API, and custom-roles.json's `adminRoleNames`, admin roles);
 * identity pool credentials are the signed-in users' or the guests' role, whatever that role is named.
 */
const iamRoleOf = (principal: Principal, api: Pick<DeployedApi, 'adminRoleNames'>): Caller['iamRole'] => {
  if (principal.kind === 'admin') return 'admin';
  if (principal.kind === 'role' && principal.identityAuthType) return principal.identityAuthType === 'authenticated' ? 'auth' : 'unauth';
  // The role's name, never the session's: a caller names its own session when it assumes a role.
  if (principal.kind === 'role' && api.adminRoleNames.has(roleNameOf(principal.roleArn))) return 'admin';
  return 'other';
};

const tokenCaller = (mode: 'userPools' | 'oidc', verified: VerifiedIdentityToken, notAfter?: number): Caller => {
  const exp = typeof verified.claims.exp === 'number' ? verified.claims.exp * 1000 : undefined;
  const expiresAt = exp === undefined ? notAfter : notAfter === undefined ? exp : Math.min(exp, notAfter);
  return {
    mode,
    sub: verified.sub,
    username: verified.username,
    groups: verified.groups,
    claims: verified.claims,
    ...(expiresAt === undefined ? {} : { expiresAt }),
  };
};

/** The user pool an OIDC issuer names, when it is one of this cloud's (`<baseUrl>/<poolId>` or Cognito's own form). */
function poolOfIssuer(kernel: Kernel, issuer: string): string | undefined {
  const trimmed = issuer.replace(/\/+$/, '');
  const own = `${kernel.baseUrl()}/`;
  const cognito = new RegExp(`^https://cognito-idp\\.${kernel.config.region.replace(/[.-]/g, '\\$&')}\\.amazonaws\\.com/`);
  const rest = trimmed.startsWith(own) ? trimmed.slice(own.length) : cognito.test(trimmed) ? trimmed.replace(cognito, '') : undefined;
  return rest !== undefined && /^[\w-]+_[0-9A-Za-z]+$/.test(rest) ? rest : undefined;
}

async function verifyJwt(api: DeployedApi, token: string, kernel: Kernel): Promise<Caller> {
  const userPools = api.authProviders.filter((p) => p.AuthenticationType === 'AMAZON_COGNITO_USER_POOLS');
  const oidc = api.authProviders.filter((p) => p.AuthenticationType === 'OPENID_CONNECT');
  // Not a JWT at all: refused before any verifier runs. The payload is decoded here only when a user pool
  // does not take the token (the verifier decodes it itself), as the refusals below need it.
  const notJwt = (): AppSyncAuthError => unauthorized('Valid authorization header not provided.');
  if (token.split('.', 4).length !== 3) throw notJwt();
  const providerName = (poolId: string): string => `cognito-idp.${kernel.config.region}.amazonaws.com/${poolId}`;
  const clientOf = (claims: Record<string, unknown>): string => String(claims.client_id ?? claims.aud ?? '');
  for (const provider of userPools) {
    const verified = await verifyIdentityToken(kernel, providerName(provider.UserPoolConfig!.UserPoolId), token, { tokenUse: 'any' });
    if (!verified) continue;
    const regex = provider.UserPoolConfig?.AppIdClientRegex;
    if (regex && !new RegExp(`^(?:${regex})$`).test(clientOf(verified.claims))) continue;
    return tokenCaller('userPools', verified);
  }
  const payload = peekJwt(token);
  if (!payload) throw notJwt();
  for (const provider of oidc) {
    const config = provider.OpenIDConnectConfig!;
    const poolId = poolOfIssuer(kernel, config.Issuer);
    if (!poolId) {
      throw unauthorized(`OPENID_CONNECT issuer ${config.Issuer} is not one of this cloud's user pools: only those issuers are supported for now.`);
    }
    if (typeof payload.iss === 'string' && withoutTrailing(payload.iss, '/') !== `${kernel.baseUrl()}/${poolId}`) continue;
    const verified = await verifyIdentityToken(kernel, providerName(poolId), token, { tokenUse: 'any' });
    if (!verified) continue;
    if (
      config.ClientId &&
      !config.ClientId.split(',')
        .map((c) => c.trim())
        .includes(clientOf(verified.claims))
    )
      continue;
    const now = Math.floor(Date.now() / 1000);
    const iat = typeof verified.claims.iat === 'number' ? verified.claims.iat : now;
    const authTime = typeof verified.claims.auth_time === 'number' ? verified.claims.auth_time : iat;
    if (config.IatTTL && (now - iat) * 1000 > config.IatTTL) throw unauthorized('Token has expired.');
    if (config.AuthTTL && (now - authTime) * 1000 > config.AuthTTL) throw unauthorized('Token has expired.');
    const limits = [config.IatTTL ? iat * 1000 + config.IatTTL : Infinity, config.AuthTTL ? authTime * 1000 + config.AuthTTL : Infinity];
    const notAfter = Math.min(...limits);
    return tokenCaller('oidc', verified, Number.isFinite(notAfter) ? notAfter : undefined);
  }
  if (typeof payload.exp === 'number' && payload.exp * 1000 < Date.now()) throw unauthorized('Token has expired.');
  throw unauthorized('Valid authorization header not provided.');
}

/**
 * The API key a request is authenticated with: its `x-api-key` header when it has no `authorization` one
 * (as `authenticateRequest` chooses); undefined otherwise.
 */
export function apiKeyOf(headers: Record<string, string | undefined>): string | undefined {
  let apiKey: string | undefined;
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (lower === 'authorization' && value?.trim() !== undefined) return undefined;
    if (lower === 'x-api-key') apiKey = value;
  }
  return apiKey;
}

/**
 * The IAM caller of a request the cloud dispatched as `principal` (the console's pipe, as the admin): an AWS_IAM
 * call of that principal, refused as AppSync refuses IAM when the API has no AWS_IAM auth mode.
 */
export function principalCaller(api: DeployedApi, principal: Principal): Caller {
  if (!api.authProviders.some((p) => p.AuthenticationType === 'AWS_IAM'))
    throw unauthorized('IAM requests are not accepted by this API: it has no AWS_IAM auth mode. Use an API key or a user of its user pool.');
  const expiresAt = principal.kind === 'role' ? principal.expiresAt : undefined;
  return { mode: 'iam', groups: [], claims: {}, principal, iamRole: iamRoleOf(principal, api), ...(expiresAt === undefined ? {} : { expiresAt }) };
}

/** See `authenticateCaller` (caller.ts): AppSync's choice of auth mode from the request's credentials. */
export async function authenticateRequest(input: {
  api: DeployedApi;
  headers: Record<string, string | undefined>;
  request: { method: string; path: string; body: string };
  kernel: Kernel;
  now?: () => number;
}): Promise<Caller> {
  const { api, kernel } = input;
  const headers = Object.fromEntries(Object.entries(input.headers).map(([k, v]) => [k.toLowerCase(), v]));
  const has = (type: AppSyncAuthProvider['AuthenticationType']): boolean => api.authProviders.some((p) => p.AuthenticationType === type);
  const apiKey = headers['x-api-key'];
  const authorization = headers.authorization?.trim();

  if (authorization?.startsWith('AWS4-HMAC-SHA256')) {
    if (!has('AWS_IAM')) throw unauthorized('IAM (SigV4) requests are not accepted by this API: it has no AWS_IAM auth mode.');
    let principal: Principal;
    try {
      principal = await kernel.verifySignedHeaders({
        service: 'appsync',
        method: input.request.method,
        path: input.request.path,
        headers: input.headers,
        body: input.request.body,
      });
    } catch (error) {
      if (isForteError(error)) throw new AppSyncAuthError('UnauthorizedException', error.message);
      throw error;
    }
    const expiresAt = principal.kind === 'role' ? principal.expiresAt : undefined;
    return { mode: 'iam', groups: [], claims: {}, principal, iamRole: iamRoleOf(principal, api), ...(expiresAt === undefined ? {} : { expiresAt }) };
  }
  if (apiKey !== undefined && authorization === undefined) {
    if (!has('API_KEY')) throw unauthorized('API keys are not accepted by this API: it has no API_KEY auth mode.');
    const expires = api.apiKeys[apiKey];
    if (expires === undefined) throw unauthorized('You are not authorized to make this call.');
    if (expires * 1000 <= (input.now ?? Date.now)()) throw unauthorized('API key has expired.');
    return { mode: 'apiKey', groups: [], claims: {}, expiresAt: expires * 1000 };
  }
  if (authorization !== undefined && authorization !== '') {
    const lambda = api.authProviders.find((p) => p.AuthenticationType === 'AWS_LAMBDA');
    // A token the user pools and OIDC providers do not take goes to the Lambda authorizer, when there is one.
    const viaLambda = (): Promise<Caller> =>
      authorizeWithLambda({
        kernel,
        apiId: api.apiId,
        provider: lambda!,
        cache: api.lambdaAuthorizerCache,
        token: authorization,
        headers,
        body: input.request.body,
        ...(input.now ? { now: input.now } : {}),
      });
    if (!has('AMAZON_COGNITO_USER_POOLS') && !has('OPENID_CONNECT')) {
      if (lambda) return viaLambda();
      throw unauthorized('Valid authorization header not provided.');
    }
    try {
      return await verifyJwt(api, authorization.replace(/^Bearer\s+/i, ''), kernel);
    } catch (error) {
      if (lambda && error instanceof AppSyncAuthError) return viaLambda();
      throw error;
    }
  }
  throw unauthorized('Valid authorization header not provided.');
}
