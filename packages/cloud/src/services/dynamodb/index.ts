import { DYNAMODB_API_PATH, DYNAMODB_RESOURCE_TYPES } from '@forte/protocol';
import { createCacheInvalidation } from '../../kernel/cache-invalidation.js';
import { jsonApiRoute } from '../../kernel/json-api.js';
import { DYNAMODB_ERRORS } from './errors.js';
import { STREAMS, TABLES } from '../../kernel/capabilities.js';
import { provide } from '../../kernel/capability.js';
import type { Kernel, Service } from '../../kernel/types.js';
import { createDynamoDbOperations } from './api-operations.js';
import { DYNAMODB_MIGRATIONS } from './migrations.js';
import { createProgrammaticEngine } from './programmatic-engine.js';
import { createStreamsOperations, STREAMS_ERRORS } from './streams-api.js';
import { createTableAdmin } from './table-admin.js';
import type { TableDefinition } from './table-definition.js';
import { createTableEngine } from './table-engine.js';
import { createTableResourceHandler } from './table-resource.js';
import { createTableStore } from './table-store.js';
import { createTableStreams } from './table-streams.js';
import { createTransactionTokens, TRANSACTION_TOKEN_MIGRATIONS } from './transaction-tokens.js';
import { createTtlSweeper } from './ttl-sweeper.js';
import { createClusterLeases, type ClusterLeases } from '../../kernel/cluster-leases.js';

/** The DynamoDB Streams API's own path; SDK clients given only the cloud's URL reach it at `/` by its target prefix. */
export const DYNAMODB_STREAMS_API_PATH = '/dynamodb-streams/';

const HOUR_MS = 3600 * 1000;

/** The dynamodb service's settings (config.json's `dynamodb` section). */
export interface DynamoDbOptions {
  /** How often the TTL sweep runs (default 5 s). */
  ttlSweepIntervalMs?: number;
  /** Items the TTL sweep reads per run, across tables (default 1000). */
  ttlSweepItems?: number;
  /** The TTL process's clock in epoch milliseconds (default `Date.now`): tests move it on instead of waiting. */
  ttlClock?: () => number;
}

/** The API's path without its trailing slash: `GET` there answers DynamoDB's health check. */
const HEALTH_PATH = DYNAMODB_API_PATH.replace(/\/$/, '');

/**
 * DynamoDB-compatible tables kept in the SQL store: the DynamoDB JSON 1.0 API at `POST /dynamodb/`
 * (`DynamoDB_20120810.*`, SigV4 service `dynamodb`, authorized per table ARN), the DynamoDB Streams API at
 * `POST /dynamodb-streams/` and at DynamoDB's own path (`DynamoDBStreams_20120810.*`), the `Forte::DynamoDB::Table` resource type, the
 * table engine for other services (`TABLES`: AppSync) and the tables' streams (`STREAMS`: Lambda's event
 * source mappings). Items whose TTL has passed are deleted in the background.
 */
/** The TTL sweep's lease (kernel/cluster-leases.ts), and its shortest length. */
const TTL_SWEEP_LEASE = 'dynamodb-ttl-sweep';
const MIN_TTL_LEASE_MS = 15_000;

export function createDynamoDbService(kernel: Kernel, options: DynamoDbOptions = {}): Service {
  const ttlIntervalMs = options.ttlSweepIntervalMs ?? 5000;
  const arnPrefix = (): string => `arn:aws:dynamodb:${kernel.config.region}:${kernel.config.accountId}:`;
  // Table definitions are kept in memory (table-definition-cache.ts): a table created, changed or deleted
  // by another instance sharing the database drops this instance's copies.
  const tablesChanged = createCacheInvalidation<null>(kernel, 'dynamodb-tables', {
    isChange: (value): value is null => value === null,
    onChange: () => store.forgetTables(),
    onLost: () => store.forgetTables(),
  });
  const store = createTableStore(kernel.sql, { onTablesChanged: () => tablesChanged.changed(null) });
  // A commit to a stream wakes its readers (lambda's pollers) on every instance: the one holding a mapping's
  // lease may not be the one that wrote.
  const recordsAdded = createCacheInvalidation<{ streamArns: string[] }>(kernel, 'dynamodb-stream-records', {
    isChange: (value): value is { streamArns: string[] } =>
      Array.isArray((value as { streamArns?: unknown } | null)?.streamArns) &&
      (value as { streamArns: unknown[] }).streamArns.every((a) => typeof a === 'string'),
    onChange: ({ streamArns }) => streams.notify(streamArns),
    // Wake-ups missed while the bus was away: the pollers' idle timer reads again within a second.
    onLost: () => undefined,
  });
  const streams = createTableStreams({
    sql: kernel.sql,
    region: kernel.config.region,
    arnPrefix,
    onFlushed: (streamArns) => recordsAdded.changed({ streamArns }),
  });
  const items = createTableEngine(kernel.sql, store, streams);
  const admin = createTableAdmin(kernel.sql, store, arnPrefix, streams);
  let leases: ClusterLeases | undefined;
  const ttl = createTtlSweeper({
    sql: kernel.sql,
    items,
    log: kernel.log,
    intervalMs: ttlIntervalMs,
    itemsPerTick: options.ttlSweepItems ?? 1000,
    mayRun: () => leases?.claim(TTL_SWEEP_LEASE) ?? Promise.resolve(false),
    ...(options.ttlClock ? { now: options.ttlClock } : {}),
  });
  let trimTimer: NodeJS.Timeout | undefined;
  const trim = (): Promise<void> =>
    streams.trim().then(
      (dropped) => void (dropped > 0 && kernel.log.info('stream records older than 24 hours dropped', { records: dropped })),
      (error: unknown) => kernel.log.error('stream retention failed', { error }),
    );
  return {
    name: 'dynamodb',
    provides: [provide(TABLES, createProgrammaticEngine(items)), provide(STREAMS, streams.reader)],
    routes: [
      // Streams first: it also answers at DynamoDB's path for its own targets (as DynamoDB Local serves both
      // APIs at one endpoint, and clients such as Alternator's tests give a Streams client DynamoDB's URL), and
      // the first matching route wins. Each names its SDK endpoint, as both sign as `dynamodb`.
      jsonApiRoute({
        name: 'dynamodb-streams',
        path: DYNAMODB_STREAMS_API_PATH,
        sharedPaths: [DYNAMODB_API_PATH],
        sdkEndpointName: 'DYNAMODB_STREAMS',
        targetPrefix: 'DynamoDBStreams_20120810.',
        signingService: 'dynamodb',
        actionPrefix: 'dynamodb',
        operations: createStreamsOperations({ streams, arnPrefix }),
        errors: STREAMS_ERRORS,
        validationErrorCode: 'ValidationException',
        jsonVersion: '1.0',
        errorTypePrefix: 'com.amazonaws.dynamodb.v20120810#',
      }),
      jsonApiRoute({
        name: 'dynamodb',
        path: DYNAMODB_API_PATH,
        sdkEndpointName: 'DYNAMODB',
        targetPrefix: 'DynamoDB_20120810.',
        signingService: 'dynamodb',
        actionPrefix: 'dynamodb',
        operations: createDynamoDbOperations({ items, admin, tokens: createTransactionTokens(kernel.sql) }),
        errors: DYNAMODB_ERRORS,
        validationErrorCode: 'ValidationException',
        jsonVersion: '1.0',
        errorTypePrefix: 'com.amazonaws.dynamodb.v20120810#',
      }),
      // DynamoDB answers `GET /` with `healthy: <host>` (load balancers and some clients probe it).
      {
        name: 'dynamodb-health',
        errorFormat: 'json',
        match: { path: (req, pathname) => (req.method === 'GET' || req.method === 'HEAD') && (pathname === HEALTH_PATH || pathname === DYNAMODB_API_PATH) },
        handle: async (ctx) => {
          const body = `healthy: ${String(ctx.req.headers.host ?? '')}${HEALTH_PATH}`;
          ctx.res.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(Buffer.byteLength(body)) });
          ctx.res.end(ctx.req.method === 'HEAD' ? undefined : body);
        },
      },
    ],
    // AWS's name is what the storage category's NoSQL tables (Amplify's template) use: both share one implementation and store.
    resourceTypes: {
      [DYNAMODB_RESOURCE_TYPES.table]: createTableResourceHandler(admin, DYNAMODB_RESOURCE_TYPES.table),
      [DYNAMODB_RESOURCE_TYPES.awsTable]: createTableResourceHandler(admin, DYNAMODB_RESOURCE_TYPES.awsTable),
    },
    async start() {
      await tablesChanged.start();
      await recordsAdded.start();
      await kernel.sql.migrate('dynamodb', DYNAMODB_MIGRATIONS);
      await kernel.sql.migrate('dynamodb-transaction-tokens', TRANSACTION_TOKEN_MIGRATIONS);
      // Tables whose stream was turned on before streams were listed get theirs listed.
      await kernel.sql.transaction(async (tx) => {
        const rows = await tx.all<{ definition: string }>(`SELECT definition FROM dynamodb_tables WHERE definition LIKE '%"StreamEnabled":true%'`);
        for (const row of rows) await streams.sync(tx, undefined, JSON.parse(row.definition) as TableDefinition);
      });
      await trim();
      trimTimer = setInterval(() => void trim(), HOUR_MS);
      trimTimer.unref();
      // One sweep per cluster: the lease outlives a few ticks, so its owner keeps it and another instance takes
      // over a few ticks after the owner stopped.
      leases = await createClusterLeases({
        sql: kernel.sql,
        instance: kernel.config.instance,
        leaseMs: Math.max(3 * ttlIntervalMs, MIN_TTL_LEASE_MS),
        shared: kernel.sql.dialect !== 'sqlite',
      });
      ttl.start();
    },
    async stop() {
      tablesChanged.stop();
      recordsAdded.stop();
      if (trimTimer) clearInterval(trimTimer);
      await ttl.stop();
      await leases?.release(TTL_SWEEP_LEASE).catch((error: unknown) => kernel.log.warn('could not release the TTL sweep lease', { error }));
    },
  };
}
