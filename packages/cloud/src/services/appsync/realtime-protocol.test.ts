import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { WebSocket, WebSocketServer } from 'ws';
import { eventually } from '../../kernel/eventually.test-helper.js';
import { RealtimeError, selectSubprotocol, serveRealtimeConnection, type RealtimeHooks, type StartRequest } from './realtime-protocol.js';

interface Frame {
  type: string;
  id?: string;
  payload?: any;
}

const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A client that records every frame and can wait for one matching a predicate. */
function client(
  url: string,
  protocols: string[],
): { socket: WebSocket; frames: Frame[]; next(match: (f: Frame) => boolean): Promise<Frame>; closed: Promise<void> } {
  const socket = new WebSocket(url, protocols);
  const frames: Frame[] = [];
  const waiters: { match: (f: Frame) => boolean; resolve: (f: Frame) => void }[] = [];
  socket.on('message', (raw: Buffer) => {
    const frame = JSON.parse(raw.toString()) as Frame;
    frames.push(frame);
    for (const w of [...waiters])
      if (w.match(frame)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(frame);
      }
  });
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  return {
    socket,
    frames,
    closed,
    next: (match) => {
      const seen = frames.find(match);
      if (seen) {
        frames.splice(frames.indexOf(seen), 1);
        return Promise.resolve(seen);
      }
      return new Promise((resolve) =>
        waiters.push({
          match,
          resolve: (f) => {
            frames.splice(frames.indexOf(f), 1);
            resolve(f);
          },
        }),
      );
    },
  };
}

void describe('the realtime protocol (graphql-ws, as aws-amplify v6 speaks it)', () => {
  let server: Server;
  let url: string;
  const started: StartRequest[] = [];
  const stopped: string[] = [];
  const senders = new Map<string, (payload: unknown) => void>();
  const hooks: RealtimeHooks = {
    async authorizeConnection(header) {
      if (header['x-api-key'] !== 'da2-good') throw new RealtimeError('UnauthorizedException', 'Bad key.', 401);
    },
    async start(request, send) {
      if (request.authorization['x-api-key'] !== 'da2-good')
        throw new RealtimeError('UnauthorizedException', 'Not Authorized to access onCreateTodo on type Subscription');
      started.push(request);
      senders.set(request.id, send);
      // `x-test-expires-in`: credentials that stop counting that many milliseconds from now.
      const expiresIn = request.authorization['x-test-expires-in'];
      return { stop: () => void stopped.push(request.id), ...(expiresIn ? { expiresAt: Date.now() + Number(expiresIn) } : {}) };
    },
  };

  before(async () => {
    const wss = new WebSocketServer({ noServer: true, handleProtocols: selectSubprotocol });
    server = createServer();
    server.on('upgrade', (req, socket, head) =>
      wss.handleUpgrade(req, socket, head, (ws) => void serveRealtimeConnection(ws, req, hooks, { keepAliveMs: 40 })),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/graphql/realtime`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const good = { host: '127.0.0.1', 'x-amz-date': '20261122T000000Z', 'x-api-key': 'da2-good' };
  const start = (id: string, authorization: Record<string, string> = good): string =>
    JSON.stringify({
      id,
      type: 'start',
      payload: { data: JSON.stringify({ query: 'subscription { onCreateTodo { id } }', variables: { filter: null } }), extensions: { authorization } },
    });

  void it('acknowledges, keeps alive, starts, delivers, stops and completes a subscription', async () => {
    const c = client(url, ['graphql-ws', `header-${encode(good)}`]);
    await new Promise((resolve) => c.socket.on('open', resolve));
    assert.equal(c.socket.protocol, 'graphql-ws');
    c.socket.send(JSON.stringify({ type: 'connection_init' }));
    assert.deepEqual(await c.next((f) => f.type === 'connection_ack'), { type: 'connection_ack', payload: { connectionTimeoutMs: 300000 } });
    await c.next((f) => f.type === 'ka');
    c.socket.send(start('sub-1'));
    await c.next((f) => f.type === 'start_ack' && f.id === 'sub-1');
    const data = JSON.stringify({ query: 'subscription { onCreateTodo { id } }', variables: { filter: null } });
    assert.deepEqual(started.at(-1), { id: 'sub-1', data, query: 'subscription { onCreateTodo { id } }', variables: { filter: null }, authorization: good });
    senders.get('sub-1')!({ data: { onCreateTodo: { id: 'a' } } });
    assert.deepEqual(await c.next((f) => f.type === 'data'), { id: 'sub-1', type: 'data', payload: { data: { onCreateTodo: { id: 'a' } } } });
    c.socket.send(JSON.stringify({ id: 'sub-1', type: 'stop' }));
    await c.next((f) => f.type === 'complete' && f.id === 'sub-1');
    assert.ok(stopped.includes('sub-1'));
    c.socket.close();
    await c.closed;
  });

  void it('authorises each start on its own, refuses a duplicate id, and stops everything when the socket closes', async () => {
    const c = client(url, ['graphql-ws', `header-${encode(good)}`]);
    await new Promise((resolve) => c.socket.on('open', resolve));
    c.socket.send(JSON.stringify({ type: 'connection_init' }));
    await c.next((f) => f.type === 'connection_ack');
    c.socket.send(start('denied', { ...good, 'x-api-key': 'da2-bad' }));
    const error = await c.next((f) => f.type === 'error' && f.id === 'denied');
    assert.deepEqual(error.payload, {
      errors: [{ errorType: 'UnauthorizedException', message: 'Not Authorized to access onCreateTodo on type Subscription' }],
    });
    c.socket.send(start('kept'));
    await c.next((f) => f.type === 'start_ack' && f.id === 'kept');
    c.socket.send(start('kept'));
    assert.equal((await c.next((f) => f.type === 'error' && f.id === 'kept')).payload.errors[0].errorType, 'BadRequestException');
    c.socket.send(JSON.stringify({ id: 'x', type: 'start', payload: { data: 'not json' } }));
    assert.match((await c.next((f) => f.type === 'error' && f.id === 'x')).payload.errors[0].message, /JSON string/);
    c.socket.close();
    await c.closed;
    await eventually(() => assert.ok(stopped.includes('kept'), 'the server stops what the closed socket had started'));
  });

  void it('refuses a start past maxSubscriptions with MaxSubscriptionsReachedError, keeps the connection, and takes a start again once one stops', async () => {
    const wss = new WebSocketServer({ noServer: true, handleProtocols: selectSubprotocol });
    const capped = createServer();
    capped.on('upgrade', (req, socket, head) =>
      wss.handleUpgrade(req, socket, head, (ws) => void serveRealtimeConnection(ws, req, hooks, { maxSubscriptions: 3 })),
    );
    await new Promise<void>((resolve) => capped.listen(0, '127.0.0.1', resolve));
    try {
      const c = client(`ws://127.0.0.1:${(capped.address() as AddressInfo).port}/graphql/realtime`, ['graphql-ws', `header-${encode(good)}`]);
      await new Promise((resolve) => c.socket.on('open', resolve));
      c.socket.send(JSON.stringify({ type: 'connection_init' }));
      await c.next((f) => f.type === 'connection_ack');
      for (const id of ['cap-1', 'cap-2', 'cap-3']) {
        c.socket.send(start(id));
        await c.next((f) => f.type === 'start_ack' && f.id === id);
      }
      c.socket.send(start('cap-4'));
      const refused = await c.next((f) => f.id === 'cap-4');
      assert.equal(refused.type, 'error');
      assert.equal(refused.payload.errors.length, 1);
      assert.equal(refused.payload.errors[0].errorType, 'MaxSubscriptionsReachedError');
      assert.match(refused.payload.errors[0].message, /^Max number of 3 subscriptions reached: .*graphql\.maxSubscriptionsPerConnection/);
      assert.ok(!started.some((r) => r.id === 'cap-4'), 'the refused start never reached the hooks');
      c.socket.send(JSON.stringify({ id: 'cap-2', type: 'stop' }));
      await c.next((f) => f.type === 'complete' && f.id === 'cap-2');
      c.socket.send(start('cap-4'));
      await c.next((f) => f.type === 'start_ack' && f.id === 'cap-4');
      c.socket.close();
      await c.closed;
    } finally {
      capped.closeAllConnections();
      await new Promise((resolve) => capped.close(resolve));
    }
  });

  void it('ends a subscription when its credentials expire, with the error aws-amplify reports as a token expiry', async () => {
    const c = client(url, ['graphql-ws', `header-${encode(good)}`]);
    await new Promise((resolve) => c.socket.on('open', resolve));
    c.socket.send(JSON.stringify({ type: 'connection_init' }));
    await c.next((f) => f.type === 'connection_ack');
    c.socket.send(start('short', { ...good, 'x-test-expires-in': '150' }));
    c.socket.send(start('at-once', { ...good, 'x-test-expires-in': '-1000' }));
    c.socket.send(start('long', { ...good, 'x-test-expires-in': '600000' }));
    c.socket.send(start('stopped-first', { ...good, 'x-test-expires-in': '150' }));
    for (const id of ['short', 'at-once', 'long', 'stopped-first']) await c.next((f) => f.type === 'start_ack' && f.id === id);
    c.socket.send(JSON.stringify({ id: 'stopped-first', type: 'stop' }));
    await c.next((f) => f.type === 'complete' && f.id === 'stopped-first');
    const expired = await c.next((f) => f.type === 'error' && f.id === 'at-once');
    assert.equal(expired.payload.errors[0].errorType, 'UnauthorizedException');
    assert.match(
      expired.payload.errors[0].message,
      /^Token expired/,
      'aws-amplify ends the subscription and reconnects its socket with fresh tokens on this message',
    );
    const t0 = Date.now();
    await c.next((f) => f.type === 'error' && f.id === 'short');
    assert.ok(Date.now() - t0 < 1000);
    assert.ok(stopped.includes('short') && stopped.includes('at-once'));
    senders.get('short')!({ data: { onCreateTodo: { id: 'late' } } });
    senders.get('long')!({ data: { onCreateTodo: { id: 'still' } } });
    assert.deepEqual((await c.next((f) => f.type === 'data')).payload, { data: { onCreateTodo: { id: 'still' } } }, 'only the unexpired subscription delivers');
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual(
      c.frames.filter((f) => f.type === 'error' || f.type === 'data'),
      [],
      'no error for the subscription stopped before it expired, no late data',
    );
    c.socket.close();
    await c.closed;
  });

  void it('answers connection_error to a missing or bad header, and accepts the older ?header= form', async () => {
    const none = client(url, ['graphql-ws']);
    await new Promise((resolve) => none.socket.on('open', resolve));
    none.socket.send(JSON.stringify({ type: 'connection_init' }));
    const refused = await none.next((f) => f.type === 'connection_error');
    assert.equal(refused.payload.errors[0].errorType, 'UnauthorizedException');
    await none.closed;

    const bad = client(url, ['graphql-ws', `header-${encode({ ...good, 'x-api-key': 'da2-bad' })}`]);
    await new Promise((resolve) => bad.socket.on('open', resolve));
    bad.socket.send(JSON.stringify({ type: 'connection_init' }));
    assert.deepEqual((await bad.next((f) => f.type === 'connection_error')).payload, {
      errors: [{ errorType: 'UnauthorizedException', message: 'Bad key.', errorCode: 401 }],
    });
    await bad.closed;

    const legacy = client(`${url}?header=${Buffer.from(JSON.stringify(good)).toString('base64')}&payload=e30=`, ['graphql-ws']);
    await new Promise((resolve) => legacy.socket.on('open', resolve));
    legacy.socket.send(JSON.stringify({ type: 'start', id: 'early', payload: {} }));
    assert.match((await legacy.next((f) => f.type === 'error')).payload.errors[0].message, /connection_init first/);
    legacy.socket.send(JSON.stringify({ type: 'connection_init' }));
    await legacy.next((f) => f.type === 'connection_ack');
    legacy.socket.close();
    await legacy.closed;
  });

  void it('authorises one connection_init at a time: a burst gets one connection_ack, and a socket closed while it is authorised is not acknowledged', async () => {
    let release = (): void => undefined;
    let authorising = 0;
    let authenticated = 0;
    const gated: RealtimeHooks = {
      ...hooks,
      async authorizeConnection() {
        authorising += 1;
        await new Promise<void>((resolve) => (release = resolve));
      },
    };
    const served: Promise<void>[] = [];
    const wss = new WebSocketServer({ noServer: true, handleProtocols: selectSubprotocol });
    const slow = createServer();
    slow.on('upgrade', (req, socket, head) =>
      wss.handleUpgrade(req, socket, head, (ws) =>
        served.push(serveRealtimeConnection(ws, req, gated, { keepAliveMs: 40, onAuthenticated: () => (authenticated += 1) })),
      ),
    );
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
    try {
      const slowUrl = `ws://127.0.0.1:${(slow.address() as AddressInfo).port}/graphql/realtime`;
      const burst = client(slowUrl, ['graphql-ws', `header-${encode(good)}`]);
      await new Promise((resolve) => burst.socket.on('open', resolve));
      for (let i = 0; i < 3; i++) burst.socket.send(JSON.stringify({ type: 'connection_init' }));
      await eventually(() => assert.equal(authorising, 1));
      release();
      await burst.next((f) => f.type === 'connection_ack');
      // Keep-alives follow the acknowledgement; any other acknowledgement would have come before them.
      await burst.next((f) => f.type === 'ka');
      await burst.next((f) => f.type === 'ka');
      assert.equal(authorising, 1, 'the frames that came while it was authorised were not authorised again');
      assert.equal(burst.frames.filter((f) => f.type === 'connection_ack').length, 0, 'one connection_ack');
      assert.equal(authenticated, 1);
      burst.socket.close();
      await burst.closed;

      const gone = client(slowUrl, ['graphql-ws', `header-${encode(good)}`]);
      await new Promise((resolve) => gone.socket.on('open', resolve));
      gone.socket.send(JSON.stringify({ type: 'connection_init' }));
      await eventually(() => assert.equal(authorising, 2));
      gone.socket.close();
      await served[1];
      release();
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(authenticated, 1, 'a socket closed while it was authorised is not acknowledged (nor its keep-alive started)');
    } finally {
      for (const ws of wss.clients) ws.terminate();
      slow.closeAllConnections();
      await new Promise((resolve) => slow.close(resolve));
    }
  });

  void it('cuts a connection whose client stops reading once its unread frames pass maxBufferedBytes, stopping its subscriptions', async () => {
    const wss = new WebSocketServer({ noServer: true, handleProtocols: selectSubprotocol });
    const small = createServer();
    small.on('upgrade', (req, socket, head) =>
      wss.handleUpgrade(req, socket, head, (ws) => void serveRealtimeConnection(ws, req, hooks, { maxBufferedBytes: 256 * 1024 })),
    );
    await new Promise<void>((resolve) => small.listen(0, '127.0.0.1', resolve));
    try {
      const c = client(`ws://127.0.0.1:${(small.address() as AddressInfo).port}/graphql/realtime`, ['graphql-ws', `header-${encode(good)}`]);
      await new Promise((resolve) => c.socket.on('open', resolve));
      c.socket.send(JSON.stringify({ type: 'connection_init' }));
      await c.next((f) => f.type === 'connection_ack');
      c.socket.send(start('flooded'));
      await c.next((f) => f.type === 'start_ack' && f.id === 'flooded');
      // The client reads nothing more: what the kernel's buffers cannot hold waits in the server's memory.
      c.socket.pause();
      const deliver = senders.get('flooded')!;
      const item = { data: { onCreateTodo: { id: 'x'.repeat(64 * 1024) } } };
      for (let i = 0; i < 2000 && !stopped.includes('flooded'); i++) {
        deliver(item);
        if (i % 50 === 49) await new Promise((resolve) => setImmediate(resolve));
      }
      await eventually(() => assert.ok(stopped.includes('flooded'), 'the connection was cut and its subscription stopped'));
      c.socket.terminate();
    } finally {
      for (const ws of wss.clients) ws.terminate();
      small.closeAllConnections();
      await new Promise((resolve) => small.close(resolve));
    }
  });
});
