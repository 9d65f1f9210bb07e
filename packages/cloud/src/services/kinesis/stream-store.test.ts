import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { lockAppendOrder } from '../../engines/dialect/append-order.js';
import { openTestStore } from '../../engines/test-database.test-helper.js';
import { KINESIS_MIGRATIONS } from './migrations.js';
import { createStreamStore } from './stream-store.js';

void describe('Kinesis stream store (FORTE_TEST_DATABASE=postgres runs it there)', () => {
  void it('appends to one stream one transaction at a time, so sequence numbers commit in their order', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'forte-kinesis-store-'));
    after(() => rm(dir, { recursive: true, force: true }));
    const sql = await openTestStore(dir);
    after(() => sql.close());
    await sql.migrate('kinesis', KINESIS_MIGRATIONS);
    const store = createStreamStore(sql);
    const stream = { name: 'clicks', shardCount: 1, retentionHours: 24, onDemand: false, createdAt: Date.now() };
    await store.put(stream);
    const record = { shard: 0, partitionKey: 'k', data: Buffer.from('x').toString('base64') };

    // Another append to the stream under way (it holds the stream's order): this one waits for it to commit.
    let release!: () => void;
    const holding = new Promise<void>((resolve) => (release = resolve));
    let held!: () => void;
    const isHeld = new Promise<void>((resolve) => (held = resolve));
    const other = sql.transaction(async (tx) => {
      await lockAppendOrder(tx, 'kinesis:clicks');
      held();
      await holding;
    });
    await isHeld;
    let appended = false;
    const appending = store.append(stream, [record], Date.now()).then((ids) => {
      appended = true;
      return ids;
    });
    try {
      await sleep(300);
      assert.equal(appended, false, 'the append waited');
    } finally {
      release();
      await other;
    }
    const [id] = await appending;
    assert.deepEqual(
      (await store.readStream(stream, 0, 10, Date.now())).map((r) => r.id),
      [id],
    );
  });
});
