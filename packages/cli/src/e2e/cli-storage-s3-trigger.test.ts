/**
 * Content storage with a new trigger function: Amplify's S3 trigger template, written by the function category (the
 * storage category goes through it, as for its other triggers); guest access is checked with the auth category. The
 * push deploys the function, then the bucket with its notification, the invoke permission for S3 and the function
 * role's bucket policy; the function runs with an S3 event.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { identityPoolAuthRequest, useProject } from './forte-runner.js';

void describe('forte add storage (S3) with a new Lambda trigger: push and invoke (built binary, local cloud)', () => {
  const project = useProject('forte-storage-trigger-', 'triggerapp', { auth: identityPoolAuthRequest({ guests: false }) });
  const { forte, readJson } = project;

  void it('the trigger function and the bucket deploy; the bucket depends on the function; the function handles an S3 event', async () => {
    // The identity pool lets no guests in (the auth category says so when the storage category asks): guest access is refused.
    const guests = await forte(
      ['add', 'storage', '--headless'],
      JSON.stringify({ version: 1, serviceConfiguration: { serviceName: 'S3', resourceName: 'uploads', permissions: { auth: ['READ'], guest: ['READ'] } } }),
    );
    assert.notEqual(guests.code, 0, guests.stdout);
    assert.match(guests.stderr + guests.stdout, /the identity pool of auth \w+ does not let guests in/);
    assert.equal(readJson('amplify/backend/backend-config.json').storage, undefined);
    const add = await forte(
      ['add', 'storage', '--headless'],
      JSON.stringify({
        version: 1,
        serviceConfiguration: {
          serviceName: 'S3',
          resourceName: 'uploads',
          permissions: { auth: ['CREATE_AND_UPDATE', 'READ'] },
          lambdaTrigger: { mode: 'new', name: 'S3Trigger0a1b2c3d' },
        },
      }),
    );
    assert.equal(add.code, 0, add.stderr + add.stdout);
    assert.deepEqual(readJson('amplify/backend/backend-config.json').storage.uploads.dependsOn, [
      { category: 'function', resourceName: 'S3Trigger0a1b2c3d', attributes: ['Name', 'Arn', 'LambdaExecutionRole'] },
    ]);
    const push = await forte(['push', '--yes']);
    assert.equal(push.code, 0, push.stderr + push.stdout);
    assert.match(push.stdout, /storageuploads\.TriggerPermissions\s*│ AWS::Lambda::Permission/);
    assert.match(push.stdout, /storageuploads\.S3TriggerBucketPolicy\s*│ AWS::IAM::Policy/);
    const meta = readJson('amplify/backend/amplify-meta.json');
    assert.equal(meta.function.S3Trigger0a1b2c3d.output.Name, 'S3Trigger0a1b2c3d-dev');
    assert.equal(meta.function.S3Trigger0a1b2c3d.output.LambdaExecutionRole, 'S3Trigger0a1b2c3dLambdaRole0a1b2c3d-dev');
    assert.match(meta.storage.uploads.output.BucketName, /^triggerapp[0-9a-f]+\d+-dev$/);

    const event = join(project.root, 's3-event.json');
    const key = 'public/Happy+Face.jpg';
    writeFileSync(
      event,
      JSON.stringify({ Records: [{ eventSource: 'aws:s3', s3: { bucket: { name: meta.storage.uploads.output.BucketName }, object: { key } } }] }),
    );
    const invoked = await forte(['function', 'invoke', 'S3Trigger0a1b2c3d', '--event', event]);
    assert.equal(invoked.code, 0, invoked.stderr + invoked.stdout);
    const logs = await forte(['function', 'logs', 'S3Trigger0a1b2c3d', '--since', '5m']);
    assert.match(logs.stdout, /Key: public\/Happy Face\.jpg/, 'the handler decodes the key as S3 sends it');
  });
});
