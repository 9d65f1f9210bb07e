import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BatchWriteItemCommand, DynamoDBClient, ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { Amplify } from 'aws-amplify';
import { generateClient } from 'aws-amplify/api';
import { type ForteRun, initProject, removeProject, runForte } from './forte-runner.js';

const POSTS = 1000;
/** Public models (the API key reads and writes), as Amplify's schema templates start. */
const PUBLIC = 'input AMPLIFY { globalAuthRule: AuthRule = { allow: public } }\n';
const POST = `type Post @model {
  id: ID!
  slug: String!
  title: String
  code: String
}
`;
const POST_BY_SLUG = POST.replace('slug: String!', 'slug: String! @primaryKey');
const POST_WITH_INDEX = POST_BY_SLUG.replace('title: String', 'title: String @index(name: "byTitle", queryField: "postsByTitle")');
/** Every title is shared by 100 posts: it cannot become a key. */
const POST_BY_TITLE = POST.replace('title: String', 'title: String! @primaryKey');
/** Only some posts have a code. */
const POST_BY_CODE = POST.replace('code: String', 'code: String! @primaryKey');

const EVENTS = 30;
const EVENT = `type Event @model {
  id: ID!
  tenant: String!
  day: String!
  seq: Int!
  note: String
}
`;
const EVENT_BY_TENANT_DAY_SEQ = EVENT.replace('tenant: String!', 'tenant: String! @primaryKey(sortKeyFields: ["day", "seq"])');
const EVENT_WITH_INDEX = EVENT_BY_TENANT_DAY_SEQ.replace(
  'note: String',
  'note: String @index(name: "byNote", sortKeyFields: ["seq", "day"], queryField: "eventsByNote")',
);

interface GraphQLClient {
  graphql(options: { query: string; variables?: Record<string, unknown> }): Promise<{ data: Record<string, any> }>;
}

/** Writes items 25 at a time, batches in parallel, straight to the physical table. */
async function writeItems(db: DynamoDBClient, table: string, items: Record<string, AttributeValue>[]): Promise<void> {
  const batches: Record<string, AttributeValue>[][] = [];
  for (let i = 0; i < items.length; i += 25) batches.push(items.slice(i, i + 25));
  await Promise.all(batches.map((batch) => db.send(new BatchWriteItemCommand({ RequestItems: { [table]: batch.map((Item) => ({ PutRequest: { Item } })) } }))));
}

async function countItems(db: DynamoDBClient, table: string): Promise<number> {
  let count = 0;
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await db.send(new ScanCommand({ TableName: table, Select: 'COUNT', ...(start ? { ExclusiveStartKey: start } : {}) }));
    count += page.Count ?? 0;
    start = page.LastEvaluatedKey;
  } while (start);
  return count;
}

void describe('forte push: a key change on a table with data migrates every row (built binary, local cloud)', () => {
  let work: string;
  let home: string;
  let root: string;
  let apiId: string;
  let db: DynamoDBClient;
  let api: GraphQLClient;
  const forte = (args: string[], stdin?: string): Promise<ForteRun> => runForte(args, { cwd: root, home, ...(stdin === undefined ? {} : { stdin }) });
  const schemaFile = (): string => join(root, 'amplify', 'backend', 'api', 'blog', 'schema.graphql');
  const metaText = (): string => readFileSync(join(root, 'amplify', 'backend', 'amplify-meta.json'), 'utf8');
  /** Writes the schema and pushes it. */
  const pushSchema = async (schema: string): Promise<ForteRun> => {
    writeFileSync(schemaFile(), PUBLIC + schema);
    return forte(['push', '--yes']);
  };
  const postTable = (): string => `Post-${apiId}-dev`;
  const countPosts = async (): Promise<number> => (await api.graphql({ query: 'query { listPosts { totalCount } }' })).data.listPosts.totalCount as number;

  before(async () => {
    ({ work, home, root } = await initProject('forte-api-keys-', 'keysapp'));
    // Forte's total counts on list queries, to count every row in one call.
    const cliJson = join(root, 'amplify', 'cli.json');
    writeFileSync(cliJson, JSON.stringify({ ...(JSON.parse(readFileSync(cliJson, 'utf8')) as object), forte: { totalcounts: true } }, null, 2));
    const add = await forte(
      ['add', 'api', '--headless'],
      JSON.stringify({
        version: 1,
        serviceConfiguration: {
          serviceName: 'AppSync',
          apiName: 'blog',
          transformSchema: PUBLIC + POST + EVENT,
          defaultAuthType: { mode: 'API_KEY', expirationTime: 7 },
        },
      }),
    );
    assert.equal(add.code, 0, add.stderr + add.stdout);
    const push = await forte(['push', '--yes']);
    assert.equal(push.code, 0, push.stderr + push.stdout);

    const output = (
      JSON.parse(metaText()) as { api: { blog: { output: { GraphQLAPIIdOutput: string; GraphQLAPIEndpointOutput: string; GraphQLAPIKeyOutput: string } } } }
    ).api.blog.output;
    apiId = output.GraphQLAPIIdOutput;
    const cloud = JSON.parse(readFileSync(join(home, 'cloud', 'cloud.json'), 'utf8')) as { url: string };
    const keys = JSON.parse(readFileSync(join(home, 'cloud', 'admin-credentials.json'), 'utf8')) as { accessKeyId: string; secretAccessKey: string };
    db = new DynamoDBClient({ endpoint: `${cloud.url}/dynamodb`, region: 'us-east-1', credentials: keys, maxAttempts: 1 });
    Amplify.configure({
      API: { GraphQL: { endpoint: output.GraphQLAPIEndpointOutput, region: 'us-east-1', defaultAuthMode: 'apiKey', apiKey: output.GraphQLAPIKeyOutput } },
    });
    api = generateClient() as unknown as GraphQLClient;

    const now = new Date().toISOString();
    const model = (typename: string): Record<string, AttributeValue> => ({ __typename: { S: typename }, createdAt: { S: now }, updatedAt: { S: now } });
    await writeItems(
      db,
      postTable(),
      Array.from({ length: POSTS }, (_, i) => ({
        ...model('Post'),
        id: { S: `post-${i}` },
        slug: { S: `slug-${i}` },
        title: { S: `title-${i % 10}` },
        ...(i % 2 === 0 ? { code: { S: `code-${i}` } } : {}),
      })),
    );
    await writeItems(
      db,
      `Event-${apiId}-dev`,
      Array.from({ length: EVENTS }, (_, i) => ({
        ...model('Event'),
        id: { S: `event-${i}` },
        tenant: { S: `tenant-${i % 3}` },
        day: { S: `2026-12-0${1 + (i % 5)}` },
        seq: { N: String(i) },
        note: { S: i % 2 === 0 ? 'even' : 'odd' },
      })),
    );
  });
  after(async () => {
    db?.destroy();
    await removeProject({ work, home });
  });

  void it('@primaryKey on slug: the preview shows a migration, and all 1,000 posts are read by slug', async () => {
    assert.equal(await countPosts(), POSTS);
    const push = await pushSchema(POST_BY_SLUG + EVENT);
    assert.equal(push.code, 0, push.stderr + push.stdout);
    assert.match(push.stdout, /PostTable\s*│ Forte::DynamoDB::Table\s*│ Modify\s*│ Properties\.KeySchema changed \(migrated: /);
    assert.match(
      push.stdout,
      /\napiblog\.PostTable: every item moves to the new key \(slug\) in one transaction; if one cannot, the push fails and nothing changes\.\n/,
    );
    assert.doesNotMatch(push.stdout, /PostTable[^\n]*Replace/);
    assert.match(push.stdout, /UPDATE_COMPLETE\s+Forte::DynamoDB::Table\s+apiblog\.PostTable/);

    assert.equal(await countPosts(), POSTS);
    // Every post by its slug: 100 getPost fields per request.
    const pages = await Promise.all(
      Array.from({ length: POSTS / 100 }, (_, page) =>
        api.graphql({
          query: `query { ${Array.from({ length: 100 }, (_, j) => `p${page * 100 + j}: getPost(slug: "slug-${page * 100 + j}") { id slug title }`).join(' ')} }`,
        }),
      ),
    );
    const found = Object.assign({}, ...pages.map((p) => p.data)) as Record<string, unknown>;
    for (let i = 0; i < POSTS; i += 1) assert.deepEqual(found[`p${i}`], { id: `post-${i}`, slug: `slug-${i}`, title: `title-${i % 10}` });
    const created = await api.graphql({ query: 'mutation { createPost(input: { id: "new", slug: "fresh", title: "new" }) { slug id } }' });
    assert.deepEqual(created.data.createPost, { slug: 'fresh', id: 'new' }, 'new writes use the new key');
    const autoId = await api.graphql({ query: 'mutation { createPost(input: { slug: "auto", title: "no id" }) { slug id } }' });
    assert.match(autoId.data.createPost.id, /^[0-9a-f-]{36}$/, 'id is generated when the input has none, as Amplify does, even when it is not the key');
    await api.graphql({ query: 'mutation { deletePost(input: { slug: "auto" }) { id } }' });
    const deleted = await api.graphql({ query: 'mutation { deletePost(input: { slug: "fresh" }) { id } }' });
    assert.deepEqual(deleted.data.deletePost, { id: 'new' });
    assert.equal(await countItems(db, postTable()), POSTS);
  });

  void it('@index added later serves its query field over the old rows', async () => {
    const push = await pushSchema(POST_WITH_INDEX + EVENT);
    assert.equal(push.code, 0, push.stderr + push.stdout);
    const page = await api.graphql({ query: 'query { postsByTitle(title: "title-3", limit: 1000) { items { slug } totalCount } }' });
    assert.equal(page.data.postsByTitle.items.length, POSTS / 10);
    assert.equal(page.data.postsByTitle.totalCount, POSTS / 10);
    assert.ok((page.data.postsByTitle.items as { slug: string }[]).every((p) => Number(p.slug.slice(5)) % 10 === 3));
  });

  void it('a key that two rows share, or that some rows lack, fails the push naming the problem; nothing changes', async () => {
    const metaBefore = metaText();
    for (const [schema, problem] of [
      [POST_BY_TITLE, /cannot change to \(title\): 990 item\(s\) would share a key with another item/],
      [POST_BY_CODE, /cannot change to \(code\): 500 item\(s\) cannot be keyed by \(code\)/],
    ] as const) {
      const push = await pushSchema(schema + EVENT);
      assert.equal(push.code, 1, push.stdout);
      assert.match(push.stdout, /Properties\.KeySchema changed \(migrated: /, 'the preview promised a migration');
      assert.match(push.stderr, problem);
      assert.match(push.stderr, /Nothing was changed/);
      assert.equal(metaText(), metaBefore);
    }
    writeFileSync(schemaFile(), PUBLIC + POST_WITH_INDEX + EVENT);
    const status = await forte(['status']);
    assert.match(status.stdout, /│ Api\s+│ blog\s+│ No Change\s+│/);
    assert.equal(await countPosts(), POSTS);
    const one = await api.graphql({ query: 'query { getPost(slug: "slug-7") { id title } postsByTitle(title: "title-7") { totalCount } }' });
    assert.deepEqual(one.data.getPost, { id: 'post-7', title: 'title-7' });
    assert.equal(one.data.postsByTitle.totalCount, POSTS / 10, 'the old schema is still served');
    assert.equal(await countItems(db, postTable()), POSTS);
  });

  void it("a composite sort key, and a new index's composite sort key, are computed for the old rows", async () => {
    const push = await pushSchema(POST_WITH_INDEX + EVENT_BY_TENANT_DAY_SEQ);
    assert.equal(push.code, 0, push.stderr + push.stdout);
    assert.match(push.stdout, /EventTable\s*│ Forte::DynamoDB::Table\s*│ Modify\s*│ Properties\.KeySchema changed \(migrated: /);
    assert.match(push.stdout, /apiblog\.EventTable: every item moves to the new key \(tenant, day#seq\)/);
    const byTenant = await api.graphql({
      query: 'query { listEvents(tenant: "tenant-1", daySeq: { beginsWith: { day: "2026-12-02" } }) { items { id day seq } totalCount } }',
    });
    // tenant-1: i = 1, 4, 7, ...; day 2026-12-02: i % 5 === 1 → i = 1, 16.
    assert.deepEqual(byTenant.data.listEvents.items, [
      { id: 'event-1', day: '2026-12-02', seq: 1 },
      { id: 'event-16', day: '2026-12-02', seq: 16 },
    ]);
    const got = await api.graphql({ query: 'query { getEvent(tenant: "tenant-2", day: "2026-12-03", seq: 17) { id } }' });
    assert.deepEqual(got.data.getEvent, { id: 'event-17' });
    const all = await api.graphql({ query: 'query { listEvents { totalCount } }' });
    assert.equal(all.data.listEvents.totalCount, EVENTS);

    const indexed = await pushSchema(POST_WITH_INDEX + EVENT_WITH_INDEX);
    assert.equal(indexed.code, 0, indexed.stderr + indexed.stdout);
    const even = await api.graphql({
      query:
        'query { eventsByNote(note: "even", seqDay: { eq: { seq: 10, day: "2026-12-01" } }) { items { id } } all: eventsByNote(note: "odd") { totalCount } }',
    });
    assert.deepEqual(even.data.eventsByNote.items, [{ id: 'event-10' }]);
    assert.equal(even.data.all.totalCount, EVENTS / 2, 'every old row is in the new index');
  });
});
