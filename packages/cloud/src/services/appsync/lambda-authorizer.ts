import { createHash, randomUUID } from 'node:crypto';
import { isForteError, type AppSyncAuthProvider } from '@forte/protocol';
import type { Kernel } from '../../kernel/types.js';
import { AppSyncAuthError, type Caller } from './caller.js';
import { functionsOf } from './function-check.js';

/** What the authorizer answered for a token, kept for its TTL. */
interface CachedDecision {
  expiresAt: number;
  caller: Caller | undefined;
}

/** Most tokens whose decisions one API keeps; past it the oldest is dropped (a Map keeps insertion order). */
const MAX_CACHED_TOKENS = 10_000;
/** AppSync's bound on AuthorizerResultTtlInSeconds and ttlOverride. */
const MAX_TTL_SECONDS = 3600;
/** AppSync's limit on the authorizer's answer; larger answers are refused rather than parsed. */
const MAX_RESPONSE_BYTES = 5 * 1024 * 1024;

const NOT_AUTHORIZED = 'You are not authorized to make this call.';
const unauthorized = (message = NOT_AUTHORIZED): AppSyncAuthError => new AppSyncAuthError('UnauthorizedException', message);

/**
 * Decisions of one API's Lambda authorizer, keyed by token (AppSync caches by the authorization token). The
 * key is the token's SHA-256, so a full cache holds 10 000 short keys whatever the tokens' size, and no token.
 */
export class LambdaAuthorizerCache {
  private readonly decisions = new Map<string, CachedDecision>();

  private static key(token: string): string {
    return createHash('sha256').update(token).digest('base64');
  }

  get(token: string, now: number): CachedDecision | undefined {
    const key = LambdaAuthorizerCache.key(token);
    const hit = this.decisions.get(key);
    if (hit && hit.expiresAt <= now) {
      this.decisions.delete(key);
      return undefined;
    }
    return hit;
  }

  set(token: string, decision: CachedDecision): void {
    const key = LambdaAuthorizerCache.key(token);
    this.decisions.delete(key);
    if (this.decisions.size >= MAX_CACHED_TOKENS) this.decisions.delete(this.decisions.keys().next().value!);
    this.decisions.set(key, decision);
  }

  get size(): number {
    return this.decisions.size;
  }
}

/** The GraphQL request the token comes with, as the authorizer's `requestContext` carries it. */
export interface AuthorizedRequest {
  queryString: string;
  operationName: string | undefined;
  variables: Record<string, unknown>;
}

/** The query, operation name and variables of a request body (`{query, variables, operationName}`); empty when it has none. */
export function authorizedRequestOf(body: string): AuthorizedRequest {
  let value: unknown;
  try {
    value = body === '' ? {} : JSON.parse(body);
  } catch {
    value = {};
  }
  const request = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const variables = request.variables;
  return {
    queryString: typeof request.query === 'string' ? request.query : '',
    operationName: typeof request.operationName === 'string' ? request.operationName : undefined,
    variables: typeof variables === 'object' && variables !== null && !Array.isArray(variables) ? (variables as Record<string, unknown>) : {},
  };
}

/** `Type.field` from a denied field as the authorizer names it: `Type.field` or the field's ARN (`…/types/Type/fields/field`). */
function deniedFieldName(entry: string): string | undefined {
  const arn = /\/types\/([^/]+)\/fields\/([^/]+)$/.exec(entry);
  if (arn) return `${arn[1]}.${arn[2]}`;
  return /^[_A-Za-z]\w*\.[_A-Za-z]\w*$/.test(entry) ? entry : undefined;
}

/** Reads the authorizer's answer; anything but `{isAuthorized: boolean, …}` is a refusal, logged for the developer. */
function decisionOf(kernel: Kernel, functionName: string, payload: string): { caller: Caller | undefined; ttlOverride: number | undefined } {
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    kernel.log.warn('lambda authorizer answered something that is not JSON', { function: functionName });
    return { caller: undefined, ttlOverride: undefined };
  }
  const answer = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  if (typeof answer.isAuthorized !== 'boolean') {
    kernel.log.warn('lambda authorizer answer has no boolean isAuthorized', { function: functionName });
    return { caller: undefined, ttlOverride: undefined };
  }
  const ttlOverride = typeof answer.ttlOverride === 'number' && Number.isFinite(answer.ttlOverride) ? answer.ttlOverride : undefined;
  if (!answer.isAuthorized) return { caller: undefined, ttlOverride };
  const context = answer.resolverContext;
  const denied = Array.isArray(answer.deniedFields) ? answer.deniedFields.filter((f): f is string => typeof f === 'string') : [];
  return {
    caller: {
      mode: 'function',
      groups: [],
      claims: {},
      resolverContext: typeof context === 'object' && context !== null && !Array.isArray(context) ? (context as Record<string, unknown>) : {},
      deniedFields: new Set(denied.map(deniedFieldName).filter((f): f is string => f !== undefined)),
    },
    ttlOverride,
  };
}

/**
 * AWS_LAMBDA: the API's authorizer function decides, as AppSync calls it. The token must match the
 * provider's IdentityValidationExpression (when set) before the function is called; the function gets
 * `{authorizationToken, requestContext: {apiId, accountId, requestId, queryString, operationName,
 * variables}, requestHeaders}` and answers `{isAuthorized, resolverContext, deniedFields, ttlOverride}`.
 * The decision (either way) is kept for `ttlOverride` seconds, else the provider's
 * AuthorizerResultTtlInSeconds, keyed by the token. A function that fails, is missing or answers
 * nonsense refuses the call (UnauthorizedException), with the reason in the cloud's log.
 *
 * Unlike `@function` resolvers (a data source's service role), AppSync calls an authorizer through the function's
 * resource policy: an `AWS::Lambda::Permission` must let `appsync.amazonaws.com` invoke it (for this API's ARN
 * when it names a SourceArn). Amplify writes one into the function's template when the api category makes it
 * an authorizer (`PermissionForAppSyncToInvokeLambda`, category-function's appsync-authorizer.ts).
 */
export async function authorizeWithLambda(input: {
  kernel: Kernel;
  apiId: string;
  provider: AppSyncAuthProvider;
  cache: LambdaAuthorizerCache;
  token: string;
  headers: Record<string, string | undefined>;
  body: string;
  now?: () => number;
}): Promise<Caller> {
  const { kernel, provider, cache, token } = input;
  const config = provider.LambdaAuthorizerConfig;
  if (!config) throw unauthorized('The API names AWS_LAMBDA authorization without a LambdaAuthorizerConfig.');
  const now = (input.now ?? Date.now)();
  if (config.IdentityValidationExpression && !new RegExp(`^(?:${config.IdentityValidationExpression})$`).test(token)) throw unauthorized();
  const cached = cache.get(token, now);
  if (cached) {
    if (!cached.caller) throw unauthorized();
    return cached.caller;
  }
  const functions = functionsOf(kernel);
  if (!functions) throw unauthorized('AWS_LAMBDA authorization needs the lambda service, and this cloud runs without it: add it to the services of the cloud.');
  const request = authorizedRequestOf(input.body);
  const event = {
    authorizationToken: token,
    requestContext: {
      apiId: input.apiId,
      accountId: kernel.config.accountId,
      requestId: randomUUID(),
      queryString: request.queryString,
      operationName: request.operationName ?? null,
      variables: request.variables,
    },
    requestHeaders: Object.fromEntries(Object.entries(input.headers).filter((e): e is [string, string] => e[1] !== undefined)),
  };
  const { region, accountId } = kernel.config;
  const sourceArn = `arn:aws:appsync:${region}:${accountId}:apis/${input.apiId}`;
  if (!(await functions.permits(config.AuthorizerUri, { principal: 'appsync.amazonaws.com', sourceArn, sourceAccount: accountId }))) {
    kernel.log.warn('lambda authorizer may not be invoked: no permission lets appsync.amazonaws.com invoke it', { function: config.AuthorizerUri, sourceArn });
    throw unauthorized();
  }
  let out;
  try {
    out = await functions.invoke(config.AuthorizerUri, JSON.stringify(event));
  } catch (error) {
    if (!isForteError(error)) throw error;
    kernel.log.warn('lambda authorizer could not be invoked', { function: config.AuthorizerUri, error: error.message });
    throw unauthorized();
  }
  if (out.functionError) {
    kernel.log.warn('lambda authorizer failed', { function: config.AuthorizerUri, functionError: out.functionError });
    throw unauthorized();
  }
  if (Buffer.byteLength(out.payload ?? '') > MAX_RESPONSE_BYTES) {
    kernel.log.warn('lambda authorizer answer is too large', { function: config.AuthorizerUri });
    throw unauthorized();
  }
  const decision = decisionOf(kernel, config.AuthorizerUri, out.payload ?? '');
  const ttl = Math.min(MAX_TTL_SECONDS, Math.max(0, decision.ttlOverride ?? config.AuthorizerResultTtlInSeconds ?? 0));
  if (ttl > 0) cache.set(token, { expiresAt: now + ttl * 1000, caller: decision.caller });
  if (!decision.caller) throw unauthorized();
  return decision.caller;
}
