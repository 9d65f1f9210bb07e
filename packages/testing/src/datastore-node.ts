// aws-amplify and the model generator are loaded when a harness opens, not by every suite importing @forte/testing.
import type { DataStore, initSchema, PersistentModelConstructor } from 'aws-amplify/datastore';
import { createRequire } from 'node:module';
import { WebSocket } from 'ws';

/** A Hub `datastore` event as DataStore emitted it. */
export interface DataStoreEvent {
  event: string;
  data?: any;
}

/** A GraphQL request DataStore sent to the API, and the answer it got. */
export interface DataStoreRequest {
  query: string;
  variables: Record<string, any>;
  answer: { data?: Record<string, any> | null; errors?: unknown[] };
}

export interface DataStoreNodeOptions {
  /** The API's GraphQL URL (`http://127.0.0.1:<port>/graphql/<apiId>`). */
  url: string;
  /** An API key of the API: DataStore's default auth mode here. */
  apiKey: string;
  /** The API's schema (SDL) as the app writes it: the models are generated from it as `forte codegen models` does. */
  schema: string;
  /** `DataStore.configure` settings besides the storage adapter and error handler (`syncPageSize`, `syncExpressions`, …). */
  configure?: Parameters<typeof DataStore.configure>[0];
}

/**
 * The unmodified aws-amplify v6 DataStore in this Node process, against one GraphQL API of a test cloud.
 * DataStore is one object per process: open one harness at a time and `close()` it before the next.
 * Local data lives in memory (DataStore's AsyncStorageAdapter over its in-memory store): it survives
 * `DataStore.stop()` + `DataStore.start()` (a restart, whose sync is a delta) but not `close()`.
 */
export interface DataStoreNode {
  DataStore: typeof DataStore;
  /** The model classes by name, for `DataStore.save(new models.Todo({...}))` and `DataStore.query(models.Todo)`. */
  models: Record<string, PersistentModelConstructor<any>>;
  /** Every Hub `datastore` event since the harness opened, in order. */
  events: DataStoreEvent[];
  /** Every error DataStore handed its `errorHandler`. */
  errors: unknown[];
  /** Every GraphQL request DataStore made over HTTP (sync queries and mutations), with its answer. */
  requests: DataStoreRequest[];
  /**
   * The first event named `event` (and passing `match`) at or after index `since` of `events` (default: the
   * next one from now); rejects after 30 s naming what was seen instead.
   */
  waitFor(event: string, options?: { since?: number; match?: (data: any) => boolean }): Promise<DataStoreEvent>;
  /** `modelSynced` for `model` (its `data`: `isFullSync`, `isDeltaSync`, `counts`) at or after `since`. */
  modelSynced(model: string, since?: number): Promise<{ isFullSync: boolean; isDeltaSync: boolean; counts: { new: number; updated: number; deleted: number } }>;
  /** `outboxStatus {isEmpty: true}` at or after `since`: every local change has reached the API. */
  outboxEmpty(since?: number): Promise<void>;
  /** Clears DataStore's local data, stops it and the Hub listener, and puts back the global fetch, WebSocket and setTimeout. */
  close(): Promise<void>;
}

const WAIT_MS = 30_000;
/** Timers at least this long (DataStore's full-sync sleep) do not keep the process alive. */
const LONG_TIMER_MS = 3600 * 1000;
/** The CommonJS module of DataStore's AsyncStorageAdapter. */
const ASYNC_STORAGE_ADAPTER = '@aws-amplify/datastore/dist/cjs/storage/adapter/AsyncStorageAdapter.js';

/** Generates `schema.js` the way `forte codegen models` does and reads its `schema` object. */
async function modelSchema(sdl: string): Promise<Parameters<typeof initSchema>[0]> {
  const { generateModels } = await import('@aws-amplify/graphql-generator');
  const files = await generateModels({ schema: sdl, target: 'javascript', directives: '' });
  const source = files['schema.js'];
  if (!source) throw new Error('the model generator wrote no schema.js');
  const json = source.replace(/^export const schema = /, '').replace(/;\s*$/, '');
  return JSON.parse(json) as Parameters<typeof initSchema>[0];
}

/** Node 20 has no global WebSocket: aws-amplify's realtime client gets `ws`, with `wss://` of a plain-HTTP cloud as `ws://`. */
class NodeWebSocket extends WebSocket {
  constructor(url: string | URL, protocols?: string | string[]) {
    super(String(url).replace(/^wss:/, 'ws:'), protocols);
  }
}

/** Configures Amplify and DataStore for the API and starts collecting events; call `DataStore.start()` (or save) next. */
export async function openDataStoreNode(options: DataStoreNodeOptions): Promise<DataStoreNode> {
  // DataStore itself loads as CommonJS in Node (@aws-amplify/datastore has no `exports` map, so Node takes its
  // `main`), and Amplify's configuration and Hub are singletons of each module format: everything DataStore
  // shares is loaded as CommonJS too, its storage adapter included. That adapter, the only one that runs in
  // plain Node (`getDefaultAdapter` would read `window.indexedDB`), is not exported: it is loaded by its path.
  const require = createRequire(import.meta.url);
  const { Amplify } = require('aws-amplify') as typeof import('aws-amplify');
  const { DataStore, initSchema } = require('aws-amplify/datastore') as typeof import('aws-amplify/datastore');
  const { Hub } = require('aws-amplify/utils') as typeof import('aws-amplify/utils');
  const adapter = require(ASYNC_STORAGE_ADAPTER) as { default: unknown };
  const events: DataStoreEvent[] = [];
  const errors: unknown[] = [];
  const requests: DataStoreRequest[] = [];
  const wakers = new Set<() => void>();
  const stopListening = Hub.listen('datastore', ({ payload }) => {
    events.push({ event: payload.event, data: payload.data });
    for (const wake of [...wakers]) wake();
  });

  const globals = globalThis as { WebSocket?: unknown; fetch: typeof fetch };
  const previousWebSocket = globals.WebSocket;
  const previousFetch = globals.fetch;
  globals.WebSocket ??= NodeWebSocket;
  // Records DataStore's requests to the API (the answers are read from a copy).
  globals.fetch = async (input, init) => {
    const response = await previousFetch(input, init);
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (url === options.url && typeof init?.body === 'string') {
      const body = JSON.parse(init.body) as { query: string; variables?: Record<string, any> };
      const answer = (await response.clone().json()) as DataStoreRequest['answer'];
      requests.push({ query: body.query, variables: body.variables ?? {}, answer });
    }
    return response;
  };

  // DataStore sleeps until its next full sync (`fullSyncInterval`, 24 h) on a timer it never clears, even when
  // stopped or cleared: such long timers are unref'd while the harness is open, so a test process can exit.
  const previousSetTimeout = globalThis.setTimeout;
  globalThis.setTimeout = ((...args: Parameters<typeof setTimeout>) => {
    const timer = previousSetTimeout(...args);
    if ((args[1] ?? 0) >= LONG_TIMER_MS) timer.unref();
    return timer;
  }) as typeof setTimeout;

  Amplify.configure({ API: { GraphQL: { endpoint: options.url, region: 'us-east-1', defaultAuthMode: 'apiKey', apiKey: options.apiKey } } });
  const models = initSchema(await modelSchema(options.schema)) as Record<string, PersistentModelConstructor<any>>;
  DataStore.configure({
    ...options.configure,
    storageAdapter: adapter.default as NonNullable<Parameters<typeof DataStore.configure>[0]>['storageAdapter'],
    errorHandler: (error) => void errors.push(error),
  });

  const waitFor: DataStoreNode['waitFor'] = (event, waitOptions = {}) => {
    const since = waitOptions.since ?? events.length;
    const matches = (e: DataStoreEvent): boolean => e.event === event && (!waitOptions.match || waitOptions.match(e.data));
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const found = events.slice(since).find(matches);
        if (!found) return;
        wakers.delete(check);
        clearTimeout(timer);
        resolve(found);
      };
      const timer = setTimeout(() => {
        wakers.delete(check);
        const seen = events.slice(since).map((e) => e.event);
        reject(
          new Error(`no DataStore ${event} event within ${WAIT_MS / 1000} s; seen: ${seen.join(', ') || 'none'}; errors: ${errors.map(String).join('; ')}`),
        );
      }, WAIT_MS);
      wakers.add(check);
      check();
    });
  };

  return {
    DataStore,
    models,
    events,
    errors,
    requests,
    waitFor,
    async modelSynced(model, since) {
      const found = await waitFor('modelSynced', {
        ...(since === undefined ? {} : { since }),
        match: (data: { model?: { name?: string } }) => data.model?.name === model,
      });
      return found.data as Awaited<ReturnType<DataStoreNode['modelSynced']>>;
    },
    async outboxEmpty(since) {
      await waitFor('outboxStatus', { ...(since === undefined ? {} : { since }), match: (data: { isEmpty?: boolean }) => data.isEmpty === true });
    },
    async close() {
      try {
        await DataStore.clear();
      } finally {
        stopListening();
        globals.fetch = previousFetch;
        globals.WebSocket = previousWebSocket;
        globalThis.setTimeout = previousSetTimeout;
      }
    },
  };
}
