import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { freshPostgresUrl, testPostgres } from '../../engines/postgres/postgres-test.test-helper.js';
import { openPostgresStore } from '../../engines/postgres/postgres-store.js';
import { createSqliteStore } from '../../engines/sqlite/sqlite-store.js';
import type { SqlStore } from '../../engines/types.js';
import { DYNAMODB_MIGRATIONS } from './migrations.js';
import type { TableDefinition } from './table-definition.js';
import { createTableStreams } from './table-streams.js';

const DAY_MS = 24 * 3600 * 1000;
const ARN = 'arn:aws:dynamodb:us-east-1:123456789012:table/T/stream/2026-01-01T00:00:00.000';

function trimOn(engine: string, open: () => Promise<SqlStore>): void {
  void it(`drops the records older than 24 hours in batches, keeping the newer ones (${engine})`, async () => {
    const sql = await open();
    try {
      await sql.migrate('dynamodb', DYNAMODB_MIGRATIONS);
      const start = 1_700_000_000_000;
      let clock = start;
      const streams = createTableStreams({ sql, region: 'us-east-1', arnPrefix: () => 'arn:aws:dynamodb:us-east-1:123456789012:', now: () => clock });
      // More old records than one batch of the trim deletes, and a few written a minute before the cutoff.
      await sql.transaction(async (tx) => {
        for (let i = 0; i < 1250; i++)
          await tx.run('INSERT INTO dynamodb_stream_records (stream_arn, sequence, created_at, record) VALUES (?, ?, ?, ?)', [ARN, i, start, '{}']);
        for (let i = 1250; i < 1255; i++)
          await tx.run('INSERT INTO dynamodb_stream_records (stream_arn, sequence, created_at, record) VALUES (?, ?, ?, ?)', [ARN, i, start + 60_000, '{}']);
      });
      clock = start + DAY_MS + 1;
      assert.equal(await streams.trim(), 1250);
      const left = await sql.all<{ sequence: number }>('SELECT sequence FROM dynamodb_stream_records ORDER BY sequence');
      assert.deepEqual(
        left.map((r) => Number(r.sequence)),
        [1250, 1251, 1252, 1253, 1254],
      );
      clock = start + 60_000 + DAY_MS + 1;
      assert.equal(await streams.trim(), 5);
    } finally {
      await sql.close();
    }
  });
}

const TABLE: TableDefinition = {
  name: 'T',
  id: 't1',
  key: { hash: { name: 'id', type: 'S' } },
  indexes: [],
  billingMode: 'PAY_PER_REQUEST',
  stream: { StreamEnabled: true, StreamViewType: 'KEYS_ONLY' },
  streamLabel: '2026-01-01T00:00:00.000',
  createdAt: 0,
};

function orderOn(engine: string, open: () => Promise<SqlStore>): void {
  void it(`commits a stream's records in the order of their positions, whatever the writes' order (${engine})`, async () => {
    const sql = await open();
    try {
      await sql.migrate('dynamodb', DYNAMODB_MIGRATIONS);
      const streams = createTableStreams({ sql, region: 'us-east-1', arnPrefix: () => 'arn:aws:dynamodb:us-east-1:123456789012:' });
      const arn = streams.streamArn(TABLE)!;
      const committed: string[] = [];
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let appended!: () => void;
      const firstAppended = new Promise<void>((resolve) => (appended = resolve));
      // The first write takes its position, then is slow to commit; the second starts meanwhile.
      const first = sql
        .transaction(async (tx) => {
          await streams.append(tx, TABLE, undefined, { id: { S: 'first' } });
          appended();
          await held;
        })
        .then(() => committed.push('first'));
      await firstAppended;
      const second = sql.transaction((tx) => streams.append(tx, TABLE, undefined, { id: { S: 'second' } })).then(() => committed.push('second'));
      await new Promise((resolve) => setTimeout(resolve, 300));
      release();
      await Promise.all([first, second]);
      const records = await streams.reader.read(arn, undefined, 10);
      const order = records.map((r) => (r.record.dynamodb as { Keys: { id: { S: string } } }).Keys.id.S);
      assert.deepEqual(order, ['first', 'second'], 'positions follow the order the records were appended in');
      assert.deepEqual(committed, order, 'and the commits follow the positions');
    } finally {
      await sql.close();
    }
  });
}

function instancesOn(engine: string, open: () => Promise<SqlStore>): void {
  void it(`gives rising positions to the records two instances append to one stream, on one clock tick (${engine})`, async () => {
    const sql = await open();
    try {
      await sql.migrate('dynamodb', DYNAMODB_MIGRATIONS);
      // Two instances' streams on one database, their clocks standing still: neither knows what the other gave out.
      const [a, b] = [0, 1].map(() =>
        createTableStreams({ sql, region: 'us-east-1', arnPrefix: () => 'arn:aws:dynamodb:us-east-1:123456789012:', now: () => 1_700_000_000_000 }),
      );
      for (let i = 0; i < 6; i++) await sql.transaction((tx) => [a, b][i % 2]!.append(tx, TABLE, undefined, { id: { S: `item-${i}` } }));
      const records = await a!.reader.read(a!.streamArn(TABLE)!, undefined, 10);
      assert.deepEqual(
        records.map((r) => (r.record.dynamodb as { Keys: { id: { S: string } } }).Keys.id.S),
        Array.from({ length: 6 }, (_, i) => `item-${i}`),
      );
    } finally {
      await sql.close();
    }
  });
}

void describe('DynamoDB stream records', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'forte-streams-'));
  after(() => rm(dir, { recursive: true, force: true }));
  trimOn('sqlite', async () => createSqliteStore(join(dir, 'trim.db')));
  orderOn('sqlite', async () => createSqliteStore(join(dir, 'order.db')));
  instancesOn('sqlite', async () => createSqliteStore(join(dir, 'instances.db')));
  const server = await testPostgres();
  if (server.ok) {
    trimOn('postgres', () => openPostgresStore(freshPostgresUrl()));
    orderOn('postgres', () => openPostgresStore(freshPostgresUrl()));
    instancesOn('postgres', () => openPostgresStore(freshPostgresUrl()));
  } else void it(`postgres: skipped: ${server.reason}`, { skip: server.reason });
});
