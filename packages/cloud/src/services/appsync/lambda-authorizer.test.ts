import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AppSyncAuthProvider } from '@forte/protocol';
import type { FunctionInvocationResult, FunctionInvoker } from '../../kernel/capabilities.js';
import type { Kernel } from '../../kernel/types.js';
import { AppSyncAuthError } from './caller.js';
import { authorizedRequestOf, authorizeWithLambda, LambdaAuthorizerCache } from './lambda-authorizer.js';

/** A kernel with only what the authorizer reads: FUNCTIONS answering `answer`, the account, a log that keeps warnings. */
function fakeKernel(
  answer: (payload: string) => FunctionInvocationResult,
  permitted = true,
): { kernel: Kernel; calls: string[]; warnings: string[]; asked: unknown[] } {
  const calls: string[] = [];
  const asked: unknown[] = [];
  const warnings: string[] = [];
  const invoker: FunctionInvoker = {
    invoke: async (_name, payload) => {
      calls.push(payload);
      return answer(payload);
    },
    exists: async () => true,
    permits: async (name, requester) => {
      asked.push({ name, ...requester });
      return permitted;
    },
  };
  const kernel = {
    config: { accountId: '123456789012', region: 'us-east-1' },
    log: { warn: (msg: string) => warnings.push(msg), info() {}, error() {}, debug() {} },
    capability: () => invoker,
  } as unknown as Kernel;
  return { kernel, calls, warnings, asked };
}

const provider = (config: Partial<NonNullable<AppSyncAuthProvider['LambdaAuthorizerConfig']>> = {}): AppSyncAuthProvider => ({
  AuthenticationType: 'AWS_LAMBDA',
  LambdaAuthorizerConfig: { AuthorizerUri: 'authorizer-dev', ...config },
});

const allow = (): FunctionInvocationResult => ({ statusCode: 200, payload: JSON.stringify({ isAuthorized: true, resolverContext: { a: '1' } }) });

const authorize = (kernel: Kernel, token: string, extra: { provider?: AppSyncAuthProvider; cache?: LambdaAuthorizerCache; now?: () => number } = {}) =>
  authorizeWithLambda({
    kernel,
    apiId: 'api1',
    provider: extra.provider ?? provider({ AuthorizerResultTtlInSeconds: 60 }),
    cache: extra.cache ?? new LambdaAuthorizerCache(),
    token,
    headers: { authorization: token },
    body: '{"query":"{ a }"}',
    ...(extra.now ? { now: extra.now } : {}),
  });

const refused = (e: unknown): boolean => e instanceof AppSyncAuthError && e.errorType === 'UnauthorizedException';

void describe('the Lambda authorizer', () => {
  void it("is invoked only when the function's resource policy lets appsync.amazonaws.com, for this API", async () => {
    const allowed = fakeKernel(allow);
    assert.equal((await authorize(allowed.kernel, 'tok-1')).mode, 'function');
    assert.deepEqual(allowed.asked, [
      {
        name: 'authorizer-dev',
        principal: 'appsync.amazonaws.com',
        sourceArn: 'arn:aws:appsync:us-east-1:123456789012:apis/api1',
        sourceAccount: '123456789012',
      },
    ]);
    const refusedByPolicy = fakeKernel(allow, false);
    await assert.rejects(authorize(refusedByPolicy.kernel, 'tok-1'), refused);
    assert.equal(refusedByPolicy.calls.length, 0);
    assert.match(refusedByPolicy.warnings.join('\n'), /no permission lets appsync\.amazonaws\.com invoke it/);
  });

  void it('IdentityValidationExpression: a token that does not match is refused without calling the function', async () => {
    const { kernel, calls } = fakeKernel(allow);
    const p = provider({ IdentityValidationExpression: 'tok-[0-9]+' });
    await assert.rejects(authorize(kernel, 'tok-12x', { provider: p }), refused);
    assert.equal(calls.length, 0);
    assert.equal((await authorize(kernel, 'tok-12', { provider: p })).mode, 'function');
    assert.equal(calls.length, 1);
  });

  void it('an answer that is not JSON, lacks a boolean isAuthorized, or is a function error refuses, and says why in the log', async () => {
    for (const out of [
      { statusCode: 200, payload: 'not json' },
      { statusCode: 200, payload: JSON.stringify({ isAuthorized: 'yes' }) },
      { statusCode: 200, payload: JSON.stringify({ errorMessage: 'boom' }), functionError: 'Unhandled' as const },
    ]) {
      const { kernel, warnings } = fakeKernel(() => out);
      await assert.rejects(authorize(kernel, 'tok'), refused);
      assert.equal(warnings.length, 1);
    }
  });

  void it('the TTL: ttlOverride wins over the configured one, and an expired decision asks again', async () => {
    let now = 1_000_000;
    const { kernel, calls } = fakeKernel(() => ({ statusCode: 200, payload: JSON.stringify({ isAuthorized: true, ttlOverride: 5 }) }));
    const cache = new LambdaAuthorizerCache();
    await authorize(kernel, 't', { cache, now: () => now });
    now += 4_000;
    await authorize(kernel, 't', { cache, now: () => now });
    assert.equal(calls.length, 1);
    now += 2_000;
    await authorize(kernel, 't', { cache, now: () => now });
    assert.equal(calls.length, 2);
  });

  void it('no TTL configured: every request asks', async () => {
    const { kernel, calls } = fakeKernel(allow);
    const cache = new LambdaAuthorizerCache();
    await authorize(kernel, 't', { cache, provider: provider() });
    await authorize(kernel, 't', { cache, provider: provider() });
    assert.equal(calls.length, 2);
  });

  void it('reads query, operation name and variables from the request body; anything else is empty', () => {
    assert.deepEqual(authorizedRequestOf('{"query":"query A { a }","operationName":"A","variables":{"x":1}}'), {
      queryString: 'query A { a }',
      operationName: 'A',
      variables: { x: 1 },
    });
    assert.deepEqual(authorizedRequestOf('{}'), { queryString: '', operationName: undefined, variables: {} });
    assert.deepEqual(authorizedRequestOf('[1'), { queryString: '', operationName: undefined, variables: {} });
  });

  void it('the cache keeps at most 10 000 tokens per API, dropping the oldest', () => {
    const cache = new LambdaAuthorizerCache();
    const decision = { expiresAt: Number.MAX_SAFE_INTEGER, caller: undefined };
    for (let i = 0; i < 10_005; i++) cache.set(`token-${i}-${'x'.repeat(100)}`, decision);
    assert.equal(cache.size, 10_000);
    assert.equal(cache.get(`token-0-${'x'.repeat(100)}`, 0), undefined);
    assert.ok(cache.get(`token-10004-${'x'.repeat(100)}`, 0));
  });
});
