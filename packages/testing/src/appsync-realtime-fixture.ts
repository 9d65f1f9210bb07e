import { CognitoIdentityProviderClient, InitiateAuthCommand } from '@aws-sdk/client-cognito-identity-provider';
import { WebSocket } from 'ws';
import { deployTestApi, type DeployedTestApi } from './appsync-deploy.js';
import { createTestUsers } from './test-identity-pool.js';
import type { TestCloud } from './start-test-cloud.js';

/**
 * The API the realtime suites subscribe to: owner rules with static and dynamic group readers and an
 * owner-only field (`Todo`), and a model public to API keys and guests (`Note`).
 */
export const REALTIME_SCHEMA = /* GraphQL */ `
  type Todo
    @model
    @auth(rules: [{ allow: owner }, { allow: groups, groups: ["Admin"], operations: [read] }, { allow: groups, groupsField: "team", operations: [read] }]) {
    id: ID!
    content: String
    priority: Int
    team: String
    secret: String @auth(rules: [{ allow: owner }])
  }
  type Note @model @auth(rules: [{ allow: owner }, { allow: public, operations: [read] }, { allow: public, provider: iam, operations: [read] }]) {
    id: ID!
    text: String
  }
`;

/** carol is an Admin; dave is in the team `red`, erin in `blue`; alice and bob are in no group. */
export const REALTIME_USERS = { alice: [], bob: [], carol: ['Admin'], dave: ['red'], erin: ['blue'] } satisfies Record<string, string[]>;
export type RealtimeUser = keyof typeof REALTIME_USERS;

export interface RealtimeFixture {
  api: DeployedTestApi;
  userPoolId: string;
  clientId: string;
  providerName: string;
  /** Each user's access token (what aws-amplify sends in the `authorization` header). */
  tokens: Record<RealtimeUser, string>;
  /** `ws://…/graphql/<apiId>/realtime` */
  realtimeUrl: string;
  /** Runs a mutation over HTTP as `user`; throws on GraphQL errors. */
  mutate(user: RealtimeUser, query: string, variables: Record<string, unknown>): Promise<any>;
}

/** Deploys the realtime test API with its users, as a push of an api and an auth resource would. */
export async function setUpRealtimeFixture(cloud: TestCloud): Promise<RealtimeFixture> {
  const users = await createTestUsers(cloud, REALTIME_USERS);
  const api = await deployTestApi(cloud, {
    schema: REALTIME_SCHEMA,
    userPoolId: users.userPoolId,
    name: 'realtime',
    authConfig: {
      defaultAuthentication: { authenticationType: 'AMAZON_COGNITO_USER_POOLS' },
      additionalAuthenticationProviders: [{ authenticationType: 'API_KEY' }, { authenticationType: 'AWS_IAM' }],
    },
  });
  const idp = new CognitoIdentityProviderClient({ endpoint: `${cloud.url}/cognito-idp/`, region: 'us-east-1', credentials: cloud.credentials, maxAttempts: 1 });
  const tokens = {} as Record<RealtimeUser, string>;
  for (const username of Object.keys(REALTIME_USERS) as RealtimeUser[]) {
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
    ...users,
    api,
    tokens,
    realtimeUrl: `${api.url.replace(/^http/, 'ws')}/realtime`,
    async mutate(user, query, variables) {
      const res = await fetch(api.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: tokens[user] },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await res.json()) as { data?: any; errors?: unknown[] };
      if (res.status !== 200 || body.errors) throw new Error(`mutation failed (${res.status}): ${JSON.stringify(body.errors ?? body)}`);
      return Object.values(body.data ?? {})[0];
    },
  };
}

export const CREATE_TODO = 'mutation ($input: CreateTodoInput!) { createTodo(input: $input) { id content priority team owner } }';
export const UPDATE_TODO = 'mutation ($input: UpdateTodoInput!) { updateTodo(input: $input) { id content priority team owner } }';
export const DELETE_TODO = 'mutation ($input: DeleteTodoInput!) { deleteTodo(input: $input) { id } }';
export const CREATE_NOTE = 'mutation ($input: CreateNoteInput!) { createNote(input: $input) { id text owner } }';

export interface Frame {
  type: string;
  id?: string;
  payload?: any;
}

/**
 * The global `WebSocket` aws-amplify needs in Node 20 (which has none): `ws`, with `wss://` rewritten to
 * `ws://` for the plain-http test cloud, recording every frame the server sends so a test can wait for a
 * subscription's `start_ack` before it makes the change it expects to hear about.
 */
export function installRecordingWebSocket(): {
  frames: Frame[];
  /** How each socket was closed, in order: the code and reason of the close frame (1005 without one). */
  closes: { code: number; reason: string }[];
  waitFor(match: (f: Frame) => boolean, count?: number): Promise<void>;
  allClosed(): Promise<void>;
} {
  const frames: Frame[] = [];
  const closes: { code: number; reason: string }[] = [];
  const waiters = new Set<() => void>();
  const open = new Set<Promise<void>>();
  class RecordingWebSocket extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(String(url).replace(/^wss:/, 'ws:'), protocols);
      const closed = new Promise<void>((resolve) =>
        this.once('close', (code: number, reason: Buffer) => {
          closes.push({ code, reason: reason.toString() });
          resolve();
        }),
      );
      open.add(closed);
      void closed.then(() => open.delete(closed));
      this.on('message', (raw) => {
        frames.push(JSON.parse(String(raw)) as Frame);
        for (const wake of [...waiters]) wake();
      });
    }
  }
  (globalThis as { WebSocket?: unknown }).WebSocket = RecordingWebSocket;
  return {
    frames,
    closes,
    /** Resolves once every socket aws-amplify opened has closed (it closes one ~1 s after its last subscription stops). */
    async allClosed() {
      await Promise.all([...open]);
    },
    waitFor(match, count = 1) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no ${count} matching frame(s) within 5 s; frames: ${JSON.stringify(frames.slice(-5))}`));
        }, 5000);
        const check = (): void => {
          if (frames.filter(match).length < count) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
        check();
      });
    },
  };
}
