import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createPresignedPost, type PresignedPostOptions } from '@aws-sdk/s3-presigned-post';
import { CREDENTIAL_PROVIDERS, provide } from '@forte/cloud';
import { resourceContext } from './lambda-fixture.js';
import { callFailure, startTestCloud, type TestCloud } from './index.js';

let cloud: TestCloud;
let s3: S3Client;
const bucket = 'post-forms';
const clientFor = (credentials: { accessKeyId: string; secretAccessKey: string }) =>
  new S3Client({ endpoint: `${cloud.url}/s3`, forcePathStyle: true, region: 'us-east-1', credentials, maxAttempts: 1 });

before(async () => {
  cloud = await startTestCloud();
  s3 = clientFor(cloud.credentials);
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
});
after(async () => {
  s3.destroy();
  await cloud.close();
});

const XML_ENTITIES: Record<string, string> = { quot: '"', apos: "'", lt: '<', gt: '>', amp: '&' };

/** A form the official client signed, with the SDK's fields first, then `extra`, then the file (as a browser sends it). */
async function presigned(
  options: Omit<PresignedPostOptions, 'Bucket'> & { Bucket?: string },
  client = s3,
): Promise<{ url: string; fields: Record<string, string> }> {
  // The helper may bring a newer copy of the S3 client than the tests' own: the client is the same at run time.
  return createPresignedPost(client as unknown as Parameters<typeof createPresignedPost>[0], { Bucket: bucket, ...options });
}

async function post(
  url: string,
  fields: Record<string, string>,
  file: { body: string | Uint8Array; filename?: string } | undefined,
): Promise<{ status: number; headers: Headers; body: string; code: string | undefined; message: string | undefined }> {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  if (file) form.append('file', new Blob([file.body]), file.filename ?? 'upload.bin');
  const res = await fetch(url, { method: 'POST', body: form, redirect: 'manual' });
  const body = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    body,
    code: /<Code>([^<]*)<\/Code>/.exec(body)?.[1],
    message: /<Message>([^<]*)<\/Message>/.exec(body)?.[1]?.replace(/&(quot|apos|lt|gt|amp);/g, (_, name: string) => XML_ENTITIES[name]!),
  };
}

/** SigV4's signature of a POST policy: the HMAC-SHA256 of the base64 policy with the key derived for the credential's scope. */
function signPolicy(policy: string, credential: string): string {
  const [, date, region, service] = credential.split('/') as [string, string, string, string];
  let key: Buffer = Buffer.from(`AWS4${cloud.credentials.secretAccessKey}`);
  for (const part of [date, region, service, 'aws4_request']) key = createHmac('sha256', key).update(part).digest();
  return createHmac('sha256', key).update(policy).digest('hex');
}

const read = async (key: string): Promise<string> => {
  const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return got.Body!.transformToString();
};
const exists = async (key: string): Promise<boolean> =>
  s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key })).then(
    () => true,
    () => false,
  );

void describe('POST Object with a policy signed by createPresignedPost', () => {
  void it('stores the file under the key, with the Content-Type and x-amz-meta-* fields, and answers 204 with its ETag and Location', async () => {
    const { url, fields } = await presigned({
      Key: 'uploads/report.txt',
      Conditions: [
        ['starts-with', '$Content-Type', 'text/'],
        ['starts-with', '$x-amz-meta-owner', ''],
      ],
      Fields: { 'Content-Type': 'text/plain', 'x-amz-meta-owner': 'ada' },
      Expires: 600,
    });
    assert.match(url, /\/s3\/post-forms$/);
    const res = await post(url, fields, { body: 'quarterly figures' });
    assert.equal(res.status, 204, res.body);
    assert.equal(res.headers.get('location'), `${url}/uploads/report.txt`);
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'uploads/report.txt' }));
    assert.equal(res.headers.get('etag'), head.ETag);
    assert.equal(head.ContentType, 'text/plain');
    assert.deepEqual(head.Metadata, { owner: 'ada' });
    assert.equal(await read('uploads/report.txt'), 'quarterly figures');
  });

  void it('puts the filename in for ${filename} and answers 201 with a PostResponse, 200 empty, or a 303 to success_action_redirect', async () => {
    const created = await presigned({ Key: 'named/${filename}', Conditions: [['starts-with', '$success_action_status', '']], Expires: 600 });
    const res201 = await post(created.url, { ...created.fields, success_action_status: '201' }, { body: 'png bytes', filename: 'cat.png' });
    assert.equal(res201.status, 201, res201.body);
    assert.match(res201.body, /<PostResponse xmlns="http:\/\/s3.amazonaws.com\/doc\/2006-03-01\/">/);
    assert.match(res201.body, /<Bucket>post-forms<\/Bucket><Key>named\/cat.png<\/Key><ETag>&quot;[0-9a-f]{32}&quot;<\/ETag>/);
    assert.equal(await read('named/cat.png'), 'png bytes');

    const res200 = await post(created.url, { ...created.fields, success_action_status: '200' }, { body: 'again', filename: 'dog.png' });
    assert.deepEqual([res200.status, res200.body], [200, '']);
    assert.equal(await read('named/dog.png'), 'again');
    // Any other status, as in S3, answers the default 204.
    const res404 = await post(created.url, { ...created.fields, success_action_status: '404' }, { body: 'third', filename: 'eel.png' });
    assert.deepEqual([res404.status, res404.body], [204, '']);

    const redirected = await presigned({ Key: 'redirected.txt', Fields: { success_action_redirect: 'https://app.example/done?from=form' }, Expires: 600 });
    const res303 = await post(redirected.url, redirected.fields, { body: 'r' });
    assert.equal(res303.status, 303, res303.body);
    const location = new URL(res303.headers.get('location')!);
    assert.equal(`${location.origin}${location.pathname}`, 'https://app.example/done');
    assert.deepEqual(
      [location.searchParams.get('from'), location.searchParams.get('bucket'), location.searchParams.get('key'), location.searchParams.get('etag')],
      ['form', bucket, 'redirected.txt', res303.headers.get('etag')],
    );
  });

  void it('takes the form at the virtual-host address too', async () => {
    const { fields } = await presigned({ Key: 'vhost.txt', Expires: 600 });
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    form.append('file', new Blob(['by host']), 'f.txt');
    // fetch cannot set Host: send the request to the loopback address with the bucket's host name.
    const request = new Request(`http://127.0.0.1:${cloud.port}/`, { method: 'POST', body: form });
    const body = Buffer.from(await request.arrayBuffer());
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port: cloud.port,
          method: 'POST',
          path: '/',
          headers: { host: `${bucket}.s3.localhost:${cloud.port}`, 'content-type': request.headers.get('content-type')!, 'content-length': body.length },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
    assert.equal(status, 204);
    assert.equal(await read('vhost.txt'), 'by host');
  });

  void it('refuses a key the policy does not allow, a field no condition names, and a bucket the policy does not name: AccessDenied, nothing stored', async () => {
    const { url, fields } = await presigned({ Key: 'allowed/a.txt', Expires: 600 });
    const wrongKey = await post(url, { ...fields, key: 'elsewhere/a.txt' }, { body: 'x' });
    assert.deepEqual([wrongKey.status, wrongKey.code], [403, 'AccessDenied']);
    assert.equal(wrongKey.message, 'Invalid according to Policy: Policy Condition failed: ["eq", "$key", "allowed/a.txt"]');

    const prefixed = await presigned({ Key: 'users/ada/', Conditions: [['starts-with', '$key', 'users/ada/']], Expires: 600 });
    const outside = await post(prefixed.url, { ...prefixed.fields, key: 'users/bob/x.txt' }, { body: 'x' });
    assert.deepEqual([outside.status, outside.code], [403, 'AccessDenied']);
    assert.match(outside.message!, /Policy Condition failed/);

    const extra = await post(url, { ...fields, 'x-amz-meta-sneaky': '1' }, { body: 'x' });
    assert.deepEqual([extra.status, extra.code, extra.message], [403, 'AccessDenied', 'Invalid according to Policy: Extra input fields: x-amz-meta-sneaky']);
    const ignored = await post(url, { ...fields, 'x-ignore-note': 'fine' }, { body: 'ok' });
    assert.equal(ignored.status, 204, ignored.body);

    await s3.send(new CreateBucketCommand({ Bucket: 'post-other' }));
    const otherBucket = await post(url.replace(/post-forms$/, 'post-other'), fields, { body: 'x' });
    assert.deepEqual([otherBucket.status, otherBucket.code], [403, 'AccessDenied']);
    assert.match(otherBucket.message!, /Policy Condition failed: \["eq", "\$bucket", "post-forms"\]/);
    assert.equal(await exists('elsewhere/a.txt'), false);
    assert.equal(await exists('users/bob/x.txt'), false);
  });

  void it('refuses a file outside content-length-range with EntityTooLarge / EntityTooSmall, and stores nothing', async () => {
    const { url, fields } = await presigned({ Key: 'sized.bin', Conditions: [['content-length-range', 4, 1024]], Expires: 600 });
    const large = await post(url, fields, { body: new Uint8Array(4096) });
    assert.deepEqual([large.status, large.code], [400, 'EntityTooLarge']);
    assert.match(large.body, /<MaxSizeAllowed>1024<\/MaxSizeAllowed>/);
    const small = await post(url, fields, { body: 'abc' });
    assert.deepEqual([small.status, small.code], [400, 'EntityTooSmall']);
    assert.match(small.body, /<MinSizeAllowed>4<\/MinSizeAllowed>/);
    assert.equal(await exists('sized.bin'), false);
    const fits = await post(url, fields, { body: 'abcd' });
    assert.equal(fits.status, 204, fits.body);
  });

  void it('refuses an expired policy and an altered signature or policy', async () => {
    const expired = await presigned({ Key: 'late.txt', Expires: -60 });
    const late = await post(expired.url, expired.fields, { body: 'x' });
    assert.deepEqual([late.status, late.code, late.message], [403, 'AccessDenied', 'Invalid according to Policy: Policy expired.']);

    const { url, fields } = await presigned({ Key: 'signed.txt', Expires: 600 });
    const signature = fields['X-Amz-Signature']!;
    const altered = await post(url, { ...fields, 'X-Amz-Signature': signature.replace(/^./, (c) => (c === '0' ? '1' : '0')) }, { body: 'x' });
    assert.deepEqual([altered.status, altered.code], [403, 'SignatureDoesNotMatch']);

    // A policy rewritten to allow any key, sent with the original signature.
    const policy = JSON.parse(Buffer.from(fields.Policy!, 'base64').toString('utf8')) as { conditions: unknown[] };
    policy.conditions = policy.conditions.map((c) => (typeof c === 'object' && c !== null && 'key' in c ? ['starts-with', '$key', ''] : c));
    const rewritten = await post(url, { ...fields, Policy: Buffer.from(JSON.stringify(policy)).toString('base64'), key: 'anything.txt' }, { body: 'x' });
    assert.deepEqual([rewritten.status, rewritten.code], [403, 'SignatureDoesNotMatch']);

    const unknownKey = await presigned({ Key: 'k.txt', Expires: 600 }, clientFor({ accessKeyId: 'AKIANOSUCHKEY0000000', secretAccessKey: 'x' }));
    const unknown = await post(unknownKey.url, unknownKey.fields, { body: 'x' });
    assert.deepEqual([unknown.status, unknown.code], [403, 'InvalidAccessKeyId']);
    assert.equal(await exists('anything.txt'), false);
    assert.equal(await exists('signed.txt'), false);
  });

  void it('refuses forms without a key, without a file, with a SigV2 signature or with a policy that is not JSON', async () => {
    const { url, fields } = await presigned({ Key: 'k.txt', Expires: 600 });
    const { key: _key, ...keyless } = fields;
    const noKey = await post(url, keyless, { body: 'x' });
    assert.deepEqual([noKey.status, noKey.code], [400, 'InvalidArgument']);
    assert.match(noKey.message!, /must contain a field named 'key'/);
    const noFile = await post(url, fields, undefined);
    assert.deepEqual([noFile.status, noFile.code, noFile.message], [400, 'InvalidArgument', 'POST requires exactly one file upload per request.']);
    const policyV2 = Buffer.from(JSON.stringify({ expiration: '2099-01-01T00:00:00Z', conditions: [{ bucket }, ['starts-with', '$key', '']] })).toString(
      'base64',
    );
    const v2 = await post(
      url,
      {
        key: 'v2.txt',
        AWSAccessKeyId: cloud.credentials.accessKeyId,
        policy: policyV2,
        signature: createHmac('sha1', cloud.credentials.secretAccessKey).update(policyV2).digest('base64'),
      },
      { body: 'x' },
    );
    assert.deepEqual([v2.status, v2.code], [400, 'InvalidRequest']);
    const notJsonPolicy = Buffer.from('{nope').toString('base64');
    const notJson = await post(
      url,
      { ...fields, Policy: notJsonPolicy, 'X-Amz-Signature': signPolicy(notJsonPolicy, fields['X-Amz-Credential']!) },
      { body: 'x' },
    );
    assert.deepEqual([notJson.status, notJson.code], [400, 'InvalidPolicyDocument']);
    const truncated = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data; boundary=xyz' },
      body: '--xyz\r\nContent-Disposition: form-data; name="key"\r\n\r\nk',
    });
    assert.equal(truncated.status, 400);
    assert.match(await truncated.text(), /<Code>(MalformedPOSTRequest|InvalidArgument)<\/Code>/);
  });
});

void describe('POST Object: broken requests', () => {
  void it('survives a client that goes away in the middle of the file, storing nothing', async () => {
    const { url, fields } = await presigned({ Key: 'cut.bin', Expires: 600 });
    const boundary = 'cut-boundary';
    const head = Object.entries(fields)
      .map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`)
      .join('');
    const start = `${head}--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="cut.bin"\r\n\r\n`;
    const answered = await new Promise<string>((resolve) => {
      const req = httpRequest(url, {
        method: 'POST',
        headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(start.length + 1024 * 1024) },
      });
      req.on('error', (error) => resolve(error.message));
      req.on('response', (res) => resolve(`answered ${res.statusCode}`));
      req.write(start);
      req.write(Buffer.alloc(64 * 1024, 'a'), () => req.destroy());
    });
    assert.ok(answered.length > 0);
    const after = await post(url, fields, { body: 'whole' });
    assert.equal(after.status, 204, 'the cloud still takes forms');
    assert.equal(await read('cut.bin'), 'whole');
  });

  void it('refuses a form whose key comes after the file, and a multipart body without a boundary', async () => {
    const { url, fields } = await presigned({ Key: 'late-key.txt', Expires: 600 });
    const { key, ...rest } = fields;
    const form = new FormData();
    for (const [name, value] of Object.entries(rest)) form.append(name, value);
    form.append('file', new Blob(['x']), 'x.txt');
    form.append('key', key!);
    const res = await fetch(url, { method: 'POST', body: form });
    assert.equal(res.status, 400);
    assert.match(await res.text(), /<Code>InvalidArgument<\/Code>/);
    const noBoundary = await fetch(url, { method: 'POST', headers: { 'content-type': 'multipart/form-data' }, body: 'x' });
    assert.equal(noBoundary.status, 400);
    assert.match(await noBoundary.text(), /<Code>MalformedPOSTRequest<\/Code>/);
    assert.equal(await exists('late-key.txt'), false);
  });
});

void describe('POST Object: who may upload', () => {
  void it('refuses an anonymous form (no bucket policy can grant anonymous writes) and stores nothing', async () => {
    const res = await post(`${cloud.url}/s3/${bucket}`, { key: 'anonymous.txt', 'Content-Type': 'text/plain' }, { body: 'x' });
    assert.deepEqual([res.status, res.code], [403, 'AccessDenied']);
    assert.equal(await exists('anonymous.txt'), false);
  });

  void it("checks the signing principal's s3:PutObject rights on the key (IAM role policies)", async () => {
    const roleKey = { accessKeyId: 'ASIAPOSTFORMROLE0001', secretAccessKey: 'post-form-role-secret-post-form-role-0000' };
    const resourceCtx = resourceContext(cloud, 'UploaderRole', 'amplify-app1-dev');
    const created = await cloud.kernel.resourceHandler('Forte::IAM::Role')!.create(
      {
        RoleName: 'post-form-uploader',
        AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRoleWithWebIdentity' }] },
        Policies: [
          {
            PolicyName: 'uploads',
            PolicyDocument: JSON.stringify({
              Version: '2012-10-17',
              Statement: [{ Effect: 'Allow', Action: ['s3:PutObject', 's3:GetObject'], Resource: `arn:aws:s3:::${bucket}/public/*` }],
            }),
          },
        ],
      },
      resourceCtx,
    );
    cloud.kernel.addService({
      name: 'post-form-role-keys',
      routes: [],
      provides: [
        provide(CREDENTIAL_PROVIDERS, {
          lookup: async (id) =>
            id === roleKey.accessKeyId
              ? { secretAccessKey: roleKey.secretAccessKey, principal: { kind: 'role', accessKeyId: id, roleArn: String(created.attributes.Arn) } }
              : undefined,
        }),
      ],
    });
    const roleClient = clientFor(roleKey);
    const allowed = await presigned({ Key: 'public/by-role.txt', Expires: 600 }, roleClient);
    assert.equal((await post(allowed.url, allowed.fields, { body: 'role' })).status, 204);
    assert.equal(await read('public/by-role.txt'), 'role');
    const denied = await presigned({ Key: 'private/by-role.txt', Expires: 600 }, roleClient);
    const res = await post(denied.url, denied.fields, { body: 'role' });
    assert.deepEqual([res.status, res.code], [403, 'AccessDenied']);
    assert.equal(await exists('private/by-role.txt'), false);
    const failed = await callFailure(roleClient.send(new GetObjectCommand({ Bucket: bucket, Key: 'private/by-role.txt' })));
    assert.equal(failed.status, 403);
  });
});
