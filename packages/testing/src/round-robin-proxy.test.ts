import assert from 'node:assert/strict';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startRoundRobinProxy, type RoundRobinProxy } from './round-robin-proxy.js';

/** A server that accepts every upgrade and echoes what it is sent after its name (`<name>:<data>`). */
async function startEchoServer(name: string): Promise<{ url: string; server: Server }> {
  const server = createServer((_req, res) => res.end(name));
  server.on('upgrade', (_req: IncomingMessage, socket: Socket) => {
    socket.write('HTTP/1.1 101 Switching Protocols\r\nupgrade: echo\r\nconnection: Upgrade\r\n\r\n');
    socket.on('data', (chunk: Buffer) => socket.write(`${name}:${chunk.toString()}`));
    socket.on('error', () => socket.destroy());
    socket.on('end', () => socket.end()); // upgraded sockets are half-open: close once the proxy does
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, server };
}

/** A URL on which nothing listens: a server's port, closed again. */
async function stoppedUrl(): Promise<string> {
  const { url, server } = await startEchoServer('stopped');
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return url;
}

type Upgraded = { kind: 'upgraded'; echo: string } | { kind: 'answered'; status: number; body: string };

/** Asks `url` to upgrade, then sends `ping` on the socket; answers the echo, or the plain answer if refused. */
function upgradeThrough(url: string, ping: string): Promise<Upgraded> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/socket`, { headers: { connection: 'Upgrade', upgrade: 'echo' } });
    req.on('upgrade', (_res, socket: Socket) => {
      socket.once('data', (chunk: Buffer) => {
        socket.destroy();
        resolve({ kind: 'upgraded', echo: chunk.toString() });
      });
      socket.write(ping);
    });
    req.on('response', (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ kind: 'answered', status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

void describe('the round-robin test proxy', () => {
  let proxy: RoundRobinProxy;
  let live: { url: string; server: Server };
  let down: string;
  before(async () => {
    proxy = await startRoundRobinProxy();
    live = await startEchoServer('live');
    down = await stoppedUrl();
  });
  after(async () => {
    await proxy.close();
    live.server.closeAllConnections();
    await new Promise<void>((resolve) => live.server.close(() => resolve()));
  });

  void it('passes every WebSocket upgrade to a running target, skipping one that refuses the connection', async () => {
    proxy.setTargets([down, live.url]);
    for (let i = 0; i < 4; i++) assert.deepEqual(await upgradeThrough(proxy.url, `ping ${i}`), { kind: 'upgraded', echo: `live:ping ${i}` });
    assert.deepEqual(proxy.served(), Array(4).fill(new URL(live.url).origin));
  });

  void it('skips a refusing target for HTTP requests too', async () => {
    proxy.setTargets([down, live.url]);
    for (let i = 0; i < 2; i++) assert.equal(await (await fetch(`${proxy.url}/`, { headers: { connection: 'close' } })).text(), 'live');
  });

  void it('answers an upgrade 502 when no target takes the connection', async () => {
    proxy.setTargets([down, await stoppedUrl()]);
    assert.deepEqual(await upgradeThrough(proxy.url, 'ping'), { kind: 'answered', status: 502, body: 'no instance answered' });
  });
});
