#!/usr/bin/env node
// Writes the database a new embedded one starts from (packages/cloud/src/engines/sqlite/sqlite-store.ts,
// startFrom): `node scripts/make-new-database.mjs FILE`, run by scripts/bundle-bins.mjs beside the cloud's bundle.
//
// A cloud (the modules tsc wrote, the same source as the bundle) starts once on a temporary data folder with every
// built-in service, and the migrations its services ask for are recorded in their order; they then run, the same
// way, into FILE, which holds their schema and schema_migrations and nothing else (no account id, key or setting
// a start writes). The kernel's own migrations are not in it: each start runs them (one small table).
import { existsSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const out = process.argv[2];
if (!out) throw new Error('usage: make-new-database.mjs FILE');
const { BUILT_IN_SERVICES, createCloud } = await import(join(root, 'packages/cloud/dist/server.js'));
const { createSqliteStore } = await import(join(root, 'packages/cloud/dist/engines/sqlite/sqlite-store.js'));
const { migrationRecorder } = await import(join(root, 'packages/cloud/dist/kernel/migration-recorder.js'));

const { service: recorder, recorded } = migrationRecorder();
const dataDir = mkdtempSync(join(tmpdir(), 'forte-new-database-'));
try {
  const cloud = await createCloud({ dataDir, port: 0, logLevel: 'warn', logStream: { write: () => undefined }, services: [recorder, ...BUILT_IN_SERVICES] });
  await cloud.close();
  const temp = `${out}.${process.pid}.tmp`;
  const store = createSqliteStore(temp);
  for (const [namespace, migrations] of recorded) await store.migrate(namespace, migrations);
  await store.close(); // the last connection: SQLite folds its write-ahead log into the file and removes it
  if (existsSync(`${temp}-wal`)) throw new Error(`${temp}-wal was left: the database is not whole in ${temp}`);
  renameSync(temp, out);
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
