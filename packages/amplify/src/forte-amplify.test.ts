import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { AUTH_RESOURCE_TYPES, MAILBOX_API_PATH, MAILBOX_TARGET_PREFIX, SIGNING_SERVICE, type MailboxMessage } from '@forte/protocol';
import { startTestCloud, type TestCloud } from '@forte/testing';
import { generateClient } from 'aws-amplify/api';
import { confirmSignUp, fetchAuthSession, getCurrentUser, signIn, signOut, signUp } from 'aws-amplify/auth';
import { WebSocketServer, type RawData } from 'ws';
import { configure, forteAmplifyConfig, rewriteUrl } from './index.js';
import { installWebSocket } from './forte-websocket.js';

const outputs = {
  version: '1.4',
  auth: {
    aws_region: 'us-east-1',
    user_pool_id: 'us-east-1_Abc',
    user_pool_client_id: 'webclient',
    identity_pool_id: 'us-east-1:1111',
    unauthenticated_identities_enabled: false,
    username_attributes: ['email'],
    standard_required_attributes: ['email'],
    user_verification_types: ['email'],
    mfa_configuration: 'OPTIONAL',
    mfa_methods: ['TOTP'],
    password_policy: { min_length: 10, require_lowercase: true, require_uppercase: false, require_numbers: true, require_symbols: false },
    groups: [{ Admin: { precedence: 0 } }],
  },
  custom: { forte: { endpoint: 'http://127.0.0.1:20002/' } },
} as const;

void describe('forteAmplifyConfig', () => {
  void it('adds the Cognito endpoint overrides to what aws-amplify parses from the outputs', () => {
    const config = forteAmplifyConfig(outputs as never);
    const cognito = config.Auth?.Cognito as unknown as Record<string, unknown>;
    assert.equal(cognito.userPoolId, 'us-east-1_Abc');
    assert.equal(cognito.userPoolClientId, 'webclient');
    assert.equal(cognito.identityPoolId, 'us-east-1:1111');
    assert.notEqual(cognito.allowGuestAccess, true, 'aws-amplify sets it only when guests are allowed');
    assert.deepEqual(cognito.groups, [{ Admin: { precedence: 0 } }]);
    assert.deepEqual(cognito.passwordFormat, {
      minLength: 10,
      requireLowercase: true,
      requireUppercase: false,
      requireNumbers: true,
      requireSpecialCharacters: false,
    });
    assert.equal(cognito.userPoolEndpoint, 'http://127.0.0.1:20002/cognito-idp/');
    assert.equal(cognito.identityPoolEndpoint, 'http://127.0.0.1:20002/cognito-identity/');
    assert.deepEqual(cognito.mfa, { status: 'optional', totpEnabled: true, smsEnabled: false });
    assert.deepEqual(cognito.loginWith, { email: true, phone: false, username: false });
  });

  void it('hands the REST APIs of custom.API to aws-amplify as API.REST (endpoint and region), keeping the other sections', () => {
    const config = forteAmplifyConfig({
      ...outputs,
      custom: {
        ...outputs.custom,
        API: { beerapi: { endpoint: 'http://127.0.0.1:20002/restapis/abc/dev', region: 'us-east-1', apiName: 'beerapi' }, broken: { region: 'x' } },
      },
    } as never);
    assert.deepEqual(config.API?.REST, { beerapi: { endpoint: 'http://127.0.0.1:20002/restapis/abc/dev', region: 'us-east-1' } });
    assert.equal((config.Auth?.Cognito as unknown as Record<string, unknown>).userPoolEndpoint, 'http://127.0.0.1:20002/cognito-idp/');
    assert.equal(forteAmplifyConfig(outputs as never).API, undefined);
  });

  void it('takes the endpoint from the options before the outputs, and names the fix when there is none', () => {
    const cognito = forteAmplifyConfig(outputs as never, { endpoint: 'https://cloud.example.com' }).Auth?.Cognito as unknown as Record<string, unknown>;
    assert.equal(cognito.userPoolEndpoint, 'https://cloud.example.com/cognito-idp/');
    const { custom: _custom, ...withoutEndpoint } = outputs;
    assert.throws(() => forteAmplifyConfig(withoutEndpoint as never), /custom\.forte\.endpoint.*forte push/s);
    assert.throws(() => forteAmplifyConfig(outputs as never, { endpoint: 'ftp://x' }), /must be http:\/\/ or https:\/\//);
  });

  void it('leaves the identity pool endpoint out when there is no identity pool', () => {
    const { identity_pool_id: _id, ...auth } = outputs.auth;
    const cognito = forteAmplifyConfig({ ...outputs, auth } as never).Auth?.Cognito as unknown as Record<string, unknown>;
    assert.equal(cognito.identityPoolEndpoint, undefined);
    assert.equal(cognito.userPoolEndpoint, 'http://127.0.0.1:20002/cognito-idp/');
  });

  void it('rewrites wss to ws for the cloud host only', () => {
    assert.equal(rewriteUrl('wss://127.0.0.1:20002/graphql/realtime?x=1', '127.0.0.1:20002'), 'ws://127.0.0.1:20002/graphql/realtime?x=1');
    assert.equal(rewriteUrl('wss://127.0.0.1:200021/x', '127.0.0.1:20002'), 'wss://127.0.0.1:200021/x');
    assert.equal(rewriteUrl('wss://example.com/x', '127.0.0.1:20002'), 'wss://example.com/x');
    // The URL aws-amplify derives from a Forte GraphQL URL (`<endpoint>/graphql/<apiId>` + `/realtime`).
    const realtime = 'wss://localhost:20002/graphql/abcdefghijklmnopqrstuvwxyz/realtime?header=e30&payload=e30=';
    assert.equal(rewriteUrl(realtime, 'localhost:20002'), `ws${realtime.slice(3)}`);
  });

  void it("in a browser, wraps the page's own WebSocket so the realtime URL of an API reaches a plain-http cloud", async () => {
    const g = globalThis as { WebSocket?: unknown };
    const before = g.WebSocket;
    const opened: { url: string; protocols: unknown }[] = [];
    // The browser's WebSocket: a global class that aws-amplify calls as `new WebSocket(url, protocols)`.
    g.WebSocket = class BrowserWebSocket {
      constructor(url: string | URL, protocols?: string | string[]) {
        opened.push({ url: String(url), protocols });
      }
    };
    try {
      await installWebSocket('http://app.localhost:20002');
      const Ws = g.WebSocket as new (url: string, protocols?: string[]) => object;
      new Ws('wss://app.localhost:20002/graphql/abc/realtime', ['graphql-ws', 'header-e30']);
      new Ws('wss://elsewhere.example.com/graphql/realtime');
      assert.deepEqual(opened, [
        { url: 'ws://app.localhost:20002/graphql/abc/realtime', protocols: ['graphql-ws', 'header-e30'] },
        { url: 'wss://elsewhere.example.com/graphql/realtime', protocols: undefined },
      ]);
      await installWebSocket('https://app.example.com');
      new (g.WebSocket as new (url: string) => object)('wss://app.example.com/graphql/abc/realtime');
      assert.equal(opened[2]?.url, 'wss://app.example.com/graphql/abc/realtime', 'an https cloud keeps wss');
    } finally {
      g.WebSocket = before;
    }
  });
});

interface Observable {
  subscribe(observer: { next(value: unknown): void; error(error: unknown): void }): { unsubscribe(): void };
}

void describe('GraphQL subscriptions of aws-amplify configured by configure() (Node 20)', () => {
  void it('open the realtime socket at <GraphQL URL>/realtime over ws:// with the API key, and deliver events', async () => {
    const seen: { path?: string; protocol?: string; header?: Record<string, unknown>; start?: Record<string, unknown> } = {};
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: (protocols) => (protocols.has('graphql-ws') ? 'graphql-ws' : false) });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    const { port } = server.address() as { port: number };
    server.on('connection', (socket, request) => {
      seen.path = request.url ?? '';
      seen.protocol = socket.protocol;
      const header = String(request.headers['sec-websocket-protocol'] ?? '')
        .split(',')
        .map((p) => p.trim())
        .find((p) => p.startsWith('header-'));
      if (header) seen.header = JSON.parse(Buffer.from(header.slice('header-'.length), 'base64url').toString('utf8')) as Record<string, unknown>;
      socket.on('message', (raw: RawData) => {
        const message = JSON.parse(String(raw)) as { type: string; id?: string; payload?: Record<string, unknown> };
        if (message.type === 'connection_init') socket.send(JSON.stringify({ type: 'connection_ack', payload: { connectionTimeoutMs: 300000 } }));
        if (message.type === 'start') {
          seen.start = message.payload ?? {};
          socket.send(JSON.stringify({ id: message.id, type: 'start_ack' }));
          socket.send(
            JSON.stringify({ id: message.id, type: 'data', payload: { data: { onCreateNote: { __typename: 'Note', id: 'n1', content: 'hello' } } } }),
          );
        }
      });
    });
    const endpoint = `http://127.0.0.1:${port}`;
    try {
      await configure({
        version: '1.4',
        data: {
          url: `${endpoint}/graphql/abcdefghijklmnopqrstuvwxyz`,
          aws_region: 'us-east-1',
          default_authorization_type: 'API_KEY',
          api_key: 'da2-testkey',
          authorization_types: [],
        },
        custom: { forte: { endpoint } },
      } as never);
      const client = generateClient();
      const event = await new Promise<unknown>((resolve, reject) => {
        // A subscription document gives an Observable (the typed overloads need generated types).
        const events = client.graphql({ query: 'subscription OnCreateNote { onCreateNote { id content } }' }) as unknown as Observable;
        const subscription = events.subscribe({
          next: (value) => {
            subscription.unsubscribe();
            resolve(value);
          },
          error: reject,
        });
        setTimeout(() => reject(new Error('no event within 10 s')), 10_000).unref();
      });
      assert.deepEqual((event as { data: unknown }).data, { onCreateNote: { __typename: 'Note', id: 'n1', content: 'hello' } });
      assert.equal(seen.path, '/graphql/abcdefghijklmnopqrstuvwxyz/realtime');
      assert.equal(seen.protocol, 'graphql-ws');
      assert.equal(seen.header?.['x-api-key'], 'da2-testkey');
      assert.equal(seen.header?.host, `127.0.0.1:${port}`);
      assert.match(String(seen.start?.data), /onCreateNote/);
    } finally {
      for (const socket of server.clients) socket.terminate();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

void describe('configure() in Node 20', () => {
  void it('installs a global WebSocket that reaches a plain-http cloud through wss:// URLs', async () => {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    const { port } = server.address() as { port: number };
    server.on('connection', (socket) => socket.send('hello'));
    try {
      await configure(outputs as never, { endpoint: `http://127.0.0.1:${port}` });
      await configure(outputs as never, { endpoint: `http://127.0.0.1:${port}` }); // again: replaces, does not stack
      const Ws = (globalThis as { WebSocket?: new (url: string) => { onmessage: ((e: { data: unknown }) => void) | null; close(): void } }).WebSocket;
      assert.ok(Ws, 'a global WebSocket exists');
      const socket = new Ws(`wss://127.0.0.1:${port}/graphql/realtime`);
      const message = await new Promise<string>((resolve, reject) => {
        socket.onmessage = (e) => resolve(String(e.data));
        setTimeout(() => reject(new Error('no message within 5 s')), 5000).unref();
      });
      socket.close();
      assert.equal(message, 'hello');
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

/** The cloud's mailbox API, signed with the admin keys as the CLI signs it. */
async function listMailbox(cloud: TestCloud, to: string): Promise<MailboxMessage[]> {
  const url = new URL(MAILBOX_API_PATH, cloud.url);
  const signer = new SignatureV4({
    service: SIGNING_SERVICE,
    region: cloud.credentials.region,
    credentials: cloud.credentials,
    sha256: Hash.bind(null, 'sha256'),
  });
  const body = JSON.stringify({ to });
  const signed = await signer.sign({
    method: 'POST',
    protocol: url.protocol,
    hostname: url.hostname,
    port: Number(url.port),
    path: url.pathname,
    body,
    headers: { host: url.host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `${MAILBOX_TARGET_PREFIX}ListMessages` },
  });
  const response = await fetch(url, { method: 'POST', headers: signed.headers, body });
  assert.equal(response.status, 200, await response.clone().text());
  return ((await response.json()) as { messages: MailboxMessage[] }).messages;
}

void describe('aws-amplify configured by configure() against a real cloud', () => {
  let cloud: TestCloud;
  let poolId = '';
  let clientId = '';
  before(async () => {
    cloud = await startTestCloud();
    const ctx = (logicalId: string) => ({
      appId: 'app1',
      appSlug: 'app1',
      envName: 'dev',
      stackName: 'amplify-app1-dev-auth',
      logicalId,
      region: 'us-east-1',
      accountId: cloud.kernel.config.accountId,
      log: cloud.kernel.log,
    });
    const pool = await cloud.kernel.resourceHandler(AUTH_RESOURCE_TYPES.userPool)!.create(
      {
        PoolName: 'app_userpool-dev',
        UsernameAttributes: ['email'],
        AutoVerifiedAttributes: ['email'],
        RequiredAttributes: ['email'],
        PasswordPolicy: { MinimumLength: 8, RequireSymbols: false, RequireUppercase: false },
      },
      ctx('UserPool') as never,
    );
    poolId = String(pool.attributes.UserPoolId);
    const client = await cloud.kernel
      .resourceHandler(AUTH_RESOURCE_TYPES.userPoolClient)!
      .create({ UserPoolId: poolId, ClientName: 'web', GenerateSecret: false }, ctx('UserPoolClientWeb') as never);
    clientId = String(client.attributes.ClientId);
  });
  after(() => cloud.close());

  void it('signs up, confirms with the mailbox code and signs in', async () => {
    await configure({
      version: '1.4',
      auth: { aws_region: 'us-east-1', user_pool_id: poolId, user_pool_client_id: clientId, username_attributes: ['email'] },
      custom: { forte: { endpoint: cloud.url } },
    } as never);
    const email = 'alice@example.com';
    const password = 'correct horse 1';
    const up = await signUp({ username: email, password, options: { userAttributes: { email } } });
    assert.equal(up.nextStep.signUpStep, 'CONFIRM_SIGN_UP');

    const messages = await listMailbox(cloud, email);
    const code = messages[0]?.code;
    assert.match(code ?? '', /^\d{6}$/);

    const confirmed = await confirmSignUp({ username: email, confirmationCode: code! });
    assert.equal(confirmed.isSignUpComplete, true);
    const signedIn = await signIn({ username: email, password });
    assert.equal(signedIn.nextStep.signInStep, 'DONE');
    const user = await getCurrentUser();
    assert.equal(user.signInDetails?.loginId, email);
    const session = await fetchAuthSession();
    const payload = session.tokens?.idToken?.payload;
    assert.equal(payload?.email, email);
    assert.equal(payload?.iss, `${cloud.url}/${poolId}`);
    await signOut();
  });
});
