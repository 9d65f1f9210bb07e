import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { PushResource } from '@forte/protocol';
import { startTestCloud, type TestCloud } from '@forte/testing';
import { createDeploymentBucket, objectPath, type DeploymentBucket } from './deployment-bucket.js';
import { uploadAssets } from './push-resources.js';
import { createSignedClient, type SignedClient } from './signed-client.js';

void describe('uploadAssets against a real cloud', () => {
  let cloud: TestCloud;
  let client: SignedClient;
  let bucket: DeploymentBucket;
  const name = 'amplify-assets-dev-12345-deployment';

  before(async () => {
    cloud = await startTestCloud();
    client = createSignedClient({ endpoint: cloud.url, ...cloud.credentials });
    const created = await client.request('PUT', `/s3/${name}`, { service: 's3' });
    assert.equal(created.status, 200, await created.text());
    bucket = createDeploymentBucket(client, name);
  });
  after(async () => {
    await cloud.close();
  });

  const resource = (resourceName: string, assets: { key: string; body: Buffer }[]): PushResource => ({
    category: 'function',
    resourceName,
    template: { Resources: {} },
    assets,
  });

  void it('uploads the keys the bucket lacks, once each, and skips the ones it holds', async () => {
    // Already there from an earlier push: content-addressed, so it is not sent again (its bytes stay as they are).
    await bucket.put('amplify-builds/one-aaaa-build.zip', Buffer.from('first push'), 'application/zip');
    const uploaded = await uploadAssets(bucket, [
      resource('one', [{ key: 'amplify-builds/one-aaaa-build.zip', body: Buffer.from('not sent') }]),
      resource('two', [{ key: 'amplify-builds/two-bbbb-build.zip', body: Buffer.from([0x50, 0x4b, 3, 4, 0, 255]) }]),
      resource('three', [{ key: 'amplify-builds/two-bbbb-build.zip', body: Buffer.from([0x50, 0x4b, 3, 4, 0, 255]) }]),
    ]);
    assert.deepEqual(uploaded, ['amplify-builds/two-bbbb-build.zip']);
    assert.equal((await bucket.get('amplify-builds/one-aaaa-build.zip'))?.toString(), 'first push');
    assert.deepEqual([...((await bucket.get('amplify-builds/two-bbbb-build.zip')) ?? [])], [0x50, 0x4b, 3, 4, 0, 255]);
    const head = await client.request('HEAD', objectPath(name, 'amplify-builds/two-bbbb-build.zip'), { service: 's3' });
    assert.equal(head.headers.get('content-type'), 'application/zip');
    assert.deepEqual(await uploadAssets(bucket, [resource('two', [{ key: 'amplify-builds/two-bbbb-build.zip', body: Buffer.from('x') }])]), []);
  });

  void it('answers has() false for a missing key and true once it is there', async () => {
    assert.equal(await bucket.has('amplify-builds/missing.zip'), false);
    await bucket.put('amplify-builds/missing.zip', Buffer.from('now here'), 'application/zip');
    assert.equal(await bucket.has('amplify-builds/missing.zip'), true);
  });
});
