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
  const refresh = async (apiId: string): Promise<void> => {
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
  return {
    get: (apiId) => apis.get(apiId),
    refresh,
    prepare(apiId, built) {
      prepared.set(apiId, built);
    },
    async loadAll() {
      for (const apiId of await store.apiIds()) await refresh(apiId);
    },
  };
}
