import { randomBytes } from 'node:crypto';
import { APPSYNC_RESOURCE_TYPES } from '@forte/protocol';
import { TABLES } from '../../kernel/capabilities.js';
import type { Kernel, Route, Service } from '../../kernel/types.js';
import type { GraphQLLimits } from './graphql-limits.js';
import type { ApiRegistry } from './api-registry.js';
import { createApiKeyResourceHandler } from './api-key-resource.js';
import { apiKeysRoute } from './api-keys-route.js';
import { createApiResourceHandler } from './api-resource.js';
import { createAppSyncStore } from './appsync-store.js';
import { createApiRegistry } from './create-api-registry.js';
import { graphqlRoute } from './graphql-route.js';
import { APPSYNC_MIGRATIONS } from './migrations.js';
import { createRealtimeRoute } from './realtime-route.js';
import { ModelEvents } from './model-events.js';
import { createNextTokenCodec, type NextTokenCodec } from './next-token.js';
import { createSchemaResourceHandler } from './schema-resource.js';
import type { ExecutionContext } from './execution-context.js';
import { graphqlLimitsWithDefaults } from './query-limits.js';
import { DEFAULT_HTTP_RESOLVER_SETTINGS, type HttpResolverSettings } from './http-resolver.js';

export type { Caller } from './caller.js';
export { AppSyncAuthError, authenticateCaller } from './caller.js';
export type { ApiRegistry, DeployedApi } from './api-registry.js';
export type { ModelChangeEvent } from './model-events.js';
export { ModelEvents } from './model-events.js';
export { canReadItem, unreadableFields } from './authorize-model.js';

/** What the realtime endpoint is built from: the served APIs, the caller check and the model changes. */
export interface AppSyncDeps {
  kernel: Kernel;
  registry: ApiRegistry;
  events: ModelEvents;
  nextTokens: NextTokenCodec;
  limits: GraphQLLimits;
  /** AppSyncOptions.clock. */
  clock?: () => number;
}

/** The AppSync service's settings: config.json's `graphql` section (limits) and `appsync` section (`http`). */
export interface AppSyncOptions {
  /** Limits on GraphQL requests; each field defaults to query-limits.ts. */
  limits?: Partial<GraphQLLimits> | undefined;
  /** Where `@http` fields may call, and their timeout; each field defaults to DEFAULT_HTTP_RESOLVER_SETTINGS. */
  http?: Partial<HttpResolverSettings> | undefined;
  /**
   * The clock of DataStore sync windows and tombstone expiry (epoch ms; default `Date.now`), as `dynamodb.ttlClock`
   * is the TTL sweep's: tests move both on instead of waiting 30 days.
   */
  clock?: (() => number) | undefined;
}

/**
 * AppSync: GraphQL APIs over HTTP (`POST /graphql/<apiId>`) executing the transformer's resolver plan
 * against the table engine, with AppSync's auth modes and `@auth`; the resource types
 * `Forte::AppSync::GraphQLApi`, `ApiKey` and `GraphQLSchema`. See README.md.
 */
export function createAppSyncService(kernel: Kernel, options: AppSyncOptions = {}): Service {
  const limits = graphqlLimitsWithDefaults(options.limits);
  const store = createAppSyncStore(kernel.sql);
  const http: HttpResolverSettings = { ...DEFAULT_HTTP_RESOLVER_SETTINGS, ...options.http };
  const registry = createApiRegistry(kernel, store, http);
  const events = new ModelEvents(kernel.bus, (error, event) =>
    kernel.log.error('model change listener failed', { apiId: event.apiId, model: event.modelName, error }),
  );
  // Read at start(): requests wait for the services to start.
  let tokenKey: Buffer | undefined;
  const nextTokens = createNextTokenCodec(() => {
    if (!tokenKey) throw new Error('the AppSync service has not started');
    return tokenKey;
  });
  const deps: AppSyncDeps = { kernel, registry, events, nextTokens, limits, ...(options.clock ? { clock: options.clock } : {}) };
  const routes: Route[] = [graphqlRoute(deps), apiKeysRoute(kernel, store)];
  // Realtime: the WebSocket endpoint (`/graphql/<apiId>/realtime`); nested fields of what it delivers
  // run through the same resolvers, with the same context (and limits) as an HTTP request of that caller.
  const realtime = createRealtimeRoute({
    kernel,
    apis: registry,
    events,
    contextFor: (api, caller): ExecutionContext => ({
      apiId: api.apiId,
      caller,
      tables: kernel.capability(TABLES),
      tableNames: api.tables,
      events,
      nextTokens,
      limits,
      ...(options.clock ? { clock: options.clock } : {}),
    }),
    limits,
  });
  return {
    name: 'appsync',
    requires: [TABLES],
    routes,
    upgrades: [realtime],
    resourceTypes: {
      [APPSYNC_RESOURCE_TYPES.graphQLApi]: createApiResourceHandler(kernel, store, registry),
      [APPSYNC_RESOURCE_TYPES.apiKey]: createApiKeyResourceHandler(kernel, store, registry),
      [APPSYNC_RESOURCE_TYPES.graphQLSchema]: createSchemaResourceHandler(kernel, store, registry, http),
    },
    async start() {
      await kernel.sql.migrate('appsync', APPSYNC_MIGRATIONS);
      tokenKey = Buffer.from(await store.secret('next-token-key', () => randomBytes(32).toString('base64')), 'base64');
      // On the bus before anything is read: a change another instance makes meanwhile is not missed.
      await events.start();
      await registry.start();
      await registry.loadAll();
    },
    stop() {
      events.stop();
      registry.stop();
      return Promise.resolve();
    },
  };
}
