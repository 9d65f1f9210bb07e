import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Amplify } from 'aws-amplify';
import { generateClient } from 'aws-amplify/api';
import { signIn, signOut } from 'aws-amplify/auth';
import { WebSocket } from 'ws';
import {
  CREATE_NOTE,
  CREATE_TODO,
  installRecordingWebSocket,
  setUpRealtimeFixture,
  type Frame,
  type RealtimeFixture,
  type RealtimeUser,
} from './appsync-realtime-fixture.js';
import { startTestCloud, type TestCloud } from './index.js';

let cloud: TestCloud;
let fx: RealtimeFixture;
const recorded = installRecordingWebSocket();

const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const host = (): string => new URL(fx.api.url).host;
const userAuth = (user: RealtimeUser): Record<string, string> => ({ host: host(), Authorization: fx.tokens[user] });
const apiKeyAuth = (): Record<string, string> => ({ host: host(), 'x-amz-date': '20261201T000000Z', 'x-api-key': fx.api.apiKey });
const subOf = (user: RealtimeUser): string => (JSON.parse(Buffer.from(fx.tokens[user].split('.')[1]!, 'base64url').toString('utf8')) as { sub: string }).sub;

const ON_CREATE_TODO = 'subscription ($owner: String) { onCreateTodo(owner: $owner) { id content owner } }';
const UNAUTHORIZED = (field: string): unknown => ({
  errors: [{ errorType: 'Unauthorized', message: `Not Authorized to access ${field} on type Subscription` }],
});

interface Client {
  frames: Frame[];
  /** Sends a start and resolves with its start_ack or error frame. */
  start(id: string, query: string, authorization: Record<string, string>, variables?: Record<string, unknown>): Promise<Frame>;
  /** Resolves with the next `data` frame of `id` not yet taken. */
  data(id: string): Promise<Frame>;
  close(): Promise<void>;
}

/** A raw `graphql-ws` client (the `ws` class itself, not the recording one aws-amplify uses). */
async function connect(header: Record<string, string>): Promise<Client> {
  const socket = new WebSocket(fx.realtimeUrl, ['graphql-ws', `header-${encode(header)}`]);
  const frames: Frame[] = [];
  const taken = new Set<Frame>();
  const waiters = new Set<() => void>();
  socket.on('message', (raw) => {
    frames.push(JSON.parse(String(raw)) as Frame);
    for (const wake of [...waiters]) wake();
  });
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  const next = (match: (f: Frame) => boolean): Promise<Frame> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching frame within 5 s; frames: ${JSON.stringify(frames)}`)), 5000);
      const check = (): void => {
        const frame = frames.find((f) => !taken.has(f) && match(f));
        if (!frame) return;
        taken.add(frame);
        clearTimeout(timer);
        waiters.delete(check);
        resolve(frame);
      };
      waiters.add(check);
      check();
    });
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  socket.send(JSON.stringify({ type: 'connection_init' }));
  await next((f) => f.type === 'connection_ack');
  return {
    frames,
    start(id, query, authorization, variables = {}) {
      socket.send(JSON.stringify({ id, type: 'start', payload: { data: JSON.stringify({ query, variables }), extensions: { authorization } } }));
      return next((f) => f.id === id && (f.type === 'start_ack' || f.type === 'error'));
    },
    data: (id) => next((f) => f.id === id && f.type === 'data'),
    async close() {
      socket.close();
      await closed;
    },
  };
}

before(async () => {
  cloud = await startTestCloud();
  fx = await setUpRealtimeFixture(cloud);
});
after(async () => {
  await recorded.allClosed();
  await signOut().catch(() => undefined);
  await cloud.close();
});

void describe('AppSync realtime: owner arguments of subscriptions', () => {
  void it('lets an owner name themselves, by username, sub or <sub>::<username>, and refuses naming another user', async () => {
    const alice = await connect(userAuth('alice'));
    const allowed: [string, string][] = [
      ['by-username', 'alice'],
      ['by-sub', subOf('alice')],
      ['by-both', `${subOf('alice')}::alice`],
    ];
    for (const [id, owner] of allowed) assert.deepEqual(await alice.start(id, ON_CREATE_TODO, userAuth('alice'), { owner }), { id, type: 'start_ack' }, id);
    const refused: [string, string][] = [
      ['bob', 'bob'],
      ['bob-sub', subOf('bob')],
      ['bob-both', `${subOf('bob')}::bob`],
      ['not-a-user', 'nobody'],
    ];
    for (const [id, owner] of refused)
      assert.deepEqual(await alice.start(id, ON_CREATE_TODO, userAuth('alice'), { owner }), { id, type: 'error', payload: UNAUTHORIZED('onCreateTodo') }, id);
    // Written inline rather than as a variable, the argument is checked the same way.
    assert.deepEqual(await alice.start('inline', 'subscription { onCreateTodo(owner: "bob") { id } }', userAuth('alice')), {
      id: 'inline',
      type: 'error',
      payload: UNAUTHORIZED('onCreateTodo'),
    });

    // The refusals left the connection serving: the accepted subscriptions hear alice's item and never bob's.
    const bobs = await fx.mutate('bob', CREATE_TODO, { input: { content: "bob's" } });
    const alices = await fx.mutate('alice', CREATE_TODO, { input: { content: "alice's" } });
    for (const [id] of allowed)
      assert.deepEqual((await alice.data(id)).payload, { data: { onCreateTodo: { id: alices.id, content: "alice's", owner: 'alice' } } }, id);
    assert.ok(!alice.frames.some((f) => f.type === 'data' && JSON.stringify(f.payload).includes(bobs.id)), "nothing of bob's reached alice");
    assert.ok(!alice.frames.some((f) => f.type === 'data' && [...refused.map(([id]) => id), 'inline'].includes(f.id!)), 'refused subscriptions hear nothing');
    await alice.close();
  });

  void it('lets whoever may read every item name any owner: a static group, or the public rule of a model', async () => {
    const carol = await connect(userAuth('carol'));
    assert.deepEqual(await carol.start('admin', ON_CREATE_TODO, userAuth('carol'), { owner: 'alice' }), { id: 'admin', type: 'start_ack' });
    assert.deepEqual(await carol.start('public', 'subscription ($owner: String) { onCreateNote(owner: $owner) { id text } }', apiKeyAuth(), { owner: 'bob' }), {
      id: 'public',
      type: 'start_ack',
    });
    const note = await fx.mutate('bob', CREATE_NOTE, { input: { text: "bob's note" } });
    assert.deepEqual((await carol.data('public')).payload, { data: { onCreateNote: { id: note.id, text: "bob's note" } } });
    const todo = await fx.mutate('alice', CREATE_TODO, { input: { content: 'for the admin' } });
    assert.deepEqual((await carol.data('admin')).payload, { data: { onCreateTodo: { id: todo.id, content: 'for the admin', owner: 'alice' } } });
    await carol.close();
  });

  void it('refuses another owner to a dynamic group member and to an owner of a model with a public rule for other modes', async () => {
    // dave reads red team items through the dynamic group rule: that is not every item.
    const dave = await connect(userAuth('dave'));
    assert.deepEqual(await dave.start('team', ON_CREATE_TODO, userAuth('dave'), { owner: 'alice' }), {
      id: 'team',
      type: 'error',
      payload: UNAUTHORIZED('onCreateTodo'),
    });
    assert.deepEqual(await dave.start('own', ON_CREATE_TODO, userAuth('dave'), { owner: 'dave' }), { id: 'own', type: 'start_ack' });
    // Note is public to API keys, but a user pool caller is under its owner rule.
    assert.deepEqual(await dave.start('note', 'subscription ($owner: String) { onCreateNote(owner: $owner) { id } }', userAuth('dave'), { owner: 'bob' }), {
      id: 'note',
      type: 'error',
      payload: UNAUTHORIZED('onCreateNote'),
    });
    await dave.close();
  });

  void it('delivers one event to many subscribers of one document, each only what their own rules allow', async () => {
    const query = 'subscription { onCreateTodo { id content team } }';
    const clients = await Promise.all(
      (['alice', 'bob', 'carol', 'dave', 'erin'] as const).map(async (user) => ({ user, client: await connect(userAuth(user)) })),
    );
    for (const { user, client } of clients) assert.equal((await client.start('same', query, userAuth(user))).type, 'start_ack', user);
    const red = await fx.mutate('alice', CREATE_TODO, { input: { content: 'red', team: 'red' } });
    const expected = { data: { onCreateTodo: { id: red.id, content: 'red', team: 'red' } } };
    // alice owns it, carol is an Admin, dave is in team red; the last item below fences what the others heard.
    for (const { user, client } of clients.filter((c) => ['alice', 'carol', 'dave'].includes(c.user)))
      assert.deepEqual((await client.data('same')).payload, expected, user);
    const fence = await fx.mutate('bob', CREATE_TODO, { input: { content: 'fence', team: 'blue' } });
    for (const { user, client } of clients.filter((c) => ['bob', 'erin'].includes(c.user))) {
      assert.equal((await client.data('same')).payload.data.onCreateTodo.id, fence.id, user);
      assert.ok(!client.frames.some((f) => JSON.stringify(f.payload ?? {}).includes(red.id)), `${user} never heard of alice's red item`);
    }
    for (const { client } of clients) await client.close();
  });
});

void describe('AppSync realtime: owner arguments through the unmodified aws-amplify v6', () => {
  void it("serves a subscription to the caller's own items, and fails one naming another owner with the Unauthorized error", async () => {
    Amplify.configure({
      Auth: { Cognito: { userPoolId: fx.userPoolId, userPoolClientId: fx.clientId, userPoolEndpoint: `${cloud.url}/cognito-idp/` } },
      API: { GraphQL: { endpoint: fx.api.url, region: 'us-east-1', defaultAuthMode: 'userPool' } },
    });
    assert.equal((await signIn({ username: 'alice', password: 'Correct-Horse-9', options: { authFlowType: 'USER_PASSWORD_AUTH' } })).isSignedIn, true);
    const client = generateClient() as unknown as {
      graphql(o: { query: string; variables: Record<string, unknown> }): {
        subscribe(o: { next(v: any): void; error(e: unknown): void }): { unsubscribe(): void };
      };
    };

    const acks = recorded.frames.filter((f) => f.type === 'start_ack').length;
    const values: any[] = [];
    const own = client
      .graphql({ query: ON_CREATE_TODO, variables: { owner: 'alice' } })
      .subscribe({ next: (v) => values.push(v), error: (e) => values.push({ error: e }) });
    await recorded.waitFor((f) => f.type === 'start_ack', acks + 1);
    const todo = await fx.mutate('alice', CREATE_TODO, { input: { content: 'mine' } });
    await recorded.waitFor((f) => f.type === 'data' && f.payload?.data?.onCreateTodo?.id === todo.id);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(
      values.map((v) => v.data),
      [{ onCreateTodo: { id: todo.id, content: 'mine', owner: 'alice' } }],
    );
    own.unsubscribe();

    // aws-amplify closes its socket after an auth error (to reconnect with fresh tokens): refused last.
    const failed = await new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the subscription neither failed nor started within 5 s')), 5000);
      client.graphql({ query: ON_CREATE_TODO, variables: { owner: 'bob' } }).subscribe({
        next: (value) => reject(new Error(`unexpected value ${JSON.stringify(value)}`)),
        error: (error) => (clearTimeout(timer), resolve(error)),
      });
    });
    assert.ok(failed, 'the observable ended in an error');
    assert.ok(
      recorded.frames.some((f) => f.type === 'error' && JSON.stringify(f.payload) === JSON.stringify(UNAUTHORIZED('onCreateTodo'))),
      'the client was answered Unauthorized',
    );
  });
});
