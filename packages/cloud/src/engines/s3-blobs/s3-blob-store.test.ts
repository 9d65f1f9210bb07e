import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { blobStoreContract } from '../blob-store-contract.js';
import type { HashPool } from '../stream-hasher.js';
import { isBlobNotFound } from '../types.js';
import { openS3BlobStore, type S3BlobStore } from './s3-blob-store.js';
import { BlobStoreUrlError, parseS3BlobUrl } from './s3-blob-url.js';
import { startS3Server, S3_SERVER_BUCKET, type S3Server } from './s3-server.test-helper.js';

const MiB = 1024 * 1024;
let server: S3Server;
const stores: S3BlobStore[] = [];
let opened = 0;

before(async () => {
  server = await startS3Server();
});
after(async () => {
  stores.forEach((store) => store.close());
  await server[Symbol.asyncDispose]();
});

/** A store under a prefix of its own: empty, as the contract wants. */
function open(options: Parameters<typeof openS3BlobStore>[1] = {}): S3BlobStore {
  const store = openS3BlobStore(server.urlFor(`run/${++opened}`), options);
  stores.push(store);
  return store;
}

blobStoreContract('s3-blobs (s3rver)', async () => open());

/** `size` bytes in 1 MiB chunks, each different (its number in its first bytes); `onRead` sees the bytes read so far. */
function generated(size: number, onRead: (read: number) => void = () => undefined): { body: Readable; sha256: () => string } {
  const hash = createHash('sha256');
  let produced = 0;
  const body = new Readable({
    highWaterMark: MiB,
    read() {
      if (produced >= size) {
        this.push(null);
        return;
      }
      const chunk = Buffer.alloc(Math.min(MiB, size - produced), produced / MiB);
      chunk.writeUInt32BE(produced / MiB, 0);
      produced += chunk.length;
      hash.update(chunk);
      this.push(chunk);
      onRead(produced);
    },
  });
  return { body, sha256: () => hash.digest('hex') };
}

async function digestOf(stream: Readable): Promise<{ size: number; sha256: string }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of stream) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { size, sha256: hash.digest('hex') };
}

void describe('s3-blobs', () => {
  void it('streams a body of several parts as one multipart upload, with its digests, and serves ranges across parts', async () => {
    const store = open();
    const size = 20 * MiB + 123;
    const source = generated(size);
    const written = await store.put('s3/multi', source.body, { digests: ['sha256'] });
    assert.deepEqual(written, { size, sha256: source.sha256() });
    assert.deepEqual(await store.stat('s3/multi'), { size });
    assert.deepEqual(await digestOf(await store.get('s3/multi')), { size, sha256: written.sha256 });
    // Bytes 8 MiB - 2 to 8 MiB + 1 straddle the first two parts: the end of chunk 7 and the start of chunk 8.
    const straddle = await store.read('s3/multi', { start: 8 * MiB - 2, end: 8 * MiB + 1 });
    assert.deepEqual([...straddle], [7, 7, 0, 0]);
    assert.equal((await store.read('s3/multi', { start: 8 * MiB + 4, end: 8 * MiB + 4 }))[0], 8);
  });

  void it('keeps keys under the URL prefix, so stores with other prefixes in one bucket do not see each other', async () => {
    const one = open();
    const two = open();
    await one.put('s3/same', Buffer.from('one'));
    assert.equal(await two.stat('s3/same'), undefined);
    await assert.rejects(two.get('s3/same'), isBlobNotFound);
    assert.match(one.location, new RegExp(`^s3://${S3_SERVER_BUCKET}/run/\\d+\\?endpoint=`));
  });

  void it('puts and gets 256 MiB with bounded memory', async () => {
    const store = open();
    await store.put('warm', Buffer.from('x'));
    await digestOf(await store.get('warm'));
    const baseline = process.memoryUsage.rss();
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 10);
    try {
      const size = 256 * MiB;
      const source = generated(size);
      const written = await store.put('s3/huge', source.body, { digests: ['md5'] });
      assert.equal(written.size, size);
      const expected = source.sha256();
      assert.deepEqual(await digestOf(await store.get('s3/huge')), { size, sha256: expected });
    } finally {
      clearInterval(sampler);
    }
    const growth = (peak - baseline) / MiB;
    console.log(`256 MiB put + get through s3-blobs: RSS grew ${growth.toFixed(1)} MiB (baseline ${(baseline / MiB).toFixed(0)} MiB)`);
    assert.ok(growth < 64, `RSS grew ${growth.toFixed(1)} MiB`);
  });

  void it('leaves no partial blob, and the one it replaces, when the server stops in the middle of a body', async () => {
    const store = open();
    await store.put('s3/victim', Buffer.from('before'));
    for (const id of ['s3/victim', 's3/fresh']) {
      let killed: Promise<void> | undefined;
      // Two parts are sent (or being sent) and a third is read when the server goes away.
      const source = generated(64 * MiB, (read) => {
        if (read >= 20 * MiB) killed ??= server.kill();
      });
      await assert.rejects(store.put(id, source.body));
      assert.ok(killed, 'the server was stopped before the body ended');
      await killed;
      assert.ok(source.body.destroyed, 'the body is not read any further');
      await server.restart();
    }
    assert.equal((await store.read('s3/victim')).toString(), 'before');
    assert.equal(await store.stat('s3/fresh'), undefined);
    await assert.rejects(store.get('s3/fresh'), isBlobNotFound);
  });

  void it('replaces nothing and leaves no object when the digests are lost (the hashing thread stopped), in one part or many', async () => {
    // A pool whose thread stops once it has the whole body: the digests are refused after every chunk was taken.
    let hashed = 0;
    const stopping: HashPool = {
      hasher: () => ({
        update: (chunk) => void (hashed += chunk.length),
        digest: () => Promise.reject(new Error('A hashing thread stopped (exit code 1).')),
        abort: () => undefined,
      }),
      stats: () => ({ threads: 1, threadedBodies: 0, idleBuffers: 0 }),
      close: () => Promise.resolve(),
    };
    const store = open({ hashPool: stopping });
    for (const size of [3 * MiB, 20 * MiB]) {
      await store.put('s3/victim', Buffer.from('before'));
      for (const id of ['s3/victim', 's3/fresh']) {
        hashed = 0;
        await assert.rejects(store.put(id, generated(size).body), /A hashing thread stopped/);
        assert.equal(hashed, size, 'every chunk was given to the hasher');
      }
      assert.equal((await store.read('s3/victim')).toString(), 'before', `${size} bytes`);
      assert.equal(await store.stat('s3/fresh'), undefined);
    }
  });

  void it('fails its start check naming the missing bucket or the refused credentials', async () => {
    const missing = openS3BlobStore(server.urlFor('x').replace(`@${S3_SERVER_BUCKET}/`, '@no-such-bucket/'));
    const wrongSecret = openS3BlobStore(server.urlFor('x').replace(':S3RVER@', ':wrong@'));
    stores.push(missing, wrongSecret);
    await assert.rejects(missing.check(), /cannot be used: the bucket no-such-bucket does not exist: create it first/);
    await assert.rejects(wrongSecret.check(), (error: Error) => {
      assert.match(error.message, /the credentials may not read the bucket forte-blobs \(SignatureDoesNotMatch\)/);
      assert.doesNotMatch(error.message, /wrong/);
      return true;
    });
    await open().check();
  });
});

void describe('s3 blob store URL', () => {
  it('reads the bucket, prefix, endpoint, region, path style and credentials', () => {
    assert.deepEqual(parseS3BlobUrl('s3://key%2F1:se%2Bcret@my-bucket/a/b/?endpoint=http://127.0.0.1:9000&region=eu-west-1&forcePathStyle=true'), {
      bucket: 'my-bucket',
      prefix: 'a/b',
      endpoint: 'http://127.0.0.1:9000',
      region: 'eu-west-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'key/1', secretAccessKey: 'se+cret' },
    });
    assert.deepEqual(parseS3BlobUrl('s3://bucket'), { bucket: 'bucket', prefix: '', forcePathStyle: false });
  });

  it('names the problem and the fix of a bad URL, never quoting the secret', () => {
    const cases: Array<[string, RegExp]> = [
      ['http://bucket/x', /must start with s3:\/\/, not http:\/\//],
      ['s3:///prefix', /names no bucket/],
      ['s3://My_Bucket/x', /"My_Bucket", which is not an S3 bucket name/],
      ['s3://bucket:9000/x', /give the server as \?endpoint=http:\/\/host:port/],
      ['s3://bucket/x?endpont=http://h', /the parameter "endpont", which it does not take: it takes endpoint, region, forcePathStyle/],
      ['s3://bucket/x?endpoint=localhost:9000', /endpoint that is not an http:\/\/ or https:\/\/ URL/],
      ['s3://bucket/x?forcePathStyle=yes', /forcePathStyle that is neither true nor false/],
      ['s3://bucket/a%20b/c', /has the key prefix "a b\/c": each part between slashes/],
      ['s3://key:@bucket', /access key without its secret/],
      ['s3://key:hunter2@bucket?region=Nowhere!', /the region "Nowhere!"/],
    ];
    for (const [url, message] of cases) {
      assert.throws(
        () => openS3BlobStore(url),
        (error: unknown) => {
          assert.ok(error instanceof BlobStoreUrlError, url);
          assert.match(error.message, message);
          assert.match(error.message, /write it like s3:\/\//);
          assert.doesNotMatch(error.message, /hunter2/);
          return true;
        },
      );
    }
  });

  it('never shows the credentials in the location it logs', () => {
    const store = openS3BlobStore('s3://AKIAEXAMPLE:hunter2@bucket/p?endpoint=http://127.0.0.1:1');
    stores.push(store);
    assert.equal(store.location, 's3://bucket/p?endpoint=http%3A%2F%2F127.0.0.1%3A1');
  });
});
