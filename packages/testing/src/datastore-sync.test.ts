import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { TABLES } from '@forte/cloud';
import { deployTestApi, type DeployedTestApi } from './appsync-deploy.js';
import { openDataStoreNode, startTestCloud, type DataStoreNode, type TestCloud } from './index.js';

// The unmodified aws-amplify v6 DataStore in Node syncing with a test cloud: a base sync of two pages on the
// first start, delta syncs on restarts, and a base sync again once lastSync is older than the tombstones.
const SCHEMA = /* GraphQL */ `
  type Todo @model @auth(rules: [{ allow: public }]) {
    id: ID!
    name: String
  }
`;
const SEEDED = 1150;
const DAY_MS = 24 * 3600 * 1000;

let clockOffset = 0;
const clock = (): number => Date.now() + clockOffset;

let cloud: TestCloud;
let api: DeployedTestApi;
let ds: DataStoreNode;
const seeded: string[] = [];

async function gql(query: string, variables: Record<string, unknown>): Promise<Record<string, any>> {
  const res = await fetch(api.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': api.apiKey },
    body: JSON.stringify({ query, variables }),
  });
  const out = (await res.json()) as { data: Record<string, any>; errors?: unknown };
  assert.equal(out.errors, undefined, JSON.stringify(out.errors));
  return out.data;
}
/** The sync queries DataStore sent since request `since`, with their variables and answers. */
const syncRequests = (since: number) => ds.requests.slice(since).filter((r) => r.query.includes('syncTodos'));

before(async () => {
  cloud = await startTestCloud({ appsync: { clock } });
  api = await deployTestApi(cloud, {
    name: 'datastore',
    schema: SCHEMA,
    authConfig: { defaultAuthentication: { authenticationType: 'API_KEY' } },
    resolverConfig: { project: { ConflictDetection: 'VERSION', ConflictHandler: 'AUTOMERGE' } },
  });
  // The app's existing rows, written an hour ago, straight into the table.
  const engine = cloud.kernel.capability(TABLES);
  const hourAgo = Date.now() - 3600 * 1000;
  const at = new Date(hourAgo).toISOString();
  for (let i = 0; i < SEEDED; i++) seeded.push(randomUUID());
  for (let i = 0; i < SEEDED; i += 50)
    await Promise.all(
      seeded.slice(i, i + 50).map((id, j) =>
        engine.put({
          table: `Todo-${api.apiId}-dev`,
          item: {
            id: { S: id },
            name: { S: `seed ${i + j}` },
            __typename: { S: 'Todo' },
            createdAt: { S: at },
            updatedAt: { S: at },
            _version: { N: '1' },
            _lastChangedAt: { N: String(hourAgo) },
          },
        }),
      ),
    );
  ds = await openDataStoreNode({ url: api.url, apiKey: api.apiKey, schema: SCHEMA });
});
after(async () => {
  await ds?.close();
  await cloud.close();
});

void describe('DataStore sync in Node', () => {
  void it('the first start is a base sync of two pages answering one startedAt, which DataStore keeps as lastSync', async () => {
    const since = ds.events.length;
    const sent = ds.requests.length;
    await ds.DataStore.start();
    const synced = await ds.modelSynced('Todo', since);
    assert.equal(synced.isFullSync, true);
    assert.equal(synced.counts.new, SEEDED);
    assert.equal((await ds.DataStore.query(ds.models.Todo!)).length, SEEDED);
    const pages = syncRequests(sent);
    assert.deepEqual(
      pages.map((p) => [p.variables.lastSync, p.variables.nextToken === null, p.answer.data?.syncTodos.items.length]),
      [
        [0, true, 1000],
        [0, false, SEEDED - 1000],
      ],
    );
    assert.equal(pages[0]!.answer.data!.syncTodos.startedAt, pages[1]!.answer.data!.syncTodos.startedAt);
    // A restart without changes sends the stored lastSync: the first page's startedAt.
    await ds.DataStore.stop();
    const again = ds.requests.length;
    const restart = ds.events.length;
    await ds.DataStore.start();
    const delta = await ds.modelSynced('Todo', restart);
    assert.equal(delta.isDeltaSync, true);
    assert.equal(syncRequests(again)[0]!.variables.lastSync, pages[0]!.answer.data!.syncTodos.startedAt);
    assert.deepEqual(delta.counts, { new: 0, updated: 0, deleted: 0 }, 'nothing changed: the delta answers nothing');
  });

  void it('a restart syncs only what changed meanwhile, deletes included', async () => {
    await ds.DataStore.stop();
    const fields = 'id name _version _deleted _lastChangedAt';
    await gql(`mutation ($input: CreateTodoInput!) { createTodo(input: $input) { ${fields} } }`, { input: { name: 'made while stopped' } });
    await gql(`mutation ($input: UpdateTodoInput!) { updateTodo(input: $input) { ${fields} } }`, { input: { id: seeded[0], name: 'edited', _version: 1 } });
    await gql(`mutation ($input: DeleteTodoInput!) { deleteTodo(input: $input) { ${fields} } }`, { input: { id: seeded[1], _version: 1 } });
    const since = ds.events.length;
    await ds.DataStore.start();
    const synced = await ds.modelSynced('Todo', since);
    assert.equal(synced.isDeltaSync, true);
    assert.deepEqual(synced.counts, { new: 1, updated: 1, deleted: 1 });
    const local = await ds.DataStore.query(ds.models.Todo!);
    assert.equal(local.length, SEEDED);
    assert.equal(local.find((t) => t.id === seeded[0])?.name, 'edited');
    assert.equal(
      local.find((t) => t.id === seeded[1]),
      undefined,
    );
    assert.ok(local.some((t) => t.name === 'made while stopped'));
  });

  void it('a local save reaches the API through the outbox', async () => {
    const since = ds.events.length;
    const saved = await ds.DataStore.save(new ds.models.Todo!({ name: 'saved locally' }));
    await ds.outboxEmpty(since);
    const server = await gql('query ($id: ID!) { getTodo(id: $id) { id name _version } }', { id: saved.id });
    assert.deepEqual(server.getTodo, { id: saved.id, name: 'saved locally', _version: 1 });
    assert.deepEqual(ds.errors, []);
  });

  void it('a lastSync older than the tombstones’ lifetime gets the whole table again', async () => {
    await ds.DataStore.stop();
    const sent = ds.requests.length;
    const since = ds.events.length;
    clockOffset = 31 * DAY_MS;
    try {
      await ds.DataStore.start();
      const synced = await ds.modelSynced('Todo', since);
      const requests = syncRequests(sent);
      assert.notEqual(requests[0]!.variables.lastSync, 0, 'DataStore asked for a delta');
      const served = requests.reduce((n, r) => n + (r.answer.data?.syncTodos.items.length as number), 0);
      assert.ok(served >= SEEDED, `the cloud answered the whole table (${served} items)`);
      assert.equal(synced.counts.updated + synced.counts.new, served - synced.counts.deleted);
    } finally {
      clockOffset = 0;
    }
  });
});
