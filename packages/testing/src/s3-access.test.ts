import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Agent, request as httpRequest } from 'node:http';
import type { LookupFunction } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { CREDENTIAL_PROVIDERS, provide, type ResourceContext } from '@forte/cloud';
import { resourceContext } from './lambda-fixture.js';
import { callFailure, startTestCloud, type TestCloud } from './index.js';

/** How an SDK call failed, as these tests compare it: the S3 error code and HTTP status. */
const failure = async (call: Promise<unknown>): Promise<{ name: string; status: number | undefined }> => {
  const { name, status } = await callFailure(call);
  return { name, status };
};

let cloud: TestCloud;
let s3: S3Client;
const bucket = 'access-test';

before(async () => {
  cloud = await startTestCloud();
  s3 = new S3Client({ endpoint: `${cloud.url}/s3`, forcePathStyle: true, region: 'us-east-1', credentials: cloud.credentials, maxAttempts: 1 });
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'public/hello.txt', Body: 'hello' }));
});
after(() => cloud.close());

const signer = (credentials = cloud.credentials) =>
  new SignatureV4({ service: 's3', region: 'us-east-1', credentials, sha256: Hash.bind(null, 'sha256'), uriEscapePath: false });

/** A raw HTTP exchange with 127.0.0.1 (any Host header, any path, no normalisation). */
function raw(options: {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: cloud.port, method: options.method, path: options.path, headers: options.headers ?? {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

const code = (body: string): string | undefined => /<Code>([^<]*)<\/Code>/.exec(body)?.[1];

void describe('S3 authentication', () => {
  void it('refuses unsigned requests with 403 AccessDenied in S3 XML', async () => {
    for (const [method, path] of [
      ['GET', `/s3/${bucket}/public/hello.txt`],
      ['PUT', `/s3/${bucket}/x`],
      ['GET', `/s3/${bucket}/`],
      ['GET', '/s3/'],
      ['POST', `/s3/${bucket}/?delete`],
    ] as const) {
      const res = await raw({ method, path, body: method === 'GET' ? undefined : '<Delete><Object><Key>public/hello.txt</Key></Object></Delete>' });
      assert.equal(res.status, 403, `${method} ${path}`);
      assert.equal(code(res.body), 'AccessDenied');
      assert.match(res.headers['content-type'] as string, /xml/);
      assert.match(res.body, /<RequestId>[0-9a-f-]+<\/RequestId>/);
    }
    assert.equal((await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'public/hello.txt' }))).ContentLength, 5, 'nothing was deleted');
  });

  void it('refuses a wrong secret with SignatureDoesNotMatch and an unknown key with InvalidAccessKeyId', async () => {
    const wrong = new S3Client({
      endpoint: `${cloud.url}/s3`,
      forcePathStyle: true,
      region: 'us-east-1',
      credentials: { ...cloud.credentials, secretAccessKey: 'x'.repeat(40) },
      maxAttempts: 1,
    });
    assert.deepEqual(await failure(wrong.send(new GetObjectCommand({ Bucket: bucket, Key: 'public/hello.txt' }))), {
      name: 'SignatureDoesNotMatch',
      status: 403,
    });
    const stranger = new S3Client({
      endpoint: `${cloud.url}/s3`,
      forcePathStyle: true,
      region: 'us-east-1',
      credentials: { accessKeyId: 'FKIAUNKNOWN000000000', secretAccessKey: 'x' },
      maxAttempts: 1,
    });
    assert.deepEqual(await failure(stranger.send(new ListObjectsV2Command({ Bucket: bucket }))), { name: 'InvalidAccessKeyId', status: 403 });
  });

  void it('rejects a body whose sha256 differs from the signed x-amz-content-sha256, keeping no object', async () => {
    const host = `127.0.0.1:${cloud.port}`;
    const path = `/s3/${bucket}/tampered`;
    const signed = await signer().sign({
      method: 'PUT',
      protocol: 'http:',
      hostname: '127.0.0.1',
      port: cloud.port,
      path,
      query: {},
      headers: { host, 'x-amz-content-sha256': createHash('sha256').update('good').digest('hex') },
    });
    const res = await raw({ method: 'PUT', path, headers: signed.headers as Record<string, string>, body: 'evil' });
    assert.equal(res.status, 400);
    assert.equal(code(res.body), 'XAmzContentSHA256Mismatch');
    assert.deepEqual(await failure(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'tampered' }))), { name: 'NoSuchKey', status: 404 });
  });

  void it('verifies chunk signatures of STREAMING-AWS4-HMAC-SHA256-PAYLOAD uploads', async () => {
    const upload = async (key: string, tamper: boolean) => {
      const chunks = [Buffer.alloc(70 * 1024, 'a'), Buffer.from('tail')];
      const decodedLength = chunks.reduce((n, c) => n + c.length, 0);
      const host = `127.0.0.1:${cloud.port}`;
      const path = `/s3/${bucket}/${key}`;
      // The encoded length must be known before signing: signatures are always 64 hex characters.
      const sigLine = (size: number) => `${size.toString(16)};chunk-signature=${'0'.repeat(64)}\r\n`;
      const encodedLength = [...chunks.map((c) => sigLine(c.length).length + c.length + 2), sigLine(0).length + 2].reduce((a, b) => a + b, 0);
      const signed = await signer().sign({
        method: 'PUT',
        protocol: 'http:',
        hostname: '127.0.0.1',
        port: cloud.port,
        path,
        query: {},
        headers: {
          host,
          'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
          'content-encoding': 'aws-chunked',
          'x-amz-decoded-content-length': String(decodedLength),
          'content-length': String(encodedLength),
        },
      });
      const headers = signed.headers as Record<string, string>;
      const seed = /Signature=([0-9a-f]{64})/.exec(headers.authorization!)![1]!;
      const scope = /Credential=[^/]+\/([^,]+)/.exec(headers.authorization!)![1]!;
      const [date, region, service] = scope.split('/') as [string, string, string];
      const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();
      const signingKey = hmac(hmac(hmac(hmac(`AWS4${cloud.credentials.secretAccessKey}`, date), region), service), 'aws4_request');
      const sha = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');
      let previous = seed;
      const parts: Buffer[] = [];
      for (const chunk of [...chunks, Buffer.alloc(0)]) {
        const signature = hmac(signingKey, ['AWS4-HMAC-SHA256-PAYLOAD', headers['x-amz-date'], scope, previous, sha(''), sha(chunk)].join('\n')).toString(
          'hex',
        );
        previous = signature;
        const data = tamper && chunk.length === 4 ? Buffer.from('TAIL') : chunk;
        parts.push(Buffer.from(`${chunk.length.toString(16)};chunk-signature=${signature}\r\n`), data, Buffer.from('\r\n'));
      }
      const body = Buffer.concat(parts);
      assert.equal(body.length, encodedLength);
      return raw({ method: 'PUT', path, headers, body });
    };
    const good = await upload('chunked/good', false);
    assert.equal(good.status, 200, good.body);
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'chunked/good' }));
    assert.equal((await got.Body!.transformToString()).length, 70 * 1024 + 4);
    const bad = await upload('chunked/bad', true);
    assert.equal(bad.status, 403);
    assert.equal(code(bad.body), 'SignatureDoesNotMatch');
    assert.deepEqual(await failure(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'chunked/bad' }))), { name: 'NoSuchKey', status: 404 });
  });

  void it('keeps nothing of an upload the client abandons half way, and keeps serving', async () => {
    const host = `127.0.0.1:${cloud.port}`;
    const path = `/s3/${bucket}/abandoned`;
    const signed = await signer().sign({
      method: 'PUT',
      protocol: 'http:',
      hostname: '127.0.0.1',
      port: cloud.port,
      path,
      query: {},
      headers: { host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', 'content-length': String(4 * 1024 * 1024) },
    });
    await new Promise<void>((resolve) => {
      const req = httpRequest({ host: '127.0.0.1', port: cloud.port, method: 'PUT', path, headers: signed.headers as Record<string, string> });
      req.on('error', () => resolve());
      req.write(Buffer.alloc(256 * 1024, 1), () => setTimeout(() => req.destroy(), 50));
      req.on('close', () => resolve());
    });
    // The cloud learns of the abort on its own time: the temp file's removal, then the log line.
    const gone = (): boolean =>
      readdirSync(join(cloud.dataDir, 'blobs', '.tmp')).length === 0 && cloud.logs().some((line) => line.includes('client went away'));
    for (const until = Date.now() + 5000; !gone() && Date.now() < until;) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(await failure(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'abandoned' }))), { name: 'NoSuchKey', status: 404 });
    const leftovers = readdirSync(join(cloud.dataDir, 'blobs', '.tmp'));
    assert.deepEqual(leftovers, [], 'the partial body was removed');
    assert.ok(cloud.logs().some((line) => line.includes('client went away')));
    assert.equal((await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'public/hello.txt' }))).ContentLength, 5);
  });

  void it('serves presigned GET and PUT URLs, and refuses expired ones', async () => {
    const host = `127.0.0.1:${cloud.port}`;
    const presign = async (method: string, key: string, options: { expiresIn?: number; signingDate?: Date; query?: Record<string, string> } = {}) => {
      const path = `/s3/${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
      const signed = await signer().presign(
        {
          method,
          protocol: 'http:',
          hostname: '127.0.0.1',
          port: cloud.port,
          path,
          query: options.query ?? {},
          headers: { host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
        },
        { expiresIn: options.expiresIn ?? 300, ...(options.signingDate ? { signingDate: options.signingDate } : {}) },
      );
      const url = new URL(`${cloud.url}${path}`);
      for (const [k, v] of Object.entries(signed.query as Record<string, string>)) url.searchParams.set(k, v);
      return url;
    };
    const put = await fetch(await presign('PUT', 'uploads/my photo.jpg'), { method: 'PUT', body: 'jpeg bytes', headers: { 'content-type': 'image/jpeg' } });
    assert.equal(put.status, 200, await put.clone().text());
    const get = await fetch(await presign('GET', 'uploads/my photo.jpg', { query: { 'response-content-disposition': 'attachment; filename="x.jpg"' } }));
    assert.equal(get.status, 200);
    assert.equal(await get.text(), 'jpeg bytes');
    assert.equal(get.headers.get('content-type'), 'image/jpeg');
    assert.equal(get.headers.get('content-disposition'), 'attachment; filename="x.jpg"');
    const expired = await fetch(await presign('GET', 'uploads/my photo.jpg', { expiresIn: 60, signingDate: new Date(Date.now() - 120_000) }));
    assert.equal(expired.status, 403);
    const body = await expired.text();
    assert.equal(code(body), 'AccessDenied');
    assert.match(body, /Request has expired/);
    // An altered presigned URL: another key, a longer expiry or another response header, each refused and nothing written.
    const original = await presign('PUT', 'uploads/altered.txt');
    const otherKey = new URL(original);
    otherKey.pathname = otherKey.pathname.replace('altered.txt', 'other.txt');
    const longer = new URL(original);
    longer.searchParams.set('X-Amz-Expires', '604800');
    const extra = new URL(await presign('GET', 'uploads/my photo.jpg'));
    extra.searchParams.set('response-content-type', 'text/html');
    for (const [url, method] of [
      [otherKey, 'PUT'],
      [longer, 'PUT'],
      [extra, 'GET'],
    ] as const) {
      const res = await fetch(url, { method, ...(method === 'PUT' ? { body: 'altered' } : {}) });
      assert.equal(res.status, 403, `${method} ${url.pathname}`);
      assert.equal(code(await res.text()), 'SignatureDoesNotMatch');
    }
    for (const key of ['uploads/altered.txt', 'uploads/other.txt'])
      assert.deepEqual(await failure(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))), { name: 'NotFound', status: 404 });
    const logs = cloud.logs().join('');
    assert.doesNotMatch(logs, /X-Amz-Signature/);
    assert.doesNotMatch(logs, new RegExp(cloud.credentials.secretAccessKey.replace(/[+/]/g, '\\$&')));
  });
});

void describe('S3 virtual-host style', () => {
  void it('serves <bucket>.s3.localhost through the real client (custom DNS lookup)', async () => {
    const lookup: LookupFunction = (_hostname, options, callback) => {
      if ((options as { all?: boolean }).all)
        (callback as unknown as (e: null, a: Array<{ address: string; family: number }>) => void)(null, [{ address: '127.0.0.1', family: 4 }]);
      else callback(null, '127.0.0.1', 4);
    };
    const virtual = new S3Client({
      endpoint: `http://s3.localhost:${cloud.port}`,
      forcePathStyle: false,
      region: 'us-east-1',
      credentials: cloud.credentials,
      maxAttempts: 1,
      requestHandler: { httpAgent: new Agent({ lookup }) },
    });
    await virtual.send(new PutObjectCommand({ Bucket: bucket, Key: 'vhost/a b.txt', Body: 'via host' }));
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'vhost/a b.txt' }));
    assert.equal(await got.Body!.transformToString(), 'via host', 'path style sees what virtual-host style wrote');
    const listed = await virtual.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'vhost/' }));
    assert.deepEqual(
      listed.Contents?.map((c) => c.Key),
      ['vhost/a b.txt'],
    );
  });

  void it('answers a raw signed request whose Host names the bucket', async () => {
    const host = `${bucket}.s3.localhost:${cloud.port}`;
    const signed = await signer().sign({
      method: 'GET',
      protocol: 'http:',
      hostname: `${bucket}.s3.localhost`,
      port: cloud.port,
      path: '/public/hello.txt',
      query: {},
      headers: { host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
    });
    const res = await raw({ method: 'GET', path: '/public/hello.txt', headers: signed.headers as Record<string, string> });
    assert.equal(res.status, 200);
    assert.equal(res.body, 'hello');
  });
});

void describe('S3 authorization for role principals (IAM-lite)', () => {
  const roleKey = { accessKeyId: 'ASIATESTROLE00000001', secretAccessKey: 'role-secret-role-secret-role-secret-0000' };
  const identityId = 'us-east-1:11111111-2222-3333-4444-555555555555';
  let roleClient: S3Client;
  const resourceCtx = (): ResourceContext => resourceContext(cloud, 'AuthRole', 'amplify-app1-dev');

  before(async () => {
    const roleHandler = cloud.kernel.resourceHandler('Forte::IAM::Role')!;
    const created = await roleHandler.create(
      {
        RoleName: 'amplify-app1-dev-authRole',
        AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRoleWithWebIdentity' }] },
        Policies: [
          {
            PolicyName: 'storage',
            PolicyDocument: JSON.stringify({
              Version: '2012-10-17',
              Statement: [
                {
                  Effect: 'Allow',
                  Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
                  Resource: [`arn:aws:s3:::${bucket}/public/*`, `arn:aws:s3:::${bucket}/private/\${cognito-identity.amazonaws.com:sub}/*`],
                },
                { Effect: 'Allow', Action: 's3:ListBucket', Resource: `arn:aws:s3:::${bucket}` },
                { Effect: 'Deny', Action: 's3:PutObject', Resource: `arn:aws:s3:::${bucket}/public/readonly/*` },
              ],
            }),
          },
        ],
      },
      resourceCtx(),
    );
    assert.equal(created.physicalId, 'amplify-app1-dev-authRole');
    assert.equal(created.attributes.Arn, `arn:aws:iam::${cloud.kernel.config.accountId}:role/amplify-app1-dev-authRole`);
    assert.match(String(created.attributes.RoleId), /^AROA[A-Z2-7]{17}$/);
    // Stands in for identity-pool credentials until that service exists.
    cloud.kernel.addService({
      name: 'test-role-keys',
      routes: [],
      provides: [
        provide(CREDENTIAL_PROVIDERS, {
          lookup: async (id) =>
            id === roleKey.accessKeyId
              ? { secretAccessKey: roleKey.secretAccessKey, principal: { kind: 'role', accessKeyId: id, roleArn: String(created.attributes.Arn), identityId } }
              : undefined,
        }),
      ],
    });
    roleClient = new S3Client({ endpoint: `${cloud.url}/s3`, forcePathStyle: true, region: 'us-east-1', credentials: roleKey, maxAttempts: 1 });
  });

  void it('allows what the role policy allows, with ${cognito-identity.amazonaws.com:sub} resolved', async () => {
    await roleClient.send(new PutObjectCommand({ Bucket: bucket, Key: `private/${identityId}/mine.txt`, Body: 'mine' }));
    const got = await roleClient.send(new GetObjectCommand({ Bucket: bucket, Key: 'public/hello.txt' }));
    assert.equal(await got.Body!.transformToString(), 'hello');
    assert.equal((await roleClient.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'public/' }))).KeyCount, 1);
  });

  void it("denies other identities' paths, explicit Deny and unlisted actions with 403 AccessDenied", async () => {
    assert.deepEqual(await failure(roleClient.send(new PutObjectCommand({ Bucket: bucket, Key: 'private/us-east-1:someone-else/x', Body: 'x' }))), {
      name: 'AccessDenied',
      status: 403,
    });
    assert.deepEqual(await failure(roleClient.send(new PutObjectCommand({ Bucket: bucket, Key: 'public/readonly/x', Body: 'x' }))), {
      name: 'AccessDenied',
      status: 403,
    });
    assert.deepEqual(await failure(roleClient.send(new CreateBucketCommand({ Bucket: 'role-made-bucket' }))), { name: 'AccessDenied', status: 403 });
  });

  void it('follows role updates and deletion', async () => {
    const roleHandler = cloud.kernel.resourceHandler('Forte::IAM::Role')!;
    const updated = await roleHandler.update('amplify-app1-dev-authRole', { RoleName: 'amplify-app1-dev-authRole', Policies: [] }, {}, resourceCtx());
    assert.notEqual(updated, 'replace');
    assert.deepEqual(await failure(roleClient.send(new GetObjectCommand({ Bucket: bucket, Key: 'public/hello.txt' }))), { name: 'AccessDenied', status: 403 });
    assert.equal(await roleHandler.update('amplify-app1-dev-authRole', { RoleName: 'renamed' }, {}, resourceCtx()), 'replace');
    await roleHandler.delete('amplify-app1-dev-authRole', {}, resourceCtx());
    await roleHandler.delete('amplify-app1-dev-authRole', {}, resourceCtx()); // idempotent
  });

  void it('refuses policy documents it cannot honour', async () => {
    const roleHandler = cloud.kernel.resourceHandler('Forte::IAM::Role')!;
    await assert.rejects(
      roleHandler.create(
        { RoleName: 'bad', Policies: [{ PolicyName: 'p', PolicyDocument: { Statement: [{ Effect: 'Allow', NotAction: 's3:*', Resource: '*' }] } }] },
        resourceCtx(),
      ),
      /NotAction/,
    );
    await assert.rejects(roleHandler.create({ RoleName: 'bad name!' }, resourceCtx()), /RoleName/);
  });
});

void describe('Forte::S3::Bucket resource type', () => {
  void it('creates idempotently, reports attributes, and empties the bucket on delete', async () => {
    const handler = cloud.kernel.resourceHandler('Forte::S3::Bucket')!;
    const ctx = {
      appId: 'a',
      appSlug: 'a',
      envName: 'dev',
      stackName: 's',
      logicalId: 'Bucket',
      region: 'us-east-1',
      accountId: cloud.kernel.config.accountId,
      log: cloud.kernel.log,
    };
    const first = await handler.create({ BucketName: 'deployment-bucket' }, ctx);
    const again = await handler.create({ BucketName: 'deployment-bucket' }, ctx);
    assert.deepEqual(first, again);
    assert.deepEqual(first.attributes, {
      BucketName: 'deployment-bucket',
      Arn: 'arn:aws:s3:::deployment-bucket',
      RegionalDomainName: `deployment-bucket.s3.localhost:${cloud.port}`,
      WebsiteURL: `http://deployment-bucket.s3-website.localhost:${cloud.port}`,
      DomainName: 'deployment-bucket.s3.localhost',
    });
    await s3.send(new PutObjectCommand({ Bucket: 'deployment-bucket', Key: 'a', Body: 'a' }));
    await s3.send(new PutObjectCommand({ Bucket: 'deployment-bucket', Key: 'b/c', Body: 'c' }));
    assert.equal(await handler.update('deployment-bucket', { BucketName: 'other-bucket' }, { BucketName: 'deployment-bucket' }, ctx), 'replace');
    await handler.delete('deployment-bucket', {}, ctx);
    assert.deepEqual(await failure(s3.send(new ListObjectsV2Command({ Bucket: 'deployment-bucket' }))), { name: 'NoSuchBucket', status: 404 });
    await handler.delete('deployment-bucket', {}, ctx); // idempotent
    await assert.rejects(handler.create({ BucketName: 'Bad_Name' }, ctx), /InvalidBucketName|not valid/);
  });
});
