import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import type { Amplify as AmplifySingleton } from 'aws-amplify';
import type { DataStore as DataStoreClass, initSchema as InitSchema, PersistentModelConstructor } from 'aws-amplify/datastore';
import type { Hub as HubClass } from 'aws-amplify/utils';
import { TABLES } from '@forte/cloud';
import { deployTestApi, type DeployedTestApi } from './appsync-deploy.js';
import { installRecordingWebSocket } from './appsync-realtime-fixture.js';
import { startTestCloud, type TestCloud } from './index.js';

const SCHEMA = /* GraphQL */ `
  type Todo @model @auth(rules: [{ allow: public }]) {
    id: ID!
    name: String
  }
`;
const onPostgres = process.env.FORTE_TEST_DATABASE === 'postgres';
// @aws-amplify/datastore is CommonJS only: Amplify, Hub and DataStore are all taken in that format, so they
// share one configuration. In Node DataStore needs its adapter given (the default one reads
// `window.indexedDB`); it is not exported.
const require = createRequire(import.meta.url);
const { Amplify } = require('aws-amplify') as { Amplify: typeof AmplifySingleton };
const { DataStore, initSchema } = require('aws-amplify/datastore') as { DataStore: typeof DataStoreClass; initSchema: typeof InitSchema };
const { Hub } = require('aws-amplify/utils') as { Hub: typeof HubClass };
const ADAPTER = '@aws-amplify/datastore/dist/cjs/storage/adapter/AsyncStorageAdapter.js';

const socket = installRecordingWebSocket();
// DataStore leaves its next-full-sync timer (24 h, sync/index.js) running after stop() and clear(): such long
// timers are unref'd so that this test's process can end.
const realSetTimeout = globalThis.setTimeout;
globalThis.setTimeout = ((callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => {
  const timer = realSetTimeout(callback, ms, ...args);
  if ((ms ?? 0) >= 60 * 60 * 1000) timer.unref();
  return timer;
}) as typeof setTimeout;
let cloud: TestCloud;
let api: DeployedTestApi;
let Todo: PersistentModelConstructor<any>;
const handled: unknown[] = [];
let firstHandled: (error: unknown) => void = () => undefined;
/** Resolves with the first error DataStore hands its errorHandler (it does so as it drops a mutation). */
const errorHandled = new Promise<unknown>((resolve) => (firstHandled = resolve));

const codeOf = (error: unknown): string | undefined => {
  for (let e = error; e; e = (e as { cause?: unknown }).cause) if (typeof (e as { code?: unknown }).code === 'string') return (e as { code: string }).code;
  return undefined;
};

/** Resolves with the data of the first DataStore Hub event `name` that `match` accepts. */
function nextDataStoreEvent(name: string, match: (data: any) => boolean = () => true): Promise<any> {
  return new Promise((resolve) => {
    const stop = Hub.listen('datastore', ({ payload }) => {
      if (payload.event !== name || !match(payload.data)) return;
      stop();
      resolve(payload.data);
    });
  });
}

before(async () => {
  if (onPostgres) return;
  cloud = await startTestCloud();
  api = await deployTestApi(cloud, {
    name: 'datastorebusy',
    schema: SCHEMA,
    authConfig: { defaultAuthentication: { authenticationType: 'API_KEY' } },
    resolverConfig: { project: { ConflictDetection: 'VERSION', ConflictHandler: 'AUTOMERGE' } },
  });
  Amplify.configure({ API: { GraphQL: { endpoint: api.url, region: 'us-east-1', defaultAuthMode: 'apiKey', apiKey: api.apiKey } } });
  ({ Todo } = initSchema({ ...api.compiled.modelIntrospection, codegenVersion: '3.4.4' } as never) as { Todo: PersistentModelConstructor<any> });
  const storageAdapter = (require(ADAPTER) as { default: unknown }).default as never;
  DataStore.configure({
    storageAdapter,
    errorHandler: (error) => {
      handled.push(error);
      firstHandled(error);
    },
  });
  await DataStore.start();
});
after(async () => {
  if (onPostgres) return;
  await DataStore.clear();
  // Its subscriptions stopped, aws-amplify closes the realtime socket; the process can then end.
  await socket.allClosed();
  await cloud.close();
  globalThis.setTimeout = realSetTimeout;
});

void describe('the unmodified DataStore against a busy store', { skip: onPostgres && 'SQLite only (another connection holds its write lock)' }, () => {
  void it('keeps the refused create in its outbox and sends it again: it reaches the server, no error handled', async () => {
    const holder = new Database(join(cloud.dataDir, 'forte.db'));
    holder.exec('BEGIN IMMEDIATE');
    // The other connection lets go once the cloud has given up on the create (its last attempt found the store
    // busy), so DataStore's next attempt finds it free.
    const engine = cloud.kernel.capability(TABLES);
    const put = engine.put.bind(engine);
    let busy = 0;
    engine.put = async (input) => {
      try {
        return await put(input);
      } catch (error) {
        if (codeOf(error)?.startsWith('SQLITE_BUSY') && ++busy === 3) holder.exec('ROLLBACK');
        throw error;
      }
    };
    try {
      const todo = new Todo({ name: 'kept' });
      const processed = nextDataStoreEvent('outboxMutationProcessed', (data) => data.element?.id === todo.id);
      await DataStore.save(todo);
      const outcome = await Promise.race([processed.then((done: any) => ({ done })), errorHandled.then((error) => ({ error }))]);
      assert.ok('done' in outcome, `DataStore dropped the mutation: ${JSON.stringify(outcome)}`);
      const { done } = outcome;
      assert.equal(done.element._version, 1);
      assert.equal(busy, 3, 'refused once, after three busy attempts');
      assert.deepEqual(handled, [], 'DataStore handled no error: it did not drop the mutation');
      const res = await fetch(api.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': api.apiKey },
        body: JSON.stringify({ query: 'query ($id: ID!) { getTodo(id: $id) { id name _version } }', variables: { id: todo.id } }),
      });
      assert.deepEqual(((await res.json()) as { data: unknown }).data, { getTodo: { id: todo.id, name: 'kept', _version: 1 } });
    } finally {
      engine.put = put;
      if (holder.inTransaction) holder.exec('ROLLBACK');
      holder.close();
    }
  });
});
