import assert from 'node:assert/strict';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect as connectHttp2 } from 'node:http2';
import { connect, type AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { acceptPriorKnowledgeHttp2, startsHttp2, type PriorKnowledgeHttp2 } from './prior-knowledge-http2.js';

/** Answers the request's version, method, path, host and body length, with a header HTTP/2 forbids. */
function answer(req: IncomingMessage, res: ServerResponse): void {
  let length = 0;
  req.on('data', (chunk: Buffer) => (length += chunk.length));
  req.on('end', () => {
    res.setHeader('keep-alive', 'timeout=5');
    res.writeHead(200, 'OK', { 'content-type': 'text/plain', connection: 'close' });
    res.end(`${req.httpVersion} ${req.method} ${req.url} ${req.headers.host} ${length}`);
  });
}

void describe('HTTP/2 without TLS beside HTTP/1 on one port', () => {
  let server: Server;
  let http2: PriorKnowledgeHttp2;
  let port: number;
  before(async () => {
    server = createServer(answer);
    http2 = acceptPriorKnowledgeHttp2(server, { onRequest: answer, firstBytesTimeoutMs: 300, idleTimeoutMs: 5000, maxSessionsPerAddress: 2 });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(async () => {
    http2.closeAll();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  void it('tells the preface from an HTTP/1 request line', () => {
    assert.ok(startsHttp2(Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n')));
    assert.ok(startsHttp2(Buffer.from('PRI * HT')));
    assert.ok(!startsHttp2(Buffer.from('PUT /x HTTP/1.1\r\n')));
    assert.ok(!startsHttp2(Buffer.from('PRI')), 'too short to tell: HTTP/1');
  });

  void it('serves HTTP/1 requests as before, bodies included', async () => {
    const text = await new Promise<string>((resolve, reject) => {
      const req = request({ port, host: '127.0.0.1', method: 'POST', path: '/one?x=1' }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk));
        res.on('end', () => resolve(body));
      });
      req.on('error', reject);
      req.end('x'.repeat(100_000));
    });
    assert.equal(text, `1.1 POST /one?x=1 127.0.0.1:${port} 100000`);
  });

  void it('serves HTTP/2 requests to the same handler: host from :authority, the headers HTTP/2 forbids left out', async () => {
    const session = connectHttp2(`http://127.0.0.1:${port}`);
    try {
      const ask = (path: string, body: string): Promise<{ status: number; headers: Record<string, unknown>; text: string }> =>
        new Promise((resolve, reject) => {
          const stream = session.request({ ':method': 'POST', ':path': path });
          let text = '';
          let head: Record<string, unknown> = {};
          stream.on('response', (h) => (head = h));
          stream.on('data', (chunk: Buffer) => (text += chunk));
          stream.on('end', () => resolve({ status: Number(head[':status']), headers: head, text }));
          stream.on('error', reject);
          stream.end(body);
        });
      const [a, b] = await Promise.all([ask('/a', 'hello'), ask('/b', 'x'.repeat(70_000))]);
      assert.equal(a.status, 200);
      assert.equal(a.text, `2.0 POST /a 127.0.0.1:${port} 5`);
      assert.equal(b.text, `2.0 POST /b 127.0.0.1:${port} 70000`);
      assert.equal(a.headers['content-type'], 'text/plain');
      assert.equal(a.headers['connection'], undefined);
      assert.equal(a.headers['keep-alive'], undefined);
    } finally {
      session.close();
    }
  });

  void it('keeps at most maxSessionsPerAddress HTTP/2 connections from one address; the next is ended', async () => {
    const open = (): Promise<{ session: ReturnType<typeof connectHttp2>; answered: boolean }> =>
      new Promise((resolve) => {
        const session = connectHttp2(`http://127.0.0.1:${port}`);
        session.on('error', () => undefined);
        const stream = session.request({ ':method': 'GET', ':path': '/held' });
        let answered = false;
        stream.on('response', () => (answered = true));
        stream.on('close', () => resolve({ session, answered }));
        stream.on('error', () => undefined);
        stream.resume();
        stream.end();
      });
    const first = await open();
    const second = await open();
    const third = await open();
    try {
      assert.deepEqual([first.answered, second.answered, third.answered], [true, true, false]);
      first.session.destroy();
      await new Promise((resolve) => setTimeout(resolve, 100));
      const again = await open();
      again.session.destroy();
      assert.ok(again.answered, 'a place is free again once one closes');
    } finally {
      for (const s of [second, third]) s.session.destroy();
    }
  });

  void it('ends a connection that sends nothing', async () => {
    const socket = connect(port, '127.0.0.1');
    const started = Date.now();
    await new Promise((resolve) => socket.on('close', resolve));
    assert.ok(Date.now() - started >= 250, 'after the first-bytes timeout');
  });
});
