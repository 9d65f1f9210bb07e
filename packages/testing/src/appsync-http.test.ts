import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Amplify } from 'aws-amplify';
import { generateClient } from 'aws-amplify/api';
import { deployTestApi, type DeployedTestApi } from './appsync-deploy.js';
import { startTestCloud, type TestCloud } from './index.js';

/** What the local HTTP server saw of one call. */
interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

const seen: Seen[] = [];
let server: Server;
let port: number;
let cloud: TestCloud;
let api: DeployedTestApi;
let client: { graphql(options: { query: string; variables?: Record<string, unknown> }): Promise<unknown> };

const schemaFor = (port: number): string => /* GraphQL */ `
  type Item {
    id: ID!
    title: String
    note: String
  }
  type Query {
    search(q: String!, page: Int): [Item]
      @http(url: "http://localhost:${port}/\${env}/items", headers: [{ key: "x-app", value: "forte-\${aws_region}" }])
    item(id: ID!): Item @http(url: "http://localhost:${port}/items/:id")
    missing(id: ID!): Item @http(url: "http://localhost:${port}/missing/:id")
    text: String @http(url: "http://localhost:${port}/text")
    feed: AWSJSON @http(url: "http://localhost:${port}/feed.xml")
    slow: String @http(url: "http://localhost:${port}/slow")
    big: String @http(url: "http://localhost:${port}/big")
    moved: String @http(url: "http://localhost:${port}/moved")
    denied: String @http(url: "http://127.0.0.1:${port}/items")
  }
  type Mutation {
    addItem(title: String!, note: String): Item @http(method: POST, url: "http://localhost:${port}/items")
    removeItem(id: ID!, reason: String): Item @http(method: DELETE, url: "http://localhost:${port}/items/:id")
  }
`;

async function gql(query: string, variables: Record<string, unknown> = {}): Promise<{ data: any; errors?: any[] }> {
  try {
    return (await client.graphql({ query, variables })) as { data: any; errors?: any[] };
  } catch (error) {
    if (typeof error === 'object' && error !== null && 'errors' in error) return error as { data: any; errors: any[] };
    throw error;
  }
}

before(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const json = (status: number, value: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(value));
      };
      if (req.url!.startsWith('/slow')) {
        const timer = setTimeout(() => json(200, 'late'), 3000);
        res.on('close', () => clearTimeout(timer));
        return;
      }
      if (req.url!.startsWith('/missing')) return json(404, { message: 'no such item' });
      if (req.url === '/big') return json(200, 'x'.repeat(8192));
      if (req.url === '/moved') {
        res.writeHead(302, { location: '/items' });
        return res.end('see /items');
      }
      if (req.url === '/feed.xml') {
        res.writeHead(200, { 'content-type': 'application/xml' });
        return res.end('<?xml version="1.0"?><posts><post><id>1</id><title>a</title></post><post><id>2</id><title>b</title></post></posts>');
      }
      if (req.url === '/text') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        return res.end('plain words');
      }
      if (req.method === 'POST') return json(201, { id: 'new', ...(JSON.parse(Buffer.concat(chunks).toString('utf8')) as object) });
      if (req.url!.startsWith('/items/')) return json(200, { id: decodeURIComponent(req.url!.slice('/items/'.length)), title: 'one' });
      return json(200, [{ id: 'a', title: 'first' }]);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  cloud = await startTestCloud({ appsync: { http: { timeoutMs: 500, maxResponseBytes: 4096, denyHosts: ['127.0.0.1'] } } });
  api = await deployTestApi(cloud, { schema: schemaFor(port), authConfig: { defaultAuthentication: { authenticationType: 'API_KEY' } } });
  Amplify.configure({ API: { GraphQL: { endpoint: api.url, region: 'us-east-1', defaultAuthMode: 'apiKey', apiKey: api.apiKey } } });
  client = generateClient() as unknown as typeof client;
});
after(async () => {
  await cloud.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const last = (): Seen => seen[seen.length - 1]!;

void describe('@http fields through the unmodified aws-amplify v6', () => {
  void it('GET: the query input as the query string, ${env} and ${aws_region} substituted, the headers as Amplify wires them', async () => {
    const result = await gql('query S($q: QuerySearchQueryInput!) { search(query: $q) { id title } }', { q: { q: 'red wine', page: 2 } });
    assert.equal(result.errors, undefined);
    assert.deepEqual(result.data.search, [{ id: 'a', title: 'first' }]);
    const call = last();
    assert.equal(call.method, 'GET');
    assert.equal(call.url, '/dev/items?q=red+wine&page=2');
    assert.equal(call.headers['x-app'], 'forte-us-east-1');
    assert.equal(call.headers['accept-encoding'], 'application/json');
    // $utils.http.copyHeaders: the client's own headers go along.
    assert.equal(call.headers['x-api-key'], api.apiKey);
    // Hop-by-hop headers and the client's host are not copied.
    assert.equal(call.headers.host, `localhost:${port}`);
  });

  void it('path parameters from params, encoded', async () => {
    const result = await gql('{ item(params: { id: "a b/c" }) { id title } }');
    assert.equal(result.errors, undefined);
    assert.deepEqual(result.data.item, { id: 'a b/c', title: 'one' });
    assert.equal(last().url, '/items/a%20b%2Fc');
  });

  void it('POST: the body input as JSON with Content-Type application/json; 201 answers the body', async () => {
    const result = await gql('mutation { addItem(body: { title: "t1", note: "n" }) { id title note } }');
    assert.equal(result.errors, undefined);
    assert.deepEqual(result.data.addItem, { id: 'new', title: 't1', note: 'n' });
    const call = last();
    assert.equal(call.method, 'POST');
    assert.equal(call.url, '/items');
    assert.equal(call.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(call.body), { title: 't1', note: 'n' });
  });

  void it('POST: a non-null argument in neither query nor body is refused before any call', async () => {
    const before = seen.length;
    const result = await gql('mutation { addItem(query: { note: "n" }) { id } }');
    assert.equal(result.data.addItem, null);
    assert.match(result.errors![0].message, /An argument you marked as Non-Null is not present in the query nor the body of your request/);
    assert.equal(seen.length, before);
    const viaQuery = await gql('mutation { addItem(query: { title: "q" }) { id } }');
    assert.equal(viaQuery.errors, undefined);
    assert.equal(last().url, '/items?title=q');
  });

  void it('DELETE sends no query string', async () => {
    const result = await gql('mutation { removeItem(params: { id: "x1" }, query: { reason: "old" }) { id } }');
    assert.equal(result.errors, undefined);
    assert.equal(last().method, 'DELETE');
    assert.equal(last().url, '/items/x1');
  });

  void it('another status is the field error: errorType the status, message the body', async () => {
    const result = await gql('{ missing(params: { id: "z" }) { id } }');
    assert.equal(result.data.missing, null);
    assert.equal(result.errors![0].errorType, '404');
    assert.deepEqual(JSON.parse(result.errors![0].message), { message: 'no such item' });
    assert.deepEqual(result.errors![0].path, ['missing']);
  });

  void it('a 200 answer that is not JSON fails the field as the response template would', async () => {
    const result = await gql('{ text }');
    assert.equal(result.data.text, null);
    assert.equal(result.errors![0].errorType, 'MappingTemplate');
  });

  void it('an XML answer is converted as $utils.xml.toJsonString does', async () => {
    const result = await gql('{ feed }');
    assert.equal(result.errors, undefined);
    assert.deepEqual(JSON.parse(String(result.data.feed)), {
      posts: {
        post: [
          { id: 1, title: 'a' },
          { id: 2, title: 'b' },
        ],
      },
    });
  });

  void it('a call past the timeout fails the field, and other requests are answered meanwhile', async () => {
    const started = Date.now();
    const [slow, quick] = await Promise.all([gql('{ slow }'), gql('{ item(params: { id: "q" }) { id } }')]);
    assert.equal(quick.errors, undefined);
    assert.equal(slow.data.slow, null);
    assert.equal(slow.errors![0].errorType, 'ExecutionTimeout');
    assert.match(slow.errors![0].message, /did not answer within 500 ms/);
    assert.ok(Date.now() - started < 2500, 'the timeout cut the call short');
  });

  void it('an answer larger than maxResponseBytes fails the field', async () => {
    const result = await gql('{ big }');
    assert.equal(result.data.big, null);
    assert.equal(result.errors![0].errorType, 'HttpResponseTooLarge');
    assert.match(result.errors![0].message, /larger than 4096 bytes/);
  });

  void it('a redirect is not followed: its status is the field error, its body the message', async () => {
    const before = seen.length;
    const result = await gql('{ moved }');
    assert.equal(result.data.moved, null);
    assert.deepEqual([result.errors![0].errorType, result.errors![0].message], ['302', 'see /items']);
    assert.deepEqual(
      seen.slice(before).map((s) => s.url),
      ['/moved'],
    );
  });

  void it('a host the settings deny is never called', async () => {
    const before = seen.length;
    const result = await gql('{ denied }');
    assert.equal(result.data.denied, null);
    assert.equal(result.errors![0].errorType, 'HttpRequestDenied');
    assert.match(result.errors![0].message, /127\.0\.0\.1/);
    assert.equal(seen.length, before);
  });
});
