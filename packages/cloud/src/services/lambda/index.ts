import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { CREDENTIAL_PROVIDERS, FUNCTIONS, KINESIS_STREAMS, OBJECTS, STREAMS, type StreamReader } from '../../kernel/capabilities.js';
import { CapabilityError, provide, type Capability } from '../../kernel/capability.js';
import { createBusDataVersion } from '../../kernel/bus-data-version.js';
import { createCacheInvalidation } from '../../kernel/cache-invalidation.js';
import { createClusterLeases } from '../../kernel/cluster-leases.js';
import type { Kernel, Service } from '../../kernel/types.js';
import { createCodeBlobs } from './code-blobs.js';
import { createCodeLocations } from './code-location.js';
import { createCodeStore } from './code-store.js';
import { createEventQueue, type EventQueue } from './event-queue.js';
import { createFunctionCredentials } from './function-credentials.js';
import { createFunctionInvoker } from './function-invoker.js';
import { createEventSourceMappingHandler, createPermissionHandler } from './function-policy-resources.js';
import { createFunctionRegistry } from './function-registry.js';
import { createFunctionResourceHandler } from './function-resource.js';
import { createFunctionStore } from './function-store.js';
import { createLambdaRoute } from './lambda-route.js';
import { resolveLambdaOptions, type LambdaOptions } from './lambda-options.js';
import { createLayerVersionHandler, createLayerVersionPermissionHandler } from './layer-resource.js';
import { keepLegacyLayerZips } from './legacy-layer-zips.js';
import { createLogGroupHandler } from './log-group-resource.js';
import { createLogStore } from './log-store.js';
import { createLogsRoute } from './logs-api.js';
import { LAMBDA_MIGRATIONS } from './migrations.js';
import { createPermissionCache } from './permission-cache.js';
import { createFunctionRuntime } from './runtime/index.js';
import { createStreamPollers, eventStreams } from './stream-pollers.js';

export type { LambdaOptions } from './lambda-options.js';

const HOUR_MS = 3600 * 1000;
/** Long enough to zip a layer (250 MB unzipped at most) and store it; a dead instance's lease lapses after it. */
const LEGACY_LAYER_LEASE_MS = 5 * 60 * 1000;

/**
 * Lambda: the `AWS::Lambda::*` and `AWS::Logs::LogGroup` resource types, the Invoke API (REST-JSON at
 * `/2015-03-31/functions`), the CloudWatch Logs subset for functions' logs (`POST /logs/`), the credential
 * provider of functions' role credentials, `FUNCTIONS` for other services, and the pollers that deliver DynamoDB
 * streams (read through `STREAMS`) to event source mappings. Code runs in the function
 * runtime (`runtime/`); code zips are read from buckets through `OBJECTS`.
 */
export function createLambdaService(kernel: Kernel, lambdaOptions?: LambdaOptions): Service {
  const options = resolveLambdaOptions(lambdaOptions);
  // Other instances of a cluster open the same database (never an SQLite file).
  const shared = kernel.sql.dialect !== 'sqlite';
  // Every invocation looks its function up (function-store `get`), kept until the data version of the
  // store's tables changes: on PostgreSQL, this instance's writes through the store and, through the bus, the
  // other instances'. Only the function store writes functions, layer versions, policies and mappings; what
  // invocations and pollers write (queued events, logs, credentials, stream positions) goes to kernel.sql and
  // changes no version: none of it is kept on the version.
  const functionData = createBusDataVersion(kernel, 'lambda');
  const store = createFunctionStore(functionData.sql);
  const zips = createCodeBlobs({ sql: kernel.sql, blobs: kernel.blobs });
  const code = createCodeStore(join(kernel.config.dataDir, 'lambda', 'code'), zips);
  const credentials = createFunctionCredentials(kernel.sql, kernel.secrets);
  const logs = createLogStore({ sql: kernel.sql, log: kernel.log, defaultRetentionDays: options.logRetentionDays });
  const runtime = (options.createRuntime ?? createFunctionRuntime)({
    cacheDir: options.cacheDir,
    onLog: (line) => logs.add(line),
    concurrencyLimit: options.concurrencyLimit,
    idleSeconds: options.idleSeconds,
    allowDownloads: options.allowDownloads,
  });
  const codeLocations = createCodeLocations({ region: kernel.config.region, baseUrl: () => kernel.baseUrl(), secrets: kernel.secrets });
  const credentialsLifetimeMs = options.credentialsLifetimeSeconds * 1000;
  const registry = createFunctionRegistry({ kernel, store, code, credentials, runtime, credentialsLifetimeMs });
  const permissions = createPermissionCache(store);
  const isNamed = (value: unknown): value is { name: string } => typeof (value as { name?: unknown } | null)?.name === 'string';
  // Each instance runs the functions in its own runtime: one changed or deleted by another instance sharing
  // the database is deployed again (or stopped) here when the bus says so.
  const functionsChanged = createCacheInvalidation<{ name: string }>(kernel, 'lambda-functions', {
    isChange: isNamed,
    onChange: ({ name }) => {
      permissions.invalidate(name);
      return registry.changedElsewhere(name);
    },
    onLost: async () => {
      permissions.invalidateAll();
      for (const fn of await store.all()) await registry.changedElsewhere(fn.name);
    },
  });
  // A function's resource policy, which every instance keeps in memory (permission-cache.ts).
  const permissionsChanged = createCacheInvalidation<{ name: string }>(kernel, 'lambda-permissions', {
    isChange: isNamed,
    onChange: ({ name }) => permissions.invalidate(name),
    onLost: () => permissions.invalidateAll(),
  });
  let queue: EventQueue | undefined;
  const invoker = createFunctionInvoker({
    store,
    permissions,
    registry,
    runtime,
    queue: () => queue!,
    accountId: kernel.config.accountId,
    region: kernel.config.region,
  });
  queue = createEventQueue({
    sql: kernel.sql,
    log: kernel.log,
    retryDelaysMs: options.eventRetryDelaysSeconds.map((s) => s * 1000),
    run: invoker.runQueued,
    instance: kernel.config.instance ?? randomUUID(),
    leaseMs: options.eventLeaseSeconds * 1000,
    shared,
    ...(kernel.bus.shared ? { bus: kernel.bus } : {}),
  });
  /** A capability of a service this cloud may run without (undefined then). */
  const optionalCapability = <T>(capability: Capability<T>): T | undefined => {
    try {
      return kernel.capability(capability);
    } catch (error) {
      if (error instanceof CapabilityError) return undefined;
      throw error;
    }
  };
  const pollers = createStreamPollers({
    sql: kernel.sql,
    log: kernel.log,
    invoker,
    addFunctionLog: (line) => logs.add(line),
    // Optional: a cloud without dynamodb (or kinesis) has no such streams, and their mappings stay stored only.
    streams: (): StreamReader | undefined => eventStreams(optionalCapability(STREAMS), optionalCapability(KINESIS_STREAMS)),
    instance: kernel.config.instance,
    shared,
    leaseMs: options.eventSourceLeaseSeconds * 1000,
  });
  const collectCode = async (): Promise<void> => {
    const removed = await code.collect(await store.codeInUse());
    const zipsRemoved = await zips.collect();
    if (removed.length > 0 || zipsRemoved > 0) kernel.log.info('removed unused function code', { folders: removed.length, zips: zipsRemoved });
  };
  const timers: NodeJS.Timeout[] = [];
  const every = (ms: number, task: () => Promise<unknown>, what: string): void => {
    const timer = setInterval(() => void task().catch((error: unknown) => kernel.log.error(`${what} failed`, { error })), ms);
    timer.unref();
    timers.push(timer);
  };

  return {
    name: 'lambda',
    requires: [OBJECTS],
    provides: [
      provide(CREDENTIAL_PROVIDERS, credentials.provider()),
      provide(CREDENTIAL_PROVIDERS, codeLocations.provider),
      provide(FUNCTIONS, invoker.capability),
    ],
    routes: [createLambdaRoute({ store, invoker, codeLocations }), createLogsRoute({ logs, region: kernel.config.region, accountId: kernel.config.accountId })],
    resourceTypes: {
      'AWS::Lambda::Function': createFunctionResourceHandler({
        kernel,
        store,
        code,
        registry,
        collectCode,
        changed: (name) => {
          permissions.invalidate(name);
          functionsChanged.changed({ name });
        },
      }),
      'AWS::Lambda::LayerVersion': createLayerVersionHandler({ kernel, store, code, collectCode }),
      'AWS::Lambda::LayerVersionPermission': createLayerVersionPermissionHandler(store),
      'AWS::Lambda::Permission': createPermissionHandler(store, (name) => {
        permissions.invalidate(name);
        permissionsChanged.changed({ name });
      }),
      'AWS::Lambda::EventSourceMapping': createEventSourceMappingHandler(store, pollers),
      'AWS::Logs::LogGroup': createLogGroupHandler(kernel, logs),
    },
    async start() {
      await functionData.start();
      await functionsChanged.start();
      await permissionsChanged.start();
      await kernel.sql.migrate('lambda', LAMBDA_MIGRATIONS);
      await collectCode();
      await logs.trim();
      // Before the functions are deployed: layers published before zips were kept, which this instance holds.
      const leases = await createClusterLeases({ sql: kernel.sql, instance: kernel.config.instance, leaseMs: LEGACY_LAYER_LEASE_MS, shared });
      const kept = await keepLegacyLayerZips({ store, code, zips, leases });
      if (kept.length > 0) kernel.log.info('kept in the blob store the code of layers published before it was kept there', { layerCode: kept });
      await registry.deployAll();
      await queue.start();
      await pollers.start();
      every(HOUR_MS, () => logs.trim(), 'log retention');
      // What other instances of a cluster stopped using, and zips whose deployment never recorded them.
      every(HOUR_MS, collectCode, 'code collection');
      every(Math.min(5 * 60 * 1000, Math.max(250, credentialsLifetimeMs / 8)), () => registry.renewCredentials(), 'credential renewal');
    },
    async stop() {
      functionData.stop();
      functionsChanged.stop();
      permissionsChanged.stop();
      for (const timer of timers) clearInterval(timer);
      // The runtime stops the processes of invocations under way, which would otherwise hold the stop up
      // to a function's timeout; the queue records nothing for them, so they run again at the next start.
      queue.stop();
      const pollersStopped = pollers.stop();
      await runtime.close();
      await queue.settled();
      await pollersStopped;
      await logs.flush();
    },
  };
}
