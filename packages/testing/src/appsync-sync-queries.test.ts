import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { CognitoIdentityProviderClient, InitiateAuthCommand } from '@aws-sdk/client-cognito-identity-provider';
import { TABLES } from '@forte/cloud';
import { deployTestApi, type DeployedTestApi } from './appsync-deploy.js';
import { createTestUsers, startTestCloud, type TestCloud } from './index.js';

// DataStore's sync queries at the GraphQL level: base and delta, startedAt, paging, tombstones and their expiry.
const SCHEMA = /* GraphQL */ `
  type Note @model @auth(rules: [{ allow: public }]) {
    id: ID!
    name: String
    comments: [Comment] @hasMany(indexName: "byNote", fields: ["id"])
  }
  type Comment @model @auth(rules: [{ allow: public }]) {
    id: ID!
    noteId: ID! @index(name: "byNote")
    note: Note @belongsTo(fields: ["noteId"])
  }
`;
const FIELDS = 'id name _version _deleted _lastChangedAt';
const SYNC = `query ($limit: Int, $nextToken: String, $lastSync: AWSTimestamp, $filter: ModelNoteFilterInput) {
  syncNotes(limit: $limit, nextToken: $nextToken, lastSync: $lastSync, filter: $filter) { items { ${FIELDS} } nextToken startedAt }
}`;
const DAY_MS = 24 * 3600 * 1000;
/** Notes written before the tests, an hour ago. */
const SEEDED = 1150;
const SEEDED_TOMBSTONES = 3;

/** The clock of the cloud's sync windows and tombstone expiry: the tests move it on by `clockOffset`. */
let clockOffset = 0;
const clock = (): number => Date.now() + clockOffset;
/** The TTL sweep's clock, moved on separately so that reads are seen to hide expired rows the sweep has not deleted. */
let sweepOffset = 0;
const sweepClock = (): number => Date.now() + sweepOffset;

let cloud: TestCloud;
let api: DeployedTestApi;
let table: string;

interface Note {
  id: string;
  name: string | null;
  _version: number;
  _deleted: boolean | null;
  _lastChangedAt: number;
}
interface SyncPage {
  items: Note[];
  nextToken: string | null;
  startedAt: number;
}
interface Answer {
  data: Record<string, any> | null;
  errors?: Array<{ errorType: string; message: string; path?: string[] }>;
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
async function mutate(name: 'create' | 'update' | 'delete', input: Record<string, unknown>): Promise<Note> {
  const out = await gql(`mutation ($input: ${name[0]!.toUpperCase()}${name.slice(1)}NoteInput!) { ${name}Note(input: $input) { ${FIELDS} } }`, { input });
  assert.equal(out.errors, undefined, JSON.stringify(out.errors));
  return out.data![`${name}Note`] as Note;
}
async function syncPage(variables: { limit?: number; nextToken?: string | null; lastSync?: number | null; filter?: unknown }): Promise<SyncPage> {
  const out = await gql(SYNC, variables);
  assert.equal(out.errors, undefined, JSON.stringify(out.errors));
  return out.data!.syncNotes as SyncPage;
}
/** Every page of one sync, as DataStore reads them (until `nextToken` is null). */
async function syncAll(variables: { limit?: number; lastSync?: number | null; filter?: unknown }): Promise<SyncPage[]> {
  const pages = [await syncPage(variables)];
  while (pages.at(-1)!.nextToken !== null) pages.push(await syncPage({ ...variables, nextToken: pages.at(-1)!.nextToken }));
  return pages;
}
/** Notes in the order a delta sync answers them: by last change, ties by id. */
const changeOrder = (notes: Note[]): string[] =>
  [...notes].sort((a, b) => a._lastChangedAt - b._lastChangedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).map((n) => n.id);
const idsOf = (pages: SyncPage[]): string[] => pages.flatMap((p) => p.items.map((i) => i.id));
const errorOf = async (variables: Record<string, unknown>): Promise<{ errorType: string; message: string }> => {
  const out = await gql(SYNC, variables);
  assert.deepEqual(out.data, { syncNotes: null });
  const [error] = out.errors ?? [];
  return { errorType: error!.errorType, message: error!.message };
};
const rawItem = (id: string) => cloud.kernel.capability(TABLES).get({ table, key: { id: { S: id } } });

const seededIds: string[] = [];
const seededTombstones: string[] = [];

before(async () => {
  cloud = await startTestCloud({ appsync: { clock }, dynamodb: { ttlClock: sweepClock, ttlSweepIntervalMs: 100 } });
  api = await deployTestApi(cloud, {
    name: 'syncqueries',
    schema: SCHEMA,
    authConfig: { defaultAuthentication: { authenticationType: 'API_KEY' } },
    resolverConfig: { project: { ConflictDetection: 'VERSION', ConflictHandler: 'AUTOMERGE' } },
  });
  table = `Note-${api.apiId}-dev`;
  // Rows written an hour before the tests (as an app's existing data), straight into the table.
  const engine = cloud.kernel.capability(TABLES);
  const hourAgo = Date.now() - 3600 * 1000;
  const at = new Date(hourAgo).toISOString();
  const rows = Array.from({ length: SEEDED + SEEDED_TOMBSTONES }, (_, i) => ({ id: randomUUID(), tombstone: i >= SEEDED }));
  for (let i = 0; i < rows.length; i += 50)
    await Promise.all(
      rows.slice(i, i + 50).map(({ id, tombstone }, j) =>
        engine.put({
          table,
          item: {
            id: { S: id },
            name: { S: `seed ${i + j}` },
            __typename: { S: 'Note' },
            createdAt: { S: at },
            updatedAt: { S: at },
            _version: { N: tombstone ? '2' : '1' },
            _lastChangedAt: { N: String(hourAgo) },
            ...(tombstone ? { _deleted: { BOOL: true }, _ttl: { N: String(Math.floor(hourAgo / 1000) + 30 * 24 * 3600) } } : {}),
          },
        }),
      ),
    );
  for (const row of rows) (row.tombstone ? seededTombstones : seededIds).push(row.id);
});
after(() => cloud.close());

let baseStartedAt = 0;

void describe('sync queries under owner rules', () => {
  const OWNED = /* GraphQL */ `
    type Memo @model @auth(rules: [{ allow: owner }]) {
      id: ID!
      text: String
    }
  `;
  const MEMO_SYNC = `query ($limit: Int, $nextToken: String, $lastSync: AWSTimestamp) {
    syncMemos(limit: $limit, nextToken: $nextToken, lastSync: $lastSync) { items { id text owner _version _deleted } nextToken startedAt }
  }`;
  let owned: DeployedTestApi;
  const tokens: Record<string, string> = {};
  const as = async (user: string, query: string, variables: Record<string, unknown> = {}): Promise<Record<string, any>> => {
    const res = await fetch(owned.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: tokens[user]! },
      body: JSON.stringify({ query, variables }),
    });
    const out = (await res.json()) as Answer;
    assert.equal(out.errors, undefined, JSON.stringify(out.errors));
    return out.data!;
  };
  /** Every page of one sync as `user`: the ids on each page. */
  const syncAs = async (user: string, variables: { limit: number; lastSync: number }): Promise<{ pages: string[][]; startedAt: number }> => {
    const pages: string[][] = [];
    let nextToken: string | null = null;
    let startedAt = 0;
    do {
      const page = (await as(user, MEMO_SYNC, { ...variables, nextToken })).syncMemos as {
        items: Array<{ id: string }>;
        nextToken: string | null;
        startedAt: number;
      };
      pages.push(page.items.map((i) => i.id));
      nextToken = page.nextToken;
      startedAt = page.startedAt;
    } while (nextToken !== null);
    return { pages, startedAt };
  };
  const memo = async (user: string, text: string): Promise<string> =>
    ((await as(user, 'mutation ($input: CreateMemoInput!) { createMemo(input: $input) { id } }', { input: { text } })).createMemo as { id: string }).id;

  before(async () => {
    const users = await createTestUsers(cloud, { alice: [], bob: [] });
    owned = await deployTestApi(cloud, {
      name: 'owned',
      schema: OWNED,
      userPoolId: users.userPoolId,
      authConfig: { defaultAuthentication: { authenticationType: 'AMAZON_COGNITO_USER_POOLS' } },
      resolverConfig: { project: { ConflictDetection: 'VERSION', ConflictHandler: 'AUTOMERGE' } },
    });
    const idp = new CognitoIdentityProviderClient({
      endpoint: `${cloud.url}/cognito-idp/`,
      region: 'us-east-1',
      credentials: cloud.credentials,
      maxAttempts: 1,
    });
    for (const username of ['alice', 'bob']) {
      const auth = await idp.send(
        new InitiateAuthCommand({
          ClientId: users.clientId,
          AuthFlow: 'USER_PASSWORD_AUTH',
          AuthParameters: { USERNAME: username, PASSWORD: 'Correct-Horse-9' },
        }),
      );
      tokens[username] = auth.AuthenticationResult!.AccessToken!;
    }
  });

  void it('a user’s base and delta syncs answer only the user’s own items, in full pages', async () => {
    const alices: string[] = [];
    const bobs: string[] = [];
    for (let i = 0; i < 12; i++) {
      bobs.push(await memo('bob', `bob ${i}`));
      if (i % 4 === 0) alices.push(await memo('alice', `alice ${i}`));
    }
    const base = await syncAs('alice', { limit: 2, lastSync: 0 });
    assert.deepEqual(
      base.pages.map((p) => p.length),
      [2, 1],
      'full pages of alice’s items, whatever bob’s lie between them',
    );
    assert.deepEqual(new Set(base.pages.flat()), new Set(alices));
    assert.deepEqual(new Set((await syncAs('bob', { limit: 1000, lastSync: 0 })).pages.flat()), new Set(bobs));
    const mine = await memo('alice', 'alice later');
    await memo('bob', 'bob later');
    // startedAt is a second before the base sync began: alice's items written within it come again.
    const delta = (await syncAs('alice', { limit: 100, lastSync: base.startedAt })).pages.flat();
    assert.equal(delta.at(-1), mine, 'the newest change last');
    assert.ok(
      delta.every((id) => id === mine || alices.includes(id)),
      'only alice’s items',
    );
  });
});

void describe('sync queries', () => {
  void it('a base sync of more than 1,000 items: two pages, one startedAt taken before the read, tombstones included', async () => {
    const before = Date.now();
    const pages = await syncAll({ limit: 1000, lastSync: 0 });
    assert.deepEqual(
      pages.map((p) => p.items.length),
      [1000, SEEDED + SEEDED_TOMBSTONES - 1000],
    );
    assert.equal(new Set(pages.map((p) => p.startedAt)).size, 1, 'every page answers the same startedAt');
    assert.ok(pages[0]!.startedAt <= before, `startedAt ${pages[0]!.startedAt} is not after the sync began (${before})`);
    const ids = idsOf(pages);
    assert.equal(new Set(ids).size, ids.length, 'no item twice');
    assert.deepEqual(new Set(ids), new Set([...seededIds, ...seededTombstones]));
    const tombstones = pages.flatMap((p) => p.items).filter((i) => i._deleted === true);
    assert.deepEqual(new Set(tombstones.map((t) => t.id)), new Set(seededTombstones));
    baseStartedAt = pages[0]!.startedAt;
  });

  void it('limit defaults to 100; no lastSync is a base sync', async () => {
    const page = await syncPage({});
    assert.equal(page.items.length, 100);
    assert.notEqual(page.nextToken, null);
  });

  void it('a delta sync answers only what changed since lastSync, oldest change first, deletes included', async () => {
    const created = await mutate('create', { name: 'new' });
    const updated = await mutate('update', { id: seededIds[0], name: 'edited', _version: 1 });
    const deleted = await mutate('delete', { id: seededIds[1], _version: 1 });
    const twice = await mutate('update', { id: created.id, name: 'newer', _version: 1 });
    const pages = await syncAll({ lastSync: baseStartedAt });
    const items = pages.flatMap((p) => p.items);
    assert.deepEqual(
      items.map((i) => i.id),
      changeOrder([updated, deleted, twice]),
      'each changed item once, in the order of its last change',
    );
    assert.deepEqual(
      items.find((i) => i.id === deleted.id),
      { ...deleted, _deleted: true },
    );
    assert.deepEqual(
      items.find((i) => i.id === created.id),
      twice,
    );
    const times = items.map((i) => i._lastChangedAt);
    assert.deepEqual(
      times,
      [...times].sort((a, b) => a - b),
    );
  });

  void it('a delta sync pages in change order with one startedAt', async () => {
    const since = Date.now();
    const made: Note[] = [];
    for (let i = 0; i < 5; i++) made.push(await mutate('create', { name: `paged ${i}` }));
    const pages = await syncAll({ lastSync: since, limit: 2 });
    assert.deepEqual(
      pages.map((p) => p.items.length),
      [2, 2, 1],
    );
    assert.equal(new Set(pages.map((p) => p.startedAt)).size, 1);
    assert.deepEqual(idsOf(pages), changeOrder(made));
  });

  void it('a write made between two pages of a sync is answered by the next delta sync', async () => {
    const first = await syncPage({ limit: 1000, lastSync: 0 });
    const served = first.items.find((i) => !i._deleted)!;
    const edited = await mutate('update', { id: served.id, name: 'edited between pages', _version: served._version });
    const created = await mutate('create', { name: 'created between pages' });
    let last = first;
    while (last.nextToken !== null) last = await syncPage({ limit: 1000, lastSync: 0, nextToken: last.nextToken });
    assert.equal(last.startedAt, first.startedAt);
    const delta = (await syncAll({ lastSync: last.startedAt })).flatMap((p) => p.items);
    assert.deepEqual(
      delta.filter((i) => i.id === edited.id || i.id === created.id),
      [edited, created],
    );
  });

  void it('a filtered page holds limit matching items, however many items between them do not match', async () => {
    const marked: string[] = [];
    for (let i = 0; i < 15; i++) marked.push((await mutate('create', { name: `marked ${i}` })).id);
    const filter = { and: [{ name: { beginsWith: 'marked' } }] };
    const base = await syncAll({ limit: 10, lastSync: 0, filter });
    assert.deepEqual(
      base.map((p) => p.items.length),
      [10, 5],
    );
    assert.deepEqual(new Set(idsOf(base)), new Set(marked));
    const delta = await syncAll({ limit: 10, lastSync: baseStartedAt, filter });
    assert.deepEqual(new Set(idsOf(delta)), new Set(marked), 'the filter applies to delta syncs too');
  });

  void it('refuses a bad nextToken, a token of another query and a limit past 1,000 with AppSync’s error types', async () => {
    assert.deepEqual(await errorOf({ nextToken: 'not-a-token' }), { errorType: 'InvalidNextTokenException', message: 'Invalid pagination token given.' });
    const listToken = (await gql('query { listNotes(limit: 1) { nextToken } }')).data!.listNotes.nextToken as string;
    assert.deepEqual(await errorOf({ nextToken: listToken }), { errorType: 'InvalidNextTokenException', message: 'Invalid pagination token given.' });
    const syncToken = (await syncPage({ limit: 1 })).nextToken!;
    const altered = Buffer.from(syncToken, 'base64');
    altered.writeUInt8(altered.readUInt8(altered.length - 1) ^ 1, altered.length - 1);
    assert.equal((await errorOf({ nextToken: altered.toString('base64') })).errorType, 'InvalidNextTokenException');
    for (const limit of [1001, 0, -1]) {
      const error = await errorOf({ limit });
      assert.equal(error.errorType, 'ValidationError');
      assert.match(error.message, /limit must be an integer from 1 to 1000/);
    }
  });

  void it('a lastSync older than the tombstones’ lifetime (30 days) is a base sync; a younger one a delta', async () => {
    const since = Date.now();
    const made = await mutate('create', { name: 'window' });
    clockOffset = 29 * DAY_MS;
    assert.deepEqual(idsOf(await syncAll({ lastSync: since })), [made.id], '29 days on: still a delta');
    clockOffset = 31 * DAY_MS;
    const all = idsOf(await syncAll({ limit: 1000, lastSync: since }));
    assert.ok(all.length > SEEDED, `31 days on: a base sync (${all.length} items)`);
    clockOffset = 0;
  });

  void it('an expired tombstone is no longer answered by get, list or sync, and the TTL sweep deletes it', async () => {
    const note = await mutate('create', { name: 'to expire' });
    const tombstone = await mutate('delete', { id: note.id, _version: 1 });
    assert.equal(tombstone._deleted, true);
    const get = async (): Promise<unknown> => (await gql(`query ($id: ID!) { getNote(id: $id) { ${FIELDS} } }`, { id: note.id })).data!.getNote;
    // A list's limit counts the items read, not those that match: every page of it.
    const listed = async (): Promise<string[]> => {
      const ids: string[] = [];
      let nextToken: string | null = null;
      do {
        const page = (
          await gql(
            `query ($nextToken: String) { listNotes(limit: 1000, nextToken: $nextToken, filter: {name: {eq: "to expire"}}) { items { id } nextToken } }`,
            { nextToken },
          )
        ).data!.listNotes as { items: Note[]; nextToken: string | null };
        ids.push(...page.items.map((i) => i.id));
        nextToken = page.nextToken;
      } while (nextToken !== null);
      return ids;
    };
    assert.deepEqual(await get(), tombstone, 'a live tombstone is readable');
    assert.deepEqual(await listed(), [note.id]);
    assert.ok((await rawItem(note.id))?._ttl, 'the tombstone has a _ttl');
    const comment = (await gql('mutation ($input: CreateCommentInput!) { createComment(input: $input) { id } }', { input: { noteId: note.id } })).data!
      .createComment as { id: string };
    const parent = async (): Promise<unknown> =>
      (await gql('query ($id: ID!) { getComment(id: $id) { note { id _deleted } } }', { id: comment.id })).data!.getComment.note;
    assert.deepEqual(await parent(), { id: note.id, _deleted: true }, 'a belongsTo reads a live tombstone');
    clockOffset = 31 * DAY_MS;
    try {
      assert.notEqual(await rawItem(note.id), undefined, 'the sweep has not deleted it yet');
      assert.equal(await parent(), null, 'nor through a belongsTo');
      assert.equal(await get(), null);
      assert.deepEqual(await listed(), []);
      const synced = idsOf(await syncAll({ limit: 1000, lastSync: 0 }));
      assert.ok(!synced.includes(note.id) && !seededTombstones.some((id) => synced.includes(id)), 'no expired tombstone in a base sync');
      assert.ok(synced.includes(seededIds[2]!), 'live items still synced');
      assert.notEqual(await rawItem(note.id), undefined, 'hidden by the reads themselves');
      // The sweep runs every 100 ms, a bounded number of rows per run: on the moved clock, wait until it has
      // deleted every expired tombstone.
      sweepOffset = 31 * DAY_MS;
      const deadline = Date.now() + 20_000;
      const expired = [note.id, ...seededTombstones];
      const left = async (): Promise<number> => (await Promise.all(expired.map(rawItem))).filter((item) => item !== undefined).length;
      while ((await left()) > 0) {
        assert.ok(Date.now() < deadline, 'the TTL sweep did not delete the expired tombstones');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.notEqual(await rawItem(seededIds[2]!), undefined, 'live items stay');
    } finally {
      clockOffset = 0;
      sweepOffset = 0;
    }
  });
});
