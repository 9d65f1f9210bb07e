import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createHashPool, type StreamHasher } from './stream-hasher.js';
import type { BlobDigest } from './types.js';

const MiB = 1024 * 1024;
const expected = (body: Buffer, digests: readonly BlobDigest[]): Record<string, string> =>
  Object.fromEntries(digests.map((digest) => [digest, createHash(digest).update(body).digest('hex')]));

/** Gives `body` to `hasher` in chunks of `sizes` (repeated), waiting whenever it asks to. */
async function feed(hasher: StreamHasher, body: Buffer, sizes: number[]): Promise<void> {
  for (let at = 0, i = 0; at < body.length; i++) {
    const size = sizes[i % sizes.length]!;
    await hasher.update(body.subarray(at, at + size));
    at += size;
  }
}

void describe('hash pool', { timeout: 60_000 }, () => {
  // A thread whatever the machine has, so that these tests check the threaded path on one core too.
  const pool = createHashPool({ threads: 1 });
  after(() => pool.close());

  void it('gives the digests of every byte, however the chunks fall on its buffers', async () => {
    const body = randomBytes(3 * MiB + 12_345);
    for (const [length, sizes] of [
      [0, [1]],
      [1, [1]],
      [MiB - 1, [65_536]],
      [MiB, [65_536]],
      [MiB + 1, [65_536]],
      [body.length, [65_536]],
      [body.length, [1_000_003, 7, 2 * MiB]], // chunks larger than a buffer, and tiny ones
    ] as const) {
      const part = body.subarray(0, length);
      const hasher = pool.hasher(['md5', 'sha256']);
      await feed(hasher, part, [...sizes]);
      assert.deepEqual(await hasher.digest(), expected(part, ['md5', 'sha256']), `${length} bytes in chunks of ${sizes.join(', ')}`);
    }
  });

  void it('hashes many bodies at once: eight on the thread, each waiting for its own buffers, the rest inline', async () => {
    const bodies = Array.from({ length: 10 }, () => randomBytes(5 * MiB));
    const hashers = bodies.map((_, i) => pool.hasher(i % 2 === 0 ? ['md5'] : ['sha256']));
    assert.equal(pool.stats().threadedBodies, 8);
    const digests = await Promise.all(
      bodies.map(async (body, i) => {
        await feed(hashers[i]!, body, [65_536 + i]);
        return hashers[i]!.digest();
      }),
    );
    digests.forEach((digest, i) => assert.deepEqual(digest, expected(bodies[i]!, i % 2 === 0 ? ['md5'] : ['sha256'])));
    assert.deepEqual(pool.stats(), { threads: 1, threadedBodies: 0, idleBuffers: 4 }, 'done bodies are forgotten; four buffers are kept');
  });

  void it('forgets bodies dropped half way once their buffers are back', async () => {
    for (let i = 0; i < 20; i++) {
      const hasher = pool.hasher(['md5']);
      await feed(hasher, randomBytes(3 * MiB + 100_000), [65_536]); // the last buffer half filled
      hasher.abort();
      await assert.rejects(hasher.digest(), /dropped/);
    }
    // The thread answers in order: once a later body's digests are back, the dropped ones' buffers are too. Were a
    // dropped body kept, it would count against the eight threaded bodies for good.
    const body = randomBytes(2 * MiB);
    const hasher = pool.hasher(['md5']);
    await feed(hasher, body, [65_536]);
    assert.deepEqual(await hasher.digest(), expected(body, ['md5']));
    assert.deepEqual(pool.stats(), { threads: 1, threadedBodies: 0, idleBuffers: 4 });
  });

  void it('wakes a copy waiting for a buffer when its body is dropped: the copy fails with it', async () => {
    const hasher = pool.hasher(['md5']);
    const waiting = hasher.update(randomBytes(4 * MiB + 10)); // three buffers go to the thread, the fourth waits
    assert.ok(waiting instanceof Promise, 'the copy waits for a buffer');
    hasher.abort();
    const outcome = await Promise.race([
      waiting.then(
        () => 'resolved',
        (error: Error) => `rejected: ${error.message}`,
      ),
      new Promise<string>((resolve) => setTimeout(() => resolve('still waiting after 2 s'), 2000)),
    ]);
    assert.match(outcome, /^rejected: .*dropped/);
  });

  void it('stops a thread left idle, and starts one again for the next body', async () => {
    const idle = createHashPool({ threads: 1, idleMs: 50 });
    try {
      for (let round = 0; round < 2; round++) {
        const body = randomBytes(MiB + 1);
        const hasher = idle.hasher(['md5']);
        await feed(hasher, body, [65_536]);
        assert.equal(idle.stats().threads, 1);
        assert.deepEqual(await hasher.digest(), expected(body, ['md5']));
        const until = Date.now() + 10_000;
        while (idle.stats().threads > 0 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20));
        assert.equal(idle.stats().threads, 0, `round ${round}: the idle thread stopped`);
      }
    } finally {
      await idle.close();
    }
  });

  void it("answers close() when a dropped body's buffers come back while its thread stops, in a process with nothing else to do", () => {
    // In a process of its own: the defect ended the process with close() pending (a test awaiting it was reported
    // pending, its file failed). The thread is up and has hashed the dropped body's buffers before close() is asked.
    const script = `
      const { createHashPool } = await import(${JSON.stringify(new URL('./stream-hasher.js', import.meta.url).href)});
      const chunk = Buffer.alloc(65536, 7);
      for (let round = 0; round < 5; round++) {
        const pool = createHashPool({ threads: 1 });
        const first = pool.hasher(['md5']);
        await first.update(chunk);
        await first.digest();
        const dropped = pool.hasher(['md5']);
        for (let i = 0; i < 40; i++) await dropped.update(chunk);
        dropped.abort();
        const until = Date.now() + 50;
        while (Date.now() < until); // the thread hashes the two full buffers and sends them back meanwhile
        await pool.close();
      }
      console.log('closed');
    `;
    const file = join(mkdtempSync(join(tmpdir(), 'forte-hash-close-')), 'close.mjs');
    writeFileSync(file, script);
    const run = spawnSync(process.execPath, [file], { encoding: 'utf8', timeout: 30_000 });
    rmSync(dirname(file), { recursive: true, force: true });
    assert.equal(run.stdout.trim(), 'closed', run.stderr);
    assert.equal(run.status, 0);
  });

  void it('hashes on this thread when it has no threads (one core), with the same digests', async () => {
    const inline = createHashPool({ threads: 0 });
    const body = randomBytes(MiB + 3);
    const hasher = inline.hasher(['md5', 'sha256']);
    assert.equal(hasher.update(body), undefined, 'an inline update never makes the caller wait');
    assert.deepEqual(await hasher.digest(), expected(body, ['md5', 'sha256']));
    await inline.close();
  });

  void it('refuses the bodies in progress when its thread stops, and hashes inline once closed', async () => {
    const closing = createHashPool({ threads: 1 });
    const hasher = closing.hasher(['md5']);
    await feed(hasher, randomBytes(2 * MiB + 5), [65_536]);
    await closing.close();
    await assert.rejects(hasher.digest(), /hashing thread stopped/);
    // A later chunk is refused by the promise, not thrown: callers wait on it as on any other.
    const refused = hasher.update(Buffer.alloc(10));
    assert.ok(refused instanceof Promise);
    await assert.rejects(refused, /hashing thread stopped/);
    const next = closing.hasher(['md5']);
    const body = randomBytes(1000);
    await feed(next, body, [100]);
    assert.deepEqual(await next.digest(), expected(body, ['md5']));
  });
});
