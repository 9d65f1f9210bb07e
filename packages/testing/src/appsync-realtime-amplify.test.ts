import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Amplify } from 'aws-amplify';
import { generateClient } from 'aws-amplify/api';
import { signIn, signOut } from 'aws-amplify/auth';
import { AUTH_RESOURCE_TYPES } from '@forte/protocol';
import { createTestIdentityPool } from './test-identity-pool.js';
import {
  CREATE_NOTE,
  CREATE_TODO,
  DELETE_TODO,
  installRecordingWebSocket,
  setUpRealtimeFixture,
  UPDATE_TODO,
  type RealtimeFixture,
  type RealtimeUser,
} from './appsync-realtime-fixture.js';
import { startTestCloud, type TestCloud } from './index.js';

interface Observable {
  subscribe(observer: { next(value: any): void; error(error: unknown): void }): { unsubscribe(): void };
}
/** The model client is used untyped: its types come from a Gen 2 schema, which this test has none of. */
interface LooseClient {
  graphql(options: { query: string; variables?: Record<string, unknown>; authMode?: string }): Observable;
  models: Record<string, Record<string, (...args: any[]) => Observable>>;
}

let cloud: TestCloud;
let fx: RealtimeFixture;
let client: LooseClient;
const socket = installRecordingWebSocket();
const running: { unsubscribe(): void }[] = [];

const as = async (user: RealtimeUser): Promise<void> => {
  await signOut();
  assert.equal((await signIn({ username: user, password: 'Correct-Horse-9', options: { authFlowType: 'USER_PASSWORD_AUTH' } })).isSignedIn, true);
};

/** What one subscription received, and a way to wait until it has received `count` values. */
interface Received {
  values: any[];
  errors: unknown[];
  until(count: number): Promise<any[]>;
}

/** Subscribes and resolves once the server acknowledged the start (so later changes are heard). */
async function listen(observable: Observable, starts = 1): Promise<Received> {
  const acks = socket.frames.filter((f) => f.type === 'start_ack').length;
  const received: Received = { values: [], errors: [], until: async () => [] };
  const wakers = new Set<() => void>();
  const subscription = observable.subscribe({
    next(value) {
      received.values.push(value);
      for (const wake of [...wakers]) wake();
    },
    error(error) {
      received.errors.push(error);
    },
  });
  running.push(subscription);
  received.until = (count) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `received ${received.values.length} of ${count} values within 5 s: ${JSON.stringify(received.values)}, errors ${JSON.stringify(received.errors)}`,
            ),
          ),
        5000,
      );
      const check = (): void => {
        if (received.values.length < count) return;
        clearTimeout(timer);
        wakers.delete(check);
        resolve(received.values);
      };
      wakers.add(check);
      check();
    });
  await socket.waitFor((f) => f.type === 'start_ack', acks + starts);
  return received;
}

before(async () => {
  cloud = await startTestCloud();
  fx = await setUpRealtimeFixture(cloud);
  // The guest role may subscribe (appsync:GraphQL on Subscription fields, as Amplify grants for `public` iam rules).
  const onCreateNote = [`${fx.api.arn}/types/Subscription/fields/onCreateNote`];
  const identityPoolId = await createTestIdentityPool(cloud, fx, { authenticated: onCreateNote, unauthenticated: onCreateNote }, { name: 'realtime' });
  Amplify.configure({
    Auth: {
      Cognito: {
        userPoolId: fx.userPoolId,
        userPoolClientId: fx.clientId,
        identityPoolId,
        allowGuestAccess: true,
        userPoolEndpoint: `${cloud.url}/cognito-idp/`,
        identityPoolEndpoint: `${cloud.url}/cognito-identity/`,
      },
    },
    API: {
      GraphQL: {
        endpoint: fx.api.url,
        region: 'us-east-1',
        defaultAuthMode: 'userPool',
        apiKey: fx.api.apiKey,
        modelIntrospection: fx.api.compiled.modelIntrospection as never,
      },
    },
  });
  client = generateClient() as unknown as LooseClient;
});
after(async () => {
  for (const subscription of running) subscription.unsubscribe();
  // Close the cloud only once the client has closed its socket: a socket the server ends makes it reconnect.
  await socket.allClosed();
  await signOut().catch(() => undefined);
  await cloud.close();
});

void describe('AppSync realtime subscriptions through the unmodified aws-amplify v6', () => {
  void it('delivers onCreate, onUpdate and onDelete to the owner and never to another user', async () => {
    await as('alice');
    const aliceCreates = await listen(client.models.Todo!.onCreate!());
    const aliceUpdates = await listen(client.models.Todo!.onUpdate!());
    const aliceDeletes = await listen(client.models.Todo!.onDelete!());
    await as('bob');
    const bobCreates = await listen(client.models.Todo!.onCreate!());
    const bobUpdates = await listen(client.models.Todo!.onUpdate!());

    const a1 = await fx.mutate('alice', CREATE_TODO, { input: { content: 'alice 1', secret: 's1' } });
    const b1 = await fx.mutate('bob', CREATE_TODO, { input: { content: 'bob 1' } });
    await fx.mutate('alice', UPDATE_TODO, { input: { id: a1.id, content: 'alice 1 edited' } });
    const a2 = await fx.mutate('alice', CREATE_TODO, { input: { content: 'alice 2' } });
    await fx.mutate('alice', DELETE_TODO, { input: { id: a2.id } });
    const b2 = await fx.mutate('bob', UPDATE_TODO, { input: { id: b1.id, content: 'bob 1 edited' } });

    // Each subscription delivers in the order of the changes, so its last expected value fences the rest.
    assert.deepEqual(
      (await aliceCreates.until(2)).map((t) => [t.id, t.content, t.secret]),
      [
        [a1.id, 'alice 1', 's1'],
        [a2.id, 'alice 2', null],
      ],
    );
    assert.equal(aliceCreates.values[0].owner, a1.owner);
    assert.match(a1.owner, /alice$/);
    assert.deepEqual(
      (await aliceUpdates.until(1)).map((t) => t.content),
      ['alice 1 edited'],
    );
    assert.deepEqual(
      (await aliceDeletes.until(1)).map((t) => t.id),
      [a2.id],
    );
    assert.deepEqual(
      (await bobCreates.until(1)).map((t) => t.id),
      [b1.id],
    );
    assert.deepEqual(
      (await bobUpdates.until(1)).map((t) => t.id),
      [b2.id],
    );
    await fx.mutate('bob', CREATE_TODO, { input: { content: 'bob fence' } });
    await bobCreates.until(2);
    await aliceDeletes.until(1);
    assert.equal(aliceCreates.values.length, 2, "alice never hears of bob's items");
    assert.equal(aliceUpdates.values.length, 1);
    assert.deepEqual(
      bobCreates.values.map((t) => t.content),
      ['bob 1', 'bob fence'],
      "bob never hears of alice's items",
    );
    assert.equal(bobUpdates.values.length, 1);
    for (const r of [aliceCreates, aliceUpdates, aliceDeletes, bobCreates, bobUpdates]) assert.deepEqual(r.errors, []);
  });

  void it('delivers to members of a static group reader, with the fields its rules hide set to null', async () => {
    await as('carol');
    const carolUpdates = await listen(client.models.Todo!.onUpdate!());
    await as('alice');
    const aliceUpdates = await listen(client.models.Todo!.onUpdate!());
    const todo = await fx.mutate('alice', CREATE_TODO, { input: { content: 'for admins', secret: 'owner only' } });
    await fx.mutate('alice', UPDATE_TODO, { input: { id: todo.id, content: 'for admins, edited' } });
    const [seenByCarol] = await carolUpdates.until(1);
    assert.equal(seenByCarol.id, todo.id);
    assert.equal(seenByCarol.content, 'for admins, edited');
    assert.equal(seenByCarol.secret, null, 'the owner-only field is hidden from the Admin group');
    const [seenByAlice] = await aliceUpdates.until(1);
    assert.equal(seenByAlice.secret, 'owner only', 'the owner sees it');
  });

  void it("delivers items under a dynamic group rule only to members of the item's group", async () => {
    await as('dave');
    const dave = await listen(client.models.Todo!.onCreate!());
    await as('erin');
    const erin = await listen(client.models.Todo!.onCreate!());
    const red = await fx.mutate('alice', CREATE_TODO, { input: { content: 'for red', team: 'red' } });
    const blue = await fx.mutate('alice', CREATE_TODO, { input: { content: 'for blue', team: 'blue' } });
    const none = await fx.mutate('alice', CREATE_TODO, { input: { content: 'no team' } });
    const red2 = await fx.mutate('alice', CREATE_TODO, { input: { content: 'for red again', team: 'red' } });
    assert.deepEqual(
      (await dave.until(2)).map((t) => t.id),
      [red.id, red2.id],
    );
    const fence = await fx.mutate('alice', CREATE_TODO, { input: { content: 'blue fence', team: 'blue' } });
    assert.deepEqual(
      (await erin.until(2)).map((t) => t.id),
      [blue.id, fence.id],
      'erin hears neither the red items nor the one without a team',
    );
    assert.deepEqual(
      dave.values.map((t) => t.id),
      [red.id, red2.id],
      'dave hears neither the blue items nor the one without a team',
    );
    assert.ok(![...dave.values, ...erin.values].some((t) => t.id === none.id));
  });

  void it("delivers a public-read model to an API key subscriber and to a guest's IAM subscription", async () => {
    await signOut();
    const byKey = await listen(client.models.Note!.onCreate!({ authMode: 'apiKey' }));
    const byGuest = await listen(client.models.Note!.onCreate!({ authMode: 'iam' }));
    const note = await fx.mutate('bob', CREATE_NOTE, { input: { text: 'hello everyone' } });
    assert.deepEqual(
      (await byKey.until(1)).map((n) => [n.id, n.text]),
      [[note.id, 'hello everyone']],
    );
    assert.deepEqual(
      (await byGuest.until(1)).map((n) => n.id),
      [note.id],
    );
  });

  void it('applies the filter argument', async () => {
    await as('alice');
    const urgent = await listen(client.models.Todo!.onCreate!({ filter: { priority: { gt: 5 }, content: { beginsWith: 'task' } } }));
    await fx.mutate('alice', CREATE_TODO, { input: { content: 'task low', priority: 3 } });
    const high = await fx.mutate('alice', CREATE_TODO, { input: { content: 'task high', priority: 9 } });
    await fx.mutate('alice', CREATE_TODO, { input: { content: 'chore high', priority: 9 } });
    const last = await fx.mutate('alice', CREATE_TODO, { input: { content: 'task higher', priority: 10 } });
    assert.deepEqual(
      (await urgent.until(2)).map((t) => t.id),
      [high.id, last.id],
    );
  });

  void it('lets observeQuery see a create', async () => {
    const snapshots = await listen(client.models.Note!.observeQuery!({ authMode: 'apiKey' }), 3);
    const [first] = await snapshots.until(1);
    assert.equal(first.isSynced, true);
    const before = first.items.length;
    const created = await fx.mutate('alice', CREATE_NOTE, { input: { text: 'observed' } });
    const values = await snapshots.until(2);
    const latest = values.at(-1);
    assert.equal(latest.items.length, before + 1);
    assert.ok(latest.items.some((n: any) => n.id === created.id && n.text === 'observed'));
    assert.deepEqual(snapshots.errors, []);
  });

  void it('lets a signed-in user without groups observeQuery their own items under owner and dynamic group rules', async () => {
    await as('bob');
    const snapshots = await listen(client.models.Todo!.observeQuery!(), 3);
    const [first] = await snapshots.until(1);
    assert.equal(first.isSynced, true);
    assert.ok(
      first.items.every((t: any) => t.owner === 'bob'),
      "only bob's items are listed",
    );
    const before = first.items.length;
    await fx.mutate('alice', CREATE_TODO, { input: { content: 'not for bob' } });
    const created = await fx.mutate('bob', CREATE_TODO, { input: { content: 'bob observed' } });
    const values = await snapshots.until(2);
    const latest = values.at(-1);
    assert.equal(latest.items.length, before + 1);
    assert.ok(latest.items.some((t: any) => t.id === created.id));
    assert.deepEqual(snapshots.errors, []);
  });

  void it('ends a subscription when its token expires: aws-amplify reports it, and a new subscription hears with a refreshed token', async () => {
    // An app client whose tokens last 8 seconds, so the expiry comes within the test (aws-amplify treats a
    // token as expired 5 s early, so shorter ones would be refreshed before every call).
    const created = await cloud.kernel.resourceHandler(AUTH_RESOURCE_TYPES.userPoolClient)!.create(
      {
        UserPoolId: fx.userPoolId,
        ClientName: 'short-lived',
        ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
        AccessTokenValidity: 8,
        IdTokenValidity: 8,
        TokenValidityUnits: { AccessToken: 'seconds', IdToken: 'seconds' },
      },
      {
        appId: 'app1',
        appSlug: 'app1',
        envName: 'dev',
        stackName: 'amplify-app1-dev',
        logicalId: 'ShortLivedClient',
        region: 'us-east-1',
        accountId: cloud.kernel.config.accountId,
        log: cloud.kernel.log,
      },
    );
    const config = Amplify.getConfig();
    // Without the identity pool: it accepts tokens of the fixture's client only.
    const { identityPoolId: _identityPool, allowGuestAccess: _guests, ...cognito } = config.Auth!.Cognito! as unknown as Record<string, unknown>;
    Amplify.configure({ ...config, Auth: { Cognito: { ...cognito, userPoolClientId: String(created.attributes.ClientId) } } } as typeof config);
    try {
      await as('alice');
      const shortLived = generateClient() as unknown as LooseClient;
      const first = await listen(shortLived.models.Todo!.onCreate!());
      for (const end = Date.now() + 20_000; first.errors.length === 0; await new Promise((r) => setTimeout(r, 50))) {
        if (Date.now() > end) throw new Error(`the subscription did not end within 20 s; frames: ${JSON.stringify(socket.frames.slice(-3))}`);
      }
      assert.match(JSON.stringify(first.errors[0]), /UnauthorizedException.*Token expired/);
      // The app subscribes again; aws-amplify refreshes the expired token first.
      const again = await listen(shortLived.models.Todo!.onCreate!());
      const todo = await fx.mutate('alice', CREATE_TODO, { input: { content: 'after the refresh' } });
      const [event] = await again.until(1);
      assert.equal(event.id, todo.id);
      assert.deepEqual(first.values, [], 'the ended subscription heard nothing more');
    } finally {
      await signOut();
      Amplify.configure(config);
    }
  });

  void it('serves a subscription document through client.graphql, with the owner argument narrowing what an Admin hears', async () => {
    await as('carol');
    const aliceOwner = (await fx.mutate('alice', CREATE_TODO, { input: { content: 'whose' } })).owner as string;
    const onlyAlice = await listen(
      client.graphql({ query: 'subscription Mine($owner: String) { onCreateTodo(owner: $owner) { id content owner } }', variables: { owner: aliceOwner } }),
    );
    await fx.mutate('bob', CREATE_TODO, { input: { content: "bob's" } });
    const mine = await fx.mutate('alice', CREATE_TODO, { input: { content: "alice's" } });
    const [event] = await onlyAlice.until(1);
    assert.deepEqual(event.data, { onCreateTodo: { id: mine.id, content: "alice's", owner: aliceOwner } });
  });
});
