import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectsCommand,
  GetObjectAttributesCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectVersionsCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { SignatureV4 } from '@smithy/signature-v4';
import { Hash } from '@smithy/hash-node';
import { callFailure, startTestCloud, type TestCloud } from './index.js';

let cloud: TestCloud;
let s3: S3Client;
const Bucket = 'listings';

before(async () => {
  cloud = await startTestCloud();
  s3 = new S3Client({ endpoint: `${cloud.url}/s3`, forcePathStyle: true, region: cloud.credentials.region, credentials: cloud.credentials, maxAttempts: 1 });
  await s3.send(new CreateBucketCommand({ Bucket }));
  for (const Key of ['asdf', 'boo/bar', 'boo/baz/xyzzy', 'cquux/thud', 'cquux/bla']) await s3.send(new PutObjectCommand({ Bucket, Key, Body: Key }));
});
after(async () => {
  s3.destroy();
  await cloud.close();
});

void describe('S3 listings', () => {
  void it('ListObjects (v1) resumes after a common prefix: NextMarker is the prefix itself', async () => {
    const first = await s3.send(new ListObjectsCommand({ Bucket, Delimiter: '/', MaxKeys: 2 }));
    assert.deepEqual([first.Contents?.map((c) => c.Key), first.CommonPrefixes?.map((p) => p.Prefix), first.NextMarker], [['asdf'], ['boo/'], 'boo/']);
    const second = await s3.send(new ListObjectsCommand({ Bucket, Delimiter: '/', MaxKeys: 2, Marker: first.NextMarker! }));
    assert.deepEqual([second.Contents, second.CommonPrefixes?.map((p) => p.Prefix), second.IsTruncated], [undefined, ['cquux/'], false]);
  });

  void it('ListObjectsV2 takes an empty ContinuationToken as the first page', async () => {
    const out = await s3.send(new ListObjectsV2Command({ Bucket, ContinuationToken: '' }));
    assert.equal(out.KeyCount, 5);
    assert.equal(out.IsTruncated, false);
  });

  void it('ListObjectVersions lists every object as its only version, null, page by page', async () => {
    const first = await s3.send(new ListObjectVersionsCommand({ Bucket, MaxKeys: 3 }));
    assert.deepEqual(
      first.Versions?.map((v) => [v.Key, v.VersionId, v.IsLatest, v.Size]),
      [
        ['asdf', 'null', true, 4],
        ['boo/bar', 'null', true, 7],
        ['boo/baz/xyzzy', 'null', true, 13],
      ],
    );
    assert.deepEqual([first.IsTruncated, first.NextKeyMarker, first.NextVersionIdMarker], [true, 'boo/baz/xyzzy', 'null']);
    const rest = await s3.send(new ListObjectVersionsCommand({ Bucket, KeyMarker: first.NextKeyMarker!, VersionIdMarker: 'null' }));
    assert.deepEqual(
      rest.Versions?.map((v) => v.Key),
      ['cquux/bla', 'cquux/thud'],
    );
    const delimited = await s3.send(new ListObjectVersionsCommand({ Bucket, Delimiter: '/' }));
    assert.deepEqual([delimited.Versions?.map((v) => v.Key), delimited.CommonPrefixes?.map((p) => p.Prefix)], [['asdf'], ['boo/', 'cquux/']]);
    const bad = await callFailure(s3.send(new ListObjectVersionsCommand({ Bucket, KeyMarker: 'asdf', VersionIdMarker: 'v2' })));
    assert.deepEqual([bad.name, bad.status], ['InvalidArgument', 400]);
  });

  void it('reads and deletes by version id null, and refuses any other version id', async () => {
    await s3.send(new PutObjectCommand({ Bucket, Key: 'versioned-null', Body: 'v' }));
    assert.equal((await s3.send(new HeadObjectCommand({ Bucket, Key: 'versioned-null', VersionId: 'null' }))).ContentLength, 1);
    const other = await callFailure(s3.send(new GetObjectCommand({ Bucket, Key: 'versioned-null', VersionId: '3HL4kqtJlcpXroDTDmJ' })));
    assert.deepEqual([other.name, other.status], ['InvalidArgument', 400]);
    const out = await s3.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: [{ Key: 'versioned-null', VersionId: 'null' }], Quiet: true } }));
    assert.equal(out.Errors, undefined);
    assert.equal((await callFailure(s3.send(new HeadObjectCommand({ Bucket, Key: 'versioned-null' })))).status, 404);
  });

  void it('ListBuckets pages with MaxBuckets and ContinuationToken, and filters by Prefix', async () => {
    for (const name of ['page-b', 'page-a', 'page-c']) await s3.send(new CreateBucketCommand({ Bucket: name }));
    const names: string[] = [];
    let token: string | undefined;
    do {
      const page = await s3.send(new ListBucketsCommand({ MaxBuckets: 2, Prefix: 'page-', ...(token ? { ContinuationToken: token } : {}) }));
      assert.ok((page.Buckets ?? []).length <= 2);
      names.push(...(page.Buckets ?? []).map((b) => b.Name!));
      token = page.ContinuationToken;
    } while (token);
    assert.deepEqual(names, ['page-a', 'page-b', 'page-c']);
    assert.equal((await callFailure(s3.send(new ListBucketsCommand({ MaxBuckets: 0 })))).name, 'InvalidArgument');
  });
});

void describe('GetObject by part number', () => {
  void it('answers part N of a multipart object with its range and parts count; a single upload has one part', async () => {
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key: 'two-parts' }));
    const first = Buffer.alloc(5 * 1024 * 1024, 'a');
    const second = Buffer.from('the last part');
    const parts = [];
    for (const [i, Body] of [first, second].entries()) {
      const { ETag } = await s3.send(new UploadPartCommand({ Bucket, Key: 'two-parts', UploadId, PartNumber: i + 1, Body }));
      parts.push({ ETag, PartNumber: i + 1 });
    }
    await s3.send(new CompleteMultipartUploadCommand({ Bucket, Key: 'two-parts', UploadId, MultipartUpload: { Parts: parts } }));
    const part2 = await s3.send(new GetObjectCommand({ Bucket, Key: 'two-parts', PartNumber: 2 }));
    assert.equal(await part2.Body!.transformToString(), 'the last part');
    assert.deepEqual(
      [part2.$metadata.httpStatusCode, part2.PartsCount, part2.ContentRange],
      [206, 2, `bytes ${first.length}-${first.length + second.length - 1}/${first.length + second.length}`],
    );
    const head1 = await s3.send(new HeadObjectCommand({ Bucket, Key: 'two-parts', PartNumber: 1 }));
    assert.deepEqual([head1.ContentLength, head1.PartsCount], [first.length, 2]);
    assert.deepEqual((await callFailure(s3.send(new GetObjectCommand({ Bucket, Key: 'two-parts', PartNumber: 3 })))).status, 416);

    const whole = await s3.send(new GetObjectCommand({ Bucket, Key: 'asdf', PartNumber: 1 }));
    assert.deepEqual([whole.$metadata.httpStatusCode, await whole.Body!.transformToString()], [200, 'asdf']);
    const none = await callFailure(s3.send(new GetObjectCommand({ Bucket, Key: 'asdf', PartNumber: 2 })));
    assert.deepEqual([none.name, none.status], ['InvalidPart', 400]);
  });
});

void describe('GetObjectAttributes', () => {
  void it('answers the ETag, size, storage class, checksum and a multipart object’s parts', async () => {
    const body = 'attributes';
    const put = await s3.send(new PutObjectCommand({ Bucket, Key: 'attrs', Body: body, ChecksumAlgorithm: 'SHA256' }));
    const attrs = await s3.send(
      new GetObjectAttributesCommand({ Bucket, Key: 'attrs', ObjectAttributes: ['ETag', 'Checksum', 'ObjectParts', 'StorageClass', 'ObjectSize'] }),
    );
    assert.deepEqual(
      [attrs.ETag, attrs.ObjectSize, attrs.StorageClass, attrs.Checksum?.ChecksumSHA256, attrs.ObjectParts],
      [put.ETag!.replace(/"/g, ''), body.length, 'STANDARD', createHash('sha256').update(body).digest('base64'), undefined],
    );
    assert.ok(attrs.LastModified instanceof Date);
    const sizeOnly = await s3.send(new GetObjectAttributesCommand({ Bucket, Key: 'attrs', ObjectAttributes: ['ObjectSize'] }));
    assert.deepEqual([sizeOnly.ObjectSize, sizeOnly.ETag], [body.length, undefined]);

    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key: 'attrs-parts' }));
    const sizes = [5 * 1024 * 1024, 3];
    const parts = [];
    for (const [i, size] of sizes.entries()) {
      const { ETag } = await s3.send(new UploadPartCommand({ Bucket, Key: 'attrs-parts', UploadId, PartNumber: i + 1, Body: Buffer.alloc(size, 'p') }));
      parts.push({ ETag, PartNumber: i + 1 });
    }
    await s3.send(new CompleteMultipartUploadCommand({ Bucket, Key: 'attrs-parts', UploadId, MultipartUpload: { Parts: parts } }));
    const multi = await s3.send(new GetObjectAttributesCommand({ Bucket, Key: 'attrs-parts', ObjectAttributes: ['ObjectParts'] }));
    assert.equal(multi.ObjectParts?.TotalPartsCount, 2);
    assert.deepEqual(
      multi.ObjectParts?.Parts?.map((p) => [p.PartNumber, p.Size]),
      [
        [1, sizes[0]],
        [2, sizes[1]],
      ],
    );
    assert.equal((await callFailure(s3.send(new GetObjectAttributesCommand({ Bucket, Key: 'no-such', ObjectAttributes: ['ETag'] })))).name, 'NoSuchKey');
  });
});

void describe('UploadPartCopy', () => {
  void it('copies a source object, or a byte range of it, into parts, and refuses ranges S3 refuses', async () => {
    const source = Buffer.alloc(6 * 1024 * 1024);
    for (let i = 0; i < source.length; i++) source[i] = i % 251;
    await s3.send(new PutObjectCommand({ Bucket, Key: 'copy-source', Body: source }));
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key: 'copied' }));
    const whole = await s3.send(new UploadPartCopyCommand({ Bucket, Key: 'copied', UploadId, PartNumber: 1, CopySource: `${Bucket}/copy-source` }));
    const tail = await s3.send(
      new UploadPartCopyCommand({ Bucket, Key: 'copied', UploadId, PartNumber: 2, CopySource: `${Bucket}/copy-source`, CopySourceRange: 'bytes=100-1123' }),
    );
    assert.equal(whole.CopyPartResult?.ETag, `"${createHash('md5').update(source).digest('hex')}"`);
    assert.equal(tail.CopyPartResult?.ETag, `"${createHash('md5').update(source.subarray(100, 1124)).digest('hex')}"`);
    for (const [range, code] of [
      ['bytes=0-99999999', 'InvalidRange'],
      ['0-2', 'InvalidArgument'],
      ['bytes=5-2', 'InvalidArgument'],
      ['bytes=0-2,3-5', 'InvalidArgument'],
    ]) {
      const refused = await callFailure(
        s3.send(new UploadPartCopyCommand({ Bucket, Key: 'copied', UploadId, PartNumber: 3, CopySource: `${Bucket}/copy-source`, CopySourceRange: range })),
      );
      assert.equal(refused.name, code, range);
    }
    const missing = await callFailure(
      s3.send(new UploadPartCopyCommand({ Bucket, Key: 'copied', UploadId, PartNumber: 3, CopySource: `${Bucket}/no-such-key` })),
    );
    assert.deepEqual([missing.name, missing.status], ['NoSuchKey', 404]);
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket,
        Key: 'copied',
        UploadId,
        MultipartUpload: {
          Parts: [
            { ETag: whole.CopyPartResult!.ETag!, PartNumber: 1 },
            { ETag: tail.CopyPartResult!.ETag!, PartNumber: 2 },
          ],
        },
      }),
    );
    const got = Buffer.from(await (await s3.send(new GetObjectCommand({ Bucket, Key: 'copied' }))).Body!.transformToByteArray());
    assert.ok(got.equals(Buffer.concat([source, source.subarray(100, 1124)])));
  });
});

void describe('Content-Encoding: aws-chunked on a body signed as it is', () => {
  void it('stores the body unchanged and keeps the other encodings', async () => {
    const body = 'plain bytes, not chunk-framed';
    const url = new URL(`${cloud.url}/s3/${Bucket}/encoded`);
    const signer = new SignatureV4({ service: 's3', region: cloud.credentials.region, credentials: cloud.credentials, sha256: Hash.bind(null, 'sha256') });
    const sha = createHash('sha256').update(body).digest('hex');
    const signed = await signer.sign({
      method: 'PUT',
      protocol: 'http:',
      hostname: url.hostname,
      port: Number(url.port),
      path: url.pathname,
      headers: { host: url.host, 'content-encoding': 'gzip, aws-chunked', 'x-amz-content-sha256': sha },
      body,
    });
    const res = await fetch(url, { method: 'PUT', headers: signed.headers, body });
    assert.equal(res.status, 200, await res.text());
    const got = await s3.send(new GetObjectCommand({ Bucket, Key: 'encoded' }));
    assert.equal(got.ContentEncoding, 'gzip');
    assert.equal(Buffer.from(await got.Body!.transformToByteArray()).toString(), body);
  });
});
