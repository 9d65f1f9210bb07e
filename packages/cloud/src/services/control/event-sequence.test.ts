import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { freshPostgresUrl, testPostgres } from '../../engines/postgres/postgres-test.test-helper.js';
import { openPostgresStore } from '../../engines/postgres/postgres-store.js';
import { createSqliteStore } from '../../engines/sqlite/sqlite-store.js';
import type { SqlStore } from '../../engines/types.js';
import { CONTROL_MIGRATIONS } from './control-migrations.js';
import { appendEvent, appendJournal, listEvents, readJournal } from './control-store.js';

/** Appends `perStore` events through each store at once, as the deployments of several instances do. */
async function appendTogether(stores: SqlStore[], perStore: number): Promise<void> {
  await Promise.all(
    stores.flatMap((sql, s) =>
      Array.from({ length: perStore }, (_, i) =>
        appendEvent(sql, { deploymentId: `dep-${s}`, appId: 'app', envName: `env-${s}`, logicalId: `R${i}`, resourceType: 'T', status: 'CREATE_COMPLETE' }),
      ),
    ),
  );
}

/** Every event once, numbered 1..n without a gap or a repeat, each instance's in the order it wrote them. */
async function assertNumbered(sql: SqlStore, stores: number, perStore: number): Promise<void> {
  const all: number[] = [];
  for (let s = 0; s < stores; s++) {
    const events = await listEvents(sql, { appId: 'app', envName: `env-${s}`, afterSeq: 0, limit: 1000 });
    assert.equal(events.length, perStore);
    all.push(...events.map((e) => e.seq));
  }
  assert.deepEqual(
    all.sort((a, b) => a - b),
    Array.from({ length: stores * perStore }, (_, i) => i + 1),
  );
}

const server = await testPostgres();

void describe('control event sequence', () => {
  void it('numbers events appended at once on SQLite without a gap or a repeat', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'forte-seq-'));
    const sql = createSqliteStore(join(dir, 'forte.db'));
    try {
      await sql.migrate('control', CONTROL_MIGRATIONS);
      await appendTogether([sql], 30);
      await assertNumbered(sql, 1, 30);
    } finally {
      await sql.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  void it('numbers events that two instances sharing one PostgreSQL database append at once', { skip: server.ok ? false : server.reason }, async () => {
    const url = freshPostgresUrl();
    const a = await openPostgresStore(url);
    const b = await openPostgresStore(url);
    try {
      await Promise.all([a.migrate('control', CONTROL_MIGRATIONS), b.migrate('control', CONTROL_MIGRATIONS)]);
      await appendTogether([a, b], 30);
      await assertNumbered(a, 2, 30);
      // A deployment's journal, written by the instance running it, is numbered the same way.
      await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          appendJournal(i % 2 ? a : b, 'dep-j', {
            logicalId: `R${i}`,
            resourceType: 'T',
            operation: 'create',
            phase: 'started',
            physicalId: undefined,
            detail: {},
          }),
        ),
      );
      assert.deepEqual(
        (await readJournal(a, 'dep-j')).map((r) => r.seq),
        Array.from({ length: 10 }, (_, i) => i + 1),
      );
    } finally {
      await a.close();
      await b.close();
    }
  });
});
