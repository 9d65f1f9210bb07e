import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Amplify } from 'aws-amplify';
import { generateClient } from 'aws-amplify/api';
import { signIn, signOut } from 'aws-amplify/auth';
import { deployTestApi, type DeployedTestApi } from './appsync-deploy.js';
import { createTestUsers } from './test-identity-pool.js';
import { startTestCloud, type TestCloud } from './index.js';

const SCHEMA = /* GraphQL */ `
  type Note @model @searchable @auth(rules: [{ allow: owner }, { allow: public, operations: [read] }]) {
    id: ID!
    title: String!
    body: String
    category: String
    tags: [String]
    rating: Int
    price: Float
    published: Boolean
    publishedOn: AWSDate
    owner: String
    secret: String @auth(rules: [{ allow: owner }])
  }
  type Draft @model @searchable @auth(rules: [{ allow: owner }]) {
    id: ID!
    text: String
  }
`;

const ALICE_NOTES = [
  {
    title: 'The quick brown fox',
    body: 'jumps over the lazy dog',
    category: 'animals',
    tags: ['fox', 'dog'],
    rating: 5,
    price: 9.5,
    published: true,
    publishedOn: '2026-01-05',
    secret: 'a1',
  },
  {
    title: 'Quick Start Guide',
    body: 'Getting started with Forte',
    category: 'docs',
    tags: ['guide'],
    rating: 4,
    price: 0,
    published: true,
    publishedOn: '2026-02-01',
  },
  { title: 'Brown bread recipe', body: 'Flour, water and time', category: 'food', tags: ['bread', 'baking'], rating: 3, price: 4.25, published: false },
  { title: 'A fox in the snow', body: 'Winter foxes hunt mice', category: 'animals', rating: 4, price: 12, published: true, publishedOn: '2025-12-24' },
  { title: 'Release notes 1.2', body: 'Fixed the quick search', category: 'docs', rating: 2, published: false },
  { title: 'Résumé tips', body: 'Écrire un CV', category: 'career', rating: 5, price: 20, published: true },
  ...[1, 2, 3, 4, 5, 6].map((n) => ({ title: `Filler note 0${n}`, body: 'nothing to see', category: 'misc', rating: 1, price: 1, published: false })),
];
const BOB_NOTES = [
  { title: "Bob's quick secret", body: 'only for bob', category: 'private', rating: 5, price: 100, published: true, secret: 'b1' },
  { title: 'Bob two', body: 'more of bob', category: 'private', rating: 3, price: 100, published: true },
  { title: 'Bob three', body: 'still bob', category: 'private', rating: 2, price: 100, published: false },
];

let cloud: TestCloud;
let api: DeployedTestApi;
let client: { graphql(options: { query: string; variables: Record<string, unknown>; authMode: string }): Promise<unknown> };

const SEARCH = /* GraphQL */ `
  query Search(
    $filter: SearchableNoteFilterInput
    $sort: [SearchableNoteSortInput]
    $limit: Int
    $nextToken: String
    $from: Int
    $aggregates: [SearchableNoteAggregationInput]
  ) {
    searchNotes(filter: $filter, sort: $sort, limit: $limit, nextToken: $nextToken, from: $from, aggregates: $aggregates) {
      items {
        id
        title
        rating
        price
        category
      }
      nextToken
      total
      aggregateItems {
        name
        result {
          __typename
          ... on SearchableAggregateScalarResult {
            value
          }
          ... on SearchableAggregateBucketResult {
            buckets {
              key
              doc_count
            }
          }
        }
      }
    }
  }
`;

interface Connection {
  items: Array<{ id: string; title: string; rating: number | null; price: number | null; category: string | null }>;
  nextToken: string | null;
  total: number;
  aggregateItems: Array<{ name: string; result: any }>;
}

/** Runs a document through the real client and answers `{data, errors}` whether or not it rejected. */
async function gql(query: string, variables: Record<string, unknown>, authMode: 'apiKey' | 'userPool'): Promise<{ data: any; errors?: any[] }> {
  try {
    return (await client.graphql({ query, variables, authMode })) as { data: any; errors?: any[] };
  } catch (error) {
    if (typeof error === 'object' && error !== null && 'errors' in error) return error as { data: any; errors: any[] };
    throw error;
  }
}

/** A search that must succeed. */
async function search(variables: Record<string, unknown>, authMode: 'apiKey' | 'userPool' = 'apiKey'): Promise<Connection> {
  const result = await gql(SEARCH, variables, authMode);
  assert.equal(result.errors, undefined, JSON.stringify(result.errors));
  return result.data.searchNotes as Connection;
}

const titles = (c: Connection): string[] => c.items.map((i) => i.title).sort();

const as = async (username: string): Promise<void> => {
  await signOut();
  const result = await signIn({ username, password: 'Correct-Horse-9', options: { authFlowType: 'USER_PASSWORD_AUTH' } });
  assert.equal(result.isSignedIn, true);
};

before(async () => {
  cloud = await startTestCloud();
  const users = await createTestUsers(cloud, { alice: [], bob: [] });
  api = await deployTestApi(cloud, {
    schema: SCHEMA,
    userPoolId: users.userPoolId,
    authConfig: {
      defaultAuthentication: { authenticationType: 'AMAZON_COGNITO_USER_POOLS' },
      additionalAuthenticationProviders: [{ authenticationType: 'API_KEY' }],
    },
  });
  Amplify.configure({
    Auth: { Cognito: { userPoolId: users.userPoolId, userPoolClientId: users.clientId, userPoolEndpoint: `${cloud.url}/cognito-idp/` } },
    API: { GraphQL: { endpoint: api.url, region: 'us-east-1', defaultAuthMode: 'apiKey', apiKey: api.apiKey } },
  });
  client = generateClient() as unknown as typeof client;
  const create = 'mutation ($i: CreateNoteInput!) { createNote(input: $i) { id } }';
  for (const [user, notes] of [
    ['alice', ALICE_NOTES],
    ['bob', BOB_NOTES],
  ] as const) {
    await as(user);
    for (const note of notes) {
      const created = await gql(create, { i: note }, 'userPool');
      assert.equal(created.errors, undefined, JSON.stringify(created.errors));
    }
  }
});
after(async () => {
  await signOut().catch(() => undefined);
  await cloud.close();
});

void describe('@searchable through aws-amplify v6: search<Models> served by the cloud itself', () => {
  void it('match (any word, case-insensitive), matchPhrase, matchPhrasePrefix and multiMatch', async () => {
    assert.deepEqual(titles(await search({ filter: { title: { match: 'QUICK fox' } } })), [
      'A fox in the snow',
      "Bob's quick secret",
      'Quick Start Guide',
      'The quick brown fox',
    ]);
    assert.deepEqual(titles(await search({ filter: { title: { match: 'résumé' } } })), ['Résumé tips'], 'Unicode words');
    assert.deepEqual(titles(await search({ filter: { title: { match: 'foxes' } } })), [], 'no stemming: foxes is not fox');
    assert.deepEqual(titles(await search({ filter: { title: { matchPhrase: 'Quick Brown' } } })), ['The quick brown fox']);
    assert.deepEqual(titles(await search({ filter: { title: { matchPhrase: 'brown quick' } } })), [], 'a phrase keeps its order');
    assert.deepEqual(titles(await search({ filter: { title: { matchPhrasePrefix: 'quick bro' } } })), ['The quick brown fox']);
    assert.deepEqual(titles(await search({ filter: { title: { matchPhrasePrefix: 'quick st' } } })), ['Quick Start Guide']);
    assert.deepEqual(
      titles(await search({ filter: { title: { multiMatch: 'flour winter' } } })),
      ['A fox in the snow', 'Brown bread recipe'],
      'multiMatch looks in every text field',
    );
    assert.deepEqual(titles(await search({ filter: { tags: { match: 'baking' } } })), ['Brown bread recipe'], 'list fields match any element');
  });

  void it('eq and ne on the keyword, wildcard, regexp, range, gt/lte, exists, and/or/not', async () => {
    assert.deepEqual(titles(await search({ filter: { category: { eq: 'animals' } } })), ['A fox in the snow', 'The quick brown fox']);
    assert.equal((await search({ filter: { category: { eq: 'Animals' } } })).total, 0, 'eq is exact on the keyword');
    assert.equal((await search({ filter: { category: { ne: 'misc' } } })).total, 9);
    assert.deepEqual(titles(await search({ filter: { category: { wildcard: 'an*l?' } } })), ['A fox in the snow', 'The quick brown fox']);
    assert.deepEqual(titles(await search({ filter: { title: { wildcard: 'Quick*' } } })), ['Quick Start Guide'], 'wildcard is case-sensitive on the keyword');
    assert.deepEqual(titles(await search({ filter: { title: { regexp: '[Rr]elease notes [0-9.]+' } } })), ['Release notes 1.2']);
    assert.deepEqual(titles(await search({ filter: { title: { regexp: 'Filler note 0[1-2]' } } })), ['Filler note 01', 'Filler note 02'], 'regexp is anchored');
    assert.deepEqual(titles(await search({ filter: { rating: { range: [3, 4] }, category: { ne: 'private' } } })), [
      'A fox in the snow',
      'Brown bread recipe',
      'Quick Start Guide',
    ]);
    assert.deepEqual(titles(await search({ filter: { price: { gt: 5, lte: 20 } } })), ['A fox in the snow', 'Résumé tips', 'The quick brown fox']);
    assert.deepEqual(titles(await search({ filter: { publishedOn: { gte: '2026-01-01' } } })), ['Quick Start Guide', 'The quick brown fox']);
    assert.deepEqual(titles(await search({ filter: { publishedOn: { exists: false }, category: { eq: 'docs' } } })), ['Release notes 1.2']);
    assert.equal((await search({ filter: { publishedOn: { exists: true } } })).total, 3);
    const combined = await search({ filter: { or: [{ category: { eq: 'docs' } }, { category: { eq: 'food' } }], not: { published: { eq: true } } } });
    assert.deepEqual(titles(combined), ['Brown bread recipe', 'Release notes 1.2']);
    const anded = await search({ filter: { and: [{ rating: { gte: 4 } }, { title: { match: 'fox' } }] } });
    assert.deepEqual(titles(anded), ['A fox in the snow', 'The quick brown fox']);
  });

  void it('sorts both ways (missing values last, keys breaking ties) and defaults to the key, descending', async () => {
    const up = await search({
      filter: { category: { ne: 'private' } },
      sort: [
        { field: 'price', direction: 'asc' },
        { field: 'title', direction: 'asc' },
      ],
    });
    assert.deepEqual(
      up.items.map((i) => i.price),
      [0, 1, 1, 1, 1, 1, 1, 4.25, 9.5, 12, 20, null],
    );
    assert.deepEqual(
      up.items.slice(1, 3).map((i) => i.title),
      ['Filler note 01', 'Filler note 02'],
    );
    const down = await search({
      filter: { category: { ne: 'private' } },
      sort: [
        { field: 'rating', direction: 'desc' },
        { field: 'title', direction: 'desc' },
      ],
    });
    assert.deepEqual(
      down.items.slice(0, 4).map((i) => i.title),
      ['The quick brown fox', 'Résumé tips', 'Quick Start Guide', 'A fox in the snow'],
    );
    assert.deepEqual(
      down.items.map((i) => i.rating),
      [5, 5, 4, 4, 3, 2, 1, 1, 1, 1, 1, 1],
    );
    const byDefault = await search({});
    const ids = byDefault.items.map((i) => i.id);
    assert.deepEqual(ids, [...ids].sort().reverse(), 'without a sort: the primary key, descending');
    assert.equal(byDefault.total, 15);
  });

  void it('pages through every result with limit and nextToken, and skips with from', async () => {
    const sort = [{ field: 'title', direction: 'asc' }];
    const all = await search({ sort, limit: 100 });
    assert.equal(all.items.length, 15);
    assert.equal(all.nextToken, null);
    const seen: string[] = [];
    let nextToken: string | null = null;
    let pages = 0;
    do {
      const page: Connection = await search({ sort, limit: 4, ...(nextToken ? { nextToken } : {}) });
      assert.equal(page.total, 15, 'total counts every match on every page');
      seen.push(...page.items.map((i) => i.title));
      nextToken = page.nextToken;
      pages++;
    } while (nextToken);
    assert.equal(pages, 4);
    assert.deepEqual(
      seen,
      all.items.map((i) => i.title),
      'pages follow the sort without gaps or repeats',
    );
    const skipped = await search({ sort, from: 5, limit: 3 });
    assert.deepEqual(
      skipped.items.map((i) => i.title),
      all.items.slice(5, 8).map((i) => i.title),
    );
    const bad = await gql(SEARCH, { nextToken: 'bm90IGEgdG9rZW4=' }, 'apiKey');
    assert.equal(bad.errors?.[0].errorType, 'InvalidNextTokenException');
    const negative = await gql(SEARCH, { limit: -1 }, 'apiKey');
    assert.equal(negative.errors?.[0].errorType, 'ValidationError');
  });

  void it('aggregates terms, avg, min, max, sum and cardinality over the whole filtered set', async () => {
    const result = await search({
      filter: { category: { ne: 'private' } },
      limit: 0,
      aggregates: [
        { name: 'byCategory', type: 'terms', field: 'category' },
        { name: 'avgRating', type: 'avg', field: 'rating' },
        { name: 'minPrice', type: 'min', field: 'price' },
        { name: 'maxPrice', type: 'max', field: 'price' },
        { name: 'sumRating', type: 'sum', field: 'rating' },
        { name: 'categories', type: 'cardinality', field: 'category' },
        { name: 'byPublished', type: 'terms', field: 'published' },
      ],
    });
    assert.equal(result.items.length, 0);
    assert.equal(result.total, 12);
    const byName = Object.fromEntries(result.aggregateItems.map((a) => [a.name, a.result]));
    assert.deepEqual(byName.byCategory, {
      __typename: 'SearchableAggregateBucketResult',
      buckets: [
        { key: 'misc', doc_count: 6 },
        { key: 'animals', doc_count: 2 },
        { key: 'docs', doc_count: 2 },
        { key: 'career', doc_count: 1 },
        { key: 'food', doc_count: 1 },
      ],
    });
    assert.deepEqual(byName.avgRating, { __typename: 'SearchableAggregateScalarResult', value: 29 / 12 });
    assert.deepEqual(byName.minPrice, { __typename: 'SearchableAggregateScalarResult', value: 0 });
    assert.deepEqual(byName.maxPrice, { __typename: 'SearchableAggregateScalarResult', value: 20 });
    assert.deepEqual(byName.sumRating, { __typename: 'SearchableAggregateScalarResult', value: 29 });
    assert.deepEqual(byName.categories, { __typename: 'SearchableAggregateScalarResult', value: 5 });
    assert.deepEqual(
      byName.byPublished.buckets,
      [
        { key: '0', doc_count: 8 },
        { key: '1', doc_count: 4 },
      ],
      'booleans bucket as 1/0, as OpenSearch keys them',
    );
  });

  void it('answers 25 aggregations, terms and cardinality of one field alike, and refuses a 26th', async () => {
    const aggregates = Array.from({ length: 25 }, (_, i) => ({
      name: `a${i}`,
      type: i % 2 === 0 ? 'terms' : 'cardinality',
      field: i % 3 === 0 ? 'category' : 'tags',
    }));
    const result = await search({ filter: { category: { ne: 'private' } }, limit: 0, aggregates });
    const byName = Object.fromEntries(result.aggregateItems.map((a) => [a.name, a.result]));
    assert.deepEqual(byName.a0.buckets.slice(0, 2), [
      { key: 'misc', doc_count: 6 },
      { key: 'animals', doc_count: 2 },
    ]);
    assert.deepEqual(byName.a3, { __typename: 'SearchableAggregateScalarResult', value: 5 });
    assert.deepEqual(byName.a1, { __typename: 'SearchableAggregateScalarResult', value: 5 }, 'fox, dog, guide, bread, baking');
    assert.deepEqual(byName.a2.buckets, [
      { key: 'baking', doc_count: 1 },
      { key: 'bread', doc_count: 1 },
      { key: 'dog', doc_count: 1 },
      { key: 'fox', doc_count: 1 },
      { key: 'guide', doc_count: 1 },
    ]);
    const refused = await gql(SEARCH, { limit: 0, aggregates: [...aggregates, { name: 'a25', type: 'avg', field: 'rating' }] }, 'apiKey');
    assert.equal(refused.data.searchNotes, null);
    assert.equal(refused.errors?.[0].errorType, 'ValidationError');
    assert.match(refused.errors?.[0].message, /at most 25 aggregations/);
  });

  void it("owner rules: another user's items never appear, not in items, total or aggregates", async () => {
    await as('bob');
    const bob = await search(
      {
        aggregates: [
          { name: 'c', type: 'terms', field: 'category' },
          { name: 's', type: 'sum', field: 'price' },
        ],
      },
      'userPool',
    );
    assert.deepEqual(titles(bob), ['Bob three', 'Bob two', "Bob's quick secret"]);
    assert.equal(bob.total, 3);
    assert.deepEqual(bob.aggregateItems[0]!.result.buckets, [{ key: 'private', doc_count: 3 }]);
    assert.equal(bob.aggregateItems[1]!.result.value, 300);
    const bobFox = await search({ filter: { title: { match: 'fox' } } }, 'userPool');
    assert.equal(bobFox.total, 0, "alice's foxes are invisible to bob");

    await as('alice');
    const alice = await search(
      {
        limit: 5,
        aggregates: [
          { name: 'c', type: 'terms', field: 'category' },
          { name: 'secrets', type: 'cardinality', field: 'secret' },
        ],
      },
      'userPool',
    );
    assert.equal(alice.total, 12);
    assert.ok(!alice.aggregateItems[0]!.result.buckets.some((b: { key: string }) => b.key === 'private'));
    assert.equal(alice.aggregateItems[1]!.result.value, 1, 'alice may aggregate her own owner-only field');
    assert.equal((await search({ filter: { title: { match: 'secret' } } }, 'userPool')).total, 0);
    const paged = await search({ limit: 5, nextToken: alice.nextToken }, 'userPool');
    assert.equal(paged.items.length, 5);
    assert.ok(paged.items.every((i) => !i.title.startsWith('Bob')));
  });

  void it('refuses who may not search: no rule for the caller, and aggregations over an owner-only field', async () => {
    const drafts = await gql('query { searchDrafts { items { id } total } }', {}, 'apiKey');
    assert.equal(drafts.data?.searchDrafts ?? null, null);
    assert.equal(drafts.errors?.[0].errorType, 'Unauthorized');
    await as('alice');
    await gql('mutation { createDraft(input: {text: "mine"}) { id } }', {}, 'userPool');
    const mine = await gql('query { searchDrafts { items { text } total } }', {}, 'userPool');
    assert.deepEqual(mine.data.searchDrafts, { items: [{ text: 'mine' }], total: 1 });
    // Filters see only what the caller may read: an owner-only field cannot be probed through a filter. The
    // owner filters on it; the API key, which may never read it, is refused, the same whatever it asks.
    assert.equal((await search({ filter: { secret: { exists: true } } }, 'userPool')).total, 1);
    assert.equal((await search({ filter: { secret: { eq: 'a1' } } }, 'userPool')).total, 1);
    for (const filter of [{ secret: { exists: true } }, { secret: { eq: 'b1' } }, { not: { secret: { eq: 'zz' } } }]) {
      const probe = await gql(SEARCH, { filter }, 'apiKey');
      assert.equal(probe.data.searchNotes, null);
      assert.deepEqual(
        probe.errors?.map((e: { errorType: string; message: string }) => [e.errorType, e.message]),
        [['Unauthorized', 'Unauthorized on [secret]']],
      );
    }
    assert.equal((await search({ filter: { title: { multiMatch: 'a1 b1' } } })).total, 0);
    assert.equal((await search({ filter: { title: { multiMatch: 'a1 b1' } } }, 'userPool')).total, 1);
    const secrets = await gql(SEARCH, { aggregates: [{ name: 's', type: 'terms', field: 'secret' }] }, 'apiKey');
    assert.equal(secrets.data.searchNotes, null);
    assert.equal(secrets.errors?.[0].errorType, 'Unauthorized');
    assert.equal(secrets.errors?.[0].message, 'Unauthorized to run aggregation on field: secret');
  });

  void it("refuses an unsafe regexp clearly, and answers raw HTTP in AppSync's shape", async () => {
    const nested = await gql(SEARCH, { filter: { title: { regexp: '(a+)+b' } } }, 'apiKey');
    assert.equal(nested.data.searchNotes, null);
    assert.equal(nested.errors?.[0].errorType, 'ValidationError');
    assert.match(nested.errors?.[0].message, /regexp on title is refused: .*nested quantifiers/);
    const long = await gql(SEARCH, { filter: { title: { regexp: 'a'.repeat(300) } } }, 'apiKey');
    assert.match(long.errors?.[0].message, /longer than 200 characters/);
    const operator = await gql(SEARCH, { filter: { title: { regexp: 'a~b' } } }, 'apiKey');
    assert.match(operator.errors?.[0].message, /operator "~" is not supported/);

    const res = await fetch(api.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': api.apiKey },
      body: JSON.stringify({
        query: 'query ($f: SearchableNoteFilterInput) { searchNotes(filter: $f, limit: 1) { items { title } total nextToken } }',
        variables: { f: { title: { matchPhrase: 'lazy dog' } } },
      }),
    });
    assert.equal(res.status, 200);
    const body = (await res.json()) as any;
    assert.deepEqual(body.data.searchNotes, { items: [], total: 0, nextToken: null }, 'matchPhrase reads the field it names (body, not title)');
    const res2 = await fetch(api.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': api.apiKey },
      body: JSON.stringify({ query: '{ searchNotes(filter: {body: {matchPhrase: "lazy dog"}}) { items { title } total } }' }),
    });
    assert.deepEqual(((await res2.json()) as any).data.searchNotes, { items: [{ title: 'The quick brown fox' }], total: 1 });
  });
});
