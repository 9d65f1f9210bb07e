import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import { DATASTORE_SCHEMA, setUpDataStoreFixture, type DataStoreFixture, type Frame, createSocketRecorder } from './appsync-datastore-fixture.js';
import { openDataStoreNode, startTestCloud, type DataStoreNode, type TestCloud } from './index.js';

// The unmodified aws-amplify v6 DataStore in Node, with the API key, against the DataStore app's API: `Note` is
// synced selectively with a `not` predicate (which subscription filters cannot carry, so DataStore subscribes
// without one and filters itself), items created outside DataStore reach its local store in real time, and
// the group-only `Memo` and owner `Post`, which the API key may not read, do not stop `Note`'s realtime.
// Then signed in as alice (in no group): `Memo` is refused while `Post`, subscribed with her owner argument,
// still hears her outside writes; both ways the provider reconnects once over the refusals and then settles.

let cloud: TestCloud;
let fx: DataStoreFixture;
let ds: DataStoreNode;

/** Every socket DataStore opens, with the frames it sent and received. */
const { sockets, waiters, wake, RecordingWebSocket } = createSocketRecorder();

/** Resolves once `check` holds, re-checked on every frame, socket close and local change. */
function until(what: string, check: () => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      waiters.delete(test);
      reject(new Error(`${what}: not within 30 s; last frames: ${JSON.stringify(sockets.map((s) => s.received.slice(-3)))}`));
    }, 30_000);
    const test = (): void => {
      if (!check()) return;
      clearTimeout(timer);
      waiters.delete(test);
      resolve();
    };
    waiters.add(test);
    test();
  });
}

interface Start {
  id: string;
  query: string;
  variables: Record<string, any>;
}
/** The `start` frames DataStore sent for subscription field `field`. */
const startsOf = (field: string): Start[] =>
  sockets
    .flatMap((s) => s.sent)
    .filter((f) => f.type === 'start')
    .map((f) => ({ id: f.id!, ...(JSON.parse(f.payload.data as string) as { query: string; variables: Record<string, any> }) }))
    .filter((s) => s.query.includes(`${field}(`) || s.query.includes(`${field} {`));
const received = (): Frame[] => sockets.flatMap((s) => s.received);
const acknowledged = (start: Start): boolean => received().some((f) => f.type === 'start_ack' && f.id === start.id);

/** The ids of the Notes DataStore's local store took in (`DataStore.observe`), in order. */
const observed: string[] = [];

async function createNote(text: string): Promise<string> {
  // A plain mutation selecting only `id`: the subscription payload still carries every field DataStore selects.
  const out = await fx.graphql('apiKey', 'mutation ($input: CreateNoteInput!) { createNote(input: $input) { id } }', { input: { text } });
  assert.equal(out.errors, undefined, JSON.stringify(out.errors));
  return out.data.createNote.id as string;
}

before(async () => {
  (globalThis as { WebSocket?: unknown }).WebSocket = RecordingWebSocket;
  cloud = await startTestCloud();
  fx = await setUpDataStoreFixture(cloud);
  ds = await openDataStoreNode({ url: fx.api.url, apiKey: fx.api.apiKey, schema: DATASTORE_SCHEMA });
  // The models exist once the harness is open; configuring again keeps its storage adapter and error handler.
  const { syncExpression } = createRequire(import.meta.url)('aws-amplify/datastore') as typeof import('aws-amplify/datastore');
  ds.DataStore.configure({
    syncExpressions: [syncExpression(ds.models.Note!, () => (n: any) => n.not((c: any) => c.text.eq('hidden')))],
  });
  ds.DataStore.observe(ds.models.Note!).subscribe((message) => {
    observed.push(message.element.id as string);
    wake();
  });
});
after(async () => {
  const { signOut } = createRequire(import.meta.url)('aws-amplify/auth') as typeof import('aws-amplify/auth');
  await signOut().catch(() => undefined);
  await ds?.close();
  await cloud?.close();
  delete (globalThis as { WebSocket?: unknown }).WebSocket;
});

void describe('DataStore realtime in Node', () => {
  void it(
    'selective sync with a not predicate: the sync query filters, the subscription falls back to none, outside writes arrive filtered',
    { timeout: 60_000 },
    async () => {
      const since = ds.events.length;
      await ds.DataStore.start();
      await ds.modelSynced('Note', since);
      // The models the API key may not read sync as empty.
      for (const model of ['Memo', 'Post']) assert.deepEqual((await ds.modelSynced(model, since)).counts, { new: 0, updated: 0, deleted: 0 });
      const sync = ds.requests.find((r) => r.query.includes('syncNotes'));
      assert.deepEqual(sync?.variables.filter, { and: [{ not: { text: { eq: 'hidden' } } }] });

      // The filtered start is refused in AppSync's words; DataStore starts the subscription again without a filter.
      await until('onCreateNote started without a filter and acknowledged', () =>
        startsOf('onCreateNote').some((s) => !s.query.includes('$filter') && acknowledged(s)),
      );
      // The refused models' errors made the provider close its socket and open another; once connected again,
      // DataStore syncs once more to cover what the gap may have missed. The outside writes come after that sync.
      const firstReady = ds.events.findIndex((e) => e.event === 'syncQueriesReady');
      await ds.waitFor('syncQueriesReady', { since: firstReady + 1 });
      assert.equal(sockets.length, 2, 'one reconnection');
      const [filtered, unfiltered] = startsOf('onCreateNote');
      assert.deepEqual(filtered!.variables.filter, { and: [{ not: { text: { eq: 'hidden' } } }] });
      const refusal = received().find((f) => f.type === 'error' && f.id === filtered!.id);
      assert.match(JSON.stringify(refusal?.payload), /The variables input contains a field name 'not'/);
      assert.deepEqual(unfiltered!.variables, {});

      // Written outside DataStore: the hidden one first, then one that matches; the socket delivers them in order.
      const hidden = await createNote('hidden');
      const shown = await createNote('shown');
      const syncs = ds.requests.filter((r) => r.query.includes('syncNotes')).length;
      await until('the matching note in the local store', () => observed.includes(shown));
      assert.ok(!observed.includes(hidden), 'the note the predicate excludes was not merged');
      // Both came over the socket (the server knows nothing of the `not` predicate) and no sync query ran since.
      const delivered = received()
        .filter((f) => f.type === 'data' && f.id === unfiltered!.id)
        .map((f) => f.payload.data.onCreateNote);
      assert.deepEqual(
        delivered.map((n: { id: string; text: string; _version: number }) => [n.id, n.text, n._version]),
        [
          [hidden, 'hidden', 1],
          [shown, 'shown', 1],
        ],
      );
      assert.equal(ds.requests.filter((r) => r.query.includes('syncNotes')).length, syncs, 'no sync query brought it');
      const local = await ds.DataStore.query(ds.models.Note!);
      assert.deepEqual(
        local.map((n) => [n.id, n.text]),
        [[shown, 'shown']],
      );
    },
  );

  void it('models the API key may not read do not stop the others, and the connection settles without a reconnect loop', { timeout: 60_000 }, async () => {
    for (const field of ['onCreateMemo', 'onCreatePost']) {
      const refused = startsOf(field);
      assert.ok(refused.length > 0, `${field} was started`);
      for (const start of refused) {
        await until(`${field} answered`, () => received().some((f) => f.id === start.id && (f.type === 'error' || f.type === 'start_ack')));
        const answer = received().find((f) => f.id === start.id && (f.type === 'error' || f.type === 'start_ack'));
        assert.equal(answer?.type, 'error', `${field} is refused`);
        assert.match(JSON.stringify(answer?.payload), /"errorType":"Unauthorized"/);
      }
    }
    // Note still hears outside writes after the refusals.
    const first = await createNote('after the refusals');
    await until('a note created after the refusals in the local store', () => observed.includes(first));

    // Counted after that delivery, the sockets and subscription starts stay as they are while another note arrives.
    const socketsBefore = sockets.length;
    const establishedBefore = ds.events.filter((e) => e.event === 'subscriptionsEstablished').length;
    const startsBefore = sockets.flatMap((s) => s.sent).filter((f) => f.type === 'start').length;
    const syncsBefore = ds.events.filter((e) => e.event === 'syncQueriesStarted').length;
    const second = await createNote('one more');
    await until('the next note in the local store', () => observed.includes(second));
    assert.equal(sockets.length, socketsBefore, 'no new socket');
    assert.equal(ds.events.filter((e) => e.event === 'subscriptionsEstablished').length, establishedBefore, 'no new subscriptionsEstablished');
    assert.equal(sockets.flatMap((s) => s.sent).filter((f) => f.type === 'start').length, startsBefore, 'no subscription started again');
    assert.equal(ds.events.filter((e) => e.event === 'syncQueriesStarted').length, syncsBefore, 'no further sync');
    const memo = await fx.graphql('dave', 'mutation ($input: CreateMemoInput!) { createMemo(input: $input) { id } }', { input: { text: 'staff only' } });
    assert.equal(memo.errors, undefined, JSON.stringify(memo.errors));
    assert.equal((await ds.DataStore.query(ds.models.Memo!)).length, 0, 'nothing of Memo reached the local store');
  });

  void it('signed in outside the group: Memo is refused, Post still hears its owner’s outside writes, no reconnect loop', { timeout: 60_000 }, async () => {
    await ds.close();
    const startFrames = (): Frame[] => sockets.flatMap((k) => k.sent).filter((f) => f.type === 'start');
    const startedBefore = new Set(startFrames().map((f) => f.id));
    ds = await openDataStoreNode({ url: fx.api.url, apiKey: fx.api.apiKey, schema: DATASTORE_SCHEMA });
    const require = createRequire(import.meta.url);
    const { Amplify } = require('aws-amplify') as typeof import('aws-amplify');
    const { signIn } = require('aws-amplify/auth') as typeof import('aws-amplify/auth');
    Amplify.configure({
      Auth: { Cognito: { userPoolId: fx.userPoolId, userPoolClientId: fx.clientId, userPoolEndpoint: `${cloud.url}/cognito-idp/` } },
      API: { GraphQL: { endpoint: fx.api.url, region: 'us-east-1', defaultAuthMode: 'userPool' } },
    });
    ds.DataStore.configure({ syncExpressions: [] }); // the user-pool default mode of the new configuration, no selective sync
    assert.equal((await signIn({ username: 'alice', password: 'Correct-Horse-9', options: { authFlowType: 'USER_PASSWORD_AUTH' } })).isSignedIn, true);
    const posts: string[] = [];
    ds.DataStore.observe(ds.models.Post!).subscribe((message) => {
      posts.push(message.element.id as string);
      wake();
    });
    const since = ds.events.length;
    await ds.DataStore.start();
    await ds.modelSynced('Post', since);
    // DataStore starts its subscriptions without waiting for them (see the reference): wait for Post's start.
    const ownStarts = (): Start[] => startsOf('onCreatePost').filter((s) => !startedBefore.has(s.id));
    await until('onCreatePost started as alice', () => ownStarts().length > 0);
    const mine = ownStarts();
    assert.ok(mine.length > 0 && mine.every((s) => s.variables.owner === 'alice'), 'Post subscribes with the owner argument');
    await until('onCreateMemo started as alice', () => startsOf('onCreateMemo').some((s) => !startedBefore.has(s.id)));
    const memoStart = startsOf('onCreateMemo').find((s) => !startedBefore.has(s.id))!;
    await until('onCreateMemo answered', () => received().some((f) => f.id === memoStart.id && (f.type === 'error' || f.type === 'start_ack')));
    const memoAnswer = received().find((f) => f.id === memoStart.id && (f.type === 'error' || f.type === 'start_ack'));
    assert.match(JSON.stringify(memoAnswer), /"errorType":"Unauthorized"/, 'alice is not Staff');
    // As with the API key: the provider reconnects over the refusals, then DataStore syncs to catch up.
    const firstReady = ds.events.findIndex((e, i) => i >= since && e.event === 'syncQueriesReady');
    await ds.waitFor('syncQueriesReady', { since: firstReady + 1 });
    await until('onCreatePost acknowledged', () => startsOf('onCreatePost').slice(-1).some(acknowledged));

    const create = async (title: string): Promise<string> => {
      const out = await fx.graphql('alice', 'mutation ($input: CreatePostInput!) { createPost(input: $input) { id } }', { input: { title } });
      assert.equal(out.errors, undefined, JSON.stringify(out.errors));
      return out.data.createPost.id as string;
    };
    const first = await create('one');
    await until('alice’s post in the local store', () => posts.includes(first));
    const socketsBefore = sockets.length;
    const establishedBefore = ds.events.filter((e) => e.event === 'subscriptionsEstablished').length;
    const startsBefore = startFrames().length;
    const second = await create('two');
    await until('alice’s next post in the local store', () => posts.includes(second));
    assert.equal(sockets.length, socketsBefore, 'no new socket');
    assert.equal(ds.events.filter((e) => e.event === 'subscriptionsEstablished').length, establishedBefore, 'no new subscriptionsEstablished');
    assert.equal(startFrames().length, startsBefore, 'no subscription started again');
  });
});
