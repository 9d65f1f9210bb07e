import { createCacheInvalidation } from '../../kernel/cache-invalidation.js';
import type { Kernel } from '../../kernel/types.js';
import type { ApiRegistry, BuiltSchema, DeployedApi } from './api-registry.js';
import { apiArn, envOfApi } from './api-resource.js';
import { functionAccessFor } from './function-check.js';
import type { AppSyncStore } from './appsync-store.js';
import { buildExecutableApi } from './executable-schema.js';
import { LambdaAuthorizerCache } from './lambda-authorizer.js';
import type { HttpResolverSettings } from './http-resolver.js';

/** The registry of served APIs over the AppSync store (see api-registry.ts). */
export function createApiRegistry(kernel: Kernel, store: AppSyncStore, http: HttpResolverSettings): ApiRegistry {
  const apis = new Map<string, DeployedApi>();
  // Building a 20-model schema takes 0.2–0.6 s: an API key or API change keeps the one already built.
  const builtSchemas = new Map<string, BuiltSchema>();
  const prepared = new Map<string, BuiltSchema>();
  const rebuild = async (apiId: string): Promise<void> => {
    const api = await store.apiById(apiId);
    const schema = api && (await store.schema(apiId));
    if (!api || !schema) {
      apis.delete(apiId);
      builtSchemas.delete(apiId);
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
      const keys = await store.keysOfApi(apiId);
      apis.set(apiId, {
        apiId,
        arn: apiArn(kernel, apiId),
        name: api.name,
        authProviders: api.authProviders,
        plan: built.plan,
        schema: built.schema,
        tables: schema.tables,
        apiKeys: Object.fromEntries(keys.map((k) => [k.apiKey, k.expiresAt])),
        lambdaAuthorizerCache: new LambdaAuthorizerCache(),
      });
    } catch (error) {
      // Only a schema deployed by an older release can fail here (the resource handler validated it).
      apis.delete(apiId);
      builtSchemas.delete(apiId);
      kernel.log.error('graphql api cannot be served', { apiId, error });
    }
  };
  // One rebuild of an API at a time, in the order asked: a rebuild that read older rows never ends last.
  const rebuilding = new Map<string, Promise<void>>();
  const refresh = (apiId: string): Promise<void> => {
    const next = (rebuilding.get(apiId) ?? Promise.resolve()).then(() => rebuild(apiId));
    const settled = next.catch(() => undefined);
    rebuilding.set(apiId, settled);
    void settled.then(() => rebuilding.get(apiId) === settled && rebuilding.delete(apiId));
    return next;
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
