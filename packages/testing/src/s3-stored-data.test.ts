import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { RESOURCE_TYPES } from '@forte/protocol';
import { startTestCloud, type TestCloud } from './index.js';

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

void describe("a bucket's stored data", () => {
  void it('is counted in objects, so a change set can say what deleting the bucket loses; it is not copied', async () => {
    const hooks = cloud.kernel.resourceHandler(RESOURCE_TYPES.bucket)!.storedData!;
    await s3.send(new CreateBucketCommand({ Bucket: 'counted' }));
    assert.equal(await hooks.count('counted', { BucketName: 'counted' }), 0);
    for (const key of ['a.txt', 'b/c.txt']) await s3.send(new PutObjectCommand({ Bucket: 'counted', Key: key, Body: key }));
    assert.equal(hooks.kind, 'objects');
    assert.equal(await hooks.count('counted', { BucketName: 'counted' }), 2);
    assert.equal(await hooks.count('missing', { BucketName: 'missing' }), 0);
    assert.equal(hooks.snapshot, undefined);
  });
});
