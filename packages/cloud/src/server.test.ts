import assert from 'node:assert/strict';
import { readFileSync, rmSync, statSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createCloud, type Cloud } from './server.js';

const dirs: string[] = [];
after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

async function start(dataDir?: string): Promise<{ cloud: Cloud; dataDir: string; logs: string[] }> {
  const dir = dataDir ?? (await mkdtemp(join(tmpdir(), 'forte-server-')));
  if (!dataDir) dirs.push(dir);
  const logs: string[] = [];
  const cloud = await createCloud({ dataDir: dir, port: 0, logStream: { write: (line: string) => logs.push(line) } });
  return { cloud, dataDir: dir, logs };
}

void describe('createCloud', () => {
  void it('answers the health check without credentials', async () => {
    const { cloud } = await start();
    try {
      const res = await fetch(`${cloud.url}/_forte/health`);
      assert.equal(res.status, 200);
      const body = (await res.json()) as { status: string; version: string };
      assert.equal(body.status, 'ok');
      assert.match(body.version, /^\d+\.\d+\.\d+/);
    } finally {
      await cloud.close();
    }
  });

  void it('names its engines in the health check, and is ready until it starts to stop', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'forte-server-'));
    dirs.push(dir);
    const cloud = await createCloud({ dataDir: dir, port: 0, drainMs: 300, logStream: { write: () => undefined } });
    const health = (await (await fetch(`${cloud.url}/_forte/health`)).json()) as { engines: Record<string, string> };
    assert.deepEqual(health.engines, { database: 'sqlite', blobs: 'folder', bus: 'none' });
    const ready = await fetch(`${cloud.url}/_forte/ready`);
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), { status: 'ready' });
    const closing = cloud.close();
    // While it drains, the load balancer is told to send new requests elsewhere; the process still answers.
    const draining = await fetch(`${cloud.url}/_forte/ready`);
    assert.equal(draining.status, 503);
    assert.deepEqual(await draining.json(), { status: 'not-ready', reason: 'stopping' });
    assert.equal((await fetch(`${cloud.url}/_forte/health`)).status, 200, 'still alive while draining');
    await closing;
  });

  void it('lets a request under way when the drain ends finish, while it takes no new connection', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'forte-server-'));
    dirs.push(dir);
    // The rest of the body must arrive within drainMs of the listener closing: a second, so that a busy machine's
    // pause between the two cannot cut the request.
    const cloud = await createCloud({ dataDir: dir, port: 0, drainMs: 1000, logStream: { write: () => undefined } });
    // Half of a body sent before the cloud starts to stop, the other half once it no longer listens.
    const body = '{"AccessToken":"not-a-token"}';
    const upload = request(`${cloud.url}/cognito-idp/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSCognitoIdentityProviderService.GetUser', 'content-length': body.length },
    });
    const answered = new Promise<{ status: number | undefined; text: string }>((resolve, reject) => {
      upload.on('response', (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode, text }));
        res.on('error', reject);
      });
      upload.on('error', reject);
    });
    upload.write(body.slice(0, 10));
    await new Promise((resolve) => upload.once('socket', (socket: import('node:net').Socket) => socket.once('connect', resolve)));
    await fetch(`${cloud.url}/_forte/health`); // the upload's request has reached the cloud before close starts
    const closing = cloud.close();
    let refused = false;
    while (!refused)
      refused = await fetch(`${cloud.url}/_forte/health`, { headers: { connection: 'close' } }).then(
        () => false,
        () => true,
      );
    upload.end(body.slice(10));
    const answer = await answered;
    assert.equal(answer.status, 400);
    assert.match(answer.text, /NotAuthorizedException/);
    await closing;
  });

  void it("names the public URL it is given (a load balancer's) in what it hands out, and refuses one with a path", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'forte-server-'));
    dirs.push(dir);
    await assert.rejects(
      createCloud({ dataDir: dir, port: 0, publicUrl: 'http://lb.example/forte', logStream: { write: () => undefined } }),
      /must be a scheme and a host/,
    );
    const cloud = await createCloud({ dataDir: dir, port: 0, publicUrl: 'http://lb.example:8080', logStream: { write: () => undefined } });
    try {
      assert.equal(cloud.kernel.baseUrl(), 'http://lb.example:8080');
      const res = await fetch(`${cloud.url}/cognito-idp/`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSCognitoIdentityProviderService.GetUser' },
        body: '{}',
      });
      assert.ok(res.status < 500, 'still answers at its own address');
    } finally {
      await cloud.close();
    }
  });

  void it('refuses a trusted proxy that is not an address or a CIDR block before it opens anything, naming it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'forte-server-'));
    dirs.push(dir);
    await assert.rejects(createCloud({ dataDir: dir, port: 0, trustedProxies: ['10.0.0.5', 'lb.internal'], logStream: { write: () => undefined } }), {
      message: 'Trusted proxy "lb.internal" is not an IP address or a CIDR block, like 10.0.0.5, 10.0.0.0/8 or fd00::/8.',
    });
    assert.equal(statSync(join(dir, 'forte.db'), { throwIfNoEntry: false }), undefined, 'no database was made');
  });

  void it("answers as the cluster's public URL when given one, while it listens on its own", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'forte-server-'));
    dirs.push(dataDir);
    const cloud = await createCloud({ dataDir, port: 0, publicUrl: 'https://forte.example.com/', logStream: { write: () => undefined } });
    try {
      assert.equal(cloud.kernel.baseUrl(), 'https://forte.example.com');
      assert.match(cloud.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.equal((await fetch(`${cloud.url}/_forte/health`)).status, 200);
    } finally {
      await cloud.close();
    }
  });

  void it('sends a request id, a correct Date and CORS headers on every answer', async () => {
    const { cloud } = await start();
    try {
      const res = await fetch(`${cloud.url}/nowhere`, { headers: { origin: 'http://localhost:3000' } });
      assert.equal(res.status, 404);
      assert.equal(((await res.json()) as { __type: string }).__type, 'UnknownOperationException');
      assert.match(res.headers.get('x-amzn-requestid') ?? '', /^[0-9a-f-]{36}$/);
      assert.equal(res.headers.get('x-amz-request-id'), res.headers.get('x-amzn-requestid'));
      assert.ok(Math.abs(Date.parse(res.headers.get('date') ?? '') - Date.now()) < 5000);
      assert.equal(res.headers.get('access-control-allow-origin'), 'http://localhost:3000');
      const exposed = (res.headers.get('access-control-expose-headers') ?? '').toLowerCase();
      for (const name of [
        'etag',
        'x-amz-version-id',
        'x-amzn-requestid',
        'x-amzn-errortype',
        'content-length',
        'content-type',
        'last-modified',
        'x-amz-meta-*',
      ]) {
        assert.ok(exposed.includes(name), `exposes ${name}`);
      }
    } finally {
      await cloud.close();
    }
  });

  void it('answers CORS preflights, reflecting the requested headers', async () => {
    const { cloud } = await start();
    try {
      const res = await fetch(`${cloud.url}/s3/bucket/key`, {
        method: 'OPTIONS',
        headers: {
          origin: 'http://localhost:3000',
          'access-control-request-method': 'PUT',
          'access-control-request-headers': 'x-amz-date,x-amz-meta-foo,authorization',
        },
      });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('access-control-allow-headers'), 'x-amz-date,x-amz-meta-foo,authorization');
      for (const method of ['GET', 'PUT', 'POST', 'DELETE', 'HEAD']) assert.match(res.headers.get('access-control-allow-methods') ?? '', new RegExp(method));
    } finally {
      await cloud.close();
    }
  });

  void it('creates admin credentials (0600) and an account id once per data dir', async () => {
    const first = await start();
    const credentials = first.cloud.adminCredentials;
    const accountId = first.cloud.kernel.config.accountId;
    await first.cloud.close();
    const file = join(first.dataDir, 'admin-credentials.json');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), credentials);
    assert.match(credentials.accessKeyId, /^FKIA[A-Z0-9]{16}$/);
    assert.equal(credentials.secretAccessKey.length, 40);
    assert.match(accountId, /^[0-9]{12}$/);

    const second = await start(first.dataDir);
    try {
      assert.deepEqual(second.cloud.adminCredentials, credentials);
      assert.equal(second.cloud.kernel.config.accountId, accountId);
      assert.equal(second.cloud.kernel.config.region, 'us-east-1');
    } finally {
      await second.cloud.close();
    }
  });

  void it('logs one access line per request, without the query string', async () => {
    const { cloud, logs } = await start();
    try {
      await (await fetch(`${cloud.url}/s3/b/k?X-Amz-Signature=deadbeef&X-Amz-Credential=FKIA`)).text();
      await new Promise((resolve) => setTimeout(resolve, 20));
      const lines = logs.map((line) => JSON.parse(line) as Record<string, unknown>).filter((l) => l.msg === 'request');
      assert.equal(lines.length, 1);
      assert.equal(lines[0]!.path, '/s3/b/k');
      assert.equal(lines[0]!.method, 'GET');
      assert.equal(typeof lines[0]!.ms, 'number');
      assert.equal(typeof lines[0]!.requestId, 'string');
      assert.doesNotMatch(logs.join(''), /deadbeef/);
    } finally {
      await cloud.close();
    }
  });

  void it('provides the resource types of its services', async () => {
    const { cloud } = await start();
    try {
      assert.ok(cloud.kernel.resourceHandler('Forte::S3::Bucket'));
      assert.ok(cloud.kernel.resourceHandler('Forte::IAM::Role'));
      assert.ok(cloud.kernel.resourceHandler('Forte::Cognito::IdentityPool'));
      assert.ok(cloud.kernel.resourceHandler('Forte::DynamoDB::Table'));
      assert.ok(cloud.kernel.resourceHandler('AWS::Events::Rule'));
      assert.ok(cloud.kernel.resourceHandler('AWS::ApiGateway::RestApi'));
      assert.ok(cloud.kernel.resourceHandler('AWS::Kinesis::Stream'));
      assert.deepEqual(
        cloud.kernel.services.map((s) => s.name),
        [
          'admin-credentials',
          'iam',
          'cognito-idp',
          'cognito-identity',
          'dynamodb',
          'appsync',
          'control',
          'hosting',
          's3',
          'ssm',
          'lambda',
          'events',
          'kinesis',
          'apigateway',
          'console',
          'request-log',
        ],
      );
    } finally {
      await cloud.close();
    }
  });

  void it('refuses a port in use with a clear error', async () => {
    const { cloud } = await start();
    try {
      const dir = await mkdtemp(join(tmpdir(), 'forte-server-'));
      dirs.push(dir);
      await assert.rejects(createCloud({ dataDir: dir, port: cloud.port, logStream: { write: () => true } }), /Port \d+ on 127\.0\.0\.1 is already in use/);
    } finally {
      await cloud.close();
    }
  });
});
