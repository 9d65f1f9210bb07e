import { CognitoIdentityProviderClient, InitiateAuthCommand } from '@aws-sdk/client-cognito-identity-provider';
import { WebSocket } from 'ws';
import { deployTestApi, type DeployedTestApi } from './appsync-deploy.js';
import type { TestCloud } from './start-test-cloud.js';
import { createTestUsers } from './test-identity-pool.js';

/**
 * A DataStore app's API (conflict detection on, AUTOMERGE): `Post` is its owner's, read by Admins too, with
 * an owner-only `secret`; `Memo` is for the Staff group alone; `Note` is public to API keys.
 */
export const DATASTORE_SCHEMA = /* GraphQL */ `
  type Post @model @auth(rules: [{ allow: owner }, { allow: groups, groups: ["Admin"], operations: [read] }]) {
    id: ID!
    title: String
    tags: [String]
    secret: String @auth(rules: [{ allow: owner }])
  }
  type Memo @model @auth(rules: [{ allow: groups, groups: ["Staff"] }]) {
    id: ID!
    text: String
  }
  type Note @model @auth(rules: [{ allow: public }]) {
    id: ID!
    text: String
  }
`;

/** carol is an Admin, dave is Staff; alice and bob are in no group. */
export const DATASTORE_USERS = { alice: [], bob: [], carol: ['Admin'], dave: ['Staff'] } satisfies Record<string, string[]>;
export type DataStoreUser = keyof typeof DATASTORE_USERS;

/** What DataStore selects of each model (`generateSelectionSet`): scalars, the implicit owner, the sync fields. */
export const SELECTION = {
  Post: 'id\ntitle\ntags\nsecret\ncreatedAt\nupdatedAt\nowner\n_version\n_lastChangedAt\n_deleted',
  Memo: 'id\ntext\ncreatedAt\nupdatedAt\n_version\n_lastChangedAt\n_deleted',
  Note: 'id\ntext\ncreatedAt\nupdatedAt\n_version\n_lastChangedAt\n_deleted',
} as const;
export type DataStoreModel = keyof typeof SELECTION;
export type DataStoreOperation = 'Create' | 'Update' | 'Delete';

/**
 * The subscription document as DataStore's `start` frames carry it: built by `buildSubscriptionGraphQLOperation`
 * (`@aws-amplify/datastore` `sync/utils`; `$filter` only with a sync expression, the owner argument only when
 * an owner rule applies to the signed-in user), then parsed and printed by aws-amplify's GraphQL client.
 */
export function dataStoreSubscription(operation: DataStoreOperation, model: DataStoreModel, options: { filter?: boolean; owner?: boolean } = {}): string {
  const opName = `on${operation}${model}`;
  const docArgs: string[] = [];
  const opArgs: string[] = [];
  if (options.filter) {
    docArgs.push(`$filter: ModelSubscription${model}FilterInput`);
    opArgs.push('filter: $filter');
  }
  if (options.owner) {
    docArgs.push('$owner: String!');
    opArgs.push('owner: $owner');
  }
  const docStr = docArgs.length ? `(${docArgs.join(', ')})` : '';
  const opStr = opArgs.length ? `(${opArgs.join(', ')})` : '';
  const fields = SELECTION[model].split('\n').join('\n    ');
  return `subscription operation${docStr} {\n  ${opName}${opStr} {\n    ${fields}\n  }\n}\n`;
}

export interface DataStoreFixture {
  api: DeployedTestApi;
  userPoolId: string;
  clientId: string;
  /** Each user's access token (what aws-amplify sends as `Authorization`). */
  tokens: Record<DataStoreUser, string>;
  realtimeUrl: string;
  /** Runs a GraphQL request over HTTP as `user` (or with the API key) and returns its body. */
  graphql(user: DataStoreUser | 'apiKey', query: string, variables?: Record<string, unknown>): Promise<{ data?: any; errors?: any[] }>;
}

export async function setUpDataStoreFixture(cloud: TestCloud): Promise<DataStoreFixture> {
  const users = await createTestUsers(cloud, DATASTORE_USERS);
  const api = await deployTestApi(cloud, {
    schema: DATASTORE_SCHEMA,
    userPoolId: users.userPoolId,
    name: 'datastore',
    authConfig: {
      defaultAuthentication: { authenticationType: 'AMAZON_COGNITO_USER_POOLS' },
      additionalAuthenticationProviders: [{ authenticationType: 'API_KEY' }],
    },
    resolverConfig: { project: { ConflictDetection: 'VERSION', ConflictHandler: 'AUTOMERGE' } },
  });
  const idp = new CognitoIdentityProviderClient({ endpoint: `${cloud.url}/cognito-idp/`, region: 'us-east-1', credentials: cloud.credentials, maxAttempts: 1 });
  const tokens = {} as Record<DataStoreUser, string>;
  for (const username of Object.keys(DATASTORE_USERS) as DataStoreUser[]) {
    const auth = await idp.send(
      new InitiateAuthCommand({
        ClientId: users.clientId,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: username, PASSWORD: 'Correct-Horse-9' },
      }),
    );
    tokens[username] = auth.AuthenticationResult!.AccessToken!;
  }
  return {
    api,
    userPoolId: users.userPoolId,
    clientId: users.clientId,
    tokens,
    realtimeUrl: `${api.url.replace(/^http/, 'ws')}/realtime`,
    async graphql(user, query, variables = {}) {
      const res = await fetch(api.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(user === 'apiKey' ? { 'x-api-key': api.apiKey } : { authorization: tokens[user] }) },
        body: JSON.stringify({ query, variables }),
      });
      return (await res.json()) as { data?: any; errors?: any[] };
    },
  };
}

export interface Frame {
  type: string;
  id?: string;
  payload?: any;
}

/** A raw `graphql-ws` connection, as aws-amplify's AWSWebSocketProvider speaks it. */
export interface RawRealtimeClient {
  frames: Frame[];
  /** Sends a start and resolves with its start_ack or error frame. */
  start(id: string, query: string, authorization: Record<string, string>, variables?: Record<string, unknown>): Promise<Frame>;
  /** Resolves with the next `data` frame of `id` not yet taken. */
  data(id: string): Promise<Frame>;
  /** Whether the server has closed the socket. */
  closedByServer(): boolean;
  close(): Promise<void>;
}

const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

export async function connectRaw(realtimeUrl: string, header: Record<string, string>): Promise<RawRealtimeClient> {
  const socket = new WebSocket(realtimeUrl, ['graphql-ws', `header-${encode(header)}`]);
  const frames: Frame[] = [];
  const taken = new Set<Frame>();
  const waiters = new Set<() => void>();
  let closing = false;
  let closedByServer = false;
  socket.on('message', (raw) => {
    frames.push(JSON.parse(String(raw)) as Frame);
    for (const wake of [...waiters]) wake();
  });
  const closed = new Promise<void>((resolve) =>
    socket.once('close', () => {
      closedByServer = !closing;
      resolve();
    }),
  );
  const next = (match: (f: Frame) => boolean): Promise<Frame> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`no matching frame within 5 s; frames: ${JSON.stringify(frames.slice(-5))}`));
      }, 5000);
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
    closedByServer: () => closedByServer,
    async close() {
      closing = true;
      socket.close();
      await closed;
    },
  };
}

/**
 * A WebSocket class to install as aws-amplify's (`globalThis.WebSocket`) that records every socket it opens with the
 * frames sent and received (`wss:` taken as `ws:`, the test cloud's realtime), and wakes the `waiters` at each frame
 * and close.
 */
export function createSocketRecorder(): {
  sockets: { sent: Frame[]; received: Frame[] }[];
  waiters: Set<() => void>;
  wake: () => void;
  RecordingWebSocket: new (url: string | URL, protocols?: string | string[]) => WebSocket;
} {
  const sockets: { sent: Frame[]; received: Frame[] }[] = [];
  const waiters = new Set<() => void>();
  const wake = (): void => {
    for (const w of [...waiters]) w();
  };
  class RecordingWebSocket extends WebSocket {
    private readonly record = { sent: [] as Frame[], received: [] as Frame[] };
    constructor(url: string | URL, protocols?: string | string[]) {
      super(String(url).replace(/^wss:/, 'ws:'), protocols);
      sockets.push(this.record);
      this.on('message', (raw) => {
        this.record.received.push(JSON.parse(String(raw)) as Frame);
        wake();
      });
      this.once('close', wake);
    }
    override send(data: unknown, ...rest: unknown[]): void {
      this.record.sent.push(JSON.parse(String(data)) as Frame);
      (super.send as (...a: unknown[]) => void)(data, ...rest);
    }
  }
  return { sockets, waiters, wake, RecordingWebSocket };
}
