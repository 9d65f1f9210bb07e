import { createCacheInvalidation } from '../../kernel/cache-invalidation.js';
import { createMissReadThrough } from '../../kernel/miss-read-through.js';
import type { Kernel } from '../../kernel/types.js';
import type { ApiRegistry, BuiltSchema, DeployedApi } from './api-registry.js';
import { apiArn, envOfApi } from './api-resource.js';
import { functionAccessFor } from './function-check.js';
import type { AppSyncStore } from './appsync-store.js';
import { buildExecutableApi } from './executable-schema.js';
import { LambdaAuthorizerCache } from './lambda-authorizer.js';
import type { HttpResolverSettings } from './http-resolver.js';

/**
 * How long the API keys read for an API are trusted before a request with one of them reads them again: a key
 * deleted through another instance is refused here once the bus says so, and within this time should the
 * message be lost.
 */
const KEYS_TRUSTED_MS = 1000;

/** The registry of served APIs over the AppSync store (see api-registry.ts). */
export function createApiRegistry(kernel: Kernel, store: AppSyncStore, http: HttpResolverSettings): ApiRegistry {
  const apis = new Map<string, DeployedApi>();
  // Building a 20-model schema takes 0.2–0.6 s: an API key or API change keeps the one already built.
  const builtSchemas = new Map<string, BuiltSchema>();
  const prepared = new Map<string, BuiltSchema>();
  const keysReadAt = new Map<string, number>();
  const forget = (apiId: string): void => {
    apis.delete(apiId);
    builtSchemas.delete(apiId);
    keysReadAt.delete(apiId);
  };
  const rebuild = async (apiId: string): Promise<void> => {
    const api = await store.apiById(apiId);
    const schema = api && (await store.schema(apiId));
    if (!api || !schema) {
      forget(apiId);
      return;
    }
    try {
      let built = [prepared.get(apiId), builtSchemas.get(apiId)].find((b) => b?.definitionHash === schema.definitionHash);
      if (!built) {
        const env = envOfApi(api);
        const access = { functions: functionAccessFor(kernel, env), http: { env, region: kernel.config.region, settings: http } };
        built = { definitionHash: schema.definitionHash, ...buildExecutableApi({ ...schema, ...access }) };
      }
      if (prepared.get(apiId) === built) prepared.delete(apiId);
      builtSchemas.set(apiId, built);
      const keysRead = Date.now();
      const keys = await store.keysOfApi(apiId);
      apis.set(apiId, {
        apiId,
        arn: apiArn(kernel, apiId),
        name: api.name,
        authProviders: api.authProviders,
        adminRoleNames: new Set(api.adminRoleNames),
        plan: built.plan,
        schema: built.schema,
        tables: schema.tables,
        apiKeys: Object.fromEntries(keys.map((k) => [k.apiKey, k.expiresAt])),
        lambdaAuthorizerCache: new LambdaAuthorizerCache(),
      });
      keysReadAt.set(apiId, keysRead);
    } catch (error) {
      // Only a schema deployed by an older release can fail here (the resource handler validated it).
      forget(apiId);
      kernel.log.error('graphql api cannot be served', { apiId, error });
    }
  };
  // The keys alone (a request named one this instance does not hold, or holds for too long): the API object
  // and its Lambda authorizer decisions stay.
  const rereadKeys = async (apiId: string): Promise<void> => {
    const api = apis.get(apiId);
    if (!api) return;
    const keysRead = Date.now();
    const keys = await store.keysOfApi(apiId);
    if (apis.get(apiId) !== api) return;
    api.apiKeys = Object.fromEntries(keys.map((k) => [k.apiKey, k.expiresAt]));
    keysReadAt.set(apiId, keysRead);
  };
  // One rebuild of an API at a time, in the order asked: a rebuild that read older rows never ends last.
  const rebuilding = new Map<string, Promise<void>>();
  const serially = (apiId: string, run: (apiId: string) => Promise<void>): Promise<void> => {
    const next = (rebuilding.get(apiId) ?? Promise.resolve()).then(() => run(apiId));
    const settled = next.catch(() => undefined);
    rebuilding.set(apiId, settled);
    void settled.then(() => rebuilding.get(apiId) === settled && rebuilding.delete(apiId));
    return next;
  };
  const refresh = (apiId: string): Promise<void> => serially(apiId, rebuild);
  // What a request finds missing is read from SQL before it is refused, once per id at a time and second.
  const misses = createMissReadThrough();
  const find = async (apiId: string): Promise<DeployedApi | undefined> => {
    const held = apis.get(apiId);
    if (held) return held;
    await misses.check(`api:${apiId}`, () => refresh(apiId));
    return apis.get(apiId);
  };
  const refreshAll = async (): Promise<void> => {
    for (const apiId of new Set([...apis.keys(), ...(await store.apiIds())])) await refresh(apiId);
  };
  // Another instance changed an API (a push it applied): rebuild it here from what it committed.
  const invalidation = createCacheInvalidation(kernel, 'appsync-apis', {
    isChange: (value): value is { apiId: string } => typeof (value as { apiId?: unknown } | null)?.apiId === 'string',
    onChange: ({ apiId }) => refresh(apiId),
    onLost: refreshAll,
  });
  return {
    get: (apiId) => apis.get(apiId),
    find,
    async recheck(apiId) {
      await misses.check(`schema:${apiId}`, () => refresh(apiId));
      return apis.get(apiId);
    },
    async served(apiId, apiKey) {
      const api = await find(apiId);
      if (!api || apiKey === undefined) return api;
      if (api.apiKeys[apiKey] !== undefined && Date.now() - (keysReadAt.get(apiId) ?? 0) < KEYS_TRUSTED_MS) return api;
      await misses.check(`keys:${apiId}`, () => serially(apiId, rereadKeys));
      return apis.get(apiId);
    },
    async refresh(apiId) {
      await refresh(apiId);
      invalidation.changed({ apiId });
    },
    prepare(apiId, built) {
      prepared.set(apiId, built);
    },
    async loadAll() {
      for (const apiId of await store.apiIds()) await refresh(apiId);
    },
    start: () => invalidation.start(),
    stop: () => invalidation.stop(),
  };
}
