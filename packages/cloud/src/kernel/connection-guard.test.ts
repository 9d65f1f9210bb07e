import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createConnectionGuard, type ConnectionGuard } from './connection-guard.js';
import { eventually } from './eventually.test-helper.js';

let server: Server;
let guard: ConnectionGuard;
let port: number;
const refused: string[] = [];
/** Responses the server has finished (handed to the socket), which is when the guard counts a connection idle. */
let finished = 0;

before(async () => {
  guard = createConnectionGuard({ maxPendingPerAddress: 3, maxIdlePerAddress: 2, onRefused: (address) => refused.push(address) });
  server = createServer((req, res) => {
    guard.requestStarted(req.socket);
    res.once('finish', () => {
      guard.responseFinished(req.socket);
      finished += 1;
    });
    res.end('ok');
  });
  server.on('connection', guard.onConnection);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

const open = (): Promise<Socket> =>
  new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.on('error', reject);
  });
/** What the server sends on a socket until it closes it. */
const answer = (socket: Socket): Promise<string> =>
  new Promise((resolve) => {
    let text = '';
    socket.on('data', (c: Buffer) => (text += c.toString()));
    socket.on('close', () => resolve(text));
  });
/** For what must not happen: time for it to have happened. */
const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 50));

void describe('the connection guard', () => {
  void it('refuses an address more connections without a request than its limit, with a 503, and frees a place per request or close', async () => {
    const silent = [await open(), await open(), await open()];
    await eventually(() => assert.equal(guard.pendingCount('127.0.0.1'), 3));
    const extra = await open();
    assert.match(await answer(extra), /^HTTP\/1\.1 503 Service Unavailable\r\n[\s\S]*retry-after: 1/);
    assert.deepEqual(refused, ['127.0.0.1']);

    // One of them sends its request: it no longer counts, so a new connection is served.
    const first = silent[0]!;
    const reply = answer(first);
    first.end('GET / HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n');
    assert.match(await reply, /\r\n\r\nok$/);
    await eventually(() => assert.equal(guard.pendingCount('127.0.0.1'), 2));
    silent[1]!.destroy();
    await eventually(() => assert.equal(guard.pendingCount('127.0.0.1'), 1));
    const served = await open();
    const servedReply = answer(served);
    served.end('GET / HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n');
    assert.match(await servedReply, /^HTTP\/1\.1 200/);
    silent[2]!.destroy();
    await eventually(() => assert.equal(guard.pendingCount('127.0.0.1'), 0));
  });

  void it('closes the connection of an address idle the longest past its idle limit, and only that one', async () => {
    const sockets: Socket[] = [];
    const closed: boolean[] = [];
    /** A keep-alive GET on connection `i` (opened at its first), answered. */
    const get = async (i: number): Promise<void> => {
      if (!sockets[i]) {
        const opened = await open();
        closed[i] = false;
        opened.on('close', () => (closed[i] = true));
        sockets[i] = opened;
      }
      const socket = sockets[i]!;
      const finishedBefore = finished;
      const text = new Promise<string>((resolve) => {
        let got = '';
        const onData = (c: Buffer): void => {
          got += c.toString();
          if (!got.endsWith('\r\n\r\nok')) return;
          socket.off('data', onData);
          resolve(got);
        };
        socket.on('data', onData);
      });
      socket.write('GET / HTTP/1.1\r\nhost: x\r\n\r\n');
      assert.match(await text, /^HTTP\/1\.1 200/);
      await eventually(() => assert.ok(finished > finishedBefore, 'the server has finished the answer'));
    };
    await get(0);
    await get(1);
    assert.equal(guard.idleCount('127.0.0.1'), 2);
    await get(2);
    await eventually(() => assert.deepEqual(closed, [true, false, false], 'the third idle one closes the first'));
    await get(1); // busy, then idle again: now the most recent
    await get(3);
    await eventually(() => assert.deepEqual(closed, [true, false, true, false], 'then the one idle longest, not the one just used'));
    assert.equal(guard.idleCount('127.0.0.1'), 2);
    for (const socket of sockets) socket.destroy();
    await eventually(() => assert.equal(guard.idleCount('127.0.0.1'), 0));
  });

  void it("counts no connection of a trusted proxy, pending or idle: a balancer's pool holds many clients' requests", async () => {
    const trusted = createConnectionGuard({
      maxPendingPerAddress: 2,
      maxIdlePerAddress: 1,
      isTrustedProxy: (address) => address === '127.0.0.1',
      onRefused: (address) => refused.push(address),
    });
    const proxied = createServer((req, res) => {
      trusted.requestStarted(req.socket);
      res.once('finish', () => trusted.responseFinished(req.socket));
      res.end('ok');
    });
    proxied.on('connection', trusted.onConnection);
    await new Promise<void>((resolve) => proxied.listen(0, '127.0.0.1', resolve));
    const proxiedPort = (proxied.address() as AddressInfo).port;
    const refusedBefore = refused.length;
    const sockets = await Promise.all(
      Array.from(
        { length: 6 },
        () =>
          new Promise<Socket>((resolve, reject) => {
            const socket = connect(proxiedPort, '127.0.0.1', () => resolve(socket));
            socket.on('error', reject);
          }),
      ),
    );
    await settle();
    assert.equal(trusted.pendingCount('127.0.0.1'), 0, 'silent connections of the proxy are not pending');
    assert.equal(refused.length, refusedBefore, 'none refused past the limit of 2');
    const closed = sockets.map(() => false);
    sockets.forEach((socket, i) => socket.on('close', () => (closed[i] = true)));
    // Each sends a keep-alive request and stays idle: past the idle limit of 1, none is closed.
    await Promise.all(
      sockets.map(
        (socket) =>
          new Promise<void>((resolve) => {
            socket.on('data', (c: Buffer) => c.toString().endsWith('ok') && resolve());
            socket.write('GET / HTTP/1.1\r\nhost: x\r\n\r\n');
          }),
      ),
    );
    await settle();
    assert.deepEqual(closed, [false, false, false, false, false, false]);
    assert.equal(trusted.idleCount('127.0.0.1'), 0);
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => proxied.close(() => resolve()));
  });

  void it('is off with a limit of 0', async () => {
    const off = createConnectionGuard({ maxPendingPerAddress: 0 });
    const fake = { remoteAddress: '10.0.0.1', once: () => undefined } as unknown as Socket;
    for (let i = 0; i < 5; i++) off.onConnection(fake);
    assert.equal(off.pendingCount('10.0.0.1'), 0);
  });
});
