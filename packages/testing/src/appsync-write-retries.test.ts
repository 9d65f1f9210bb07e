import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as pause } from 'node:timers/promises';
import Database from 'better-sqlite3';
import pg from 'pg';
import { TABLES } from '@forte/cloud';
import { deployTestApi, type DeployedTestApi } from './appsync-deploy.js';
import { postgresTestUrl } from './postgres.js';
import { startTestCloud, type TestCloud } from './index.js';

const SCHEMA = /* GraphQL */ `
  type Todo @model @auth(rules: [{ allow: public }]) {
    id: ID!
    name: String
    tags: [String]
    meta: AWSJSON
    createdAt: AWSDateTime
  }
`;
const FIELDS = 'id name tags meta createdAt updatedAt _version _lastChangedAt _deleted';
const onPostgres = process.env.FORTE_TEST_DATABASE === 'postgres';

let cloud: TestCloud;
let api: DeployedTestApi;

interface Answer {
  data: Record<string, any> | null;
  errors?: Array<{ path: string[] | null; data: any; errorType: string | null; errorInfo: any; message: string }>;
}
async function gql(query: string, variables: Record<string, unknown>): Promise<Answer> {
  const res = await fetch(api.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': api.apiKey },
    body: JSON.stringify({ query, variables }),
  });
  assert.equal(res.status, 200);
  return (await res.json()) as Answer;
}
// DataStore's outbox documents (§2.1 of the sync protocol).
const createTodo = `mutation operation($input: CreateTodoInput!){ createTodo(input: $input){ ${FIELDS} } }`;
const deleteTodo = `mutation operation($input: DeleteTodoInput!, $condition: ModelTodoConditionInput){ deleteTodo(input: $input, condition: $condition){ ${FIELDS} } }`;
const getTodo = async (id: string): Promise<any> => (await gql(`query ($id: ID!) { getTodo(id: $id) { ${FIELDS} } }`, { id })).data!.getTodo;

const codeOf = (error: unknown): string | undefined => {
  for (let e = error; e; e = (e as { cause?: unknown }).cause) if (typeof (e as { code?: unknown }).code === 'string') return (e as { code: string }).code;
  return undefined;
};

/** Calls `onBusy` each time a write of the tables finds the store busy (before the error goes on). */
function watchBusyWrites(onBusy: () => void): () => void {
  const engine = cloud.kernel.capability(TABLES);
  const put = engine.put.bind(engine);
  engine.put = async (input) => {
    try {
      return await put(input);
    } catch (error) {
      if (codeOf(error)?.startsWith('SQLITE_BUSY')) onBusy();
      throw error;
    }
  };
  return () => void (engine.put = put);
}

before(async () => {
  cloud = await startTestCloud();
  api = await deployTestApi(cloud, {
    name: 'retries',
    schema: SCHEMA,
    authConfig: { defaultAuthentication: { authenticationType: 'API_KEY' } },
    resolverConfig: { project: { ConflictDetection: 'VERSION', ConflictHandler: 'AUTOMERGE' } },
  });
});
after(() => cloud.close());

void describe('a create sent again (an outbox replay after a lost answer)', () => {
  void it('answers the stored item unchanged when every field is the same', async () => {
    const input = { id: randomUUID(), name: 'once', tags: ['a', 'b'], meta: JSON.stringify({ k: [1, 2] }) };
    const first = await gql(createTodo, { input });
    assert.equal(first.errors, undefined, JSON.stringify(first.errors));
    const again = await gql(createTodo, { input });
    assert.equal(again.errors, undefined, JSON.stringify(again.errors));
    assert.deepEqual(again.data!.createTodo, first.data!.createTodo, 'the same item: version 1, its first timestamps');
    assert.deepEqual(await getTodo(input.id), first.data!.createTodo);
    // A timestamp the input gives (the model declares createdAt) is compared like any other field.
    const stamped = { id: randomUUID(), name: 'stamped', createdAt: '2026-01-01T00:00:00.000Z' };
    const original = await gql(createTodo, { input: stamped });
    assert.equal(original.errors, undefined, JSON.stringify(original.errors));
    assert.deepEqual((await gql(createTodo, { input: stamped })).data!.createTodo, original.data!.createTodo);
    const restamped = await gql(createTodo, { input: { ...stamped, createdAt: '2026-02-01T00:00:00.000Z' } });
    assert.equal(restamped.errors?.[0]?.errorType, 'DynamoDB:ConditionalCheckFailedException');
  });

  void it('still fails its condition when a value differs, when the item changed since, or when it was deleted', async () => {
    const input = { id: randomUUID(), name: 'mine', tags: ['a'] };
    const created = (await gql(createTodo, { input })).data!.createTodo;
    for (const other of [
      { ...input, name: 'theirs' },
      { ...input, tags: ['a', 'b'] },
      { ...input, meta: '{}' },
    ]) {
      const refused = await gql(createTodo, { input: other });
      assert.deepEqual(refused.data, { createTodo: null });
      assert.equal(refused.errors?.[0]?.errorType, 'DynamoDB:ConditionalCheckFailedException', JSON.stringify(other));
    }
    assert.deepEqual(await getTodo(input.id), created);

    const deleted = await gql(deleteTodo, { input: { id: input.id, _version: 1 }, condition: null });
    assert.equal(deleted.errors, undefined, JSON.stringify(deleted.errors));
    const replayed = await gql(createTodo, { input });
    assert.equal(replayed.errors?.[0]?.errorType, 'DynamoDB:ConditionalCheckFailedException', 'a tombstone is not brought back');
  });
});

void describe('a busy store (SQLite: another connection holds the write lock)', { skip: onPostgres && 'SQLite only' }, () => {
  void it('is waited out inside the cloud: the mutation succeeds once the lock is released', async () => {
    const holder = new Database(join(cloud.dataDir, 'forte.db'));
    holder.exec('BEGIN IMMEDIATE');
    let busy = 0;
    // The other connection lets go as soon as the cloud has found the store busy once.
    const stop = watchBusyWrites(() => {
      busy++;
      if (holder.inTransaction) holder.exec('ROLLBACK');
    });
    try {
      const input = { id: randomUUID(), name: 'held' };
      const answer = await gql(createTodo, { input });
      assert.equal(answer.errors, undefined, JSON.stringify(answer.errors));
      assert.equal(busy, 1, 'the first attempt found the store busy');
      assert.equal((await getTodo(input.id)).name, 'held');
    } finally {
      stop();
      if (holder.inTransaction) holder.exec('ROLLBACK');
      holder.close();
    }
  });

  void it('past its attempts, refuses with DataStore\'s retried shape (message "Network Error") and writes nothing', async () => {
    const holder = new Database(join(cloud.dataDir, 'forte.db'));
    holder.exec('BEGIN IMMEDIATE');
    let busy = 0;
    const stop = watchBusyWrites(() => busy++);
    const input = { id: randomUUID(), name: 'refused' };
    try {
      const answer = await gql(createTodo, { input });
      assert.deepEqual(answer.data, { createTodo: null });
      assert.equal(answer.errors?.length, 1);
      const [error] = answer.errors!;
      assert.deepEqual(
        { message: error!.message, errorType: error!.errorType, data: error!.data },
        { message: 'Network Error', errorType: 'ServiceUnavailable', data: null },
      );
      assert.match(error!.errorInfo.reason, /data store stayed busy through 3 attempts; nothing was written\. Send the mutation again/);
      assert.equal(busy, 3);
    } finally {
      stop();
      holder.exec('ROLLBACK');
      holder.close();
    }
    assert.equal(await getTodo(input.id), null);
    // DataStore sends it again later: it goes through.
    const retried = await gql(createTodo, { input });
    assert.equal(retried.errors, undefined, JSON.stringify(retried.errors));
  });
});

void describe('a busy store (PostgreSQL: another connection locks the items table)', { skip: !onPostgres && 'PostgreSQL only' }, () => {
  void it('is waited out: the mutation succeeds once the lock is released', async () => {
    const url = new URL(postgresTestUrl(cloud.dataDir));
    const schema = url.searchParams.get('schema')!;
    url.search = '';
    const holder = new pg.Client({ connectionString: url.toString() });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query(`LOCK TABLE ${schema}.dynamodb_items IN EXCLUSIVE MODE`);
      const input = { id: randomUUID(), name: 'held' };
      const answer = gql(createTodo, { input });
      // Released once the cloud's write waits on the lock.
      const waiting = async (): Promise<boolean> =>
        (
          await holder.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM pg_locks l JOIN pg_class c ON c.oid = l.relation JOIN pg_namespace s ON s.oid = c.relnamespace
             WHERE NOT l.granted AND c.relname = 'dynamodb_items' AND s.nspname = $1`,
            [schema],
          )
        ).rows[0]!.n > 0;
      while (!(await waiting())) await pause(20);
      await holder.query('COMMIT');
      const answered = await answer;
      assert.equal(answered.errors, undefined, JSON.stringify(answered.errors));
      assert.equal((await getTodo(input.id)).name, 'held');
    } finally {
      await holder.end();
    }
  });
});
