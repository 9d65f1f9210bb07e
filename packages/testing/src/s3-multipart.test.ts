import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { callFailure, startTestCloud, type TestCloud } from './index.js';

const MiB = 1024 ** 2;
let cloud: TestCloud;
let s3: S3Client;

/** The S3 error code and HTTP status of a failed call. */
const failure = async (call: Promise<unknown>): Promise<{ name: string; status: number | undefined }> => {
  const { name, status } = await callFailure(call);
  return { name, status };
};

/** A body of `size` bytes that differs per `seed`. */
const bytes = (size: number, seed: number): Buffer => Buffer.alloc(size, seed);
const md5 = (data: Buffer): string => createHash('md5').update(data).digest('hex');

function blobFiles(): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
  const root = join(cloud.dataDir, 'blobs');
  return existsSync(root) ? walk(root).filter((f) => !f.includes('/.tmp/')) : [];
}

before(async () => {
  cloud = await startTestCloud();
  s3 = new S3Client({ endpoint: `${cloud.url}/s3`, forcePathStyle: true, region: cloud.credentials.region, credentials: cloud.credentials, maxAttempts: 1 });
  await s3.send(new CreateBucketCommand({ Bucket: 'uploads' }));
});
after(() => cloud.close());

void describe('S3 multipart uploads through @aws-sdk/client-s3', () => {
  void it("creates, uploads parts (a part sent again replaces it), lists, and completes into one object with S3's ETag", async () => {
    const Bucket = 'uploads';
    const Key = 'videos/big file.bin';
    const blobsBefore = blobFiles().length;
    const { UploadId } = await s3.send(
      new CreateMultipartUploadCommand({ Bucket, Key, ContentType: 'video/mp4', Metadata: { origin: 'camera' }, CacheControl: 'max-age=60' }),
    );
    assert.match(UploadId ?? '', /^[\w-]{20,}$/);

    const parts = [bytes(5 * MiB, 1), bytes(5 * MiB, 2), bytes(1000, 3)];
    const sent = [];
    for (const [i, Body] of [bytes(5 * MiB, 9), ...parts.slice(1)].entries()) {
      sent.push(await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: i + 1, Body })));
    }
    assert.equal(sent[0]!.ETag, `"${md5(bytes(5 * MiB, 9))}"`);
    const again = await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: parts[0] }));
    assert.equal(again.ETag, `"${md5(parts[0]!)}"`, 'part 1 sent again replaces the first one');

    const listed = await s3.send(new ListPartsCommand({ Bucket, Key, UploadId }));
    assert.deepEqual(
      listed.Parts?.map((p) => [p.PartNumber, p.ETag, p.Size]),
      parts.map((p, i) => [i + 1, `"${md5(p)}"`, p.length]),
    );
    assert.equal(listed.IsTruncated, false);
    const page = await s3.send(new ListPartsCommand({ Bucket, Key, UploadId, MaxParts: 2 }));
    assert.deepEqual([page.Parts?.length, page.IsTruncated, page.NextPartNumberMarker], [2, true, '2']);
    const rest = await s3.send(new ListPartsCommand({ Bucket, Key, UploadId, PartNumberMarker: page.NextPartNumberMarker }));
    assert.deepEqual(
      rest.Parts?.map((p) => p.PartNumber),
      [3],
    );
    const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket, Prefix: 'videos/' }));
    assert.deepEqual(
      uploads.Uploads?.map((u) => [u.Key, u.UploadId]),
      [[Key, UploadId]],
    );
    assert.deepEqual((await s3.send(new ListMultipartUploadsCommand({ Bucket, Prefix: 'photos/' }))).Uploads ?? [], []);
    // A prefix is matched by characters, not UTF-16 units: one outside the BMP counts once.
    const emoji = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key: 'clips/😀/a.mp4' }));
    assert.deepEqual(
      ((await s3.send(new ListMultipartUploadsCommand({ Bucket, Prefix: 'clips/😀' }))).Uploads ?? []).map((u) => u.Key),
      ['clips/😀/a.mp4'],
    );
    await s3.send(new AbortMultipartUploadCommand({ Bucket, Key: 'clips/😀/a.mp4', UploadId: emoji.UploadId }));

    const done = await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket,
        Key,
        UploadId,
        MultipartUpload: { Parts: listed.Parts!.map(({ PartNumber, ETag }) => ({ PartNumber, ETag })) },
      }),
    );
    const expectedEtag = `"${createHash('md5')
      .update(Buffer.concat(parts.map((p) => Buffer.from(md5(p), 'hex'))))
      .digest('hex')}-3"`;
    assert.equal(done.ETag, expectedEtag);
    assert.equal(done.Key, Key);
    assert.ok(done.Location?.endsWith(`/s3/${Bucket}/videos/big%20file.bin`), done.Location);

    const got = await s3.send(new GetObjectCommand({ Bucket, Key }));
    const body = Buffer.from(await got.Body!.transformToByteArray());
    assert.ok(body.equals(Buffer.concat(parts)), 'the object is the parts in order');
    assert.deepEqual(
      [got.ETag, got.ContentType, got.Metadata, got.CacheControl, got.ContentLength],
      [expectedEtag, 'video/mp4', { origin: 'camera' }, 'max-age=60', 10 * MiB + 1000],
    );
    const ranged = await s3.send(new GetObjectCommand({ Bucket, Key, Range: `bytes=${5 * MiB - 2}-${5 * MiB + 1}` }));
    assert.deepEqual([...(await ranged.Body!.transformToByteArray())], [1, 1, 2, 2], 'a range across a part boundary');
    assert.equal((await s3.send(new HeadObjectCommand({ Bucket, Key }))).ContentLength, 10 * MiB + 1000, 'what aws-amplify checks after completing');

    assert.deepEqual(await failure(s3.send(new ListPartsCommand({ Bucket, Key, UploadId }))), { name: 'NoSuchUpload', status: 404 });
    assert.deepEqual((await s3.send(new ListMultipartUploadsCommand({ Bucket }))).Uploads ?? [], []);
    assert.equal(blobFiles().length, blobsBefore + 1, "the parts' bodies are gone; only the object's remains");
  });

  void it('refuses parts out of order, unknown or altered parts, small middle parts and unknown uploads, keeping the upload', async () => {
    const Bucket = 'uploads';
    const Key = 'refusals';
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key }));
    const small = await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: bytes(1000, 1) }));
    const last = await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 2, Body: bytes(1000, 2) }));
    const complete = (Parts: { PartNumber: number; ETag: string | undefined }[]) =>
      s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts } }));

    assert.deepEqual(
      await failure(
        complete([
          { PartNumber: 2, ETag: last.ETag },
          { PartNumber: 1, ETag: small.ETag },
        ]),
      ),
      { name: 'InvalidPartOrder', status: 400 },
    );
    assert.deepEqual(await failure(complete([{ PartNumber: 1, ETag: last.ETag }])), { name: 'InvalidPart', status: 400 });
    assert.deepEqual(await failure(complete([{ PartNumber: 3, ETag: last.ETag }])), { name: 'InvalidPart', status: 400 });
    assert.deepEqual(
      await failure(
        complete([
          { PartNumber: 1, ETag: small.ETag },
          { PartNumber: 2, ETag: last.ETag },
        ]),
      ),
      { name: 'EntityTooSmall', status: 400 },
    );
    assert.deepEqual(await failure(s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 0, Body: 'x' }))), {
      name: 'InvalidArgument',
      status: 400,
    });
    assert.deepEqual(await failure(s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 10_001, Body: 'x' }))), {
      name: 'InvalidArgument',
      status: 400,
    });
    assert.deepEqual(await failure(s3.send(new UploadPartCommand({ Bucket, Key, UploadId: 'no-such-upload', PartNumber: 1, Body: 'x' }))), {
      name: 'NoSuchUpload',
      status: 404,
    });
    assert.deepEqual(
      await failure(s3.send(new UploadPartCommand({ Bucket, Key: 'another-key', UploadId, PartNumber: 1, Body: 'x' }))),
      { name: 'NoSuchUpload', status: 404 },
      'an upload belongs to its key',
    );
    assert.deepEqual(await failure(s3.send(new CreateMultipartUploadCommand({ Bucket: 'no-such-bucket', Key }))), { name: 'NoSuchBucket', status: 404 });
    assert.deepEqual(await failure(s3.send(new GetObjectCommand({ Bucket, Key }))), { name: 'NoSuchKey', status: 404 }, 'no object from a refused completion');

    // One part alone may be small (it is the last).
    await complete([{ PartNumber: 2, ETag: last.ETag }]);
    assert.deepEqual([...(await (await s3.send(new GetObjectCommand({ Bucket, Key }))).Body!.transformToByteArray())], [...bytes(1000, 2)]);
  });

  void it('aborts an upload (its parts are deleted), and a bucket with an upload in progress can be deleted', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'abandoned' }));
    const blobsBefore = blobFiles().length;
    const aborted = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'abandoned', Key: 'a' }));
    await s3.send(new UploadPartCommand({ Bucket: 'abandoned', Key: 'a', UploadId: aborted.UploadId, PartNumber: 1, Body: bytes(2000, 5) }));
    assert.equal(blobFiles().length, blobsBefore + 1);
    await s3.send(new AbortMultipartUploadCommand({ Bucket: 'abandoned', Key: 'a', UploadId: aborted.UploadId }));
    assert.equal(blobFiles().length, blobsBefore);
    assert.deepEqual(await failure(s3.send(new ListPartsCommand({ Bucket: 'abandoned', Key: 'a', UploadId: aborted.UploadId }))), {
      name: 'NoSuchUpload',
      status: 404,
    });
    assert.deepEqual(await failure(s3.send(new AbortMultipartUploadCommand({ Bucket: 'abandoned', Key: 'a', UploadId: aborted.UploadId }))), {
      name: 'NoSuchUpload',
      status: 404,
    });

    const pending = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'abandoned', Key: 'b' }));
    await s3.send(new UploadPartCommand({ Bucket: 'abandoned', Key: 'b', UploadId: pending.UploadId, PartNumber: 1, Body: bytes(2000, 6) }));
    await s3.send(new DeleteBucketCommand({ Bucket: 'abandoned' }));
    assert.equal(blobFiles().length, blobsBefore, "the pending upload's part went with the bucket");
    await s3.send(new CreateBucketCommand({ Bucket: 'abandoned' }));
    assert.deepEqual((await s3.send(new ListMultipartUploadsCommand({ Bucket: 'abandoned' }))).Uploads ?? [], []);
  });

  void it('pages ListMultipartUploads by key and upload id, and a plain PutObject still replaces a completed object', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'many' }));
    const ids: Record<string, string> = {};
    for (const key of ['k1', 'k2', 'k2', 'k3']) {
      const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'many', Key: key }));
      ids[`${key}/${UploadId!}`] = key;
    }
    const seen: string[] = [];
    let KeyMarker: string | undefined;
    let UploadIdMarker: string | undefined;
    for (;;) {
      const page = await s3.send(new ListMultipartUploadsCommand({ Bucket: 'many', MaxUploads: 1, KeyMarker, UploadIdMarker }));
      seen.push(...(page.Uploads ?? []).map((u) => `${u.Key!}/${u.UploadId!}`));
      if (!page.IsTruncated) break;
      [KeyMarker, UploadIdMarker] = [page.NextKeyMarker, page.NextUploadIdMarker];
    }
    assert.deepEqual(seen, Object.keys(ids).sort());
    const afterK2 = await s3.send(new ListMultipartUploadsCommand({ Bucket: 'many', KeyMarker: 'k2' }));
    assert.deepEqual(
      afterK2.Uploads?.map((u) => u.Key),
      ['k3'],
      "a key marker alone skips that key's uploads",
    );

    await s3.send(new PutObjectCommand({ Bucket: 'uploads', Key: 'refusals', Body: 'plain' }));
    assert.equal(await (await s3.send(new GetObjectCommand({ Bucket: 'uploads', Key: 'refusals' }))).Body!.transformToString(), 'plain');
  });
});
