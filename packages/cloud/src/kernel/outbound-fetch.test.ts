import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { fetchOutbound, fetchOutboundJson, OutboundFetchError, type OutboundFailureReason, type OutboundRequest } from './outbound-fetch.js';

const CAP = 64 * 1024;
const bounds: OutboundRequest = { timeoutMs: 10_000, maxBytes: CAP, redirect: 'error' };

/** The failure of `call`, which must fail with an OutboundFetchError of `reason`. */
async function failure(call: Promise<unknown>, reason: OutboundFailureReason): Promise<OutboundFetchError> {
  const error = await call.then(
    () => assert.fail(`expected a ${reason} failure`),
    (e: unknown) => e,
  );
  assert.ok(error instanceof OutboundFetchError, String(error));
  assert.equal(error.reason, reason, error.message);
  return error;
}

void describe('fetchOutbound: outbound calls bounded in time and size', () => {
  let origin = '';
  /** Resolves when the endless answer's connection is closed by the caller, with the bytes it had written. */
  let endlessClosed: Promise<number> = Promise.resolve(0);
  let held: ServerResponse[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    switch (req.url) {
      case '/json':
        return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      case '/text':
        return void res.writeHead(502).end('bad gateway');
      case '/exactly-cap':
        return void res.writeHead(200).end('x'.repeat(CAP));
      case '/declared-large':
        // Says more than the cap and sends nothing: refused on the header alone.
        res.writeHead(200, { 'content-length': String(CAP + 1) }).flushHeaders();
        held.push(res);
        return;
      case '/endless': {
        // Streams without a length until the caller hangs up.
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        const chunk = Buffer.alloc(16 * 1024, 120);
        let written = 0;
        endlessClosed = new Promise((resolve) => res.on('close', () => resolve(written)));
        const pump = (): void => {
          while (!res.destroyed) {
            written += chunk.length;
            if (!res.write(chunk)) return void res.once('drain', pump);
          }
        };
        return pump();
      }
      case '/redirect':
        return void res.writeHead(302, { location: '/json' }).end('moved');
      case '/no-answer':
        held.push(res);
        return;
      case '/half-answer':
        res.writeHead(200);
        res.write('{"partial":');
        held.push(res);
        return;
      default:
        return void res.writeHead(404).end();
    }
  });

  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    for (const res of held) res.destroy();
    held = [];
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  void it('answers any status with its headers and body', async () => {
    const json = await fetchOutboundJson(`${origin}/json`, bounds);
    assert.deepEqual([json.status, json.json, json.headers.get('content-type')], [200, { ok: true }, 'application/json']);
    const text = await fetchOutbound(`${origin}/text`, bounds);
    assert.deepEqual([text.status, text.text], [502, 'bad gateway']);
    assert.equal((await fetchOutbound(`${origin}/exactly-cap`, bounds)).text.length, CAP, 'a body of exactly the cap is read');
  });

  void it('stops reading a body past the cap, hangs up, and fails too-large', async () => {
    const error = await failure(fetchOutbound(`${origin}/endless`, bounds), 'too-large');
    assert.equal(error.status, 200);
    assert.match(error.message, new RegExp(`answered more than ${CAP} bytes`));
    // The server's endless answer ends only because the caller cut the connection.
    assert.ok((await endlessClosed) > CAP);
  });

  void it('refuses a body whose Content-Length is past the cap before reading it', async () => {
    const error = await failure(fetchOutbound(`${origin}/declared-large`, bounds), 'too-large');
    assert.equal(error.status, 200);
  });

  void it('refuses a redirect with redirect: error, and answers it untouched with redirect: manual', async () => {
    const refused = await failure(fetchOutbound(`${origin}/redirect`, bounds), 'redirected');
    assert.equal(refused.status, 302);
    const manual = await fetchOutbound(`${origin}/redirect`, { ...bounds, redirect: 'manual' });
    assert.deepEqual([manual.status, manual.headers.get('location'), manual.text], [302, '/json', 'moved']);
  });

  void it('fails timeout when the headers or the rest of the body do not come in time', async () => {
    const headers = await failure(fetchOutbound(`${origin}/no-answer`, { ...bounds, timeoutMs: 100 }), 'timeout');
    assert.equal((headers.cause as Error).name, 'TimeoutError');
    await failure(fetchOutbound(`${origin}/half-answer`, { ...bounds, timeoutMs: 100 }), 'timeout');
  });

  void it('fails connection for a server that is not there or an address that is not a URL, naming the network error', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const refused = await failure(fetchOutbound(`http://127.0.0.1:${port}/`, bounds), 'connection');
    assert.equal(refused.detail, 'ECONNREFUSED');
    await failure(fetchOutbound('not a url', bounds), 'connection');
  });

  void it('fetchOutboundJson fails not-json, with the status, for a body that is not JSON', async () => {
    const error = await failure(fetchOutboundJson(`${origin}/text`, bounds), 'not-json');
    assert.equal(error.status, 502);
  });
});
