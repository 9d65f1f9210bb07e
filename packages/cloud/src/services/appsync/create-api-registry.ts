import type { Kernel } from '../../kernel/types.js';
import type { ApiRegistry, DeployedApi } from './api-registry.js';
import { apiArn } from './api-resource.js';
import type { AppSyncStore } from './appsync-store.js';
import { buildExecutableApi } from './executable-schema.js';

/** The registry of served APIs over the AppSync store (see api-registry.ts). */
export function createApiRegistry(kernel: Kernel, store: AppSyncStore): ApiRegistry {
  const apis = new Map<string, DeployedApi>();
  const refresh = async (apiId: string): Promise<void> => {
    const api = await store.apiById(apiId);
    const schema = api && (await store.schema(apiId));
    if (!api || !schema) {
      apis.delete(apiId);
      return;
    }
    try {
      const built = buildExecutableApi(schema);
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
      });
    } catch (error) {
      // Only a schema deployed by an older release can fail here (the resource handler validated it).
      apis.delete(apiId);
      kernel.log.error('graphql api cannot be served', { apiId, error });
    }
  };
  return {
    get: (apiId) => apis.get(apiId),
    refresh,
    async loadAll() {
      for (const apiId of await store.apiIds()) await refresh(apiId);
    },
  };
}
