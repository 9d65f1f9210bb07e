import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readlinkSync, rmSync, truncateSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { Readable } from 'node:stream';
import { blobStoreContract } from '../blob-store-contract.js';
import { createHashPool } from '../stream-hasher.js';
import { createFsBlobStore } from './fs-blob-store.js';

const dirs: string[] = [];
after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

blobStoreContract('fs-blobs', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'forte-blobs-'));
  dirs.push(dir);
  return createFsBlobStore(join(dir, 'blobs'));
});

void it('fs-blobs keeps every file inside its folder', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'forte-blobs-'));
  dirs.push(dir);
  const store = createFsBlobStore(join(dir, 'blobs'));
  await store.put('s3/abc', Buffer.from('x'));
  await assert.rejects(store.put('../outside', Buffer.from('x')));
  assert.deepEqual(readdirSync(dir), ['blobs']);
});

void it('fs-blobs makes a blob folder again when it was removed from outside', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'forte-blobs-'));
  dirs.push(dir);
  const store = createFsBlobStore(join(dir, 'blobs'));
  await store.put('site/a', Buffer.from('first'));
  rmSync(join(dir, 'blobs', 'site'), { recursive: true });
  await store.put('site/b', Buffer.from('second'));
  await store.copy('site/b', 'site2/c');
  rmSync(join(dir, 'blobs', 'site2'), { recursive: true });
  await store.copy('site/b', 'site2/d');
  assert.deepEqual(await store.stat('site/b'), { size: 6 });
  assert.deepEqual(await store.stat('site2/d'), { size: 6 });
});

/** A server answering each request with `send` of the blob its path names (`?start=&end=` a range). */
async function sendingServer(store: ReturnType<typeof createFsBlobStore>): Promise<{ url: string; sends: Promise<unknown>[]; close: () => Promise<void> }> {
  const sends: Promise<unknown>[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const start = url.searchParams.get('start');
    const range = start === null ? undefined : { start: Number(start), end: Number(url.searchParams.get('end')) };
    const sent = store.send!(url.pathname.slice(1), range, res, () => res.writeHead(200)).then(
      () => {
        if (!res.destroyed) res.end();
      },
      (error: unknown) => {
        if (res.headersSent) res.destroy();
        else res.writeHead(404).end(String(error));
        throw error;
      },
    );
    sends.push(sent.catch((error: unknown) => error));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, sends, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

void it('fs-blobs sends blobs and ranges to many responses at once through reused buffers, byte for byte', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'forte-blobs-'));
  dirs.push(dir);
  const store = createFsBlobStore(join(dir, 'blobs'));
  // Sizes around the store's 512 KiB reads, so that buffers are reused many times and the last read is short.
  const blobs = [3 * 1024 * 1024 + 17, 512 * 1024, 1024 * 1024 - 1].map((size, i) => ({ id: `s3/b${i}`, bytes: randomBytes(size) }));
  for (const { id, bytes } of blobs) await store.put(id, bytes, { digests: [] });
  const server = await sendingServer(store);
  try {
    // Twelve downloads at once, each read slowly at first, so writes wait on the socket and buffers on their writes.
    const wholes = await Promise.all(
      Array.from({ length: 12 }, async (_, i) => {
        const { id, bytes } = blobs[i % blobs.length]!;
        const res = await fetch(`${server.url}/${id}`);
        const reader = res.body!.getReader();
        const chunks: Uint8Array[] = [];
        for (let n = 0; ; n++) {
          const { done, value } = await reader.read();
          if (done) break;
          chunks.push(value);
          if (n < 3) await new Promise((resolve) => setTimeout(resolve, 20));
        }
        return { expected: sha256(bytes), got: sha256(Buffer.concat(chunks)), length: Buffer.concat(chunks).length, size: bytes.length };
      }),
    );
    for (const w of wholes) assert.deepEqual({ got: w.got, length: w.length }, { got: w.expected, length: w.size });
    const { id, bytes } = blobs[0]!;
    for (const [start, end] of [
      [0, 0],
      [524_287, 524_288],
      [100_000, 2_000_000],
      [bytes.length - 10, bytes.length - 1],
    ] as const) {
      const body = Buffer.from(await (await fetch(`${server.url}/${id}?start=${start}&end=${end}`)).arrayBuffer());
      assert.equal(sha256(body), sha256(bytes.subarray(start, end + 1)), `bytes ${start}-${end}`);
    }
    // A missing blob: BlobNotFoundError before the head is written.
    const missing = await fetch(`${server.url}/s3/none`);
    assert.equal(missing.status, 404);
    assert.match(await missing.text(), /BlobNotFoundError: no blob s3\/none/);
    await Promise.all(server.sends);
  } finally {
    await server.close();
  }
});

void it('fs-blobs stops sending when the client goes away, and cuts a response whose blob turned out shorter', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'forte-blobs-'));
  dirs.push(dir);
  const store = createFsBlobStore(join(dir, 'blobs'));
  await store.put('s3/big', randomBytes(8 * 1024 * 1024), { digests: [] });
  const server = await sendingServer(store);
  // This process's descriptors open on the blob's file (Linux).
  const openFiles = (): number =>
    readdirSync('/proc/self/fd').filter((fd) => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`).endsWith(join('s3', 'big'));
      } catch {
        return false; // closed meanwhile
      }
    }).length;
  try {
    const before = openFiles();
    assert.equal(before, 0);
    // The client reads one chunk and hangs up.
    const aborted = new AbortController();
    const res = await fetch(`${server.url}/s3/big`, { signal: aborted.signal });
    await res.body!.getReader().read();
    aborted.abort();
    const [sent] = await Promise.all(server.sends.splice(0));
    assert.equal(sent, undefined, 'the send ends without an error');
    // Its file is closed.
    for (let i = 0; i < 500 && openFiles() > before; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.ok(openFiles() <= before, `no file left open (${openFiles()} > ${before})`);

    // A blob cut short while it is sent (here: once it is found) ends the response early, as an error.
    await store.put('s3/short', randomBytes(2 * 1024 * 1024), { digests: [] });
    const shortening = createFsBlobStore(join(dir, 'blobs'));
    const cut = await sendingServer({
      ...shortening,
      send: (id, range, to, ready) =>
        shortening.send!(id, range, to, () => {
          truncateSync(join(dir, 'blobs', 's3', 'short'), 1000);
          ready();
        }),
    });
    try {
      const partial = await fetch(`${cut.url}/s3/short`);
      await assert.rejects(partial.arrayBuffer(), 'the body stops with an error, not a quiet end');
    } finally {
      await cut.close();
    }
  } finally {
    await server.close();
  }
});

void it('fs-blobs hashes a streamed body on a hashing thread, and a body that fails half way leaves nothing', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'forte-blobs-'));
  dirs.push(dir);
  const pool = createHashPool({ threads: 1 }); // a thread whatever the machine has
  try {
    const store = createFsBlobStore(join(dir, 'blobs'), { hashPool: pool });
    const body = randomBytes(5 * 1024 * 1024 + 77);
    const chunks = Array.from({ length: Math.ceil(body.length / 65_536) }, (_, i) => body.subarray(i * 65_536, (i + 1) * 65_536));
    assert.deepEqual(await store.put('s3/threaded', Readable.from(chunks)), {
      size: body.length,
      md5: createHash('md5').update(body).digest('hex'),
      sha256: createHash('sha256').update(body).digest('hex'),
    });
    assert.ok((await store.read('s3/threaded')).equals(body));
    const failing = Readable.from(
      (async function* () {
        yield* chunks.slice(0, 40);
        throw new Error('the client went away');
      })(),
    );
    await assert.rejects(store.put('s3/failed', failing, { digests: ['md5'] }), /went away/);
    await assert.rejects(store.read('s3/failed'));
    assert.deepEqual(readdirSync(join(dir, 'blobs', '.tmp')), []);
  } finally {
    await pool.close();
  }
});

void it('fs-blobs fails a write whose hashing thread stopped half way, and keeps neither the blob nor its temp file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'forte-blobs-'));
  dirs.push(dir);
  const pool = createHashPool({ threads: 1 });
  const store = createFsBlobStore(join(dir, 'blobs'), { hashPool: pool });
  const chunk = randomBytes(65_536);
  const body = Readable.from(
    (async function* () {
      for (let i = 0; i < 40; i++) yield chunk;
      await pool.close(); // the thread stops with the body's buffers on it
      for (let i = 0; i < 40; i++) yield chunk;
    })(),
  );
  await assert.rejects(store.put('s3/stopped', body), /hashing thread/i);
  await assert.rejects(store.read('s3/stopped'));
  assert.deepEqual(readdirSync(join(dir, 'blobs', '.tmp')), []);
});
