import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { defineErrorTable } from '@forte/protocol';
import { createRequestListener, isHealthProbe } from './http-dispatch.js';
import { defineOperation, jsonApiRoute } from './json-api.js';
import { createTestKernel } from './kernel.test-helper.js';

const PROBE_ERRORS = defineErrorTable('probe', { ValidationException: 400, NotAuthorizedException: 400 });
const logLines: string[] = [];
/** Thrown by a second copy of the protocol's error module, as a plugin bundling its own copy would. */
let foreignError: Error;
let server: Server;
let port: number;

before(async () => {
  const copy = (await import(new URL('errors.js?second-copy', import.meta.resolve('@forte/protocol')).href)) as typeof import('@forte/protocol');
  foreignError = copy
    .defineErrorTable('plugin-s3', { NoSuchKey: 404 })
    .error('NoSuchKey', 'The specified key does not exist.', { fields: { Key: 'a<b' }, cause: new Error('gone') });
  const kernel = createTestKernel(logLines, 'info');
  kernel.addService({
    name: 'probe',
    routes: [
      // A URL route registered before the JSON API: it keeps winning the requests it matches.
      {
        name: 'url-first',
        errorFormat: 'json',
        match: { url: (req, url) => url.pathname === '/api/' && req.headers['x-probe'] === 'url' },
        async handle(ctx) {
          ctx.res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 9 });
          ctx.res.end('url route');
        },
      },
      jsonApiRoute({
        name: 'api',
        path: '/api/',
        targetPrefix: 'Probe.',
        signingService: 'forte',
        actionPrefix: 'probe',
        operations: {
          Ping: defineOperation({ raw: true, signed: false, handler: async () => ({ pong: true }) }),
          Refuse: defineOperation({
            raw: true,
            signed: false,
            handler: async () => {
              throw PROBE_ERRORS.error('NotAuthorizedException', 'no', { headers: { 'x-extra': 'kept' } });
            },
          }),
          Explode: defineOperation({
            raw: true,
            signed: false,
            handler: async () => {
              throw new Error('database password is hunter2');
            },
          }),
        },
        errors: PROBE_ERRORS,
        validationErrorCode: 'ValidationException',
      }),
      // An admin API: no app calls it from a browser.
      jsonApiRoute({
        name: 'admin',
        path: '/admin/',
        targetPrefix: 'Probe.',
        signingService: 'forte',
        actionPrefix: 'probe',
        browserAccess: 'same-origin',
        operations: { Ping: defineOperation({ raw: true, signed: false, handler: async () => ({ pong: true }) }) },
        errors: PROBE_ERRORS,
        validationErrorCode: 'ValidationException',
      }),
      // An XML route whose error comes from a second copy of the protocol's error module (a plugin's own copy).
      {
        name: 'xml-foreign',
        errorFormat: 'xml',
        match: { url: (_req, url) => url.pathname === '/xml/' },
        async handle() {
          throw foreignError;
        },
      },
      // A raw route for one host name: tried before any URL route, even for the API's path.
      {
        name: 'site',
        errorFormat: 'text',
        publicStatic: true,
        match: { raw: (req) => req.headers.host === 'site.localhost' },
        async handle(ctx) {
          ctx.res.writeHead(200, { 'content-length': 4 }).end('site');
        },
      },
    ],
  });
  server = createServer(createRequestListener(kernel, { version: '9.9.9' }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

interface RawAnswer {
  status: number;
  headers: Map<string, string>;
  body: string;
}

/** Sends one request as raw bytes (paths and Host headers that fetch would clean up) and reads the answer. */
function send(options: { path: string; host?: string; method?: string; headers?: Record<string, string>; body?: string }): Promise<RawAnswer> {
  const body = options.body ?? '';
  const lines = [`${options.method ?? 'POST'} ${options.path} HTTP/1.1`, `host: ${options.host ?? `127.0.0.1:${port}`}`, 'connection: close'];
  if (options.headers?.['content-length'] === undefined) lines.push(`content-length: ${Buffer.byteLength(body)}`);
  for (const [name, value] of Object.entries(options.headers ?? {})) lines.push(`${name}: ${value}`);
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const split = text.indexOf('\r\n\r\n');
      const [statusLine, ...headerLines] = text.slice(0, split).split('\r\n');
      const headers = new Map(headerLines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
      resolve({ status: Number(statusLine!.split(' ')[1]), headers, body: text.slice(split + 4) });
    });
    socket.end(`${lines.join('\r\n')}\r\n\r\n${body}`);
  });
}

const ping = (path: string, more: Partial<Parameters<typeof send>[0]> = {}): Promise<RawAnswer> =>
  send({ path, body: '{}', ...more, headers: { 'x-amz-target': 'Probe.Ping', ...more.headers } });

/** The access log lines written for `requestId`. */
const accessLines = (requestId: string | undefined): Array<Record<string, unknown>> =>
  logLines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.msg === 'request' && line.requestId === requestId);

void describe('request dispatch', () => {
  void it('routes a JSON API call by its path, with or without the trailing slash and with a query', async () => {
    for (const path of ['/api/', '/api', '/api/?x=1']) {
      const res = await ping(path);
      assert.equal(res.status, 200, path);
      assert.deepEqual(JSON.parse(res.body), { pong: true });
    }
  });

  void it("answers an error of another copy of the error classes in the route's shape, with its code and status", async () => {
    const res = await send({ path: '/xml/', method: 'GET' });
    assert.equal(res.status, 404);
    assert.match(res.body, /<Error><Code>NoSuchKey<\/Code><Message>The specified key does not exist.<\/Message><Key>a&lt;b<\/Key>/);
  });

  void it('matches the normalised path, as a parsed URL has it', async () => {
    for (const path of ['/other/../api/', '/./api/', '/api/%2e/', 'http://elsewhere.example/api/']) {
      assert.equal((await ping(path)).status, 200, path);
    }
    // Forms that are not the API's path once normalised are not served by it.
    for (const path of ['/api/../other/', '//api/', '/api/x']) {
      const res = await ping(path);
      assert.equal(res.status, 404, path);
      assert.equal(JSON.parse(res.body).__type, 'UnknownOperationException');
    }
  });

  void it('keeps registration order: an earlier URL route wins the requests it matches; a raw route wins first', async () => {
    const url = await ping('/api/', { headers: { 'x-probe': 'url' } });
    assert.equal(url.body, 'url route');
    const site = await ping('/api/', { host: 'site.localhost' });
    assert.equal(site.body, 'site');
    assert.equal(site.headers.get('x-amzn-requestid'), undefined, 'public static content carries no API headers');
  });

  void it('answers 400 to a malformed Host header, whatever the path', async () => {
    for (const host of ['a b', 'localhost:99999', '[::1', '1.2.3.256']) {
      for (const path of ['/api/', '/other/../api/']) {
        const res = await ping(path, { host });
        assert.equal(res.status, 400, `${host} ${path}`);
        assert.match(res.body, /^BadRequest: The request URL or Host header is malformed\./);
      }
    }
    assert.equal((await ping('/api/', { host: 'localhost:20002' })).status, 200);
  });

  void it('puts the request ids and CORS headers on answers, errors and masked failures of the JSON API', async () => {
    for (const target of ['Probe.Ping', 'Probe.Refuse', 'Probe.Explode', 'Probe.Nope']) {
      for (const origin of [undefined, 'http://app.example']) {
        const res = await send({ path: '/api/', body: '{}', headers: { 'x-amz-target': target, ...(origin ? { origin } : {}) } });
        const id = res.headers.get('x-amzn-requestid');
        assert.match(id ?? '', /^[0-9a-f-]{36}$/, target);
        assert.equal(res.headers.get('x-amz-request-id'), id);
        assert.equal(res.headers.get('access-control-allow-origin'), origin ?? '*');
        assert.equal(res.headers.get('access-control-allow-credentials'), origin ? 'true' : undefined);
        assert.equal(res.headers.get('vary'), origin ? 'Origin' : undefined);
        assert.match(res.headers.get('access-control-expose-headers') ?? '', /x-amzn-requestid/);
        assert.equal(res.headers.get('content-type'), 'application/x-amz-json-1.1');
        assert.equal(Number(res.headers.get('content-length')), Buffer.byteLength(res.body));
        const lines = accessLines(id);
        assert.equal(lines.length, 1, `one access log line for ${target}`);
        assert.deepEqual(
          { ...lines[0], time: undefined, ms: undefined },
          {
            time: undefined,
            ms: undefined,
            level: 'info',
            msg: 'request',
            method: 'POST',
            path: '/api/',
            status: res.status,
            requestId: id,
            route: 'api',
            client: '127.0.0.1',
            principal: 'anonymous',
          },
        );
      }
    }
    const refused = await send({ path: '/api/', body: '{}', headers: { 'x-amz-target': 'Probe.Refuse' } });
    assert.equal(refused.status, 400);
    assert.equal(refused.headers.get('x-amzn-errortype'), 'NotAuthorizedException');
    assert.equal(refused.headers.get('x-extra'), 'kept');
    const exploded = await send({ path: '/api/', body: '{}', headers: { 'x-amz-target': 'Probe.Explode' } });
    assert.equal(exploded.status, 500);
    assert.equal(JSON.parse(exploded.body).__type, 'InternalFailure');
    assert.doesNotMatch(exploded.body, /hunter2/);
  });

  void it('reads a body sent in several chunks, and refuses one over the limit', async () => {
    const text = 'x'.repeat(100_000);
    const res = await send({ path: '/api/', body: JSON.stringify({ text }), headers: { 'x-amz-target': 'Probe.Ping' } });
    assert.equal(res.status, 200);
    // The declared size alone is refused with 413 before anything is read.
    const tooLarge = await send({ path: '/api/', body: '{}', headers: { 'x-amz-target': 'Probe.Ping', 'content-length': String(11 * 1024 * 1024) } });
    assert.equal(tooLarge.status, 413);
    assert.equal(JSON.parse(tooLarge.body).__type, 'RequestEntityTooLargeException');
  });

  void it('logs a request whose client hangs up before the answer, as aborted', async () => {
    const before = logLines.length;
    await new Promise<void>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        // Headers and half of the promised body, then the client leaves.
        socket.write('POST /api/ HTTP/1.1\r\nhost: localhost\r\nx-amz-target: Probe.Ping\r\ncontent-length: 10\r\n\r\n{}');
        setTimeout(() => socket.destroy(), 50);
        setTimeout(resolve, 200);
      });
    });
    const lines = logLines
      .slice(before)
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => line.msg === 'request');
    assert.equal(lines.length, 1);
    assert.equal(lines[0]!.aborted, true);
    assert.equal(lines[0]!.route, 'api');
  });

  void it('gives admin routes no CORS: a preflight from another origin is refused, answers carry no CORS headers', async () => {
    const preflight = (path: string, origin: string) =>
      send({
        path,
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'x-amz-target,authorization' },
      });
    const foreign = await preflight('/admin/', 'http://evil.example');
    assert.equal(foreign.status, 403);
    assert.equal(foreign.headers.get('access-control-allow-origin'), undefined);
    assert.equal(foreign.headers.get('access-control-allow-methods'), undefined);
    const own = await preflight('/admin/', `http://127.0.0.1:${port}`);
    assert.equal(own.status, 200);
    const publicApi = await preflight('/api/', 'http://evil.example');
    assert.equal(publicApi.status, 200, 'the public API keeps the CORS browsers need');
    assert.equal(publicApi.headers.get('access-control-allow-origin'), 'http://evil.example');

    for (const target of ['Probe.Ping', 'Probe.Nope']) {
      const res = await send({ path: '/admin/', body: '{}', headers: { 'x-amz-target': target, origin: 'http://evil.example' } });
      assert.equal(res.headers.get('access-control-allow-origin'), undefined, target);
      assert.equal(res.headers.get('access-control-expose-headers'), undefined, target);
      assert.match(res.headers.get('x-amzn-requestid') ?? '', /^[0-9a-f-]{36}$/);
    }
    const noOrigin = await send({ path: '/admin/', body: '{}', headers: { 'x-amz-target': 'Probe.Ping' } });
    assert.equal(noOrigin.headers.get('access-control-allow-origin'), undefined, 'not even *');
  });
});

void describe('health probes', () => {
  void it('are a GET or HEAD of the health or readiness path, with or without a query, and nothing else', () => {
    const probe = (method: string, url: string): boolean => isHealthProbe({ method, url } as never);
    assert.equal(probe('GET', '/_forte/ready'), true);
    assert.equal(probe('HEAD', '/_forte/health'), true);
    assert.equal(probe('GET', '/_forte/ready?from=haproxy'), true);
    assert.equal(probe('POST', '/_forte/ready'), false);
    assert.equal(probe('GET', '/_forte/ready/'), false);
    assert.equal(probe('GET', '/_forte/readyz'), false);
    assert.equal(probe('GET', '/graphql'), false);
  });
});
