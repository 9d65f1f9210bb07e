import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { RESOURCE_TYPES } from '@forte/protocol';
import { resourceContext, startTestCloud, type TestCloud } from './index.js';

let cloud: TestCloud;
let s3: S3Client;

before(async () => {
  cloud = await startTestCloud();
  s3 = new S3Client({ endpoint: `${cloud.url}/s3`, forcePathStyle: true, region: cloud.credentials.region, credentials: cloud.credentials, maxAttempts: 1 });
});
after(async () => {
  s3.destroy();
  await cloud.close();
});

/** A request to a bucket's website host (`<bucket>.s3-website.localhost:<port>`), sent to the cloud's address. */
function website(
  bucket: string,
  path: string,
  method = 'GET',
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const { hostname, port } = new URL(cloud.url);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path, method, headers: { host: `${bucket}.s3-website.localhost:${port}` } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

void describe('the website endpoint of a bucket with WebsiteConfiguration', () => {
  const bucketHandler = () => cloud.kernel.resourceHandler(RESOURCE_TYPES.bucket)!;
  const objectsHandler = () => cloud.kernel.resourceHandler(RESOURCE_TYPES.bucketObjects)!;

  void it('serves the index document for / and folders, objects by key, the error document with 404; anonymous, GET and HEAD only', async () => {
    const ctx = resourceContext(cloud, 'Site');
    const created = await bucketHandler().create(
      { BucketName: 'site-bucket', AccessControl: 'Private', WebsiteConfiguration: { IndexDocument: 'index.html', ErrorDocument: 'error.html' } },
      ctx,
    );
    assert.equal(created.attributes.WebsiteURL, `http://site-bucket.s3-website.localhost:${new URL(cloud.url).port}`);
    await s3.send(new PutObjectCommand({ Bucket: 'site-bucket', Key: 'index.html', Body: '<p>home</p>', ContentType: 'text/html' }));
    await s3.send(new PutObjectCommand({ Bucket: 'site-bucket', Key: 'docs/index.html', Body: '<p>docs</p>', ContentType: 'text/html' }));
    await s3.send(new PutObjectCommand({ Bucket: 'site-bucket', Key: 'error.html', Body: '<p>gone</p>', ContentType: 'text/html' }));
    await s3.send(new PutObjectCommand({ Bucket: 'site-bucket', Key: 'app.js', Body: 'run()', ContentType: 'text/javascript' }));

    const home = await website('site-bucket', '/?data=x&code=1');
    assert.deepEqual(
      [home.status, home.body, home.headers['content-type'], home.headers['x-content-type-options']],
      [200, '<p>home</p>', 'text/html', 'nosniff'],
    );
    assert.deepEqual([(await website('site-bucket', '/app.js')).body, (await website('site-bucket', '/docs/')).body], ['run()', '<p>docs</p>']);
    const folder = await website('site-bucket', '/docs');
    assert.deepEqual([folder.status, folder.headers.location], [302, '/docs/']);
    const missing = await website('site-bucket', '/nothing.html');
    assert.deepEqual([missing.status, missing.body], [404, '<p>gone</p>']);
    const head = await website('site-bucket', '/app.js', 'HEAD');
    assert.deepEqual([head.status, head.headers['content-length'], head.body], [200, '5', '']);
    assert.equal((await website('site-bucket', '/app.js', 'PUT')).status, 405);

    // An object above 64 KiB is sent from its blob, not read into memory: whole, byte for byte.
    const big = Array.from({ length: 40_000 }, (_, i) => `line ${i}\n`).join('');
    await s3.send(new PutObjectCommand({ Bucket: 'site-bucket', Key: 'big.txt', Body: big, ContentType: 'text/plain' }));
    const served = await website('site-bucket', '/big.txt');
    assert.deepEqual([served.status, served.headers['content-length'], served.body.length], [200, String(big.length), big.length]);
    assert.ok(served.body === big, 'the same bytes');
  });

  void it('does not serve a bucket without a website configuration, nor one that does not exist', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'private-bucket' }));
    await s3.send(new PutObjectCommand({ Bucket: 'private-bucket', Key: 'index.html', Body: 'secret' }));
    const privateBucket = await website('private-bucket', '/index.html');
    assert.equal(privateBucket.status, 404);
    assert.match(privateBucket.body, /NoSuchWebsiteConfiguration/);
    assert.doesNotMatch(privateBucket.body, /secret/);
    assert.match((await website('no-such-bucket', '/')).body, /NoSuchBucket/);
    // Dropping the configuration from the template closes the endpoint.
    const ctx = resourceContext(cloud, 'Site');
    await bucketHandler().create({ BucketName: 'closing-bucket', WebsiteConfiguration: { IndexDocument: 'index.html' } }, ctx);
    await s3.send(new PutObjectCommand({ Bucket: 'closing-bucket', Key: 'index.html', Body: 'open' }));
    assert.equal((await website('closing-bucket', '/')).body, 'open');
    await bucketHandler().update(
      'closing-bucket',
      { BucketName: 'closing-bucket' },
      { BucketName: 'closing-bucket', WebsiteConfiguration: { IndexDocument: 'index.html' } },
      ctx,
    );
    assert.equal((await website('closing-bucket', '/')).status, 404);
  });

  void it('Forte::S3::BucketObjects writes its files with the push, rewrites changed ones, deletes unlisted ones, and removes them on delete', async () => {
    const ctx = resourceContext(cloud, 'Page');
    await bucketHandler().create({ BucketName: 'page-bucket', WebsiteConfiguration: { IndexDocument: 'index.html' } }, ctx);
    const v1 = {
      Bucket: 'page-bucket',
      Objects: [
        { Key: 'index.html', Body: '<p>v1</p>', ContentType: 'text/html; charset=utf-8' },
        { Key: 'old.js', Body: 'old()', ContentType: 'text/javascript' },
      ],
    };
    const created = await objectsHandler().create(v1, ctx);
    assert.equal(created.physicalId, 'page-bucket');
    const first = await website('page-bucket', '/');
    assert.deepEqual([first.body, first.headers['content-type']], ['<p>v1</p>', 'text/html; charset=utf-8']);
    // The template's files are not data: deleting the bucket needs no approval for them, only for what clients wrote.
    assert.equal(await bucketHandler().storedData!.count('page-bucket', {}), 0);
    await s3.send(new PutObjectCommand({ Bucket: 'page-bucket', Key: 'upload.txt', Body: 'mine' }));
    assert.equal(await bucketHandler().storedData!.count('page-bucket', {}), 1);
    const v2 = { Bucket: 'page-bucket', Objects: [{ Key: 'index.html', Body: '<p>v2</p>', ContentType: 'text/html; charset=utf-8' }] };
    await objectsHandler().update('page-bucket', v2, v1, ctx);
    assert.equal((await website('page-bucket', '/')).body, '<p>v2</p>');
    assert.equal((await website('page-bucket', '/old.js')).status, 404);
    await objectsHandler().delete('page-bucket', v2, ctx);
    assert.equal((await website('page-bucket', '/')).status, 404);
    await assert.rejects(objectsHandler().create({ Bucket: 'no-such-bucket', Objects: [] }, ctx), /does not exist/);
    await assert.rejects(objectsHandler().create({ Bucket: 'page-bucket', Objects: [{ Key: 'a', Body: 'x'.repeat(300 * 1024) }] }, ctx), /over 262144/);
  });
});
