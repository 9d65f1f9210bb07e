/**
 * Content storage end to end: `forte add auth` + `forte add storage` (S3) headless, push, then what each caller may
 * do with identity pool credentials (aws-amplify's, as an app gets them), through @aws-sdk/client-s3: Amplify's
 * policies on public/, protected/<id>/, private/<id>/ and uploads/, the list rules, and the removal.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { fetchAuthSession, signOut } from 'aws-amplify/auth';
import { configureAmplifyFrom, signUpAndIn } from './amplify-app.js';
import { identityPoolAuthRequest, useProject } from './forte-runner.js';

/** Signed-in users create, read and delete; guests read (the corpus apps' usual bucket). */
const ADD_STORAGE_REQUEST = {
  version: 1,
  serviceConfiguration: {
    serviceName: 'S3',
    resourceName: 'photos',
    bucketName: 'photos',
    permissions: { auth: ['CREATE_AND_UPDATE', 'READ', 'DELETE'], guest: ['READ'] },
  },
};

void describe('forte add storage (S3): push, then the access matrix with identity pool credentials (built binary, local cloud)', () => {
  // Before the project's removal (hooks run in the order they are registered).
  after(() => signOut().catch(() => undefined));
  const project = useProject('forte-storage-s3-', 'photoapp', { auth: identityPoolAuthRequest({ guests: true }) });
  const { forte, readJson } = project;
  let bucket: string;
  let endpoint: string;
  /** An S3 client with the credentials aws-amplify holds now (a guest's, or the signed-in user's). */
  const currentCaller = async (): Promise<{ s3: S3Client; identityId: string }> => {
    const session = await fetchAuthSession();
    assert.ok(session.credentials && session.identityId, 'identity pool credentials');
    return {
      s3: new S3Client({ endpoint, forcePathStyle: true, region: 'us-east-1', credentials: session.credentials, maxAttempts: 1 }),
      identityId: session.identityId,
    };
  };
  const put = (s3: S3Client, Key: string, Body = 'x') => s3.send(new PutObjectCommand({ Bucket: bucket, Key, Body }));
  const get = async (s3: S3Client, Key: string) => (await s3.send(new GetObjectCommand({ Bucket: bucket, Key }))).Body!.transformToString();
  const del = (s3: S3Client, Key: string) => s3.send(new DeleteObjectCommand({ Bucket: bucket, Key }));
  const list = async (s3: S3Client, Prefix?: string) =>
    ((await s3.send(new ListObjectsV2Command({ Bucket: bucket, ...(Prefix === undefined ? {} : { Prefix }) }))).Contents ?? []).map((o) => o.Key);
  const refused = async (call: Promise<unknown>, what: string): Promise<void> => {
    try {
      await call;
    } catch (error) {
      assert.equal((error as { name?: string }).name, 'AccessDenied', `${what}: ${String(error)}`);
      assert.equal((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode, 403, what);
      return;
    }
    assert.fail(`${what} was allowed`);
  };

  void it('adds the bucket headlessly to the project with auth and pushes: outputs, aws-exports.js and amplify_outputs.json name the bucket <bucketName><suffix>-<env>', async () => {
    const add = await forte(['add', 'storage', '--headless'], JSON.stringify(ADD_STORAGE_REQUEST));
    assert.equal(add.code, 0, add.stderr + add.stdout);
    const push = await forte(['push', '--yes']);
    assert.equal(push.code, 0, push.stderr + push.stdout);
    const output = readJson('amplify/backend/amplify-meta.json').storage.photos.output;
    const stackSuffix = readJson('amplify/team-provider-info.json').dev.awscloudformation.StackName.split('-')[3];
    assert.equal(output.BucketName, `photos${stackSuffix}-dev`);
    bucket = output.BucketName;
    const exportsText = readFileSync(join(project.root, 'src/aws-exports.js'), 'utf8');
    assert.match(exportsText, new RegExp(`"aws_user_files_s3_bucket": "${bucket}",\\s*"aws_user_files_s3_bucket_region": "${output.Region}"`));
    assert.deepEqual(readJson('amplify_outputs.json').storage, { aws_region: output.Region, bucket_name: bucket });
    endpoint = `${(JSON.parse(readFileSync(join(project.home, 'cloud', 'cloud.json'), 'utf8')) as { url: string }).url}/s3`;
  });

  void it("what guests and users may do is Amplify's policies: public, protected, private, uploads, and lists by prefix", async () => {
    configureAmplifyFrom(project.root);
    const guest = await currentCaller();
    // Guests read (public/ and everyone's protected/), never write.
    await refused(put(guest.s3, 'public/guest.txt'), 'a guest writing public/');
    await refused(put(guest.s3, 'uploads/guest.txt'), 'a guest uploading');
    await refused(list(guest.s3), 'a guest listing the whole bucket');

    await signUpAndIn('a@example.com', { cwd: project.root, home: project.home });
    const a = await currentCaller();
    await put(a.s3, `private/${a.identityId}/diary.txt`, 'dear diary');
    await put(a.s3, `protected/${a.identityId}/avatar.png`, 'avatar of a');
    await put(a.s3, 'public/hello.txt', 'hello');
    await put(a.s3, 'uploads/incoming.txt');
    assert.equal(await get(a.s3, `private/${a.identityId}/diary.txt`), 'dear diary');
    await refused(get(a.s3, 'uploads/incoming.txt'), 'reading uploads/ (write-only)');
    await refused(put(a.s3, 'elsewhere.txt'), 'a key outside the four prefixes');
    await refused(put(a.s3, 'private/us-east-1:00000000-0000-0000-0000-000000000000/x.txt'), "writing another identity's private prefix");
    assert.deepEqual(await list(a.s3, `private/${a.identityId}/`), [`private/${a.identityId}/diary.txt`]);
    await refused(list(a.s3, 'private/'), 'listing every private prefix');
    await refused(list(a.s3, 'uploads/'), 'listing uploads/');
    await signOut();

    await signUpAndIn('b@example.com', { cwd: project.root, home: project.home });
    const b = await currentCaller();
    assert.notEqual(b.identityId, a.identityId);
    await refused(get(b.s3, `private/${a.identityId}/diary.txt`), "B reading A's private file");
    await refused(list(b.s3, `private/${a.identityId}/`), "B listing A's private prefix");
    assert.equal(await get(b.s3, `protected/${a.identityId}/avatar.png`), 'avatar of a', "B reads A's protected file");
    await refused(put(b.s3, `protected/${a.identityId}/avatar.png`, 'defaced'), "B writing A's protected prefix");
    await refused(del(b.s3, `protected/${a.identityId}/avatar.png`), "B deleting A's protected file");
    assert.deepEqual(await list(b.s3, 'protected/'), [`protected/${a.identityId}/avatar.png`]);
    // Side doors: a copy needs read of its source, a batch delete is authorized key by key.
    await refused(
      b.s3.send(
        new CopyObjectCommand({ Bucket: bucket, CopySource: `${bucket}/private/${a.identityId}/diary.txt`, Key: `private/${b.identityId}/stolen.txt` }),
      ),
      "B copying A's private file into B's own prefix",
    );
    await b.s3.send(
      new CopyObjectCommand({ Bucket: bucket, CopySource: `${bucket}/protected/${a.identityId}/avatar.png`, Key: `private/${b.identityId}/copy.png` }),
    );
    const batch = await b.s3.send(
      new DeleteObjectsCommand({
        Bucket: bucket,
        Delete: { Objects: [{ Key: `protected/${a.identityId}/avatar.png` }, { Key: `private/${b.identityId}/copy.png` }] },
      }),
    );
    assert.deepEqual(
      batch.Errors?.map((e) => [e.Key, e.Code]),
      [[`protected/${a.identityId}/avatar.png`, 'AccessDenied']],
    );
    assert.deepEqual(
      batch.Deleted?.map((d) => d.Key),
      [`private/${b.identityId}/copy.png`],
    );
    assert.deepEqual(await list(b.s3, 'public/'), ['public/hello.txt']);
    await signOut();

    const guestAgain = await currentCaller();
    assert.equal(await get(guestAgain.s3, 'public/hello.txt'), 'hello');
    assert.equal(await get(guestAgain.s3, `protected/${a.identityId}/avatar.png`), 'avatar of a', "a guest reads every user's protected files, as on AWS");
    await refused(get(guestAgain.s3, `private/${a.identityId}/diary.txt`), 'a guest reading a private file');
    await refused(list(guestAgain.s3, `private/${a.identityId}/`), 'a guest listing a private prefix');
    assert.deepEqual(await list(guestAgain.s3, 'public/'), ['public/hello.txt']);
    await refused(del(guestAgain.s3, 'public/hello.txt'), 'a guest deleting');
  });

  void it('update: guests lose read at the next push; remove: the push counts the objects and deletes the bucket only when allowed', async () => {
    const update = await forte(
      ['update', 'storage', '--headless'],
      JSON.stringify({
        version: 1,
        serviceModification: { serviceName: 'S3', resourceName: 'photos', permissions: { auth: ['CREATE_AND_UPDATE', 'READ', 'DELETE'] } },
      }),
    );
    assert.equal(update.code, 0, update.stderr);
    const push = await forte(['push', '--yes']);
    assert.equal(push.code, 0, push.stderr + push.stdout);
    const guest = await currentCaller();
    await refused(get(guest.s3, 'public/hello.txt'), 'a guest reading after guests lost access');

    const removed = await forte(['remove', 'storage', 'photos', '--yes']);
    assert.equal(removed.code, 0, removed.stderr);
    const refusedPush = await forte(['push', '--yes']);
    assert.equal(refusedPush.code, 1, refusedPush.stdout);
    assert.match(refusedPush.stderr + refusedPush.stdout, /photos[\s\S]*4 objects/);
    const allowed = await forte(['push', '--yes', '--allow-data-loss']);
    assert.equal(allowed.code, 0, allowed.stderr + allowed.stdout);
    assert.equal(readJson('amplify/backend/amplify-meta.json').storage, undefined);
    assert.doesNotMatch(readFileSync(join(project.root, 'src/aws-exports.js'), 'utf8'), /aws_user_files_s3_bucket/);
  });
});
