import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Amplify } from 'aws-amplify';
import { generateClient } from 'aws-amplify/api';
import { signIn, signOut } from 'aws-amplify/auth';
import { dataStoreSubscription, setUpDataStoreFixture, type DataStoreFixture, type Frame, createSocketRecorder } from './appsync-datastore-fixture.js';
import { startTestCloud, type TestCloud } from './index.js';

// DataStore's subscriptions through the unmodified aws-amplify v6 GraphQL client, which DataStore itself
// subscribes with: a model the user may not read is refused with the error DataStore skips quietly, and the
// provider's reaction to it (it closes its socket to reconnect with fresh tokens) settles instead of looping.

let cloud: TestCloud;
let fx: DataStoreFixture;

/** Every socket aws-amplify opens, with the frames it sent and received. */
const { sockets, waiters, wake, RecordingWebSocket } = createSocketRecorder();
(globalThis as { WebSocket?: unknown }).WebSocket = RecordingWebSocket;

/** Resolves once `check` holds, re-checked on every frame and close; the provider reconnects after 5 s. */
function until(what: string, check: () => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      waiters.delete(test);
      reject(new Error(`${what}: not within 20 s; sockets: ${JSON.stringify(sockets.map((s) => s.received.slice(-4)))}`));
    }, 20_000);
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

const startsOf = (field: string): Frame[] =>
  sockets.flatMap((s) => s.sent).filter((f) => f.type === 'start' && (JSON.parse(f.payload.data as string) as { query: string }).query.includes(field));

before(async () => {
  cloud = await startTestCloud();
  fx = await setUpDataStoreFixture(cloud);
});
after(async () => {
  await signOut().catch(() => undefined);
  await cloud.close();
});

void describe('DataStore subscriptions through aws-amplify v6', () => {
  void it(
    'a refused model ends in the Unauthorized error DataStore skips; the socket comes back once and its other subscriptions deliver',
    { timeout: 60_000 },
    async (t) => {
      Amplify.configure({
        Auth: { Cognito: { userPoolId: fx.userPoolId, userPoolClientId: fx.clientId, userPoolEndpoint: `${cloud.url}/cognito-idp/` } },
        API: { GraphQL: { endpoint: fx.api.url, region: 'us-east-1', defaultAuthMode: 'userPool' } },
      });
      assert.equal((await signIn({ username: 'alice', password: 'Correct-Horse-9', options: { authFlowType: 'USER_PASSWORD_AUTH' } })).isSignedIn, true);
      const client = generateClient() as unknown as {
        graphql(o: { query: string; variables: Record<string, unknown> }): {
          subscribe(o: { next(v: any): void; error(e: any): void }): { unsubscribe(): void };
        };
      };

      const posts: any[] = [];
      const postSubscription = client
        .graphql({ query: dataStoreSubscription('Create', 'Post', { owner: true }), variables: { owner: 'alice' } })
        .subscribe({ next: (v) => (posts.push(v), wake()), error: (e) => posts.push({ error: e }) });
      t.after(() => postSubscription.unsubscribe()); // else the provider keeps reconnecting and the run never ends
      const memoError = await new Promise<any>((resolve, reject) => {
        client.graphql({ query: dataStoreSubscription('Create', 'Memo'), variables: {} }).subscribe({
          next: (value) => reject(new Error(`unexpected value ${JSON.stringify(value)}`)),
          error: resolve,
        });
      });
      // DataStore reads errors[0].message and goes on without the model's realtime when it holds this.
      const message = String(memoError.errors[0].message);
      assert.match(message, /^Connection failed: /);
      assert.ok(message.includes('"errorType":"Unauthorized"'), message);

      // The provider closes its socket on an auth error and opens one more, where the post subscription starts again.
      await until('the post subscription acknowledged on a second socket', () => sockets[1]?.received.some((f) => f.type === 'start_ack') === true);
      const first = await fx.graphql('alice', 'mutation ($input: CreatePostInput!) { createPost(input: $input) { id } }', { input: { title: 'one' } });
      await until('the first post delivered', () => posts.length === 1);
      const second = await fx.graphql('alice', 'mutation ($input: CreatePostInput!) { createPost(input: $input) { id } }', { input: { title: 'two' } });
      await until('the second post delivered', () => posts.length === 2);
      assert.deepEqual(
        posts.map((p) => [p.data?.onCreatePost?.id, p.data?.onCreatePost?._version]),
        [
          [first.data.createPost.id, 1],
          [second.data.createPost.id, 1],
        ],
      );
      assert.equal(startsOf('onCreateMemo').length, 1, 'the refused subscription is not started again');
      assert.equal(sockets.length, 2, 'one reconnection, no loop');
    },
  );
});
