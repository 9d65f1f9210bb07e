import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createCloud, type Cloud } from '../../server.js';
import { createTableAdmin } from './table-admin.js';
import { createTableEngine } from './table-engine.js';
import { createTableStore } from './table-store.js';
import { createTableStreams } from './table-streams.js';
import { createTtlSweeper } from './ttl-sweeper.js';

let dir: string;
let cloud: Cloud;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'forte-ttl-'));
  // The service's own sweep stays out of the way: this test runs sweeps by hand on the same database.
  cloud = await createCloud({ dataDir: dir, port: 0, logLevel: 'warn', logStream: { write: () => undefined }, dynamodb: { ttlSweepIntervalMs: 3_600_000 } });
});
after(async () => {
  await cloud.close();
  await rm(dir, { recursive: true, force: true });
});

void describe('the TTL sweep', () => {
  void it('reads at most its budget per sweep, across tables in turn, and starts the next sweep where the last stopped', async () => {
    const sql = cloud.kernel.sql;
    const store = createTableStore(sql);
    const streams = createTableStreams({ sql, region: 'us-east-1', arnPrefix: () => 'arn:aws:dynamodb:us-east-1:123456789012:' });
    const items = createTableEngine(sql, store, streams);
    const admin = createTableAdmin(sql, store, () => 'arn:aws:dynamodb:us-east-1:123456789012:', streams);
    const now = 1_700_000_000_000;
    for (const name of ['Alpha', 'Beta']) {
      await admin.create({
        TableName: name,
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
      });
      for (let i = 0; i < 25; i++) await items.put(name, { id: { S: `${name}-${String(i).padStart(2, '0')}` }, ttl: { N: String(now / 1000 - 1) } });
    }
    const sweeper = createTtlSweeper({ sql, items, log: cloud.kernel.log, intervalMs: 3_600_000, itemsPerTick: 10, now: () => now });
    const counts = async (): Promise<number[]> => [await admin.itemCount('Alpha'), await admin.itemCount('Beta')];
    assert.equal(await sweeper.sweep(), 10);
    assert.deepEqual(await counts(), [15, 25]);
    assert.equal(await sweeper.sweep(), 10);
    assert.deepEqual(await counts(), [5, 25]);
    // Alpha's last five, then Beta's first five: one sweep's budget across both tables.
    assert.equal(await sweeper.sweep(), 10);
    assert.deepEqual(await counts(), [0, 20]);
    assert.equal(await sweeper.sweep(), 10);
    assert.deepEqual(await counts(), [0, 10], 'the next sweep goes on with Beta where the last one stopped');
    // Nothing left to expire in a table whose clock has not reached its items.
    await items.put('Alpha', { id: { S: 'later' }, ttl: { N: String(now / 1000 + 60) } });
    await sweeper.sweep();
    await sweeper.sweep();
    assert.deepEqual(await counts(), [1, 0]);
  });
});
