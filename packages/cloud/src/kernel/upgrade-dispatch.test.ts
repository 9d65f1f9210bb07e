import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { createUpgradeDispatcher, type UpgradeDispatcher } from './upgrade-dispatch.js';
import { createTestKernel } from './kernel.test-helper.js';

const logLines: string[] = [];
let server: Server;
let dispatcher: UpgradeDispatcher;
let port: number;
const gracefullyClosed: string[] = [];
const BALANCER = '127.0.0.2';

before(async () => {
  // Connections from 127.0.0.2 stand for a load balancer's.
  const kernel = createTestKernel(logLines, 'debug', { trustedProxies: [BALANCER] });
  kernel.config.connectionLimits.maxUnauthenticatedUpgradesPerAddress = 3;
  const held: Duplex[] = [];
  kernel.addService({
    name: 'echo',
    routes: [],
    upgrades: [
      {
        name: 'echo-upgrade',
        match: (_req, url) => url.pathname === '/echo/socket',
        handle(_req, socket) {
          held.push(socket);
          socket.write('HTTP/1.1 101 Switching Protocols\r\nconnection: Upgrade\r\nupgrade: echo\r\n\r\n');
          socket.on('data', (chunk: Buffer) => socket.write(chunk));
        },
        async close() {
          gracefullyClosed.push('echo-upgrade');
          held[0]?.end('bye'); // one socket ends itself; the kernel destroys the other
        },
      },
      { name: 'broken', match: (_req, url) => url.pathname === '/broken', handle: async () => Promise.reject(new Error('the secret is hunter2')) },
      {
        // Counts as unauthenticated until it receives "auth".
        name: 'auth-upgrade',
        match: (_req, url) => url.pathname === '/auth/socket',
        handle(_req, socket, _head, upgraded) {
          socket.write('HTTP/1.1 101 Switching Protocols\r\nconnection: Upgrade\r\nupgrade: echo\r\n\r\n');
          socket.on('data', (chunk: Buffer) => {
            if (chunk.toString() === 'auth') upgraded.authenticated();
            socket.write(chunk);
          });
          socket.on('end', () => socket.end());
        },
      },
    ],
  });
  dispatcher = createUpgradeDispatcher(kernel);
  server = createServer();
  server.on('upgrade', dispatcher);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** Sends an upgrade request (from `from.address`, with an X-Forwarded-For); answers the status and, for 101, the socket. */
const upgrade = (path: string, from: { address?: string; forwardedFor?: string } = {}): Promise<{ status: number; body: string; socket?: Duplex }> =>
  new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1',
      port,
      path,
      headers: { connection: 'Upgrade', upgrade: 'echo', ...(from.forwardedFor ? { 'x-forwarded-for': from.forwardedFor } : {}) },
      ...(from.address ? { localAddress: from.address, agent: false } : {}),
    });
    req.on('upgrade', (res, socket) => resolve({ status: res.statusCode ?? 0, body: '', socket }));
    req.on('response', (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });

void describe('upgrade routing in the kernel', () => {
  void it('hands a matching upgrade to its route, and answers others 404 or a failing handler 500 (masked)', async () => {
    const echo = await upgrade('/echo/socket?x=1');
    assert.equal(echo.status, 101);
    const reply = new Promise<string>((resolve) => echo.socket!.once('data', (c: Buffer) => resolve(c.toString())));
    echo.socket!.write('ping');
    assert.equal(await reply, 'ping');

    const missing = await upgrade('/nothing/here');
    assert.equal(missing.status, 404);
    assert.match(missing.body, /Nothing accepts an upgrade at \/nothing\/here/);
    const broken = await upgrade('/broken');
    assert.equal(broken.status, 500);
    assert.doesNotMatch(broken.body, /hunter2/);
    assert.ok(
      logLines.some((l) => l.includes('"level":"error"') && l.includes('hunter2')),
      'the cause is logged in full',
    );
  });

  void it('refuses an address more unauthenticated upgrades than its limit (429), counting until each authenticates or closes', async () => {
    const said = async (socket: Duplex, text: string): Promise<void> => {
      const echoed = new Promise<void>((resolve) => socket.once('data', () => resolve()));
      socket.write(text);
      await echoed;
    };
    // The echo socket of the first test is open and never authenticates: it is one of the three.
    const first = await upgrade('/auth/socket');
    const second = await upgrade('/auth/socket');
    assert.equal(first.status, 101);
    assert.equal(second.status, 101);
    // Its own X-Forwarded-For does not make it another client: it is not a trusted proxy.
    const refused = await upgrade('/auth/socket', { forwardedFor: '198.51.100.1' });
    assert.equal(refused.status, 429);
    assert.match(refused.body, /not authenticated yet/);
    assert.ok(logLines.some((l) => l.includes('too many unauthenticated connections')));

    await said(first.socket!, 'auth');
    const third = await upgrade('/auth/socket');
    assert.equal(third.status, 101, 'an authenticated socket no longer counts');
    const closed = new Promise<void>((resolve) => second.socket!.once('close', () => resolve()));
    second.socket!.destroy();
    await closed;
    // The server hears of the close a moment after the client: until then a new upgrade may still be refused.
    let fourth = await upgrade('/auth/socket');
    for (const end = Date.now() + 5000; fourth.status === 429 && Date.now() < end; fourth = await upgrade('/auth/socket'))
      await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(fourth.status, 101, 'a closed one neither');
    for (const s of [first, third, fourth]) s.socket!.destroy();
    await new Promise((resolve) => setTimeout(resolve, 50));
  });

  void it('counts, behind a trusted balancer, the unauthenticated upgrades of each client it forwards for, not of the balancer', async (t) => {
    const reachable = await new Promise<boolean>((resolve) => {
      const socket = connect({ port, host: '127.0.0.1', localAddress: BALANCER }, () => resolve(true)).on('error', () => resolve(false));
      socket.once('connect', () => socket.destroy());
    });
    if (!reachable) return void t.skip(`cannot connect from ${BALANCER}: this machine's loopback is 127.0.0.1 alone`);
    const client = (forwardedFor: string) => upgrade('/auth/socket', { address: BALANCER, forwardedFor });
    const first = await Promise.all([client('198.51.100.1'), client('198.51.100.1'), client('198.51.100.1')]);
    assert.deepEqual(
      first.map((answer) => answer.status),
      [101, 101, 101],
    );
    assert.equal((await client('198.51.100.1')).status, 429, 'the fourth of one client is refused');
    const others = [await client('198.51.100.2'), await client('198.51.100.3')];
    assert.deepEqual(
      others.map((answer) => answer.status),
      [101, 101],
      'other clients of the balancer are not',
    );
    for (const answer of [...first, ...others]) answer.socket?.destroy();
    await new Promise((resolve) => setTimeout(resolve, 50));
  });

  void it('closes every upgraded socket on closeAll, gracefully first, and refuses upgrades from then on', async () => {
    const second = await upgrade('/echo/socket');
    const ended = new Promise<void>((resolve) => second.socket!.once('close', () => resolve()));
    await dispatcher.closeAll();
    await ended;
    assert.deepEqual(gracefullyClosed, ['echo-upgrade']);
    assert.equal((await upgrade('/echo/socket')).status, 503);
  });
});
