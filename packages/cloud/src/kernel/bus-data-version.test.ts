import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLocalBus } from '../engines/local-bus/local-bus.js';
import { createNatsBus } from '../engines/nats-bus/nats-bus.js';
import { testNats, TEST_NATS_URL } from '../engines/nats-bus/nats-test.test-helper.js';
import { openPostgresStore } from '../engines/postgres/postgres-store.js';
import { freshPostgresUrl, testPostgres } from '../engines/postgres/postgres-test.test-helper.js';
import { sqlStoreContract } from '../engines/sql-store-contract.js';
import { createSqliteStore } from '../engines/sqlite/sqlite-store.js';
import type { Bus, SqlStore } from '../engines/types.js';
import { cognitoIdpMigrations } from '../services/cognito-idp/migrations.js';
import { createPoolStore } from '../services/cognito-idp/pool-store.js';
import { createUserStore } from '../services/cognito-idp/user-store.js';
import { createBusDataVersion, type BusDataVersion } from './bus-data-version.js';
import { createLogger } from './logger.js';

const postgres = await testPostgres();
const nats = await testNats();
const log = createLogger({ write: () => undefined, level: 'error' });

if (postgres.ok)
  sqlStoreContract(
    'postgres with a data version kept through the bus',
    async () => createBusDataVersion({ sql: await openPostgresStore(freshPostgresUrl()), bus: createLocalBus(), log }, 'contract').sql,
  );

/** One instance: its own pool of connections to the shared schema and its own connection to the bus. */
async function instance(url: string, bus: Bus, name: string): Promise<BusDataVersion & { reads: () => number }> {
  const inner = await openPostgresStore(url);
  let reads = 0;
  const counted: SqlStore = {
    ...inner,
    get: (text, params) => {
      reads += 1;
      return inner.get(text, params);
    },
  };
  // No change by age during a test: each version counted is a write's.
  const data = createBusDataVersion({ sql: counted, bus, log }, name, { maxAgeMs: 3_600_000 });
  await data.start();
  return { ...data, reads: () => reads };
}

async function closeAll(instances: BusDataVersion[], buses: Bus[]): Promise<void> {
  for (const one of instances) {
    one.stop();
    await one.sql.close();
  }
  await Promise.all(buses.map((bus) => bus.close()));
}

/** Waits (up to 5 s) until `done` holds: a bus message is on its way for a moment after the write answered. */
async function until(done: () => boolean): Promise<void> {
  for (const deadline = Date.now() + 5000; !done() && Date.now() < deadline;) await sleep(5);
}

void describe('a data version kept through the bus', () => {
  void it('is the engine’s own on SQLite: the store is used as it is', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'forte-bus-version-'));
    const sql = createSqliteStore(join(dir, 'forte.db'));
    try {
      assert.equal(createBusDataVersion({ sql, bus: createLocalBus(), log }, 'sqlite').sql, sql);
    } finally {
      await sql.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  void it(
    'changes by itself at least every maxAgeMs, for a message the bus lost; not after stop',
    { skip: postgres.ok ? undefined : postgres.reason },
    async () => {
      const data = createBusDataVersion({ sql: await openPostgresStore(freshPostgresUrl()), bus: createLocalBus(), log }, 'aged', { maxAgeMs: 10 });
      try {
        await data.start();
        const first = data.sql.dataVersion!();
        await until(() => data.sql.dataVersion!() !== first);
        assert.notEqual(data.sql.dataVersion!(), first, 'no write, yet the version changed');
        data.stop();
        const stopped = data.sql.dataVersion!();
        await sleep(50);
        assert.equal(data.sql.dataVersion!(), stopped);
      } finally {
        data.stop();
        await data.sql.close();
      }
    },
  );

  const skip = !postgres.ok ? postgres.reason : !nats.ok ? nats.reason : undefined;
  void it('changes on the other instances once per write or transaction committed here, never for a read', { skip }, async () => {
    const url = freshPostgresUrl();
    const name = `test-${process.pid}-${Date.now()}`;
    const buses = await Promise.all([1, 2].map(() => createNatsBus({ url: TEST_NATS_URL })));
    const a = await instance(url, buses[0]!, name);
    const b = await instance(url, buses[1]!, name);
    try {
      await a.sql.migrate('t', ['CREATE TABLE items (id TEXT PRIMARY KEY)']);
      await until(() => b.sql.dataVersion!() === 1);
      assert.equal(b.sql.dataVersion!(), 1, "A's migration");
      await a.sql.get('SELECT id FROM items');
      await a.sql.all('SELECT id FROM items');
      await a.sql.run('INSERT INTO items (id) VALUES (?)', ['x']);
      await a.sql.transaction(async (tx) => {
        await tx.run('INSERT INTO items (id) VALUES (?)', ['y']);
        await tx.transaction((inner) => inner.run('INSERT INTO items (id) VALUES (?)', ['z']));
      });
      // Messages of one publisher arrive in order: had the reads or the statements inside the transaction
      // been announced, B would pass 3 before the transaction's own message arrives.
      await until(() => b.sql.dataVersion!() >= 3);
      await sleep(50);
      assert.equal(b.sql.dataVersion!(), 3, "the INSERT and the transaction, each once; not A's reads");
      const aBefore = a.sql.dataVersion!();
      await b.sql.get('SELECT id FROM items');
      await a.sql.get('SELECT id FROM items');
      assert.equal(a.sql.dataVersion!(), aBefore, "reads change nobody's version");
    } finally {
      await closeAll([a, b], buses);
    }
  });

  void it('keeps a sign-in in memory on PostgreSQL, and not after a revocation through another instance', { skip }, async () => {
    const url = freshPostgresUrl();
    const name = `test-${process.pid}-${Date.now()}`;
    const buses = await Promise.all([1, 2].map(() => createNatsBus({ url: TEST_NATS_URL })));
    const a = await instance(url, buses[0]!, name);
    const b = await instance(url, buses[1]!, name);
    try {
      await a.sql.migrate('cognito-idp', cognitoIdpMigrations(a.sql.dialect));
      await createPoolStore(a.sql).putPool('us-east-1_pool', { PoolName: 'pool' });
      const onA = createUserStore(a.sql);
      const onB = createUserStore(b.sql);
      await onA.addRefreshToken({
        poolId: 'us-east-1_pool',
        clientId: 'client',
        username: 'ann',
        originJti: 'jti-1',
        authTime: 0,
        expiresAt: Date.now() + 60_000,
      });
      await until(() => b.sql.dataVersion!() === a.sql.dataVersion!());
      const before = b.reads();
      assert.equal((await onB.signedIn('us-east-1_pool', 'ann', 'jti-1'))?.origin?.revoked, false);
      assert.equal((await onB.signedIn('us-east-1_pool', 'ann', 'jti-1'))?.origin?.revoked, false);
      assert.equal(b.reads() - before, 1, 'the second check on B is answered from memory');

      await onA.revokeOrigin('jti-1');
      await until(() => b.sql.dataVersion!() === a.sql.dataVersion!());
      assert.equal((await onB.signedIn('us-east-1_pool', 'ann', 'jti-1'))?.origin?.revoked, true, 'B sees the revocation A committed');
      assert.equal(b.reads() - before, 2);
    } finally {
      await closeAll([a, b], buses);
    }
  });
});
