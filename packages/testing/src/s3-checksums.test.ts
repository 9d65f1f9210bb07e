import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectAttributesCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListPartsCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { callFailure, startTestCloud, type TestCloud } from './index.js';

let cloud: TestCloud;
let s3: S3Client;
const Bucket = 'checksums';

/** CRC32 as S3 writes it: base64 of the four big-endian bytes. */
const crcOf = (data: Buffer | string): string => {
  const value = crc32(data);
  return Buffer.from([value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff]).toString('base64');
};

before(async () => {
  cloud = await startTestCloud();
  s3 = new S3Client({ endpoint: `${cloud.url}/s3`, forcePathStyle: true, region: cloud.credentials.region, credentials: cloud.credentials, maxAttempts: 1 });
  await s3.send(new CreateBucketCommand({ Bucket }));
});
after(() => cloud.close());

void describe('S3 CRC32 checksums through @aws-sdk/client-s3', () => {
  void it('verifies a CRC32 sent as a header, keeps it, and answers it to checksum mode (the SDK checks the download)', async () => {
    const put = await s3.send(new PutObjectCommand({ Bucket, Key: 'a.txt', Body: 'hello checksums', ChecksumAlgorithm: 'CRC32' }));
    assert.equal(put.ChecksumCRC32, crcOf('hello checksums'));
    const got = await s3.send(new GetObjectCommand({ Bucket, Key: 'a.txt', ChecksumMode: 'ENABLED' }));
    assert.equal(got.ChecksumCRC32, crcOf('hello checksums'));
    assert.equal(await got.Body!.transformToString(), 'hello checksums', 'the SDK validated the body against it');
    assert.equal((await s3.send(new HeadObjectCommand({ Bucket, Key: 'a.txt', ChecksumMode: 'ENABLED' }))).ChecksumCRC32, crcOf('hello checksums'));
    assert.equal(
      (await s3.send(new GetObjectCommand({ Bucket, Key: 'a.txt', ChecksumMode: 'ENABLED', Range: 'bytes=0-4' }))).ChecksumCRC32,
      undefined,
      'not for a range',
    );
  });

  void it('refuses a body whose CRC32 does not match, and keeps what was stored', async () => {
    await s3.send(new PutObjectCommand({ Bucket, Key: 'kept.txt', Body: 'original' }));
    const failed = await callFailure(s3.send(new PutObjectCommand({ Bucket, Key: 'kept.txt', Body: 'replacement', ChecksumCRC32: crcOf('something else') })));
    assert.deepEqual([failed.name, failed.status], ['BadDigest', 400]);
    assert.equal(await (await s3.send(new GetObjectCommand({ Bucket, Key: 'kept.txt' }))).Body!.transformToString(), 'original');
  });

  void it('verifies a CRC32 sent as an aws-chunked trailer (streamed bodies)', async () => {
    const data = Buffer.alloc(300_000, 7);
    const put = await s3.send(
      new PutObjectCommand({
        Bucket,
        Key: 'streamed.bin',
        Body: Readable.from([data.subarray(0, 100_000), data.subarray(100_000)]),
        ContentLength: data.length,
        ChecksumAlgorithm: 'CRC32',
      }),
    );
    assert.equal(put.ChecksumCRC32, crcOf(data));
    const got = await s3.send(new GetObjectCommand({ Bucket, Key: 'streamed.bin', ChecksumMode: 'ENABLED' }));
    assert.equal(got.ChecksumCRC32, crcOf(data));
    assert.ok(Buffer.from(await got.Body!.transformToByteArray()).equals(data));
  });

  void it('verifies and lists the CRC32 of multipart parts', async () => {
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key: 'parts', ChecksumAlgorithm: 'CRC32' }));
    const part = await s3.send(new UploadPartCommand({ Bucket, Key: 'parts', UploadId, PartNumber: 1, Body: 'only part', ChecksumAlgorithm: 'CRC32' }));
    assert.equal(part.ChecksumCRC32, crcOf('only part'));
    assert.equal((await s3.send(new ListPartsCommand({ Bucket, Key: 'parts', UploadId }))).Parts?.[0]?.ChecksumCRC32, crcOf('only part'));
    const wrong = await callFailure(
      s3.send(new UploadPartCommand({ Bucket, Key: 'parts', UploadId, PartNumber: 2, Body: 'second', ChecksumCRC32: crcOf('not it') })),
    );
    assert.deepEqual([wrong.name, wrong.status], ['BadDigest', 400]);
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket,
        Key: 'parts',
        UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag, ChecksumCRC32: part.ChecksumCRC32 }] },
      }),
    );
    assert.equal(await (await s3.send(new GetObjectCommand({ Bucket, Key: 'parts' }))).Body!.transformToString(), 'only part');
  });
});

void describe('S3 CRC32C, SHA1 and SHA256 checksums', () => {
  void it('verifies each algorithm the SDK computes, keeps it, answers it to checksum mode and on copies', async () => {
    const body = 'the same bytes, four algorithms';
    const expected = {
      CRC32C: undefined as string | undefined, // computed by the SDK (@aws-crypto/crc32c): compared with the cloud's
      SHA1: createHash('sha1').update(body).digest('base64'),
      SHA256: createHash('sha256').update(body).digest('base64'),
    };
    for (const algorithm of ['CRC32C', 'SHA1', 'SHA256'] as const) {
      const Key = `algo-${algorithm}`;
      const put = await s3.send(new PutObjectCommand({ Bucket, Key, Body: body, ChecksumAlgorithm: algorithm }));
      const answered = put[`Checksum${algorithm}`];
      assert.ok(answered, algorithm);
      if (expected[algorithm] !== undefined) assert.equal(answered, expected[algorithm], algorithm);
      const head = await s3.send(new HeadObjectCommand({ Bucket, Key, ChecksumMode: 'ENABLED' }));
      assert.equal(head[`Checksum${algorithm}`], answered, algorithm);
      assert.equal((await s3.send(new HeadObjectCommand({ Bucket, Key })))[`Checksum${algorithm}`], undefined, 'only when asked');
      const got = await s3.send(new GetObjectCommand({ Bucket, Key, ChecksumMode: 'ENABLED' }));
      assert.equal(await got.Body!.transformToString(), body, 'the SDK validated the body against it');
      await s3.send(new CopyObjectCommand({ Bucket, Key: `${Key}-copy`, CopySource: `${Bucket}/${Key}` }));
      assert.equal((await s3.send(new HeadObjectCommand({ Bucket, Key: `${Key}-copy`, ChecksumMode: 'ENABLED' })))[`Checksum${algorithm}`], answered);
    }
    // The known CRC32C of "123456789" (RFC 3720's check value 0xE3069283).
    const check = await s3.send(
      new PutObjectCommand({ Bucket, Key: 'crc32c-check', Body: '123456789', ChecksumCRC32C: Buffer.from('e3069283', 'hex').toString('base64') }),
    );
    assert.equal(check.ChecksumCRC32C, '4waSgw==');
  });

  void it('refuses a wrong CRC32C, SHA1 or SHA256 with BadDigest and stores nothing', async () => {
    for (const [name, value] of [
      ['ChecksumCRC32C', 'AAAAAA=='],
      ['ChecksumSHA1', createHash('sha1').update('other').digest('base64')],
      ['ChecksumSHA256', createHash('sha256').update('other').digest('base64')],
    ] as const) {
      const failed = await callFailure(s3.send(new PutObjectCommand({ Bucket, Key: 'wrong-digest', Body: 'payload', [name]: value })));
      assert.deepEqual([failed.name, failed.status], ['BadDigest', 400], name);
    }
    assert.equal((await callFailure(s3.send(new HeadObjectCommand({ Bucket, Key: 'wrong-digest' })))).status, 404);
  });
});

void describe('S3 composite checksums of multipart uploads', () => {
  void it('joins the parts’ SHA256 into the object’s composite checksum, answered on completion, HEAD and attributes', async () => {
    const Key = 'composite-sha256';
    const created = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key, ChecksumAlgorithm: 'SHA256' }));
    assert.equal(created.ChecksumAlgorithm, 'SHA256');
    const bodies = [Buffer.alloc(5 * 1024 * 1024, 'a'), Buffer.from('tail')];
    const parts = [];
    for (const [i, Body] of bodies.entries()) {
      const out = await s3.send(new UploadPartCommand({ Bucket, Key, UploadId: created.UploadId, PartNumber: i + 1, Body, ChecksumAlgorithm: 'SHA256' }));
      assert.equal(out.ChecksumSHA256, createHash('sha256').update(Body).digest('base64'));
      parts.push({ ETag: out.ETag!, PartNumber: i + 1, ChecksumSHA256: out.ChecksumSHA256! });
    }
    const composite = `${createHash('sha256')
      .update(Buffer.concat(bodies.map((b) => createHash('sha256').update(b).digest())))
      .digest('base64')}-2`;
    const refused = await callFailure(
      s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId: created.UploadId, ChecksumSHA256: 'AAAA-2', MultipartUpload: { Parts: parts } })),
    );
    assert.deepEqual([refused.name, refused.status], ['BadDigest', 400]);
    const done = await s3.send(
      new CompleteMultipartUploadCommand({ Bucket, Key, UploadId: created.UploadId, ChecksumSHA256: composite, MultipartUpload: { Parts: parts } }),
    );
    assert.equal(done.ChecksumSHA256, composite);
    // A retried completion (the first answer lost) is answered the same, while the object is that upload's.
    const again = await s3.send(
      new CompleteMultipartUploadCommand({ Bucket, Key, UploadId: created.UploadId, ChecksumSHA256: composite, MultipartUpload: { Parts: parts } }),
    );
    assert.deepEqual([again.ETag, again.ChecksumSHA256], [done.ETag, composite]);
    const head = await s3.send(new HeadObjectCommand({ Bucket, Key, ChecksumMode: 'ENABLED' }));
    assert.deepEqual([head.ChecksumSHA256, head.ChecksumType], [composite, 'COMPOSITE']);
    const attrs = await s3.send(new GetObjectAttributesCommand({ Bucket, Key, ObjectAttributes: ['Checksum', 'ObjectParts'] }));
    assert.equal(attrs.Checksum?.ChecksumSHA256, composite);
    assert.deepEqual(
      attrs.ObjectParts?.Parts?.map((p) => p.ChecksumSHA256),
      parts.map((p) => p.ChecksumSHA256),
    );
    await s3.send(new PutObjectCommand({ Bucket, Key, Body: 'replaced' }));
    const gone = await callFailure(
      s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId: created.UploadId, ChecksumSHA256: composite, MultipartUpload: { Parts: parts } })),
    );
    assert.deepEqual([gone.name, gone.status], ['NoSuchUpload', 404], 'not once the object was replaced');
  });

  void it('refuses to complete an upload created with an algorithm when a part was sent without its checksum', async () => {
    const Key = 'composite-missing';
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key, ChecksumAlgorithm: 'SHA256' }));
    const { ETag } = await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: 'no checksum', ChecksumCRC32: crcOf('no checksum') }));
    const refused = await callFailure(
      s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: [{ ETag: ETag!, PartNumber: 1 }] } })),
    );
    assert.deepEqual([refused.name, refused.status], ['BadDigest', 400]);
    assert.equal((await callFailure(s3.send(new HeadObjectCommand({ Bucket, Key })))).status, 404);
  });
});
