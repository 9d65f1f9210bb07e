import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateBucketCommand, DeleteBucketCorsCommand, GetBucketCorsCommand, PutBucketCorsCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { RESOURCE_TYPES } from '@forte/protocol';
import { callFailure, resourceContext, startTestCloud, type TestCloud } from './index.js';

let cloud: TestCloud;
let s3: S3Client;

before(async () => {
  cloud = await startTestCloud();
  s3 = new S3Client({ endpoint: `${cloud.url}/s3`, forcePathStyle: true, region: cloud.credentials.region, credentials: cloud.credentials, maxAttempts: 1 });
  await s3.send(new CreateBucketCommand({ Bucket: 'cors-rules' }));
  await s3.send(new CreateBucketCommand({ Bucket: 'cors-none' }));
  await s3.send(new PutObjectCommand({ Bucket: 'cors-rules', Key: 'photo.jpg', Body: 'jpeg' }));
  await s3.send(new PutObjectCommand({ Bucket: 'cors-none', Key: 'photo.jpg', Body: 'jpeg' }));
  await s3.send(
    new PutBucketCorsCommand({
      Bucket: 'cors-rules',
      CORSConfiguration: {
        CORSRules: [
          { AllowedMethods: ['GET'], AllowedOrigins: ['*.suffix'], ExposeHeaders: ['ETag'] },
          { AllowedMethods: ['GET', 'HEAD'], AllowedOrigins: ['start*end'], MaxAgeSeconds: 300 },
          {
            AllowedMethods: ['PUT'],
            AllowedOrigins: ['https://app.example'],
            AllowedHeaders: ['content-type', 'x-amz-*'],
            ExposeHeaders: ['ETag', 'x-amz-request-id'],
          },
          { AllowedMethods: ['DELETE'], AllowedOrigins: ['*'] },
        ],
      },
    }),
  );
});
after(async () => {
  s3.destroy();
  await cloud.close();
});

const preflight = (path: string, headers: Record<string, string>) => fetch(`${cloud.url}/s3/${path}`, { method: 'OPTIONS', headers });
const cors = (res: Response) => ({
  status: res.status,
  origin: res.headers.get('access-control-allow-origin'),
  methods: res.headers.get('access-control-allow-methods'),
});

void describe('bucket CORS configuration (Put/Get/DeleteBucketCors)', () => {
  void it('stores the rules, answers them back, and deletes them; a bucket without rules answers NoSuchCORSConfiguration', async () => {
    const got = await s3.send(new GetBucketCorsCommand({ Bucket: 'cors-rules' }));
    assert.deepEqual(got.CORSRules?.[1], { AllowedMethods: ['GET', 'HEAD'], AllowedOrigins: ['start*end'], MaxAgeSeconds: 300 });
    assert.deepEqual(got.CORSRules?.[2]?.AllowedHeaders, ['content-type', 'x-amz-*']);
    const missing = await callFailure(s3.send(new GetBucketCorsCommand({ Bucket: 'cors-none' })));
    assert.deepEqual([missing.name, missing.status], ['NoSuchCORSConfiguration', 404]);

    await s3.send(new CreateBucketCommand({ Bucket: 'cors-deleted' }));
    await s3.send(new PutBucketCorsCommand({ Bucket: 'cors-deleted', CORSConfiguration: { CORSRules: [{ AllowedMethods: ['GET'], AllowedOrigins: ['*'] }] } }));
    await s3.send(new DeleteBucketCorsCommand({ Bucket: 'cors-deleted' }));
    assert.equal((await callFailure(s3.send(new GetBucketCorsCommand({ Bucket: 'cors-deleted' })))).name, 'NoSuchCORSConfiguration');
    assert.equal((await callFailure(s3.send(new GetBucketCorsCommand({ Bucket: 'no-such-bucket' })))).name, 'NoSuchBucket');
  });

  void it('refuses rules S3 refuses: an unknown method, two wildcards in an origin, a rule without origins', async () => {
    const put = (rule: { AllowedMethods: string[]; AllowedOrigins: string[] }) =>
      callFailure(s3.send(new PutBucketCorsCommand({ Bucket: 'cors-none', CORSConfiguration: { CORSRules: [rule] } })));
    assert.deepEqual(await put({ AllowedMethods: ['PATCH'], AllowedOrigins: ['*'] }).then((f) => [f.name, f.status]), ['InvalidRequest', 400]);
    assert.deepEqual(await put({ AllowedMethods: ['GET'], AllowedOrigins: ['*.a.*'] }).then((f) => [f.name, f.status]), ['InvalidRequest', 400]);
    assert.deepEqual(await put({ AllowedMethods: ['GET'], AllowedOrigins: [] }).then((f) => [f.name, f.status]), ['MalformedXML', 400]);
    assert.equal((await callFailure(s3.send(new GetBucketCorsCommand({ Bucket: 'cors-none' })))).name, 'NoSuchCORSConfiguration');
  });
});

void describe('preflights and answers per CORS rule', () => {
  void it('answers a preflight by the first rule that allows the origin, method and headers, and refuses the rest with 403', async () => {
    assert.deepEqual(cors(await preflight('cors-rules/photo.jpg', { origin: 'foo.suffix', 'access-control-request-method': 'GET' })), {
      status: 200,
      origin: 'foo.suffix',
      methods: 'GET',
    });
    const wildcardMiddle = await preflight('cors-rules/photo.jpg', { origin: 'start12end', 'access-control-request-method': 'HEAD' });
    assert.deepEqual(cors(wildcardMiddle), { status: 200, origin: 'start12end', methods: 'GET, HEAD' });
    assert.equal(wildcardMiddle.headers.get('access-control-max-age'), '300');
    const put = await preflight('cors-rules/new.jpg', {
      origin: 'https://app.example',
      'access-control-request-method': 'PUT',
      'access-control-request-headers': 'Content-Type, x-amz-date, X-Amz-Meta-Tag',
    });
    assert.deepEqual(cors(put), { status: 200, origin: 'https://app.example', methods: 'PUT' });
    assert.equal(put.headers.get('access-control-allow-headers'), 'content-type, x-amz-date, x-amz-meta-tag');
    assert.equal(put.headers.get('access-control-expose-headers'), 'ETag, x-amz-request-id');
    // '*' answers '*'
    assert.deepEqual(cors(await preflight('cors-rules/photo.jpg', { origin: 'https://any.where', 'access-control-request-method': 'DELETE' })), {
      status: 200,
      origin: '*',
      methods: 'DELETE',
    });
    const refusals: Array<Record<string, string>> = [
      { origin: 'foo.bar', 'access-control-request-method': 'GET' }, // no origin pattern
      { origin: '0start12end', 'access-control-request-method': 'GET' },
      { origin: 'foo.suffix', 'access-control-request-method': 'PUT' }, // origin allowed, method not
      { origin: 'https://app.example', 'access-control-request-method': 'PUT', 'access-control-request-headers': 'authorization-extra' }, // header not
    ];
    for (const refused of refusals) {
      const res = await preflight('cors-rules/photo.jpg', refused);
      assert.deepEqual(cors(res), { status: 403, origin: null, methods: null }, JSON.stringify(refused));
      assert.match(await res.text(), /<Code>AccessForbidden<\/Code>/);
    }
  });

  void it('answers 400 to an OPTIONS without Origin or Access-Control-Request-Method', async () => {
    const incomplete: Array<Record<string, string>> = [{}, { origin: 'foo.suffix' }, { 'access-control-request-method': 'GET' }];
    for (const headers of incomplete) {
      const res = await preflight('cors-rules/photo.jpg', headers);
      assert.equal(res.status, 400);
      assert.match(await res.text(), /<Code>BadRequest<\/Code>/);
    }
  });

  void it('gives a matching request the rule’s headers (ETag exposed) and an unmatched origin none', async () => {
    const signedGet = async (origin: string) => {
      let headers: Headers | undefined;
      const client = new S3Client({
        endpoint: `${cloud.url}/s3`,
        forcePathStyle: true,
        region: cloud.credentials.region,
        credentials: cloud.credentials,
        maxAttempts: 1,
      });
      client.middlewareStack.add(
        (next) => async (args) => {
          (args.request as { headers: Record<string, string> }).headers.origin = origin;
          const out = await next(args);
          headers = new Headers((out.response as { headers: Record<string, string> }).headers);
          return out;
        },
        { step: 'build', name: 'origin' },
      );
      const { GetObjectCommand } = await import('@aws-sdk/client-s3');
      await (await client.send(new GetObjectCommand({ Bucket: 'cors-rules', Key: 'photo.jpg' }))).Body!.transformToString();
      client.destroy();
      return headers!;
    };
    const allowed = await signedGet('foo.suffix');
    assert.equal(allowed.get('access-control-allow-origin'), 'foo.suffix');
    assert.equal(allowed.get('access-control-expose-headers'), 'ETag');
    const other = await signedGet('https://elsewhere.example');
    assert.equal(other.get('access-control-allow-origin'), null);
  });

  void it('leaves a bucket without rules open to any origin, as the cloud’s other browser APIs', async () => {
    const res = await preflight('cors-none/photo.jpg', { origin: 'https://app.example', 'access-control-request-method': 'PUT' });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('access-control-allow-origin'), 'https://app.example');
    const get = await fetch(`${cloud.url}/s3/cors-none/photo.jpg`, { headers: { origin: 'https://app.example' } });
    assert.equal(get.status, 403); // anonymous: refused, but readable by the page
    assert.equal(get.headers.get('access-control-allow-origin'), 'https://app.example');
    assert.match(get.headers.get('access-control-expose-headers') ?? '', /ETag/);
  });
});

void describe('CorsConfiguration of the bucket resource', () => {
  void it('sets the template’s rules on create and update, and removes them when the template drops them', async () => {
    const handler = cloud.kernel.resourceHandler(RESOURCE_TYPES.bucket)!;
    const ctx = resourceContext(cloud, 'StorageBucket');
    const props = {
      BucketName: 'cors-template',
      CorsConfiguration: {
        CorsRules: [
          {
            Id: 'S3CORSRuleId1',
            AllowedHeaders: ['*'],
            AllowedMethods: ['GET', 'HEAD', 'PUT', 'POST', 'DELETE'],
            AllowedOrigins: ['*'],
            ExposedHeaders: ['x-amz-server-side-encryption', 'x-amz-request-id', 'x-amz-id-2', 'ETag'],
            MaxAge: 3000,
          },
        ],
      },
    };
    await handler.create(props, ctx);
    const got = await s3.send(new GetBucketCorsCommand({ Bucket: 'cors-template' }));
    assert.deepEqual(got.CORSRules, [
      {
        ID: 'S3CORSRuleId1',
        AllowedHeaders: ['*'],
        AllowedMethods: ['GET', 'HEAD', 'PUT', 'POST', 'DELETE'],
        AllowedOrigins: ['*'],
        ExposeHeaders: ['x-amz-server-side-encryption', 'x-amz-request-id', 'x-amz-id-2', 'ETag'],
        MaxAgeSeconds: 3000,
      },
    ]);
    const res = await preflight('cors-template/public/a.png', {
      origin: 'http://localhost:3000',
      'access-control-request-method': 'PUT',
      'access-control-request-headers': 'x-amz-user-agent',
    });
    assert.deepEqual(cors(res), { status: 200, origin: '*', methods: 'GET, HEAD, PUT, POST, DELETE' });

    await handler.update('cors-template', { BucketName: 'cors-template' }, props, ctx);
    assert.equal((await callFailure(s3.send(new GetBucketCorsCommand({ Bucket: 'cors-template' })))).name, 'NoSuchCORSConfiguration');
    await assert.rejects(
      handler.update('cors-template', { ...props, CorsConfiguration: { CorsRules: [{ AllowedMethods: ['TRACE'], AllowedOrigins: ['*'] }] } }, props, ctx),
      /unsupported HTTP method/,
    );
  });
});
