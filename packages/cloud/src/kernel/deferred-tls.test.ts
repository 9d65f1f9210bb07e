import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { connect, createServer, type TLSSocket } from 'node:tls';
import { serveWhenCredentialsArrive } from './deferred-tls.js';
import { localCertificate } from './local-certificate.js';

function listening(server: ReturnType<typeof createServer>): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

/** Connects, sends one line once the handshake is done and resolves with what comes back (or the error). */
function exchange(port: number, ca: string | undefined, events: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket: TLSSocket = connect({ port, host: '127.0.0.1', servername: 'localhost', ...(ca ? { ca } : { rejectUnauthorized: false }) }, () => {
      events.push('secure');
      socket.end('ping\n');
    });
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
    socket.on('close', () => resolve(answer));
  });
}

describe('a TLS port that listens before its certificate exists', () => {
  it('holds the connections that come first and serves them, and later ones, once the certificate arrives', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'forte-deferred-tls-'));
    const server = createServer({}, (socket) => {
      socket.setEncoding('utf8');
      socket.on('data', (line: string) => socket.end(`pong ${line}`));
    });
    let give: (credentials: { cert: string; key: string }) => void = () => undefined;
    const deferred = serveWhenCredentialsArrive(server, new Promise((resolve) => (give = resolve)));
    try {
      const port = await listening(server);
      const events: string[] = [];
      const early = exchange(port, undefined, events);
      // The client has connected and sent its hello; no handshake can finish without the certificate.
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.deepEqual(events, [], 'no handshake before the certificate exists');
      const made = await localCertificate(dir, '127.0.0.1');
      give(made);
      await deferred.ready;
      assert.equal(await early, 'pong ping\n');
      assert.deepEqual(events, ['secure']);
      assert.equal(await exchange(port, made.cert, []), 'pong ping\n', 'a later connection, checked against the certificate');
    } finally {
      server.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('ends waiting and later connections when the certificate cannot be made, and its error reaches whoever waits', async () => {
    const server = createServer({}, (socket) => socket.end('served\n'));
    let fail: (error: Error) => void = () => undefined;
    const deferred = serveWhenCredentialsArrive(server, new Promise((_resolve, reject) => (fail = reject)));
    try {
      const port = await listening(server);
      const events: string[] = [];
      const early = exchange(port, undefined, events);
      await new Promise((resolve) => setTimeout(resolve, 50));
      fail(new Error('no key today'));
      await assert.rejects(deferred.ready, /no key today/);
      assert.equal(await early.catch(() => ''), '', 'ended without an answer');
      assert.equal(await exchange(port, undefined, events).catch(() => ''), '');
      assert.deepEqual(events, [], 'no handshake');
    } finally {
      server.close();
    }
  });

  it('drops the connections still waiting when the server closes, so closing does not wait for the certificate', async () => {
    const server = createServer({}, (socket) => socket.end('served\n'));
    const deferred = serveWhenCredentialsArrive(server, new Promise(() => undefined));
    const port = await listening(server);
    const events: string[] = [];
    const early = exchange(port, undefined, events);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const closed = new Promise((resolve) => server.close(resolve));
    deferred.dropWaiting();
    await closed;
    assert.equal(await early.catch(() => ''), '');
    assert.deepEqual(events, []);
  });
});
