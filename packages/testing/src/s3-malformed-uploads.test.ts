import assert from 'node:assert/strict';
import { request } from 'node:http';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { after, before, describe, it } from 'node:test';
import { startTestCloud, type TestCloud } from './index.js';

// Uploads whose bodies do not match what their headers announce. Each is answered with S3's XML error,
// leaves no object and no blob behind, and the cloud goes on serving (one such request once stopped the
// cloud's process: an aws-chunked body that was not chunk-framed).

let cloud: TestCloud;
const Bucket = 'malformed';

interface RawAnswer {
  status: number;
  body: string;
}

/** Signs (admin keys, payload hash as given) and sends one S3 request over a raw socket, body as is. */
async function signedS3(args: {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
  contentSha?: string;
}): Promise<RawAnswer> {
  const url = new URL(`${cloud.url}/s3${args.path}`);
  const body = args.body === undefined ? Buffer.alloc(0) : Buffer.from(args.body);
  const signer = new SignatureV4({
    service: 's3',
    region: cloud.credentials.region,
    credentials: cloud.credentials,
    sha256: Hash.bind(null, 'sha256'),
    uriEscapePath: false,
    applyChecksum: false,
  });
  const query: Record<string, string> = {};
  url.searchParams.forEach((value, key) => (query[key] = value));
  const signed = await signer.sign({
    method: args.method,
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path: url.pathname,
    query,
    headers: { host: url.host, 'x-amz-content-sha256': args.contentSha ?? 'UNSIGNED-PAYLOAD', 'content-length': String(body.length), ...args.headers },
  });
  return new Promise((resolve, reject) => {
    const req = request({ method: args.method, host: url.hostname, port: url.port, path: url.pathname + url.search, headers: signed.headers }, (res) => {
      const chunks: Buffer[] = [];
      res
        .on('data', (c: Buffer) => chunks.push(c))
        .on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }))
        .on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function assertStillServing(): Promise<void> {
  const res = await fetch(`${cloud.url}/_forte/health`);
  assert.equal(res.status, 200, 'the cloud still answers');
}

async function assertNothingStored(key: string): Promise<void> {
  const got = await signedS3({ method: 'GET', path: `/${Bucket}/${key}` });
  assert.equal(got.status, 404, got.body);
  const blobs = await readdir(join(cloud.dataDir, 'blobs', 's3')).catch(() => []);
  assert.deepEqual(blobs, [], 'no blob left behind');
}

const code = (answer: RawAnswer): string | undefined => /<Code>([^<]+)<\/Code>/.exec(answer.body)?.[1];

before(async () => {
  cloud = await startTestCloud();
  const created = await signedS3({ method: 'PUT', path: `/${Bucket}` });
  assert.equal(created.status, 200, created.body);
});
after(() => cloud.close());

void describe('S3 uploads with malformed bodies', () => {
  void it('refuses an aws-chunked PutObject whose body is not chunk-framed, and keeps serving', async () => {
    const answer = await signedS3({
      method: 'PUT',
      path: `/${Bucket}/not-framed`,
      headers: { 'content-encoding': 'aws-chunked' },
      body: 'this is not a chunk-framed body at all\r\n',
    });
    assert.deepEqual([answer.status, code(answer)], [400, 'IncompleteBody'], answer.body);
    await assertStillServing();
    await assertNothingStored('not-framed');
  });

  void it('refuses an aws-chunked body without any line break, a large one too', async () => {
    for (const body of ['plain text', 'x'.repeat(100_000)]) {
      const answer = await signedS3({ method: 'PUT', path: `/${Bucket}/no-lines`, headers: { 'content-encoding': 'aws-chunked' }, body });
      assert.deepEqual([answer.status, code(answer)], [400, 'IncompleteBody'], answer.body);
    }
    await assertStillServing();
    await assertNothingStored('no-lines');
  });

  void it('refuses a chunk-framed body cut short, and one with a trailing CRC32 that does not match', async () => {
    const cut = await signedS3({
      method: 'PUT',
      path: `/${Bucket}/cut`,
      headers: { 'content-encoding': 'aws-chunked', 'x-amz-decoded-content-length': '10' },
      body: 'a\r\n01234',
    });
    assert.deepEqual([cut.status, code(cut)], [400, 'IncompleteBody'], cut.body);
    const crc = await signedS3({
      method: 'PUT',
      path: `/${Bucket}/cut`,
      contentSha: 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
      headers: { 'content-encoding': 'aws-chunked', 'x-amz-trailer': 'x-amz-checksum-crc32', 'x-amz-decoded-content-length': '5' },
      body: '5\r\nhello\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n',
    });
    assert.deepEqual([crc.status, code(crc)], [400, 'BadDigest'], crc.body);
    await assertStillServing();
    await assertNothingStored('cut');
  });

  void it('refuses a signed-chunks body without chunk signatures, for an object and for a part', async () => {
    const put = await signedS3({
      method: 'PUT',
      path: `/${Bucket}/unsigned-chunks`,
      contentSha: 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
      headers: { 'content-encoding': 'aws-chunked', 'x-amz-decoded-content-length': '5' },
      body: '5\r\nhello\r\n0\r\n\r\n',
    });
    assert.deepEqual([put.status, code(put)], [403, 'SignatureDoesNotMatch'], put.body);
    const init = await signedS3({ method: 'POST', path: `/${Bucket}/multi?uploads=` });
    const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(init.body)?.[1];
    assert.ok(uploadId, init.body);
    const part = await signedS3({
      method: 'PUT',
      path: `/${Bucket}/multi?partNumber=1&uploadId=${uploadId}`,
      headers: { 'content-encoding': 'aws-chunked' },
      body: 'not framed\r\n',
    });
    assert.deepEqual([part.status, code(part)], [400, 'IncompleteBody'], part.body);
    await assertStillServing();
    await assertNothingStored('unsigned-chunks');
  });
});
