import assert from 'node:assert/strict';
import { createPrivateKey, sign } from 'node:crypto';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { CognitoIdentityClient, GetCredentialsForIdentityCommand, GetIdCommand } from '@aws-sdk/client-cognito-identity';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { WebSocket } from 'ws';
import { CREATE_NOTE, CREATE_TODO, setUpRealtimeFixture, type Frame, type RealtimeFixture } from './appsync-realtime-fixture.js';
import { createTestIdentityPool } from './test-identity-pool.js';
import { startTestCloud, type TestCloud } from './index.js';

let cloud: TestCloud;
let fx: RealtimeFixture;

const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

interface RawClient {
  socket: WebSocket;
  frames: Frame[];
  next(match: (f: Frame) => boolean): Promise<Frame>;
  closed: Promise<number>;
}

/** A raw `graphql-ws` client that records frames; `next` consumes the first frame that matches. */
async function connect(header: Record<string, string> | undefined): Promise<RawClient> {
  const protocols = header ? ['graphql-ws', `header-${encode(header)}`] : ['graphql-ws'];
  const socket = new WebSocket(fx.realtimeUrl, protocols);
  const frames: Frame[] = [];
  const waiters: { match: (f: Frame) => boolean; resolve: (f: Frame) => void }[] = [];
  const take = (): void => {
    for (const w of [...waiters]) {
      const i = frames.findIndex(w.match);
      if (i < 0) continue;
      const [frame] = frames.splice(i, 1);
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(frame!);
    }
  };
  socket.on('message', (raw) => {
    frames.push(JSON.parse(String(raw)) as Frame);
    take();
  });
  const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  return {
    socket,
    frames,
    closed,
    next: (match) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching frame within 5 s; frames: ${JSON.stringify(frames)}`)), 5000);
        waiters.push({ match, resolve: (f) => (clearTimeout(timer), resolve(f)) });
        take();
      }),
  };
}

const host = (): string => new URL(fx.api.url).host;
const apiKeyAuth = (): Record<string, string> => ({ host: host(), 'x-amz-date': '20261201T000000Z', 'x-api-key': fx.api.apiKey });
const userAuth = (user: keyof RealtimeFixture['tokens']): Record<string, string> => ({ host: host(), Authorization: fx.tokens[user] });
const start = (c: RawClient, id: string, query: string, authorization: Record<string, string>, variables: Record<string, unknown> = {}): void =>
  c.socket.send(JSON.stringify({ id, type: 'start', payload: { data: JSON.stringify({ query, variables }), extensions: { authorization } } }));

async function acknowledged(header: Record<string, string>): Promise<RawClient> {
  const c = await connect(header);
  c.socket.send(JSON.stringify({ type: 'connection_init' }));
  assert.deepEqual(await c.next((f) => f.type === 'connection_ack'), { type: 'connection_ack', payload: { connectionTimeoutMs: 300000 } });
  return c;
}

/** SigV4 headers for `POST <path>` with `body`, as aws-amplify signs the realtime handshake and each start (IAM). */
async function iamAuth(path: string, body: string, credentials = cloud.credentials): Promise<Record<string, string>> {
  const u = new URL(fx.api.url);
  const signer = new SignatureV4({ service: 'appsync', region: 'us-east-1', credentials, sha256: Hash.bind(null, 'sha256') });
  const headers = {
    accept: 'application/json, text/javascript',
    'content-encoding': 'amz-1.0',
    'content-type': 'application/json; charset=UTF-8',
    host: u.host,
  };
  const signed = await signer.sign({ method: 'POST', protocol: 'http:', hostname: u.hostname, port: Number(u.port), path, headers, body });
  return signed.headers as Record<string, string>;
}

/** The status line an upgrade request to `path` is answered with. */
const upgradeStatus = (path: string): Promise<number> =>
  new Promise((resolve, reject) => {
    const req = request(`${cloud.url}${path}`, {
      headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' },
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });

before(async () => {
  cloud = await startTestCloud();
  fx = await setUpRealtimeFixture(cloud);
});
after(() => cloud.close());

void describe('AppSync realtime protocol details (raw graphql-ws frames)', () => {
  void it('answers a bad connection header with connection_error, and an unknown API or path with 404', async () => {
    const headers: (Record<string, string> | undefined)[] = [
      { ...apiKeyAuth(), 'x-api-key': 'da2-notakeyofthisapi0000000000' },
      { host: host(), Authorization: 'not-a-jwt' },
      undefined,
    ];
    for (const header of headers) {
      const c = await connect(header);
      c.socket.send(JSON.stringify({ type: 'connection_init' }));
      const refused = await c.next((f) => f.type === 'connection_error');
      assert.equal(refused.payload.errors[0].errorType, 'UnauthorizedException');
      await c.closed;
    }
    assert.equal(await upgradeStatus(`/graphql/nosuchapiaaaaaaaaaaaaaaaaaa/realtime`), 404);
    assert.equal(await upgradeStatus('/graphql'), 404);
    assert.equal(await upgradeStatus(new URL(`${fx.realtimeUrl.replace(/^ws/, 'http')}`).pathname), 101);
  });

  void it('authorises each start from its own authorization: a bad token or a mode the field does not allow is refused', async () => {
    const c = await acknowledged(apiKeyAuth());
    start(c, 'bad-token', 'subscription { onCreateTodo { id } }', { host: host(), Authorization: 'eyJhbGciOiJub25lIn0.e30.' });
    const badToken = await c.next((f) => f.type === 'error' && f.id === 'bad-token');
    assert.equal(badToken.payload.errors[0].errorType, 'UnauthorizedException');
    start(c, 'key-on-todo', 'subscription { onCreateTodo { id } }', apiKeyAuth());
    assert.deepEqual((await c.next((f) => f.type === 'error' && f.id === 'key-on-todo')).payload, {
      errors: [{ errorType: 'Unauthorized', message: 'Not Authorized to access onCreateTodo on type Subscription' }],
    });
    // A user-pool start on a socket opened with an API key is fine: each start carries its own auth.
    start(c, 'alice', 'subscription { onCreateTodo { id content } }', userAuth('alice'));
    await c.next((f) => f.type === 'start_ack' && f.id === 'alice');
    const todo = await fx.mutate('alice', CREATE_TODO, { input: { content: 'raw' } });
    assert.deepEqual(await c.next((f) => f.type === 'data'), {
      id: 'alice',
      type: 'data',
      payload: { data: { onCreateTodo: { id: todo.id, content: 'raw' } } },
    });
    c.socket.close();
    await c.closed;
  });

  void it('verifies IAM signatures of the handshake (POST <endpoint>/connect, body {}) and of each start (POST <endpoint>, body = data)', async () => {
    const path = new URL(fx.api.url).pathname;
    const forged = await iamAuth(`${path}/connect`, '{}', { ...cloud.credentials, secretAccessKey: 'not-the-secret-key-0000000000000000000000' });
    const refused = await connect(forged);
    refused.socket.send(JSON.stringify({ type: 'connection_init' }));
    assert.equal((await refused.next((f) => f.type === 'connection_error')).payload.errors[0].errorType, 'UnauthorizedException');
    await refused.closed;
    const wrongPath = await connect(await iamAuth(path, '{}'));
    wrongPath.socket.send(JSON.stringify({ type: 'connection_init' }));
    await wrongPath.next((f) => f.type === 'connection_error');
    await wrongPath.closed;

    const c = await acknowledged(await iamAuth(`${path}/connect`, '{}'));
    const data = JSON.stringify({ query: 'subscription { onCreateNote { id text } }', variables: {} });
    c.socket.send(
      JSON.stringify({
        id: 'tampered',
        type: 'start',
        payload: { data: data.replace('text', 'owner'), extensions: { authorization: await iamAuth(path, data) } },
      }),
    );
    assert.equal((await c.next((f) => f.type === 'error' && f.id === 'tampered')).payload.errors[0].errorType, 'UnauthorizedException');
    c.socket.send(JSON.stringify({ id: 'signed', type: 'start', payload: { data, extensions: { authorization: await iamAuth(path, data) } } }));
    await c.next((f) => f.type === 'start_ack' && f.id === 'signed');
    const note = await fx.mutate('alice', CREATE_NOTE, { input: { text: 'for admins' } });
    assert.deepEqual((await c.next((f) => f.type === 'data' && f.id === 'signed')).payload, { data: { onCreateNote: { id: note.id, text: 'for admins' } } });
    c.socket.close();
    await c.closed;
  });

  void it('refuses documents that are not one subscription field of the schema with validation errors', async () => {
    const c = await acknowledged(apiKeyAuth());
    const cases: [string, string, RegExp][] = [
      ['query', 'query { listNotes { items { id } } }', /Only subscriptions/],
      ['unknown', 'subscription { onCreateNothing { id } }', /onCreateNothing/],
      ['syntax', 'subscription { onCreateNote { id }', /Syntax Error/],
      ['bad-variable', 'subscription ($f: ModelSubscriptionNoteFilterInput) { onCreateNote(filter: $f) { id } }', /regex/],
    ];
    for (const [id, query, message] of cases) {
      start(c, id, query, apiKeyAuth(), id === 'bad-variable' ? { f: { text: { regex: '.*' } } } : {});
      const error = await c.next((f) => f.type === 'error' && f.id === id);
      assert.equal(error.payload.errors[0].errorType, 'ValidationError', id);
      assert.match(error.payload.errors[0].message, message, id);
    }
    c.socket.close();
    await c.closed;
  });

  void it('stops a subscription with complete, after which nothing more is delivered', async () => {
    const c = await acknowledged(apiKeyAuth());
    start(c, 'notes', 'subscription { onCreateNote { id text } }', apiKeyAuth());
    start(c, 'other', 'subscription { onCreateNote { text } }', apiKeyAuth());
    await c.next((f) => f.type === 'start_ack' && f.id === 'notes');
    await c.next((f) => f.type === 'start_ack' && f.id === 'other');
    await fx.mutate('bob', CREATE_NOTE, { input: { text: 'first' } });
    assert.equal((await c.next((f) => f.type === 'data' && f.id === 'notes')).payload.data.onCreateNote.text, 'first');
    await c.next((f) => f.type === 'data' && f.id === 'other');
    c.socket.send(JSON.stringify({ id: 'notes', type: 'stop' }));
    await c.next((f) => f.type === 'complete' && f.id === 'notes');
    await fx.mutate('bob', CREATE_NOTE, { input: { text: 'second' } });
    assert.deepEqual((await c.next((f) => f.type === 'data' && f.id === 'other')).payload, { data: { onCreateNote: { text: 'second' } } });
    assert.equal(c.frames.filter((f) => f.id === 'notes').length, 0, 'the stopped subscription heard nothing more');
    c.socket.close();
    await c.closed;
  });

  void it('ends a subscription when its token expires, with a "Token expired" error', async () => {
    // alice's own access token, signed again with the pool's key to expire two seconds from now.
    const key = await cloud.kernel.sql.get<{ kid: string; private_jwk: string }>('SELECT kid, private_jwk FROM cognito_signing_keys WHERE active = 1');
    const claims = JSON.parse(Buffer.from(fx.tokens.alice.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
    const signed = `${Buffer.from(JSON.stringify({ kid: key!.kid, alg: 'RS256' })).toString('base64url')}.${Buffer.from(JSON.stringify({ ...claims, exp: Math.floor(Date.now() / 1000) + 2 })).toString('base64url')}`;
    const shortLived = `${signed}.${sign('sha256', Buffer.from(signed), createPrivateKey({ key: JSON.parse(cloud.kernel.secrets.open(key!.private_jwk, `cognito_signing_keys.private_jwk:${key!.kid}`)) as import('node:crypto').JsonWebKey, format: 'jwk' })).toString('base64url')}`;

    const c = await acknowledged(apiKeyAuth());
    const query = 'subscription { onCreateTodo { id content } }';
    start(c, 'short', query, { host: host(), Authorization: shortLived });
    start(c, 'long', query, userAuth('alice'));
    await c.next((f) => f.type === 'start_ack' && f.id === 'short');
    await c.next((f) => f.type === 'start_ack' && f.id === 'long');
    await fx.mutate('alice', CREATE_TODO, { input: { content: 'before' } });
    assert.equal((await c.next((f) => f.type === 'data' && f.id === 'short')).payload.data.onCreateTodo.content, 'before');
    await c.next((f) => f.type === 'data' && f.id === 'long');

    const expired = await c.next((f) => f.type === 'error' && f.id === 'short');
    assert.equal(expired.payload.errors[0].errorType, 'UnauthorizedException');
    assert.match(expired.payload.errors[0].message, /^Token expired/);
    await fx.mutate('alice', CREATE_TODO, { input: { content: 'after' } });
    assert.equal((await c.next((f) => f.type === 'data' && f.id === 'long')).payload.data.onCreateTodo.content, 'after');
    assert.equal(c.frames.filter((f) => f.id === 'short').length, 0, 'the expired subscription heard nothing more');
    // The same token is now refused at start, as aws-amplify's reconnect with it would be.
    start(c, 'again', query, { host: host(), Authorization: shortLived });
    assert.equal((await c.next((f) => f.type === 'error' && f.id === 'again')).payload.errors[0].errorType, 'UnauthorizedException');
    c.socket.close();
    await c.closed;
  });

  void it('ends an IAM subscription when its temporary credentials expire', async () => {
    const onCreateNote = [`${fx.api.arn}/types/Subscription/fields/onCreateNote`];
    const identityPoolId = await createTestIdentityPool(cloud, fx, { authenticated: onCreateNote, unauthenticated: onCreateNote }, { name: 'expiring' });
    const identity = new CognitoIdentityClient({
      endpoint: `${cloud.url}/cognito-identity/`,
      region: 'us-east-1',
      credentials: { accessKeyId: 'unused', secretAccessKey: 'unused' },
      maxAttempts: 1,
    });
    const { IdentityId } = await identity.send(new GetIdCommand({ IdentityPoolId: identityPoolId }));
    const { Credentials } = await identity.send(new GetCredentialsForIdentityCommand({ IdentityId }));
    identity.destroy();
    // The guest's credentials, made to expire two seconds from now.
    await cloud.kernel.sql.run('UPDATE cognito_identity_credentials SET expires_at = ? WHERE access_key_id = ?', [Date.now() + 2000, Credentials!.AccessKeyId]);
    const guest = { accessKeyId: Credentials!.AccessKeyId!, secretAccessKey: Credentials!.SecretKey!, sessionToken: Credentials!.SessionToken! };

    const path = new URL(fx.api.url).pathname;
    const c = await acknowledged(await iamAuth(`${path}/connect`, '{}'));
    const data = JSON.stringify({ query: 'subscription { onCreateNote { id text } }', variables: {} });
    c.socket.send(
      JSON.stringify({
        id: 'guest',
        type: 'start',
        payload: { data, extensions: { authorization: await iamAuth(path, data, { ...guest, region: 'us-east-1' }) } },
      }),
    );
    await c.next((f) => f.type === 'start_ack' && f.id === 'guest');
    await fx.mutate('alice', CREATE_NOTE, { input: { text: 'while valid' } });
    assert.equal((await c.next((f) => f.type === 'data' && f.id === 'guest')).payload.data.onCreateNote.text, 'while valid');
    const expired = await c.next((f) => f.type === 'error' && f.id === 'guest');
    assert.equal(expired.payload.errors[0].errorType, 'UnauthorizedException');
    assert.match(expired.payload.errors[0].message, /^Token expired/);
    c.socket.close();
    await c.closed;
  });

  void it('ends open connections when the cloud closes', async () => {
    const c = await acknowledged(apiKeyAuth());
    start(c, 'open', 'subscription { onCreateNote { id } }', apiKeyAuth());
    await c.next((f) => f.type === 'start_ack');
    const started = Date.now();
    await cloud.close();
    assert.equal(await c.closed, 1001);
    assert.ok(Date.now() - started < 3000, 'closing does not wait for the sockets to time out');
  });
});
