import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { FunctionInvoker } from '../../kernel/capabilities.js';
import { createLogger } from '../../kernel/logger.js';
import { openTestStore } from '../../engines/test-database.test-helper.js';
import { NOTIFICATION_MIGRATIONS } from './bucket-notifications.js';
import { createNotificationDispatcher } from './notification-dispatcher.js';

void describe('S3 notification dispatchers of two instances on one database (FORTE_TEST_DATABASE=postgres runs it there)', () => {
  void it('hand each event over once, in order per object, whichever instance claims it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'forte-dispatch-'));
    after(() => rm(dir, { recursive: true, force: true }));
    const sql = await openTestStore(dir);
    after(() => sql.close());
    await sql.migrate('s3-notifications', NOTIFICATION_MIGRATIONS);
    const EVENTS = 60;
    for (let i = 0; i < EVENTS; i++)
      await sql.run('INSERT INTO s3_notification_outbox (bucket, key, function_arn, record, created_at) VALUES (?, ?, ?, ?, ?)', [
        'bucket',
        `object-${i % 4}`,
        'recorder',
        JSON.stringify({ s3: { object: { key: `object-${i % 4}`, n: i } } }),
        Date.now(),
      ]);
    const handed: { instance: string; key: string; n: number }[] = [];
    const functions = (instance: string): FunctionInvoker =>
      ({
        async invoke(_arn: string, payload: string) {
          const object = (JSON.parse(payload) as { Records: { s3: { object: { key: string; n: number } } }[] }).Records[0]!.s3.object;
          // A hand-over takes a turn of the event loop, so the two dispatchers interleave.
          await new Promise((resolve) => setImmediate(resolve));
          handed.push({ instance, key: object.key, n: object.n });
          return { statusCode: 202 };
        },
      }) as unknown as FunctionInvoker;
    const log = createLogger({ write: () => undefined });
    const dispatchers = ['a', 'b'].map((instance) => createNotificationDispatcher({ sql, log, functions: () => functions(instance), instance, shared: true }));
    for (const dispatcher of dispatchers) dispatcher.start();
    for (let i = 0; i < 1000 && handed.length < EVENTS; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    await Promise.all(dispatchers.map((dispatcher) => dispatcher.stop()));
    assert.deepEqual(
      handed.map((h) => h.n).sort((x, y) => x - y),
      Array.from({ length: EVENTS }, (_, i) => i),
      'each event once',
    );
    for (let k = 0; k < 4; k++) {
      const ns = handed.filter((h) => h.key === `object-${k}`).map((h) => h.n);
      assert.deepEqual(
        ns,
        [...ns].sort((x, y) => x - y),
        `object-${k}'s events in order`,
      );
    }
    assert.equal((await sql.get<{ n: number }>('SELECT COUNT(*) AS n FROM s3_notification_outbox'))?.n, 0);
  });
});
