import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { CognitoIdentityProviderClient, InitiateAuthCommand } from '@aws-sdk/client-cognito-identity-provider';
import { WebSocket } from 'ws';
import { deployTestApi, type DeployedTestApi } from './appsync-deploy.js';
import { createTestUsers } from './test-identity-pool.js';
import { makeTempDir, startTestCloud, type TestCloud } from './index.js';

/**
 * Attacks on fields hidden by field-level `@auth`, against a running cloud: a caller allowed to list a model
 * but not to read one of its fields must learn nothing of that field's values through filters, counts,
 * key conditions, the order of an index, relation filters, write conditions or subscription filters.
 *
 * Who may read what: `secret` is its owner's alone (another user reads it on their own notes only; the API
 * key never), `review` the Admin group's (carol). A field the caller may never read is refused wherever it is
 * used, naming it (`Unauthorized on [secret]`, the words of Amplify's field-level auth); a field readable on
 * some items only is allowed, and its conditions never hold on the items that hide it, so every probe of a
 * hidden value answers the same whatever that value is.
 */

const SCHEMA = /* GraphQL */ `
  type Note @model @auth(rules: [{ allow: owner }, { allow: private, operations: [read] }, { allow: public, operations: [read] }]) {
    id: ID!
    title: String
    category: String @index(name: "byCategory", queryField: "notesByCategory", sortKeyFields: ["title"])
    kind: String @index(name: "byKind", queryField: "notesByKind", sortKeyFields: ["secret"])
    secret: String @auth(rules: [{ allow: owner }]) @index(name: "bySecret", queryField: "notesBySecret")
    review: String @auth(rules: [{ allow: groups, groups: ["Admin"] }])
    bookId: ID @index(name: "byBook", sortKeyFields: ["title"])
  }
  type Book @model @auth(rules: [{ allow: owner }, { allow: private, operations: [read] }, { allow: public, operations: [read] }]) {
    id: ID!
    name: String
    notes: [Note] @hasMany(indexName: "byBook", fields: ["id"])
  }
  type Shared @model @auth(rules: [{ allow: owner }, { allow: private, operations: [read, update, delete] }, { allow: public }]) {
    id: ID!
    title: String
    secret: String @auth(rules: [{ allow: owner }])
  }
  type Journal @model @auth(rules: [{ allow: owner }, { allow: private, operations: [read, update] }, { allow: public, operations: [read] }]) {
    id: ID!
    title: String
    secret: String @auth(rules: [{ allow: owner }])
  }
  type Diary @model @auth(rules: [{ allow: owner }]) {
    id: ID!
    mood: String @index(name: "byMood", queryField: "diariesByMood")
  }
`;

const ALICE_SECRET = 's3cr3t-alice-7f2c';
const BOB_SECRET = 'bob-secret-19';
const CAROL_REVIEW = 'review-only-admins-4d';

type Who = 'alice' | 'bob' | 'carol' | 'apiKey';
interface Body {
  data?: Record<string, any> | null;
  errors?: Array<{ errorType?: string; message?: string; path?: Array<string | number>; data?: any }>;
}

let cloud: TestCloud;
let api: DeployedTestApi;
const tokens: Partial<Record<Who, string>> = {};
const ids: Record<string, string> = {};

async function gql(who: Who, query: string, variables: Record<string, unknown> = {}): Promise<Body> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (who === 'apiKey') headers['x-api-key'] = api.apiKey;
  else headers.authorization = tokens[who]!;
  const res = await fetch(api.url, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
  assert.equal(res.status, 200);
  return (await res.json()) as Body;
}

/** The answer must be the refusal of `fields` on `field` (errors[] in AppSync's shape, the field null). */
function assertRefused(body: Body, field: string, fields = 'secret'): void {
  assert.equal(body.data?.[field] ?? null, null, JSON.stringify(body));
  assert.deepEqual(
    body.errors?.map((e) => ({ errorType: e.errorType, message: e.message, path: e.path })),
    [{ errorType: 'Unauthorized', message: `Unauthorized on [${fields}]`, path: [field] }],
  );
}

/** Ids of a connection's items, sorted, or the answer itself when it is not one. */
const idsOf = (body: Body, field: string): string[] => {
  assert.equal(body.errors, undefined, JSON.stringify(body.errors));
  return (body.data?.[field].items as Array<{ id: string }>).map((i) => i.id).sort();
};

const create = async (who: Who, model: string, input: Record<string, unknown>): Promise<string> => {
  const body = await gql(who, `mutation ($input: Create${model}Input!) { create${model}(input: $input) { id } }`, { input });
  assert.equal(body.errors, undefined, JSON.stringify(body.errors));
  return body.data![`create${model}`].id as string;
};

const LIST = 'query ($f: ModelNoteFilterInput) { listNotes(filter: $f, limit: 1000) { items { id } } }';
const COUNT = 'query ($f: ModelNoteFilterInput) { listNotes(filter: $f, limit: 1) { totalCount } }';
/** The prefixes of the beginsWith loop: each correct prefix of Alice's secret, and wrong ones. */
const PREFIXES = ['', 's', 's3', 's3cr3t', ALICE_SECRET, 'x', 'zz', 'b'];

before(async () => {
  cloud = await startTestCloud();
  const users = await createTestUsers(cloud, { alice: [], bob: [], carol: ['Admin'] });
  api = await deployTestApi(cloud, {
    schema: SCHEMA,
    userPoolId: users.userPoolId,
    name: 'oracles',
    totalCounts: true,
    authConfig: {
      defaultAuthentication: { authenticationType: 'AMAZON_COGNITO_USER_POOLS' },
      additionalAuthenticationProviders: [{ authenticationType: 'API_KEY' }],
    },
    resolverConfig: { models: { Journal: { ConflictDetection: 'VERSION', ConflictHandler: 'OPTIMISTIC_CONCURRENCY' } } },
  });
  const idp = new CognitoIdentityProviderClient({ endpoint: `${cloud.url}/cognito-idp/`, region: 'us-east-1', credentials: cloud.credentials, maxAttempts: 1 });
  for (const username of ['alice', 'bob', 'carol'] as const) {
    const auth = await idp.send(
      new InitiateAuthCommand({
        ClientId: users.clientId,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: username, PASSWORD: 'Correct-Horse-9' },
      }),
    );
    tokens[username] = auth.AuthenticationResult!.AccessToken!;
  }
  ids.book = await create('alice', 'Book', { name: 'shared book' });
  ids.alice = await create('alice', 'Note', { title: 'alpha', category: 'c', kind: 'k', secret: ALICE_SECRET, bookId: ids.book });
  ids.bob = await create('bob', 'Note', { title: 'beta', category: 'c', kind: 'k', secret: BOB_SECRET, bookId: ids.book });
  ids.carol = await create('carol', 'Note', { title: 'gamma', category: 'c', kind: 'k', secret: 'carol-secret', review: CAROL_REVIEW });
  ids.shared = await create('alice', 'Shared', { title: 'shared', secret: ALICE_SECRET });
  ids.journal = await create('alice', 'Journal', { title: 'journal', secret: ALICE_SECRET });
  for (const [who, mood] of [
    ['alice', 'happy'],
    ['alice', 'happy'],
    ['bob', 'happy'],
    ['bob', 'sad'],
    ['alice', ALICE_SECRET],
  ] as const)
    await create(who, 'Diary', { mood });
});
after(() => cloud.close());

void describe('field oracles: list filters', () => {
  void it('the API key is refused a filter on the owner-only field, naming it, the same answer whatever the prefix', async () => {
    const answers = new Set<string>();
    for (const prefix of PREFIXES) {
      const body = await gql('apiKey', LIST, { f: { secret: { beginsWith: prefix } } });
      assertRefused(body, 'listNotes');
      answers.add(JSON.stringify(body));
    }
    assert.equal(answers.size, 1, 'every probe answers the very same bytes');
    assert.deepEqual(idsOf(await gql('apiKey', LIST, { f: { title: { beginsWith: 'al' } } }), 'listNotes'), [ids.alice], 'a readable field filters as before');
  });

  void it("another user's beginsWith loop on the owner's field answers the same for every prefix; each owner filters on their own", async () => {
    const answers = new Set<string>();
    for (const prefix of PREFIXES) answers.add(JSON.stringify(idsOf(await gql('bob', LIST, { f: { secret: { beginsWith: prefix } } }), 'listNotes')));
    assert.deepEqual([...answers].sort(), [JSON.stringify([]), JSON.stringify([ids.bob])].sort(), 'only Bob\'s own note ever matches (for "", "b")');
    assert.deepEqual(idsOf(await gql('bob', LIST, { f: { secret: { eq: BOB_SECRET } } }), 'listNotes'), [ids.bob]);
    assert.deepEqual(idsOf(await gql('bob', LIST, { f: { secret: { eq: ALICE_SECRET } } }), 'listNotes'), []);
    assert.deepEqual(idsOf(await gql('alice', LIST, { f: { secret: { eq: ALICE_SECRET } } }), 'listNotes'), [ids.alice]);
    assert.deepEqual(
      idsOf(await gql('alice', LIST, { f: { secret: { attributeExists: true } } }), 'listNotes'),
      [ids.alice],
      'the hidden values of others never match',
    );
  });

  void it('a field no rule lets a signed-in user read is refused to them; the group it names filters on it', async () => {
    for (const value of [CAROL_REVIEW, 'nope']) assertRefused(await gql('bob', LIST, { f: { review: { eq: value } } }), 'listNotes', 'review');
    assertRefused(await gql('apiKey', LIST, { f: { review: { attributeExists: true }, secret: { attributeExists: true } } }), 'listNotes', 'secret, review');
    assert.deepEqual(idsOf(await gql('carol', LIST, { f: { review: { eq: CAROL_REVIEW } } }), 'listNotes'), [ids.carol]);
  });

  void it('nested and / or / not cannot smuggle the field past the check or turn its hiding around', async () => {
    const shapes = [
      { or: [{ title: { eq: 'nothing' } }, { secret: { beginsWith: 's3' } }] },
      { and: [{ title: { attributeExists: true } }, { not: { secret: { beginsWith: 's3' } } }] },
      { not: { not: { secret: { contains: 'cr' } } } },
      { or: [{ and: [{ or: [{ secret: { size: { gt: 3 } } }] }] }] },
      { not: { secret: { ne: ALICE_SECRET } } },
    ];
    for (const f of shapes) assertRefused(await gql('apiKey', LIST, { f }), 'listNotes');
    // Bob: under `not`, a condition on a hidden value is false whatever that value, so negating it matches alike.
    const right = idsOf(await gql('bob', LIST, { f: { not: { secret: { beginsWith: 's3cr3t' } } } }), 'listNotes');
    const wrong = idsOf(await gql('bob', LIST, { f: { not: { secret: { beginsWith: 'qq' } } } }), 'listNotes');
    assert.deepEqual(right, wrong);
    assert.deepEqual(right, [ids.alice, ids.bob, ids.carol].sort());
    const either = idsOf(await gql('bob', LIST, { f: { or: [{ title: { eq: 'gamma' } }, { secret: { beginsWith: 's3' } }] } }), 'listNotes');
    assert.deepEqual(either, [ids.carol]);
  });
});

void describe('field oracles: totalCount', () => {
  void it("the API key's 1-vs-0 count probe is refused the same way for a right and a wrong guess", async () => {
    const right = await gql('apiKey', COUNT, { f: { secret: { eq: ALICE_SECRET } } });
    const wrong = await gql('apiKey', COUNT, { f: { secret: { eq: 'guess' } } });
    assertRefused(right, 'listNotes');
    assert.deepEqual(right, wrong);
    assert.equal((await gql('apiKey', COUNT, { f: { category: { eq: 'c' } } })).data?.listNotes.totalCount, 3, 'a readable filter is counted');
  });

  void it("another user counts 0 for a right and a wrong guess of the owner's value", async () => {
    for (const f of [{ secret: { eq: ALICE_SECRET } }, { secret: { eq: 'guess' } }, { secret: { beginsWith: 's3' } }]) {
      assert.deepEqual(await gql('bob', COUNT, { f }), { data: { listNotes: { totalCount: 0 } } });
    }
    assert.equal((await gql('alice', COUNT, { f: { secret: { beginsWith: 's3' } } })).data?.listNotes.totalCount, 1);
  });

  void it('with an allowed filter, the count is of the items the owner rule lets through, not of the table', async () => {
    const count = async (who: Who): Promise<unknown> =>
      (await gql(who, 'query ($f: ModelDiaryFilterInput) { listDiaries(filter: $f, limit: 1) { totalCount } }', { f: { mood: { eq: 'happy' } } })).data
        ?.listDiaries.totalCount;
    assert.equal(await count('alice'), 2);
    assert.equal(await count('bob'), 1);
    assert.equal(await count('carol'), 0);
  });
});

void describe('field oracles: index queries', () => {
  void it('a filter on the hidden field is refused on an index query too', async () => {
    const q = 'query ($f: ModelNoteFilterInput) { notesByCategory(category: "c", filter: $f) { items { id } totalCount } }';
    assertRefused(await gql('apiKey', q, { f: { secret: { beginsWith: 's' } } }), 'notesByCategory');
    assert.deepEqual(idsOf(await gql('bob', q, { f: { secret: { beginsWith: 's' } } }), 'notesByCategory'), []);
    assert.deepEqual(idsOf(await gql('apiKey', q, { f: { title: { ne: 'beta' } } }), 'notesByCategory'), [ids.alice, ids.carol].sort());
  });

  void it('an index keyed by the hidden field: the API key is refused, another user finds nothing whatever the guess', async () => {
    const q = 'query ($s: String!) { notesBySecret(secret: $s) { items { id } totalCount } }';
    for (const s of [ALICE_SECRET, 'guess']) {
      assertRefused(await gql('apiKey', q, { s }), 'notesBySecret');
      assert.deepEqual(await gql('bob', q, { s }), { data: { notesBySecret: { items: [], totalCount: 0 } } });
    }
    assert.deepEqual(idsOf(await gql('alice', q, { s: ALICE_SECRET }), 'notesBySecret'), [ids.alice]);
  });

  void it('an index sorted by the hidden field: no key condition on it, and no order by it, for who may not read it', async () => {
    const q = 'query ($c: ModelStringKeyConditionInput, $d: ModelSortDirection) { notesByKind(kind: "k", secret: $c, sortDirection: $d) { items { id } } }';
    for (const variables of [{}, { d: 'DESC' }, { c: { beginsWith: 's3' } }, { c: { gt: 'r' } }, { c: { between: ['a', 't'] } }]) {
      assertRefused(await gql('apiKey', q, variables), 'notesByKind');
    }
    // Bob reads the sort key on his own note only: the others are not placed by their hidden values.
    for (const c of [undefined, { beginsWith: 's3' }, { beginsWith: 'zz' }, { lt: 's4' }, { gt: 's4' }]) {
      const ids_ = idsOf(await gql('bob', q, c ? { c } : {}), 'notesByKind');
      assert.ok(
        ids_.every((id) => id === ids.bob),
        `only Bob's note answers: ${JSON.stringify(ids_)}`,
      );
    }
    assert.deepEqual(idsOf(await gql('alice', q, { c: { beginsWith: 's3' } }), 'notesByKind'), [ids.alice]);
    assert.deepEqual(idsOf(await gql('carol', q, {}), 'notesByKind'), [ids.carol]);
  });

  void it('limit + nextToken over an index sorted by the hidden field carry none of its values', async () => {
    let nextToken: string | null = null;
    const seen: string[] = [];
    do {
      const body: Body = await gql('bob', 'query ($t: String) { notesByKind(kind: "k", limit: 1, nextToken: $t) { items { id } nextToken } }', {
        t: nextToken,
      });
      assert.equal(body.errors, undefined, JSON.stringify(body.errors));
      seen.push(...(body.data!.notesByKind.items as Array<{ id: string }>).map((i) => i.id));
      nextToken = body.data!.notesByKind.nextToken as string | null;
      if (nextToken) {
        const text = Buffer.from(nextToken, 'base64').toString('latin1');
        for (const hidden of [ALICE_SECRET, 'carol-secret']) assert.ok(!text.includes(hidden), 'the token does not hold a hidden value');
      }
    } while (nextToken);
    assert.deepEqual(seen, [ids.bob]);
  });

  void it('with limit 1, neither a page nor its token says whether a hidden item matched the key or where it stands', async () => {
    const bySecret = 'query ($s: String!) { notesBySecret(secret: $s, limit: 1) { items { id } nextToken } }';
    assert.deepEqual(await gql('bob', bySecret, { s: ALICE_SECRET }), { data: { notesBySecret: { items: [], nextToken: null } } });
    assert.deepEqual(await gql('bob', bySecret, { s: 'guess' }), { data: { notesBySecret: { items: [], nextToken: null } } });
    // Bob plants notes on either side of one of Alice's in the index's order, then pages one at a time.
    const hidden = await create('alice', 'Note', { title: 'between', kind: 'kp', secret: 'm-alice' });
    const before_ = await create('bob', 'Note', { title: 'a', kind: 'kp', secret: 'a-bob' });
    const after_ = await create('bob', 'Note', { title: 'z', kind: 'kp', secret: 'z-bob' });
    const pages: string[][] = [];
    let nextToken: string | null = null;
    do {
      const body: Body = await gql('bob', 'query ($t: String) { notesByKind(kind: "kp", limit: 1, nextToken: $t) { items { id } nextToken } }', {
        t: nextToken,
      });
      assert.equal(body.errors, undefined, JSON.stringify(body.errors));
      pages.push((body.data!.notesByKind.items as Array<{ id: string }>).map((i) => i.id));
      nextToken = body.data!.notesByKind.nextToken as string | null;
    } while (nextToken && pages.length < 10);
    assert.deepEqual(pages, [[before_], [after_], []], 'no empty page stands where the hidden note is');
    assert.deepEqual(idsOf(await gql('alice', 'query { notesByKind(kind: "kp") { items { id } } }'), 'notesByKind'), [hidden]);
  });

  void it("another owner's items, which the owner rule hides whole, shape no page either", async () => {
    // Diary is owner-only: Bob's query reads Alice's diaries under the key he names, then drops them.
    const q = 'query ($m: String!, $t: String) { diariesByMood(mood: $m, limit: 1, nextToken: $t) { items { mood } nextToken } }';
    for (const m of [ALICE_SECRET, 'guess']) assert.deepEqual(await gql('bob', q, { m }), { data: { diariesByMood: { items: [], nextToken: null } } });
    const first = await gql('bob', q, { m: 'happy' });
    assert.deepEqual(first.data?.diariesByMood.items, [{ mood: 'happy' }]);
    assert.deepEqual((await gql('bob', q, { m: 'happy', t: first.data?.diariesByMood.nextToken })).data?.diariesByMood, { items: [], nextToken: null });
    assert.deepEqual((await gql('alice', q, { m: ALICE_SECRET })).data?.diariesByMood.items, [{ mood: ALICE_SECRET }]);
  });

  void it('a nextToken made up by the caller, or handed out by another query, is refused', async () => {
    const q = 'query ($t: String) { notesByKind(kind: "k", nextToken: $t) { items { id } } }';
    // A start key of the caller's choosing would place the hidden values in the index's order.
    const forged = Buffer.from(JSON.stringify({ id: { S: ids.alice }, kind: { S: 'k' }, secret: { S: 's3' } })).toString('base64');
    const answer = await gql('bob', q, { t: forged });
    assert.equal(answer.data?.notesByKind, null);
    assert.equal(answer.errors?.[0]?.errorType, 'InvalidNextTokenException');
    const listed = await gql('bob', 'query { listNotes(limit: 1) { nextToken } }');
    const token = listed.data?.listNotes.nextToken as string;
    assert.equal(typeof token, 'string');
    assert.equal(
      (await gql('bob', q, { t: token })).errors?.[0]?.errorType,
      'InvalidNextTokenException',
      'a token of listNotes does not continue an index query',
    );
    assert.equal((await gql('bob', 'query ($t: String) { listNotes(limit: 1, nextToken: $t) { items { id } } }', { t: token })).errors, undefined);
  });
});

void describe('sealed nextTokens', () => {
  void it('a token handed out before a restart of the cloud continues after it', async () => {
    const dataDir = await makeTempDir('forte-token-restart');
    let running = await startTestCloud({ dataDir });
    try {
      const deployed = await deployTestApi(running, {
        schema: 'type Item @model @auth(rules: [{ allow: public }]) { id: ID! }',
        name: 'tokens',
        authConfig: { defaultAuthentication: { authenticationType: 'API_KEY' } },
      });
      const call = async (query: string, variables: Record<string, unknown> = {}): Promise<Body> => {
        const url = `${running.url}${new URL(deployed.url).pathname}`;
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': deployed.apiKey },
          body: JSON.stringify({ query, variables }),
        });
        return (await res.json()) as Body;
      };
      for (const id of ['i1', 'i2']) await call('mutation ($id: ID!) { createItem(input: {id: $id}) { id } }', { id });
      const page = await call('query { listItems(limit: 1) { items { id } nextToken } }');
      await running.close();
      running = await startTestCloud({ dataDir });
      const next = await call('query ($t: String) { listItems(limit: 1, nextToken: $t) { items { id } } }', { t: page.data?.listItems.nextToken });
      assert.equal(next.errors, undefined, JSON.stringify(next.errors));
      const seen = [...(page.data?.listItems.items as Array<{ id: string }>), ...(next.data?.listItems.items as Array<{ id: string }>)].map((i) => i.id).sort();
      assert.deepEqual(seen, ['i1', 'i2']);
    } finally {
      await running.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

void describe('lists read past hidden items, within bounds', () => {
  void it("another owner's many items cost a bounded number of reads: a short page with a token, never the request's whole budget", async () => {
    // Budget: 30 table calls. Eighty of Alice's diaries stand around Bob's one in the table's order, so one of his pages would read over forty,
    // and Bob pages one item at a time: each page may read at most ten table pages before it answers short.
    await using small = await startTestCloud({ graphqlLimits: { maxResolverCalls: 30 } });
    const users = await createTestUsers(small, { alice: [], bob: [] });
    const deployed = await deployTestApi(small, {
      schema: 'type Diary @model @auth(rules: [{ allow: owner }]) { id: ID! mood: String }',
      userPoolId: users.userPoolId,
      name: 'sparse',
      authConfig: { defaultAuthentication: { authenticationType: 'AMAZON_COGNITO_USER_POOLS' } },
    });
    const idp = new CognitoIdentityProviderClient({
      endpoint: `${small.url}/cognito-idp/`,
      region: 'us-east-1',
      credentials: small.credentials,
      maxAttempts: 1,
    });
    const token = async (username: string): Promise<string> =>
      (
        await idp.send(
          new InitiateAuthCommand({
            ClientId: users.clientId,
            AuthFlow: 'USER_PASSWORD_AUTH',
            AuthParameters: { USERNAME: username, PASSWORD: 'Correct-Horse-9' },
          }),
        )
      ).AuthenticationResult!.AccessToken!;
    const as = { alice: await token('alice'), bob: await token('bob') };
    const call = async (who: 'alice' | 'bob', query: string, variables: Record<string, unknown> = {}): Promise<Body> => {
      const res = await fetch(deployed.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: as[who] },
        body: JSON.stringify({ query, variables }),
      });
      return (await res.json()) as Body;
    };
    for (let i = 0; i < 80; i++) await call('alice', 'mutation { createDiary(input: {mood: "a"}) { id } }');
    await call('bob', 'mutation { createDiary(input: {mood: "mine"}) { id } }');
    const seen: string[] = [];
    let nextToken: string | null = null;
    let pages = 0;
    do {
      const body: Body = await call('bob', 'query ($t: String) { listDiaries(limit: 1, nextToken: $t) { items { mood } nextToken } }', { t: nextToken });
      assert.equal(body.errors, undefined, JSON.stringify(body.errors));
      seen.push(...(body.data!.listDiaries.items as Array<{ mood: string }>).map((i) => i.mood));
      nextToken = body.data!.listDiaries.nextToken as string | null;
      pages += 1;
    } while (nextToken && pages < 30);
    assert.deepEqual(seen, ['mine'], 'Bob pages through to his own diary alone');
    assert.ok(pages >= 2, `${pages} pages: at least one short page before all eighty hidden items were read`);
  });
});

void describe('field oracles: sync and relations', () => {
  void it('sync refuses a filter on the hidden field, and filters on readable ones', async () => {
    const q = 'query ($f: ModelJournalFilterInput) { syncJournals(filter: $f) { items { id } startedAt } }';
    assertRefused(await gql('apiKey', q, { f: { secret: { beginsWith: 's' } } }), 'syncJournals');
    assert.deepEqual(idsOf(await gql('bob', q, { f: { secret: { beginsWith: 's' } } }), 'syncJournals'), []);
    assert.deepEqual(idsOf(await gql('alice', q, { f: { secret: { beginsWith: 's' } } }), 'syncJournals'), [ids.journal]);
    assert.deepEqual(idsOf(await gql('apiKey', q, { f: { title: { eq: 'journal' } } }), 'syncJournals'), [ids.journal]);
  });

  void it('a hasMany connection refuses a filter on the hidden field at its own path; the parent is still answered', async () => {
    const q = 'query ($id: ID!, $f: ModelNoteFilterInput) { getBook(id: $id) { name notes(filter: $f) { items { id } totalCount } } }';
    const refused = await gql('apiKey', q, { id: ids.book, f: { secret: { beginsWith: 's3' } } });
    assert.deepEqual(refused.data, { getBook: { name: 'shared book', notes: null } });
    assert.deepEqual(
      refused.errors?.map((e) => [e.errorType, e.message, e.path]),
      [['Unauthorized', 'Unauthorized on [secret]', ['getBook', 'notes']]],
    );
    const right = await gql('bob', q, { id: ids.book, f: { secret: { beginsWith: 's3' } } });
    const wrong = await gql('bob', q, { id: ids.book, f: { secret: { beginsWith: 'qq' } } });
    assert.deepEqual(right, wrong);
    assert.deepEqual(right.data?.getBook.notes, { items: [], totalCount: 0 });
    const titled = await gql('apiKey', q, { id: ids.book, f: { title: { eq: 'beta' } } });
    assert.deepEqual(titled.data?.getBook.notes.items, [{ id: ids.bob }]);
  });
});

void describe('field oracles: write conditions', () => {
  const GET = 'query ($id: ID!) { getShared(id: $id) { id title } }';
  const UPDATE = 'mutation ($input: UpdateSharedInput!, $c: ModelSharedConditionInput) { updateShared(input: $input, condition: $c) { id title } }';
  const DELETE = 'mutation ($input: DeleteSharedInput!, $c: ModelSharedConditionInput) { deleteShared(input: $input, condition: $c) { id } }';
  const CREATE = 'mutation ($input: CreateSharedInput!, $c: ModelSharedConditionInput) { createShared(input: $input, condition: $c) { id } }';

  void it('update: a condition on the hidden field is refused before anything is written, the same for a right and a wrong guess', async () => {
    for (const who of ['bob', 'apiKey'] as const) {
      const answers = new Set<string>();
      for (const prefix of [ALICE_SECRET.slice(0, 3), 'zz']) {
        const body = await gql(who, UPDATE, { input: { id: ids.shared, title: `changed by ${who}` }, c: { secret: { beginsWith: prefix } } });
        assertRefused(body, 'updateShared');
        answers.add(JSON.stringify(body));
      }
      assert.equal(answers.size, 1);
      const nested = await gql(who, UPDATE, {
        input: { id: ids.shared, title: 'x' },
        c: { or: [{ title: { eq: 'shared' } }, { not: { secret: { eq: 'a' } } }] },
      });
      assertRefused(nested, 'updateShared');
    }
    assert.equal((await gql('alice', GET, { id: ids.shared })).data?.getShared.title, 'shared', 'nothing was written');
    // A condition on a readable field works for them; the owner's on their own field too.
    assert.equal((await gql('bob', UPDATE, { input: { id: ids.shared, title: 'by bob' }, c: { title: { eq: 'shared' } } })).data?.updateShared.title, 'by bob');
    const failed = await gql('alice', UPDATE, { input: { id: ids.shared, title: 'by alice' }, c: { secret: { eq: 'wrong' } } });
    assert.equal(failed.errors?.[0]?.errorType, 'DynamoDB:ConditionalCheckFailedException');
    assert.equal(
      (await gql('alice', UPDATE, { input: { id: ids.shared, title: 'by alice' }, c: { secret: { eq: ALICE_SECRET } } })).data?.updateShared.title,
      'by alice',
    );
  });

  void it('delete: a condition on the hidden field is refused and the item stays', async () => {
    for (const who of ['bob', 'apiKey'] as const) {
      for (const value of [ALICE_SECRET, 'guess'])
        assertRefused(await gql(who, DELETE, { input: { id: ids.shared }, c: { secret: { eq: value } } }), 'deleteShared');
    }
    assert.equal((await gql('alice', GET, { id: ids.shared })).data?.getShared.id, ids.shared, 'the item is still there');
  });

  void it('a condition on a field the caller may never read is refused whether or not the item exists', async () => {
    for (const id of [ids.shared, 'no-such-item']) {
      assertRefused(await gql('apiKey', UPDATE, { input: { id, title: 't' }, c: { secret: { eq: 'x' } } }), 'updateShared');
      assertRefused(await gql('apiKey', DELETE, { input: { id }, c: { secret: { eq: 'x' } } }), 'deleteShared');
    }
  });

  void it('create: a condition on a field the new item would hide is refused and nothing is created', async () => {
    const body = await gql('apiKey', CREATE, { input: { id: 'planted-1', title: 'p' }, c: { secret: { attributeExists: false } } });
    assertRefused(body, 'createShared');
    assert.equal((await gql('alice', GET, { id: 'planted-1' })).data?.getShared, null);
    assert.equal(
      (await gql('bob', CREATE, { input: { id: 'planted-2', title: 'p' }, c: { secret: { attributeExists: false } } })).data?.createShared.id,
      'planted-2',
      "Bob's own new item lets him read it",
    );
  });

  void it("a version conflict answers the server's item without the fields the caller may not read", async () => {
    // The conflict's data is cut to the selection set first: select every field, hidden ones included.
    const update = 'mutation ($input: UpdateJournalInput!) { updateJournal(input: $input) { id title secret } }';
    const bob = await gql('bob', update, { input: { id: ids.journal, title: 'stale', _version: 99 } });
    assert.equal(bob.errors?.[0]?.errorType, 'ConflictUnhandled');
    assert.equal(bob.errors?.[0]?.data?.title, 'journal');
    assert.equal('secret' in (bob.errors?.[0]?.data ?? {}), false, JSON.stringify(bob.errors?.[0]?.data));
    const alice = await gql('alice', update, { input: { id: ids.journal, title: 'stale', _version: 99 } });
    assert.equal(alice.errors?.[0]?.data?.secret, ALICE_SECRET);
  });
});

void describe('field oracles: realtime and logs', () => {
  void it('a subscription filter on the hidden field is refused to the API key; another user never hears of a hidden match', async () => {
    const host = new URL(api.url).host;
    const header = Buffer.from(JSON.stringify({ host, 'x-amz-date': '20261201T000000Z', 'x-api-key': api.apiKey })).toString('base64url');
    const socket = new WebSocket(`${api.url.replace(/^http/, 'ws')}/realtime`, ['graphql-ws', `header-${header}`]);
    const frames: Array<{ type: string; id?: string; payload?: any }> = [];
    socket.on('message', (raw) => frames.push(JSON.parse(String(raw)) as (typeof frames)[number]));
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    const until = async (done: () => boolean): Promise<void> => {
      for (let i = 0; i < 100 && !done(); i++) await new Promise((r) => setTimeout(r, 50));
    };
    socket.send(JSON.stringify({ type: 'connection_init' }));
    await until(() => frames.some((f) => f.type === 'connection_ack'));
    const start = (id: string, filter: unknown, authorization: Record<string, string>): void => {
      const data = JSON.stringify({
        query: 'subscription ($f: ModelSubscriptionNoteFilterInput) { onCreateNote(filter: $f) { id title } }',
        variables: { f: filter },
      });
      socket.send(JSON.stringify({ id, type: 'start', payload: { data, extensions: { authorization } } }));
    };
    const keyAuth = { host, 'x-amz-date': '20261201T000000Z', 'x-api-key': api.apiKey };
    start('key-secret', { secret: { beginsWith: 's3' } }, keyAuth);
    start('key-nested', { or: [{ title: { eq: 'x' } }, { and: [{ secret: { ne: 'y' } }] }] }, keyAuth);
    start('key-title', { title: { beginsWith: 'new' } }, keyAuth);
    start('bob-secret', { secret: { beginsWith: 's3' } }, { host, Authorization: tokens.bob! });
    const answered = (id: string): { type: string; payload?: any } | undefined =>
      frames.find((f) => f.id === id && (f.type === 'start_ack' || f.type === 'error'));
    await until(() => ['key-secret', 'key-nested', 'key-title', 'bob-secret'].every((id) => answered(id)));
    for (const id of ['key-secret', 'key-nested']) {
      assert.equal(answered(id)?.type, 'error');
      assert.deepEqual(
        answered(id)?.payload?.errors?.map((e: { errorType: string; message: string }) => [e.errorType, e.message]),
        [['Unauthorized', 'Unauthorized on [secret]']],
      );
    }
    assert.equal(answered('key-title')?.type, 'start_ack');
    assert.equal(answered('bob-secret')?.type, 'start_ack');
    const created = await create('alice', 'Note', { title: 'new note', kind: 'k2', secret: `${ALICE_SECRET}-2` });
    const delivered = (id: string): boolean => frames.some((f) => f.id === id && f.type === 'data' && f.payload?.data?.onCreateNote?.id === created);
    await until(() => delivered('key-title'));
    assert.equal(delivered('key-title'), true);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(delivered('bob-secret'), false, "Bob's filter never matches a value he may not read");
    socket.close();
  });

  void it('no hidden value reaches the logs', () => {
    const logs = cloud.logs().join('\n');
    for (const hidden of [ALICE_SECRET, BOB_SECRET, CAROL_REVIEW, 's3cr3t']) assert.equal(logs.includes(hidden), false, `the logs hold ${hidden}`);
  });
});
