import assert from 'node:assert/strict';
import { Agent } from 'node:http';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { after, before, describe, it } from 'node:test';
import { CreateTableCommand, DynamoDBClient, PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { WebSocket } from 'ws';
import { TABLES } from '@forte/cloud';
import { deployTestApi, type DeployedTestApi } from './appsync-deploy.js';
import type { Frame } from './appsync-realtime-fixture.js';
import { callFailure, startTestCloud, type TestCloud } from './index.js';

// Denial of service: each shape below once blocked every service of the cloud (one event loop) for seconds
// to minutes, or answered a masked 500 after a stack overflow. Each must now be refused with an error that
// names the limit, quickly, while a small request sent at the same time is still answered promptly: a
// regression to quadratic or unbounded work fails the time bounds even if the refusal still comes.
// The bounds are on the CPU time of this process (the cloud and its client run in it), not on the clock: on a
// loaded machine the process waits for a core, which stretches wall time many times over but not the work.

const SCHEMA = /* GraphQL */ `
  type Post @model @auth(rules: [{ allow: public }]) {
    id: ID!
    title: String
    comments: [Comment] @hasMany
  }
  type Comment @model @auth(rules: [{ allow: public }]) {
    id: ID!
    body: String
    post: Post @belongsTo
  }
  type Note @model @searchable @auth(rules: [{ allow: public }]) {
    id: ID!
    title: String
    tags: [String]
  }
`;
/** Comments of the one post: enough fan-out that a few relation levels ask for thousands of reads. */
const COMMENTS = 40;
/** Bounds in CPU milliseconds, generous; the attacks took 2 s to 9 minutes before they were bounded. */
const ANSWER_MS = 2000;
const BLOCK_MS = 1000;
/** Items of the searched table (a tenth of what one search may read, written through the table engine), and tags of each. */
const SEARCHED_NOTES = 10_000;
const TAGS = 20;
/**
 * How long (CPU milliseconds) a small query may wait while a search runs. The search holds the event loop for a
 * few milliseconds at a time (a page of 1,000 items, or less when each item costs more); sorting and aggregating
 * every match at the end held it for 0.6–0.7 s on this table.
 */
const SEARCH_PROBE_MS = 300;
/** How long to wait for a realtime frame that will come: a loaded machine may take many seconds. */
const FRAME_WAIT_MS = 60_000;

let cloud: TestCloud;
let api: DeployedTestApi;
let dynamodb: DynamoDBClient;
let postId: string;

/**
 * Each request of this suite goes over a connection of its own. The cloud runs in this process, so an attack that
 * holds the event loop also holds the client's timers: a pooled connection idle for almost the cloud's 5 s
 * keep-alive could be reused just as the cloud closes it, and the request would fail with ECONNRESET.
 */
const FRESH_CONNECTION = { connection: 'close' };

/** POSTs a GraphQL request with the API key; `variables` may be given as JSON text (too deep to stringify here). */
async function graphql(query: string, variables: Record<string, unknown> | string = {}): Promise<{ status: number; json: any }> {
  const body = typeof variables === 'string' ? `{"query":${JSON.stringify(query)},"variables":${variables}}` : JSON.stringify({ query, variables });
  const res = await fetch(api.url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': api.apiKey, ...FRESH_CONNECTION }, body });
  return { status: res.status, json: await res.json() };
}

/** CPU time this process has used so far, in milliseconds (every thread: the cloud and the test client). */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/**
 * Watches the event loop with a timer every 10 ms: the most CPU time spent between two of its runs, that is
 * the longest the loop was held by work at once (a wait for a core spends none).
 */
function watchLoop(): { stop(): number } {
  let last = cpuMs();
  let longest = 0;
  const lap = (): void => {
    const now = cpuMs();
    longest = Math.max(longest, now - last);
    last = now;
  };
  const timer = setInterval(lap, 10);
  let stopped: number | undefined;
  return {
    /** Stops watching (once; later calls answer the same). */
    stop() {
      if (stopped === undefined) {
        clearInterval(timer);
        lap();
        stopped = longest;
      }
      return stopped;
    },
  };
}

/**
 * Runs `attack` while a small query is sent 20 ms later, and measures, in CPU time: the answer's time, the
 * small query's time, and the longest the event loop was held at once (the cloud runs in this process).
 */
async function underLoad<T>(attack: () => Promise<T>): Promise<{ result: T; ms: number; probeMs: number; stallMs: number }> {
  const loop = watchLoop();
  try {
    const started = cpuMs();
    const attacked = attack().then((result) => ({ result, ms: cpuMs() - started }));
    const probed = new Promise((resolve) => setTimeout(resolve, 20)).then(async () => {
      const sent = cpuMs();
      const small = await graphql('query ($id: ID!) { getPost(id: $id) { id title } }', { id: postId });
      assert.equal(small.json.data?.getPost?.id, postId, JSON.stringify(small.json));
      return cpuMs() - sent;
    });
    const [{ result, ms }, probeMs] = await Promise.all([attacked, probed]);
    return { result, ms, probeMs, stallMs: loop.stop() };
  } finally {
    loop.stop();
  }
}

/**
 * Runs `attack` while small queries are sent one after another until it answers: its answer, and the
 * slowest small query and longest hold of the event loop while it ran, in CPU time.
 */
async function throughout<T>(attack: () => Promise<T>): Promise<{ result: T; probeMs: number; stallMs: number }> {
  const loop = watchLoop();
  try {
    let done = false;
    let probeMs = 0;
    const attacked = attack().finally(() => (done = true));
    // Its failure is reported by the await below, after the probe in flight answers.
    attacked.catch(() => undefined);
    while (!done) {
      const sent = cpuMs();
      const small = await graphql('query ($id: ID!) { getPost(id: $id) { id title } }', { id: postId });
      assert.equal(small.json.data?.getPost?.id, postId, JSON.stringify(small.json));
      probeMs = Math.max(probeMs, cpuMs() - sent);
    }
    const result = await attacked;
    return { result, probeMs, stallMs: loop.stop() };
  } finally {
    loop.stop();
  }
}

function assertPrompt(timing: { ms: number; probeMs: number; stallMs: number }): void {
  assert.ok(timing.ms < ANSWER_MS, `refused within ${ANSWER_MS} ms of CPU (took ${Math.round(timing.ms)} ms)`);
  assert.ok(timing.probeMs < ANSWER_MS, `a concurrent small query answered within ${ANSWER_MS} ms of CPU (took ${Math.round(timing.probeMs)} ms)`);
  assert.ok(timing.stallMs < BLOCK_MS, `the event loop never held for ${BLOCK_MS} ms of CPU (longest: ${Math.round(timing.stallMs)} ms)`);
}

/** The one error of a refused request, with the setting its message names. */
function assertRefused(json: any, errorType: string, setting: string): void {
  assert.ok(Array.isArray(json.errors) && json.errors.length >= 1, JSON.stringify(json).slice(0, 500));
  const [error] = json.errors;
  assert.equal(error.errorType, errorType, JSON.stringify(error));
  assert.ok(String(error.message).includes(`graphql.${setting}`), error.message);
}

/** `post { comments { items { post { … } } } }` from a Comment, `relations` relation fields deep, ending in `id`. */
function fromComment(relations: number): string {
  let selection = 'id';
  for (let i = relations; i >= 1; i--) selection = i % 2 === 1 ? `post { ${selection} }` : `comments { items { ${selection} } }`;
  return selection;
}

/** `comments { items { post { … } } }` from a Post, `relations` relation fields deep, ending in `id`. */
function fromPost(relations: number): string {
  let selection = 'id';
  for (let i = relations; i >= 1; i--) selection = i % 2 === 1 ? `comments { items { ${selection} } }` : `post { ${selection} }`;
  return selection;
}

/** A realtime connection with the API key (of `to`, the suite's API unless given), acknowledged; `next` answers the first frame that matches. */
async function realtime(
  to: DeployedTestApi = api,
): Promise<{ start(id: string, query: string): void; next(match: (f: Frame) => boolean): Promise<Frame>; close(): void }> {
  const host = new URL(to.url).host;
  const auth = { host, 'x-api-key': to.apiKey };
  const header = Buffer.from(JSON.stringify(auth)).toString('base64url');
  const socket = new WebSocket(`${to.url.replace(/^http/, 'ws')}/realtime`, ['graphql-ws', `header-${header}`], { maxPayload: 4 * 1024 * 1024 });
  const frames: Frame[] = [];
  const waiters: Array<{ match: (f: Frame) => boolean; resolve: (f: Frame) => void }> = [];
  const take = (): void => {
    for (const w of [...waiters]) {
      const i = frames.findIndex(w.match);
      if (i < 0) continue;
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(frames.splice(i, 1)[0]!);
    }
  };
  socket.on('message', (raw) => {
    frames.push(JSON.parse(String(raw)) as Frame);
    take();
  });
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  const next = (match: (f: Frame) => boolean): Promise<Frame> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no matching frame within ${FRAME_WAIT_MS / 1000} s; frames: ${JSON.stringify(frames).slice(0, 500)}`)),
        FRAME_WAIT_MS,
      );
      waiters.push({ match, resolve: (f) => (clearTimeout(timer), resolve(f)) });
      take();
    });
  socket.send(JSON.stringify({ type: 'connection_init' }));
  await next((f) => f.type === 'connection_ack');
  return {
    start: (id, query) =>
      socket.send(JSON.stringify({ id, type: 'start', payload: { data: JSON.stringify({ query, variables: {} }), extensions: { authorization: auth } } })),
    next,
    close: () => socket.close(),
  };
}

/** A DynamoDB JSON request signed with the admin keys, sent as is (the SDK's serializer recurses on values). */
async function rawDynamoDb(target: string, body: string): Promise<{ status: number; json: any }> {
  const url = new URL(`${cloud.url}/dynamodb`);
  const signer = new SignatureV4({ service: 'dynamodb', region: cloud.credentials.region, credentials: cloud.credentials, sha256: Hash.bind(null, 'sha256') });
  const signed = await signer.sign({
    method: 'POST',
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path: url.pathname,
    headers: { host: url.host, 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `DynamoDB_20120810.${target}` },
    body,
  });
  const res = await fetch(url, { method: 'POST', headers: { ...(signed.headers as Record<string, string>), ...FRESH_CONNECTION }, body });
  return { status: res.status, json: await res.json() };
}

before(async () => {
  cloud = await startTestCloud();
  api = await deployTestApi(cloud, { schema: SCHEMA, authConfig: { defaultAuthentication: { authenticationType: 'API_KEY' } }, name: 'dos' });
  const created = await graphql('mutation { createPost(input: {title: "fan-out"}) { id } }');
  postId = created.json.data.createPost.id;
  for (let i = 0; i < COMMENTS; i++) {
    const comment = await graphql('mutation ($input: CreateCommentInput!) { createComment(input: $input) { id } }', {
      input: { body: `c${i}`, postCommentsId: postId },
    });
    assert.ok(comment.json.data?.createComment?.id, JSON.stringify(comment.json));
  }
  dynamodb = new DynamoDBClient({
    endpoint: `${cloud.url}/dynamodb`,
    region: cloud.credentials.region,
    credentials: cloud.credentials,
    maxAttempts: 1,
    requestHandler: { httpAgent: new Agent({ keepAlive: false }) },
  });
  await dynamodb.send(
    new CreateTableCommand({
      TableName: 'Deep',
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  await dynamodb.send(new PutItemCommand({ TableName: 'Deep', Item: { id: { S: 'a' } } }));
});
after(() => cloud.close());

void describe('denial of service: GraphQL documents', () => {
  void it('refuses 12,000 repeats of one field (36 KB) before validation, promptly', async () => {
    const query = `{ listPosts { items { ${'id '.repeat(12_000)}} } }`;
    const timing = await underLoad(() => graphql(query));
    assert.equal(timing.result.status, 200);
    assertRefused(timing.result.json, 'ValidationError', 'maxFieldRepeats');
    assertPrompt(timing);
  });

  void it('refuses a 100 KB document of repeated fields by its tokens, promptly', async () => {
    const query = `{ listPosts { items { ${'id '.repeat(33_000)}} } }`;
    assert.ok(Buffer.byteLength(query) < 100 * 1024);
    const timing = await underLoad(() => graphql(query));
    assertRefused(timing.result.json, 'ValidationError', 'maxQueryTokens');
    assertPrompt(timing);
  });

  void it('refuses 64 aliases over a 13-deep relation chain with the read budget, promptly', async () => {
    // listPosts { items { comments { items { post { comments { … } } } } } }: 14 levels of fields, 7 relations.
    const query = `{ ${Array.from({ length: 64 }, (_, i) => `a${i}: listPosts { items { ${fromPost(7)} } }`).join(' ')} }`;
    const timing = await underLoad(() => graphql(query));
    assert.equal(timing.result.json.data, null);
    assertRefused(timing.result.json, 'LimitExceededException', 'maxResolverCalls');
    assert.equal(timing.result.json.errors.length, 1, 'one error names the limit');
    assertPrompt(timing);
  });

  void it('refuses a filter of 32,000 or terms, promptly', async () => {
    const filter = { or: Array.from({ length: 32_000 }, (_, i) => ({ title: { eq: `t${i}` } })) };
    const timing = await underLoad(() => graphql('query ($f: ModelPostFilterInput) { listPosts(filter: $f) { items { id } } }', { f: filter }));
    assertRefused(timing.result.json, 'ValidationError', 'maxFilterTerms');
    assertPrompt(timing);
  });

  void it('refuses variables nested 20,000 levels deep, promptly, without a stack overflow', async () => {
    const filter = `${'{"not":'.repeat(20_000)}{"title":{"eq":"x"}}${'}'.repeat(20_000)}`;
    const timing = await underLoad(() => graphql('query ($f: ModelPostFilterInput) { listPosts(filter: $f) { items { id } } }', `{"f":${filter}}`));
    assert.equal(timing.result.status, 200);
    assertRefused(timing.result.json, 'ValidationError', 'maxQueryDepth');
    assertPrompt(timing);
  });
});

void describe('denial of service: search', () => {
  void it('a search through 10,000 items with 25 aggregations lets other requests in all along', async () => {
    const table = `Note-${api.apiId}-dev`;
    const tables = cloud.kernel.capability(TABLES);
    for (let i = 0; i < SEARCHED_NOTES; i++) {
      const tags = Array.from({ length: TAGS }, (_, j) => ({ S: `t${i}-${j}` }));
      await tables.put({
        table,
        item: { id: { S: `note-${String(i).padStart(5, '0')}` }, title: { S: `note ${i}` }, tags: { L: tags }, __typename: { S: 'Note' } },
      });
    }
    // Terms and cardinality over 200,000 distinct tags: a sort of every key per terms aggregation, and of
    // every match, once ran in one block at the end of the search.
    const aggregates = Array.from({ length: 25 }, (_, i) => ({ name: `a${i}`, type: i % 2 === 0 ? 'terms' : 'cardinality', field: 'tags' }));
    const query = `query ($aggregates: [SearchableNoteAggregationInput]) {
      searchNotes(sort: [{field: title, direction: asc}], limit: 10, aggregates: $aggregates) { items { id } total aggregateItems { name } }
    }`;
    const timing = await throughout(() => graphql(query, { aggregates }));
    const answer = timing.result.json.data?.searchNotes;
    assert.equal(answer?.total, SEARCHED_NOTES, JSON.stringify(timing.result.json).slice(0, 500));
    assert.equal(answer.items[0].id, 'note-00000');
    assert.equal(answer.aggregateItems.length, 25);
    assert.ok(
      timing.probeMs < SEARCH_PROBE_MS,
      `small queries answered within ${SEARCH_PROBE_MS} ms of CPU while the search ran (slowest: ${Math.round(timing.probeMs)} ms)`,
    );
    assert.ok(timing.stallMs < SEARCH_PROBE_MS, `the event loop never held for ${SEARCH_PROBE_MS} ms of CPU (longest: ${Math.round(timing.stallMs)} ms)`);
  });
});

void describe('the limits are settings of the cloud', () => {
  void it('applies config.json limits: a cloud allowing 2 table calls refuses a query that needs 3', async () => {
    await using small = await startTestCloud({ graphqlLimits: { maxResolverCalls: 2, maxFilterTerms: 2 } });
    const smallApi = await deployTestApi(small, { schema: SCHEMA, authConfig: { defaultAuthentication: { authenticationType: 'API_KEY' } }, name: 'small' });
    const post = async (query: string): Promise<any> => {
      const res = await fetch(smallApi.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': smallApi.apiKey, ...FRESH_CONNECTION },
        body: JSON.stringify({ query }),
      });
      return res.json();
    };
    const created = await post('mutation { createPost(input: {title: "p"}) { id } }');
    await post(`mutation { createComment(input: {body: "c", postCommentsId: "${created.data.createPost.id as string}"}) { id } }`);
    assert.deepEqual(await post('{ listPosts { items { title } } }'), { data: { listPosts: { items: [{ title: 'p' }] } } });
    const refused = await post('{ listPosts { items { comments { items { post { id } } } } } }');
    assertRefused(refused, 'LimitExceededException', 'maxResolverCalls');
    assertRefused(await post('{ listPosts(filter: {or: [{title: {eq: "a"}}, {title: {eq: "b"}}]}) { items { id } } }'), 'ValidationError', 'maxFilterTerms');
  });

  void it('applies maxSubscriptionsPerConnection: a cloud allowing 2 subscriptions a connection refuses the third start', async () => {
    await using small = await startTestCloud({ graphqlLimits: { maxSubscriptionsPerConnection: 2 } });
    const smallApi = await deployTestApi(small, { schema: SCHEMA, authConfig: { defaultAuthentication: { authenticationType: 'API_KEY' } }, name: 'small' });
    const socket = await realtime(smallApi);
    try {
      for (const id of ['a', 'b', 'c']) socket.start(id, 'subscription { onCreatePost { id } }');
      assert.equal((await socket.next((f) => f.id === 'a')).type, 'start_ack');
      assert.equal((await socket.next((f) => f.id === 'b')).type, 'start_ack');
      const refused = await socket.next((f) => f.id === 'c');
      assert.equal(refused.type, 'error');
      assert.equal(refused.payload.errors[0].errorType, 'MaxSubscriptionsReachedError');
      assert.match(refused.payload.errors[0].message, /^Max number of 2 subscriptions reached: .*graphql\.maxSubscriptionsPerConnection/);
    } finally {
      socket.close();
    }
  });
});

void describe('denial of service: realtime', () => {
  void it('refuses a 300 KB start of repeated fields, and a 36 KB one, promptly', async () => {
    const socket = await realtime();
    try {
      const big = await underLoad(async () => {
        socket.start('big', `subscription { onCreatePost { ${'id '.repeat(100_000)}} }`);
        return socket.next((f) => f.id === 'big');
      });
      assert.equal(big.result.type, 'error', JSON.stringify(big.result).slice(0, 300));
      assert.equal(big.result.payload.errors[0].errorType, 'ValidationError');
      assert.match(big.result.payload.errors[0].message, /graphql\.maxQueryBytes/);
      assertPrompt(big);
      const repeats = await underLoad(async () => {
        socket.start('repeats', `subscription { onCreatePost { ${'id '.repeat(12_000)}} }`);
        return socket.next((f) => f.id === 'repeats');
      });
      assert.equal(repeats.result.type, 'error');
      assert.match(repeats.result.payload.errors[0].message, /graphql\.maxFieldRepeats/);
      assertPrompt(repeats);
    } finally {
      socket.close();
    }
  });

  void it('holds at most 100 subscriptions on one connection (the AppSync quota): the 101st start is refused, the connection kept', async () => {
    const socket = await realtime();
    try {
      for (let i = 0; i < 100; i++) socket.start(`s${i}`, 'subscription { onCreatePost { id } }');
      for (let i = 0; i < 100; i++) assert.equal((await socket.next((f) => f.id === `s${i}`)).type, 'start_ack');
      socket.start('over', 'subscription { onCreatePost { id } }');
      const refused = await socket.next((f) => f.id === 'over');
      assert.equal(refused.type, 'error', JSON.stringify(refused));
      assert.equal(refused.payload.errors[0].errorType, 'MaxSubscriptionsReachedError');
      assert.match(refused.payload.errors[0].message, /graphql\.maxSubscriptionsPerConnection/);
      // The subscriptions already running still deliver.
      const created = await graphql('mutation { createPost(input: {title: "to the hundred"}) { id } }');
      const event = await socket.next((f) => f.id === 's99' && f.type === 'data');
      assert.equal(event.payload.data.onCreatePost.id, created.json.data.createPost.id);
    } finally {
      socket.close();
    }
  });

  void it('refuses a subscription 18 relations deep at its start', async () => {
    const socket = await realtime();
    try {
      socket.start('deep', `subscription { onCreateComment { ${fromComment(18)} } }`);
      const frame = await socket.next((f) => f.id === 'deep');
      assert.equal(frame.type, 'error');
      assert.equal(frame.payload.errors[0].errorType, 'ValidationError');
      assert.match(frame.payload.errors[0].message, /graphql\.maxQueryDepth/);
    } finally {
      socket.close();
    }
  });

  void it('renders each event within the budget of a request: a fan-out render is refused in its data frame, promptly', async () => {
    const socket = await realtime();
    try {
      // 15 levels of fields, the deepest allowed; the post's comments make each relation level 40 times wider.
      socket.start('wide', `subscription { onCreateComment { ${fromComment(9)} } }`);
      await socket.next((f) => f.id === 'wide' && f.type === 'start_ack');
      const timing = await underLoad(async () => {
        const created = await graphql('mutation ($input: CreateCommentInput!) { createComment(input: $input) { id } }', {
          input: { body: 'event', postCommentsId: postId },
        });
        assert.ok(created.json.data?.createComment?.id, JSON.stringify(created.json));
        return socket.next((f) => f.id === 'wide' && f.type === 'data');
      });
      assert.equal(timing.result.payload.data, null);
      assert.equal(timing.result.payload.errors[0].errorType, 'LimitExceededException');
      assert.match(timing.result.payload.errors[0].message, /graphql\.maxResolverCalls/);
      assertPrompt(timing);
    } finally {
      socket.close();
    }
  });
});

void describe('denial of service: DynamoDB expressions and items', () => {
  void it('refuses a FilterExpression nested 2,000 parentheses deep (4 KB) with a ValidationException, promptly', async () => {
    const expression = `${'('.repeat(2000)}id = :v${')'.repeat(2000)}`;
    assert.ok(expression.length <= 4096);
    const timing = await underLoad(() =>
      callFailure(dynamodb.send(new ScanCommand({ TableName: 'Deep', FilterExpression: expression, ExpressionAttributeValues: { ':v': { S: 'a' } } }))),
    );
    assert.equal(timing.result.name, 'ValidationException');
    assert.equal(timing.result.status, 400);
    assert.match(timing.result.message, /^Invalid FilterExpression: The expression is nested more than 256 levels deep/);
    assertPrompt(timing);
    const negations = await callFailure(
      dynamodb.send(new ScanCommand({ TableName: 'Deep', FilterExpression: `${'NOT '.repeat(1000)}id = :v`, ExpressionAttributeValues: { ':v': { S: 'a' } } })),
    );
    assert.equal(negations.name, 'ValidationException');
    assert.match(negations.message, /nested more than 256 levels deep/);
  });

  void it('refuses an expression over 4 KB as DynamoDB does: 20,000 parentheses answered a 500 after a stack overflow', async () => {
    const expression = `${'('.repeat(20_000)}id = :v${')'.repeat(20_000)}`;
    const timing = await underLoad(() =>
      callFailure(dynamodb.send(new ScanCommand({ TableName: 'Deep', FilterExpression: expression, ExpressionAttributeValues: { ':v': { S: 'a' } } }))),
    );
    assert.equal(timing.result.name, 'ValidationException');
    assert.equal(timing.result.status, 400);
    assert.equal(
      timing.result.message,
      `Invalid FilterExpression: Expression size has exceeded the maximum allowed size; expression size: ${expression.length}`,
    );
    assertPrompt(timing);
  });

  void it('refuses an item nested 20,000 levels deep with a ValidationException, promptly, and stores 32 levels', async () => {
    let value = '{"S":"leaf"}';
    for (let i = 0; i < 20_000; i++) value = `{"M":{"a":${value}}}`;
    const timing = await underLoad(() => rawDynamoDb('PutItem', `{"TableName":"Deep","Item":{"id":{"S":"deep"},"doc":${value}}}`));
    assert.equal(timing.result.status, 400, JSON.stringify(timing.result.json).slice(0, 300));
    assert.match(timing.result.json.__type, /ValidationException$/);
    assert.match(timing.result.json.message, /Nesting Levels have exceeded supported limits/);
    assertPrompt(timing);
    // DynamoDB's own bound: a value inside 31 maps is stored, inside 32 refused.
    const nested = (maps: number): string => {
      let v = '{"S":"leaf"}';
      for (let i = 0; i < maps; i++) v = `{"M":{"a":${v}}}`;
      return `{"TableName":"Deep","Item":{"id":{"S":"d${maps}"},"doc":${v}}}`;
    };
    assert.equal((await rawDynamoDb('PutItem', nested(31))).status, 200);
    assert.equal((await rawDynamoDb('PutItem', nested(32))).status, 400);
  });
});
