import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { TABLES } from '@forte/cloud';
import { deployTestApi, type DeployedTestApi } from './appsync-deploy.js';
import { startTestCloud, type TestCloud } from './index.js';

// One model per conflict handler: the project default is AUTOMERGE (Amplify's), the others override it.
const SCHEMA = /* GraphQL */ `
  type Merged @model @auth(rules: [{ allow: public }]) {
    id: ID!
    name: String
    note: String
    tags: [String]
  }
  type Strict @model @auth(rules: [{ allow: public }]) {
    id: ID!
    name: String
    tags: [String]
  }
`;
const FIELDS = 'id name tags _version _deleted _lastChangedAt';
const MERGED_FIELDS = 'id name note tags _version _deleted _lastChangedAt';
const BASE_TABLE_TTL_SECONDS = 30 * 24 * 60 * 60;

let cloud: TestCloud;
let api: DeployedTestApi;

interface Answer {
  data: Record<string, any> | null;
  errors?: Array<{ path: string[] | null; data: any; errorType: string | null; errorInfo: unknown; message: string; locations: unknown }>;
}
async function gql(query: string, variables: Record<string, unknown> = {}): Promise<Answer> {
  const res = await fetch(api.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': api.apiKey },
    body: JSON.stringify({ query, variables }),
  });
  assert.equal(res.status, 200);
  return (await res.json()) as Answer;
}
const create = async (model: string, input: Record<string, unknown>, fields = FIELDS): Promise<any> => {
  const out = await gql(`mutation ($input: Create${model}Input!) { create${model}(input: $input) { ${fields} } }`, { input });
  assert.equal(out.errors, undefined, JSON.stringify(out.errors));
  return out.data![`create${model}`];
};
const update = (model: string, input: Record<string, unknown>, fields = FIELDS): Promise<Answer> =>
  gql(`mutation ($input: Update${model}Input!) { update${model}(input: $input) { ${fields} } }`, { input });
const remove = (model: string, input: Record<string, unknown>, fields = FIELDS): Promise<Answer> =>
  gql(`mutation ($input: Delete${model}Input!) { delete${model}(input: $input) { ${fields} } }`, { input });
const get = async (model: string, id: string, fields = FIELDS): Promise<any> =>
  (await gql(`query ($id: ID!) { get${model}(id: $id) { ${fields} } }`, { id })).data![`get${model}`];

/**
 * The next `times` reads of item `id` (the write's own and those it makes after a failed condition) are each
 * followed, before the reader goes on, by another client's write.
 */
function interleave(id: string, times: number, write: () => Promise<unknown>): void {
  const engine = cloud.kernel.capability(TABLES);
  const read = engine.get.bind(engine);
  let left = times;
  let writing = false;
  engine.get = async (input) => {
    const item = await read(input);
    if (!writing && left > 0 && (input.key.id as { S?: string } | undefined)?.S === id) {
      left--;
      writing = true;
      try {
        await write();
      } finally {
        writing = false;
        if (left === 0) engine.get = read;
      }
    }
    return item;
  };
}

function assertConflict(answer: Answer, field: string, server: Record<string, unknown>): void {
  assert.deepEqual(answer.data, { [field]: null });
  assert.equal(answer.errors?.length, 1);
  const [error] = answer.errors!;
  assert.deepEqual(
    { path: error!.path, errorType: error!.errorType, errorInfo: error!.errorInfo, message: error!.message },
    { path: [field], errorType: 'ConflictUnhandled', errorInfo: null, message: 'Conflict resolver rejects mutation.' },
  );
  assert.deepEqual(error!.data, server);
}

before(async () => {
  cloud = await startTestCloud();
  api = await deployTestApi(cloud, {
    name: 'conflicts',
    schema: SCHEMA,
    authConfig: { defaultAuthentication: { authenticationType: 'API_KEY' } },
    resolverConfig: {
      project: { ConflictDetection: 'VERSION', ConflictHandler: 'AUTOMERGE' },
      models: {
        Strict: { ConflictDetection: 'VERSION', ConflictHandler: 'OPTIMISTIC_CONCURRENCY' },
      },
    },
  });
});
after(() => cloud.close());

void describe('versioned writes', () => {
  void it('create starts at _version 1 with _lastChangedAt in epoch ms; every update adds 1 and moves _lastChangedAt', async () => {
    const before = Date.now();
    const created = await create('Strict', { name: 'a' });
    assert.equal(created._version, 1);
    assert.equal(created._deleted, null);
    assert.ok(created._lastChangedAt >= before && created._lastChangedAt <= Date.now(), String(created._lastChangedAt));
    await new Promise((r) => setTimeout(r, 5));
    const updated = (await update('Strict', { id: created.id, name: 'b', _version: 1 })).data!.updateStrict;
    assert.deepEqual({ name: updated.name, _version: updated._version }, { name: 'b', _version: 2 });
    assert.ok(updated._lastChangedAt > created._lastChangedAt);
    const again = (await update('Merged', { id: (await create('Merged', { name: 'm' }, MERGED_FIELDS)).id, name: 'n', _version: 1 }, MERGED_FIELDS)).data!
      .updateMerged;
    assert.deepEqual({ name: again.name, _version: again._version }, { name: 'n', _version: 2 }, 'a current write under AUTOMERGE applies as it is');
  });

  void it('a write without _version counts as version 0: a conflict', async () => {
    const created = await create('Strict', { name: 'a' });
    assertConflict(await update('Strict', { id: created.id, name: 'b' }), 'updateStrict', { ...created });
    assertConflict(await remove('Strict', { id: created.id }), 'deleteStrict', { ...created });
  });

  void it('the client may not write _deleted, _lastChangedAt or _ttl', async () => {
    const created = await create('Strict', { name: 'a' });
    for (const field of ['_deleted: true', '_lastChangedAt: 1', '_ttl: 1']) {
      const out = await gql(`mutation ($id: ID!) { updateStrict(input: {id: $id, _version: 1, ${field}}) { id } }`, { id: created.id });
      assert.equal(out.errors?.[0]?.errorType, 'ValidationError', field);
    }
    assert.equal((await get('Strict', created.id))._version, 1);
  });

  void it('delete is a soft delete: the whole item with _deleted, a new version and _ttl; still readable and its id not reusable', async () => {
    const created = await create('Strict', { name: 'gone', tags: ['t'] });
    const started = Math.floor(Date.now() / 1000);
    const deleted = (await remove('Strict', { id: created.id, _version: 1 })).data!.deleteStrict;
    assert.deepEqual({ ...deleted, _lastChangedAt: 0 }, { ...created, _deleted: true, _version: 2, _lastChangedAt: 0 });
    assert.ok(deleted._lastChangedAt >= created._lastChangedAt);
    const dynamodb = new DynamoDBClient({
      endpoint: `${cloud.url}/dynamodb`,
      region: cloud.credentials.region,
      credentials: cloud.credentials,
      maxAttempts: 1,
    });
    const stored = await dynamodb.send(
      new GetItemCommand({
        TableName: api.compiled.plan.tables.find((t) => t.modelName === 'Strict')!.properties.TableName + `-${api.apiId}-dev`,
        Key: { id: { S: created.id } },
      }),
    );
    const ttl = Number(stored.Item?._ttl?.N);
    assert.ok(ttl >= started + BASE_TABLE_TTL_SECONDS && ttl <= Math.floor(Date.now() / 1000) + BASE_TABLE_TTL_SECONDS, `_ttl ${ttl}`);
    assert.equal((await get('Strict', created.id))._deleted, true);
    const listed = await gql(`query { listStricts(limit: 1000) { items { id _deleted } } }`);
    assert.equal(listed.data!.listStricts.items.find((i: { id: string }) => i.id === created.id)?._deleted, true);
    const synced = await gql(`query { syncStricts(limit: 1000, lastSync: 0) { items { id _deleted _version } startedAt } }`);
    assert.deepEqual(
      synced.data!.syncStricts.items.find((i: { id: string }) => i.id === created.id),
      { id: created.id, _deleted: true, _version: 2 },
    );
    const reused = await gql('mutation ($id: ID!) { createStrict(input: {id: $id, name: "again"}) { id } }', { id: created.id });
    assert.equal(reused.errors?.[0]?.errorType, 'DynamoDB:ConditionalCheckFailedException', 'a tombstoned id cannot be reused until it expires');
  });

  void it('create of an existing id fails its condition and changes nothing', async () => {
    const created = await create('Merged', { name: 'first' }, MERGED_FIELDS);
    const again = await gql('mutation ($id: ID!) { createMerged(input: {id: $id, name: "second"}) { id } }', { id: created.id });
    assert.deepEqual(again.data, { createMerged: null });
    assert.equal(again.errors?.[0]?.errorType, 'DynamoDB:ConditionalCheckFailedException');
    assert.deepEqual(await get('Merged', created.id, MERGED_FIELDS), created);
  });
});

void describe('OPTIMISTIC_CONCURRENCY', () => {
  void it('a stale update is ConflictUnhandled with the server item, cut to the selection set, and changes nothing', async () => {
    const created = await create('Strict', { name: 'a', tags: ['s'] });
    const current = (await update('Strict', { id: created.id, name: 'server', _version: 1 })).data!.updateStrict;
    const stale = await update('Strict', { id: created.id, name: 'client', _version: 1 }, 'id name _version ... on Strict { _lastChangedAt }');
    assertConflict(stale, 'updateStrict', { id: created.id, name: 'server', _version: 2, _lastChangedAt: current._lastChangedAt });
    assert.deepEqual(await get('Strict', created.id), current);
    const retried = (await update('Strict', { id: created.id, name: 'client', _version: 2 })).data!.updateStrict;
    assert.deepEqual({ name: retried.name, _version: retried._version }, { name: 'client', _version: 3 }, 'the retry with the server version wins');
  });

  void it('a write whose version moves between its read and its write is ConflictUnhandled with the newer item', async () => {
    const created = await create('Strict', { name: 'a' });
    interleave(created.id, 1, () => update('Strict', { id: created.id, name: 'other', _version: 1 }));
    const raced = await update('Strict', { id: created.id, name: 'client', _version: 1 });
    const current = await get('Strict', created.id);
    assert.equal(current.name, 'other');
    assertConflict(raced, 'updateStrict', current);
    interleave(created.id, 1, () => update('Strict', { id: created.id, name: 'again', _version: 2 }));
    assertConflict(await remove('Strict', { id: created.id, _version: 2 }), 'deleteStrict', await get('Strict', created.id));
  });

  void it('a stale delete is ConflictUnhandled with the server item and deletes nothing', async () => {
    const created = await create('Strict', { name: 'a' });
    const current = (await update('Strict', { id: created.id, name: 'server', _version: 1 })).data!.updateStrict;
    assertConflict(await remove('Strict', { id: created.id, _version: 1 }), 'deleteStrict', current);
    assert.equal((await get('Strict', created.id))._deleted, null);
  });
});

void describe('AUTOMERGE', () => {
  void it('a stale update: server scalars win, lists are concatenated with duplicates kept, null fields take the incoming value; a new version', async () => {
    const created = await create('Merged', { name: 'a', tags: ['s'] }, MERGED_FIELDS);
    await update('Merged', { id: created.id, name: 'server', tags: ['s', 'x'], _version: 1 }, MERGED_FIELDS);
    const merged = await update('Merged', { id: created.id, name: 'client', note: 'from client', tags: ['x', 'c'], _version: 1 }, MERGED_FIELDS);
    assert.equal(merged.errors, undefined, JSON.stringify(merged.errors));
    const item = merged.data!.updateMerged;
    assert.deepEqual(
      { name: item.name, note: item.note, tags: item.tags, _version: item._version },
      { name: 'server', note: 'from client', tags: ['s', 'x', 'x', 'c'], _version: 3 },
    );
    assert.deepEqual(await get('Merged', created.id, MERGED_FIELDS), item);
  });

  void it('a stale update without _version (version 0) merges the same way: its scalar changes are lost', async () => {
    const created = await create('Merged', { name: 'server', tags: ['s'] }, MERGED_FIELDS);
    const item = (await update('Merged', { id: created.id, name: 'client', tags: ['c'] }, MERGED_FIELDS)).data!.updateMerged;
    assert.deepEqual({ name: item.name, tags: item.tags, _version: item._version }, { name: 'server', tags: ['s', 'c'], _version: 2 });
  });

  void it('a merge that changes no value still succeeds as a write: the server values under a new version', async () => {
    // AppSync's example: server {name: "Nadia", jersey: 5, _version: 4}, incoming {name: "Nadia", jersey: 55, _version: 2}.
    const created = await create('Merged', { name: 'Nadia', note: '5' }, MERGED_FIELDS);
    await update('Merged', { id: created.id, note: '5', _version: 1 }, MERGED_FIELDS);
    const item = (await update('Merged', { id: created.id, name: 'Nadia', note: '55', _version: 1 }, MERGED_FIELDS)).data!.updateMerged;
    assert.deepEqual({ name: item.name, note: item.note, _version: item._version }, { name: 'Nadia', note: '5', _version: 3 });
  });

  void it("a stale delete is ConflictUnhandled with the server item (DataStore's default handler then retries it with the current version)", async () => {
    const created = await create('Merged', { name: 'a' }, MERGED_FIELDS);
    const current = (await update('Merged', { id: created.id, name: 'server', _version: 1 }, MERGED_FIELDS)).data!.updateMerged;
    assertConflict(await remove('Merged', { id: created.id, _version: 1 }, MERGED_FIELDS), 'deleteMerged', current);
    const deleted = (await remove('Merged', { id: created.id, _version: 2 }, MERGED_FIELDS)).data!.deleteMerged;
    assert.deepEqual({ _deleted: deleted._deleted, _version: deleted._version }, { _deleted: true, _version: 3 });
  });
});

void describe('a soft-deleted item', () => {
  void it('refuses an update as ConflictUnhandled with the tombstone, under AUTOMERGE and OPTIMISTIC_CONCURRENCY, with its current version or a stale one', async () => {
    for (const [model, fields] of [
      ['Merged', MERGED_FIELDS],
      ['Strict', FIELDS],
    ] as const) {
      const created = await create(model, { name: 'a', tags: ['t'] }, fields);
      const tombstone = (await remove(model, { id: created.id, _version: 1 }, fields)).data![`delete${model}`];
      assert.equal(tombstone._deleted, true);
      for (const version of [2, 1]) {
        assertConflict(await update(model, { id: created.id, name: 'edit', tags: ['e'], _version: version }, fields), `update${model}`, tombstone);
      }
      assert.deepEqual(await get(model, created.id, fields), tombstone, `${model}: the tombstone is unchanged`);
    }
  });
});

/** The documents DataStore's outbox sends (`sync/processors/mutation.ts`): operation `operation`, its whole selection set. */
const dataStoreMutation = (operation: 'create' | 'update', model: string, fields: string): string =>
  operation === 'create'
    ? `mutation operation($input: Create${model}Input!){ create${model}(input: $input){ ${fields} } }`
    : `mutation operation($input: Update${model}Input!, $condition: Model${model}ConditionInput){ update${model}(input: $input, condition: $condition){ ${fields} } }`;

void describe('an offline DataStore edit of a stale version, as its outbox sends it', () => {
  // Device A creates an item and goes offline; device B edits it; A's queued edit then names the version it
  // last saw, with only the fields it changed and `condition: null`.
  const scenario = async (model: string, fields: string): Promise<{ id: string; server: any; stale: Answer }> => {
    const id = randomUUID();
    const created = await gql(dataStoreMutation('create', model, fields), { input: { id, name: 'local', tags: ['a'] } });
    assert.equal(created.errors, undefined, JSON.stringify(created.errors));
    const edited = await gql(dataStoreMutation('update', model, fields), { input: { id, name: 'server', tags: ['a', 'b'], _version: 1 }, condition: null });
    assert.equal(edited.errors, undefined, JSON.stringify(edited.errors));
    const stale = await gql(dataStoreMutation('update', model, fields), { input: { id, name: 'client-edit', tags: ['a', 'c'], _version: 1 }, condition: null });
    return { id, server: edited.data![`update${model}`], stale };
  };

  void it("AUTOMERGE: the edit is merged, the server's scalars kept and the lists concatenated, and answered whole", async () => {
    const fields = 'id name note tags createdAt updatedAt _version _lastChangedAt _deleted';
    const { id, server, stale } = await scenario('Merged', fields);
    assert.equal(stale.errors, undefined, JSON.stringify(stale.errors));
    const merged = stale.data!.updateMerged;
    assert.deepEqual(
      { ...merged, updatedAt: null, _lastChangedAt: null },
      { ...server, tags: ['a', 'b', 'a', 'c'], _version: 3, updatedAt: null, _lastChangedAt: null },
    );
    assert.ok(merged._lastChangedAt >= server._lastChangedAt);
    assert.deepEqual(await get('Merged', id, fields), merged);
  });

  void it("OPTIMISTIC_CONCURRENCY: ConflictUnhandled with the server item in errors[0].data; DataStore's default handler then resends with its version and wins", async () => {
    const fields = 'id name tags createdAt updatedAt _version _lastChangedAt _deleted';
    const { id, server, stale } = await scenario('Strict', fields);
    assertConflict(stale, 'updateStrict', server);
    assert.equal(stale.errors![0]!.data._version, 2, 'the version the handler retries with');
    // defaultConflictHandler: { ...localModel, _version: remoteModel._version }
    const retried = await gql(dataStoreMutation('update', 'Strict', fields), {
      input: { id, name: 'client-edit', tags: ['a', 'c'], _version: stale.errors![0]!.data._version },
      condition: null,
    });
    assert.equal(retried.errors, undefined, JSON.stringify(retried.errors));
    assert.deepEqual(
      { name: retried.data!.updateStrict.name, tags: retried.data!.updateStrict.tags, _version: retried.data!.updateStrict._version },
      { name: 'client-edit', tags: ['a', 'c'], _version: 3 },
    );
  });
});
