import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  connectRaw,
  dataStoreSubscription,
  SELECTION,
  setUpDataStoreFixture,
  type DataStoreFixture,
  type DataStoreOperation,
  type DataStoreUser,
  type RawRealtimeClient,
} from './appsync-datastore-fixture.js';
import { startTestCloud, type TestCloud } from './index.js';

// The subscriptions DataStore opens (three per model, its own documents and variables), at the level of the
// realtime protocol: what it needs of the payloads, of the owner argument and of the errors it tolerates.

let cloud: TestCloud;
let fx: DataStoreFixture;

const OPERATIONS: DataStoreOperation[] = ['Create', 'Update', 'Delete'];
const host = (): string => new URL(fx.api.url).host;
const userAuth = (user: DataStoreUser): Record<string, string> => ({ host: host(), Authorization: fx.tokens[user] });
const apiKeyAuth = (): Record<string, string> => ({ host: host(), 'x-amz-date': '20261206T000000Z', 'x-api-key': fx.api.apiKey });

/** DataStore's phrases that make it subscribe again without its filter (`catchRTFError`). */
const FILTER_FALLBACK_PHRASES = [
  'UnknownArgument: Unknown field argument filter',
  'Filters exceed maximum attributes limit',
  'Filters combination exceed maximum limit',
  'filter uses same fieldName multiple time',
  "The variables input contains a field name 'not'",
  'The variables input contains a field that is not defined for input object type',
];

/** Runs a mutation as a non-DataStore client would, selecting `id` only. */
async function mutateIdOnly(user: DataStoreUser | 'apiKey', mutation: string, type: string, input: Record<string, unknown>): Promise<string> {
  const body = await fx.graphql(user, `mutation ($input: ${type}!) { ${mutation}(input: $input) { id } }`, { input });
  assert.equal(body.errors, undefined, JSON.stringify(body.errors));
  assert.deepEqual(Object.keys(body.data[mutation]), ['id']);
  return body.data[mutation].id as string;
}

/** The post as `user` reads it with DataStore's selection set. */
async function readPost(user: DataStoreUser, id: string): Promise<Record<string, unknown>> {
  return (await fx.graphql(user, `query ($id: ID!) { getPost(id: $id) { ${SELECTION.Post} } }`, { id })).data.getPost;
}

async function subscribeAll(client: RawRealtimeClient, user: DataStoreUser, model: 'Post' | 'Memo', owner?: string): Promise<void> {
  for (const op of OPERATIONS) {
    const query = dataStoreSubscription(op, model, { owner: owner !== undefined });
    const ack = await client.start(`${model}-${op}`, query, userAuth(user), owner === undefined ? {} : { owner });
    assert.deepEqual(ack, { id: `${model}-${op}`, type: 'start_ack' }, `${user} ${model} ${op}`);
  }
}

before(async () => {
  cloud = await startTestCloud();
  fx = await setUpDataStoreFixture(cloud);
});
after(() => cloud.close());

void describe('DataStore subscriptions: payloads', () => {
  void it('delivers the stored item with its sync fields after mutations that selected only id, each subscriber its own readable fields', async () => {
    const carol = await connectRaw(fx.realtimeUrl, userAuth('carol')); // an Admin: every post, no owner argument
    const bob = await connectRaw(fx.realtimeUrl, userAuth('bob')); // an owner: `owner: "bob"`, as DataStore sends it
    await subscribeAll(carol, 'carol', 'Post');
    await subscribeAll(bob, 'bob', 'Post', 'bob');

    const id = await mutateIdOnly('bob', 'createPost', 'CreatePostInput', { title: 'first', tags: ['a'], secret: 'bob only' });
    const created = { carol: (await carol.data('Post-Create')).payload, bob: (await bob.data('Post-Create')).payload };
    assert.deepEqual(created.bob, { data: { onCreatePost: await readPost('bob', id) } });
    assert.deepEqual(created.carol, { data: { onCreatePost: await readPost('carol', id) } });
    const bobsView = created.bob.data.onCreatePost as Record<string, unknown>;
    assert.equal(typeof bobsView._lastChangedAt, 'number');
    assert.deepEqual(
      { ...bobsView },
      {
        ...bobsView,
        title: 'first',
        tags: ['a'],
        secret: 'bob only',
        owner: 'bob',
        _version: 1,
        _deleted: null,
      },
    );
    // The owner-only field is never shown to the Admin, though the mutation's author wrote it.
    assert.deepEqual(created.carol.data.onCreatePost, { ...bobsView, secret: null });

    await mutateIdOnly('bob', 'updatePost', 'UpdatePostInput', { id, title: 'second', _version: 1 });
    const updated = { carol: (await carol.data('Post-Update')).payload, bob: (await bob.data('Post-Update')).payload };
    const afterUpdate = await readPost('bob', id);
    assert.deepEqual(updated.bob, { data: { onUpdatePost: afterUpdate } });
    assert.deepEqual({ ...afterUpdate }, { ...afterUpdate, title: 'second', tags: ['a'], secret: 'bob only', _version: 2 });
    assert.deepEqual(updated.carol, { data: { onUpdatePost: { ...afterUpdate, secret: null } } });

    await mutateIdOnly('bob', 'deletePost', 'DeletePostInput', { id, _version: 2 });
    const deleted = { carol: (await carol.data('Post-Delete')).payload, bob: (await bob.data('Post-Delete')).payload };
    const tombstone = deleted.bob.data.onDeletePost;
    // DataStore removes the row only when the payload says `_deleted: true`.
    assert.deepEqual(tombstone, { ...afterUpdate, _version: 3, _deleted: true, _lastChangedAt: tombstone._lastChangedAt });
    assert.ok(tombstone._lastChangedAt >= (afterUpdate._lastChangedAt as number));
    assert.deepEqual(deleted.carol, { data: { onDeletePost: { ...tombstone, secret: null } } });
    assert.equal(carol.frames.filter((f) => f.type === 'data').length, 3, 'one payload per change');
    await Promise.all([carol.close(), bob.close()]);
  });

  void it('with the owner argument, a user hears only their own items', async () => {
    const alice = await connectRaw(fx.realtimeUrl, userAuth('alice'));
    await subscribeAll(alice, 'alice', 'Post', 'alice');
    const bobs = await mutateIdOnly('bob', 'createPost', 'CreatePostInput', { title: "bob's" });
    const alices = await mutateIdOnly('alice', 'createPost', 'CreatePostInput', { title: "alice's", secret: 'mine' });
    const heard = (await alice.data('Post-Create')).payload.data.onCreatePost;
    assert.deepEqual(heard, await readPost('alice', alices));
    assert.equal(heard.secret, 'mine');
    assert.ok(!alice.frames.some((f) => JSON.stringify(f.payload ?? {}).includes(bobs)), "nothing of bob's reached alice");
    await alice.close();
  });
});

void describe('DataStore subscriptions: the errors it tolerates', () => {
  void it('refuses a model the user may not read with errorType Unauthorized, and keeps the connection serving', async () => {
    const alice = await connectRaw(fx.realtimeUrl, userAuth('alice'));
    const carol = await connectRaw(fx.realtimeUrl, userAuth('carol'));
    for (const [user, client] of [
      ['alice', alice],
      ['carol', carol],
    ] as const) {
      for (const op of OPERATIONS) {
        const refused = await client.start(`Memo-${op}`, dataStoreSubscription(op, 'Memo'), userAuth(user));
        assert.deepEqual(refused, {
          id: `Memo-${op}`,
          type: 'error',
          payload: { errors: [{ errorType: 'Unauthorized', message: `Not Authorized to access on${op}Memo on type Subscription` }] },
        });
        // What DataStore tests the provider's `Connection failed: <payload JSON>` for, to go on quietly.
        assert.ok(JSON.stringify(refused.payload).includes('"errorType":"Unauthorized"'));
      }
    }
    // A model whose rules give the caller's auth mode nothing (Note is for API keys) is refused the same way.
    assert.deepEqual((await alice.start('Note-Create', dataStoreSubscription('Create', 'Note'), userAuth('alice'))).payload, {
      errors: [{ errorType: 'Unauthorized', message: 'Not Authorized to access onCreateNote on type Subscription' }],
    });
    // Staff hear memos; the refused users' connections still serve their other subscriptions.
    const dave = await connectRaw(fx.realtimeUrl, userAuth('dave'));
    await subscribeAll(dave, 'dave', 'Memo');
    await subscribeAll(alice, 'alice', 'Post', 'alice');
    const memo = await mutateIdOnly('dave', 'createMemo', 'CreateMemoInput', { text: 'staff only' });
    assert.equal((await dave.data('Memo-Create')).payload.data.onCreateMemo.id, memo);
    const post = await mutateIdOnly('alice', 'createPost', 'CreatePostInput', { title: 'after the refusals' });
    assert.equal((await alice.data('Post-Create')).payload.data.onCreatePost.id, post);
    assert.ok(!alice.closedByServer() && !carol.closedByServer(), 'a refused start does not close the connection');
    assert.ok(!alice.frames.some((f) => JSON.stringify(f.payload ?? {}).includes(memo)));
    await Promise.all([alice.close(), carol.close(), dave.close()]);
  });

  void it("answers a sync expression's `not` group in AppSync's words, so DataStore subscribes again without the filter", async () => {
    const client = await connectRaw(fx.realtimeUrl, apiKeyAuth());
    const query = dataStoreSubscription('Create', 'Note', { filter: true });
    // syncExpression(Note, () => (n) => n.not((c) => c.text.eq('hidden'))), as predicateToGraphQLFilter sends it.
    const refused = await client.start('not', query, apiKeyAuth(), { filter: { and: [{ not: { text: { eq: 'hidden' } } }] } });
    assert.deepEqual(refused, {
      id: 'not',
      type: 'error',
      payload: {
        errors: [
          {
            errorType: 'ValidationError',
            message: "The variables input contains a field name 'not' that is not defined for input object type 'ModelSubscriptionNoteFilterInput' ",
            errorCode: 400,
          },
        ],
      },
    });
    const text = `Connection failed: ${JSON.stringify(refused.payload)}`;
    assert.deepEqual(
      FILTER_FALLBACK_PHRASES.filter((phrase) => text.includes(phrase)),
      ["The variables input contains a field name 'not'"],
    );
    // Any field the input type lacks is named the same way, however deep.
    const unknown = await client.start('colour', query, apiKeyAuth(), { filter: { or: [{ text: { eq: 'a' } }, { and: [{ colour: { eq: 'red' } }] }] } });
    assert.equal(
      unknown.payload.errors[0].message,
      "The variables input contains a field name 'colour' that is not defined for input object type 'ModelSubscriptionNoteFilterInput' ",
    );

    // DataStore's retry: the same document without the filter, filtering on the client.
    const plain = dataStoreSubscription('Create', 'Note');
    assert.deepEqual(await client.start('plain', plain, apiKeyAuth()), { id: 'plain', type: 'start_ack' });
    const hidden = await mutateIdOnly('apiKey', 'createNote', 'CreateNoteInput', { text: 'hidden' });
    const shown = await mutateIdOnly('apiKey', 'createNote', 'CreateNoteInput', { text: 'shown' });
    assert.deepEqual((await client.data('plain')).payload.data.onCreateNote.id, hidden);
    assert.deepEqual((await client.data('plain')).payload.data.onCreateNote, {
      ...(await fx.graphql('apiKey', `query ($id: ID!) { getNote(id: $id) { ${SELECTION.Note} } }`, { id: shown })).data.getNote,
    });
    assert.ok(!client.frames.some((f) => f.type === 'data' && f.id !== 'plain'), 'the refused starts hear nothing');
    await client.close();
  });
});
