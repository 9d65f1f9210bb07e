import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { isBlobNotFound, type BlobStore } from './types.js';

/** Ids no implementation may accept: they could name something outside the store. */
export const ESCAPING_BLOB_IDS = ['../x', '/abs', 'a/../../b', 'A', '', 'a//b', 'a/', './a', 'a\\b', 'a\0b'];

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The behaviour every BlobStore implementation must have. `open` returns a fresh, empty store. */
export function blobStoreContract(name: string, open: () => Promise<BlobStore>): void {
  void describe(`BlobStore contract: ${name}`, () => {
    void it('puts a buffer and reports its size and hashes', async () => {
      const store = await open();
      const body = Buffer.from('hello blob');
      const result = await store.put('s3/abc', body);
      assert.deepEqual(result, {
        size: body.length,
        md5: createHash('md5').update(body).digest('hex'),
        sha256: createHash('sha256').update(body).digest('hex'),
      });
      assert.deepEqual(await readAll(await store.get('s3/abc')), body);
      assert.deepEqual(await store.stat('s3/abc'), { size: body.length });
    });

    void it('computes only the digests asked for, of a buffer or a stream', async () => {
      const store = await open();
      const body = Buffer.from('digest me');
      const md5 = createHash('md5').update(body).digest('hex');
      const sha256 = createHash('sha256').update(body).digest('hex');
      assert.deepEqual(await store.put('s3/md5', body, { digests: ['md5'] }), { size: body.length, md5 });
      assert.deepEqual(await store.put('s3/sha', Readable.from([body.subarray(0, 3), body.subarray(3)]), { digests: ['sha256'] }), {
        size: body.length,
        sha256,
      });
      assert.deepEqual(await store.put('s3/none', Readable.from([body]), { digests: [] }), { size: body.length });
      assert.deepEqual(await store.put('s3/both', Readable.from([body]), { digests: ['md5', 'sha256'] }), { size: body.length, md5, sha256 });
      for (const id of ['s3/md5', 's3/sha', 's3/none', 's3/both']) assert.deepEqual(await readAll(await store.get(id)), body);
    });

    void it('serves small and large blobs whole, in order, and their ranges', async () => {
      const store = await open();
      const small = Buffer.alloc(4096, 'a');
      await store.put('s3/small', small);
      const chunks: Buffer[] = [];
      for await (const chunk of await store.get('s3/small')) chunks.push(chunk as Buffer);
      assert.deepEqual(Buffer.concat(chunks), small);
      const large = Buffer.alloc(3 * 1024 * 1024 + 5);
      for (let i = 0; i + 4 <= large.length; i += 4) large.writeUInt32BE(i >>> 2, i);
      await store.put('s3/large', Readable.from([large.subarray(0, 1000), large.subarray(1000)]));
      assert.deepEqual(await readAll(await store.get('s3/large')), large);
      assert.deepEqual(await readAll(await store.get('s3/large', { start: 1, end: large.length - 2 })), large.subarray(1, large.length - 1));
    });

    void it('reads a blob or a range of it into memory', async () => {
      const store = await open();
      await store.put('s3/read', Buffer.from('0123456789'));
      assert.equal((await store.read('s3/read')).toString(), '0123456789');
      assert.equal((await store.read('s3/read', { start: 2, end: 5 })).toString(), '2345');
      assert.equal((await store.read('s3/read', { start: 8, end: 20 })).toString(), '89');
      await store.put('s3/empty', Buffer.alloc(0));
      assert.equal((await store.read('s3/empty')).length, 0);
      await assert.rejects(store.read('s3/missing'), isBlobNotFound);
      await assert.rejects(store.read('s3'), isBlobNotFound);
      await assert.rejects(store.read('s3', { start: 0, end: 3 }), isBlobNotFound);
      await assert.rejects(store.read('s3/read/deeper'), isBlobNotFound);
    });

    void it('streams a body in and serves inclusive byte ranges', async () => {
      const store = await open();
      const result = await store.put('big', Readable.from([Buffer.from('0123'), Buffer.from('456789')]));
      assert.equal(result.size, 10);
      assert.equal((await readAll(await store.get('big', { start: 2, end: 5 }))).toString(), '2345');
      assert.equal((await readAll(await store.get('big', { start: 9, end: 9 }))).toString(), '9');
    });

    void it('replaces a blob on put, and keeps the old one when a put fails', async () => {
      const store = await open();
      await store.put('x', Buffer.from('first'));
      await store.put('x', Buffer.from('second'));
      assert.equal((await readAll(await store.get('x'))).toString(), 'second');
      const failing = new Readable({
        read() {
          this.push(Buffer.from('partial'));
          this.destroy(new Error('client went away'));
        },
      });
      await assert.rejects(store.put('x', failing), /client went away/);
      assert.equal((await readAll(await store.get('x'))).toString(), 'second');
    });

    void it('deletes (idempotently) and answers BlobNotFoundError for missing blobs', async () => {
      const store = await open();
      await store.put('gone', Buffer.from('x'));
      await store.delete('gone');
      await store.delete('gone');
      assert.equal(await store.stat('gone'), undefined);
      await assert.rejects(store.get('gone'), isBlobNotFound);
      await assert.rejects(store.copy('gone', 'other'), isBlobNotFound);
    });

    void it('copies a blob to an independent one', async () => {
      const store = await open();
      await store.put('src', Buffer.from('copied'));
      await store.copy('src', 'dir/dst');
      await store.delete('src');
      assert.equal((await readAll(await store.get('dir/dst'))).toString(), 'copied');
    });

    void it('does not take a prefix of other ids for a blob', async () => {
      const store = await open();
      await store.put('dir/inner', Buffer.from('x'));
      assert.equal(await store.stat('dir'), undefined);
      await assert.rejects(store.get('dir'), isBlobNotFound);
      await assert.rejects(store.copy('dir', 'other'), isBlobNotFound);
    });

    void it('handles empty blobs', async () => {
      const store = await open();
      assert.equal((await store.put('empty', Buffer.alloc(0))).size, 0);
      assert.equal((await readAll(await store.get('empty'))).length, 0);
    });

    for (const id of ESCAPING_BLOB_IDS) {
      void it(`refuses the id ${JSON.stringify(id)} in every operation`, async () => {
        const store = await open();
        await store.put('ok', Buffer.from('x'));
        await assert.rejects(store.put(id, Buffer.from('x')), /invalid blob id/);
        await assert.rejects(store.get(id), /invalid blob id/);
        await assert.rejects(store.read(id), /invalid blob id/);
        await assert.rejects(store.stat(id), /invalid blob id/);
        await assert.rejects(store.delete(id), /invalid blob id/);
        await assert.rejects(store.copy('ok', id), /invalid blob id/);
        await assert.rejects(store.copy(id, 'ok2'), /invalid blob id/);
      });
    }
  });
}
