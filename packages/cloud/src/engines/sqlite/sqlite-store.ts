import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { SqlStore } from '../types.js';
import { splitStatements } from '../dialect/sql-statements.js';
import { foldAddColumns } from './fold-add-columns.js';
import { boundedMemo } from '../bounded-memo.js';

type Db = InstanceType<typeof Database>;

/** How long a statement waits, in all, for another process to release the file's write lock. */
const BUSY_WAIT_MS = 5000;
/** SQLite's own busy wait, which holds the event loop: only long enough for a checkpoint or a short write. */
const SYNC_BUSY_MS = 10;
/** Prepared statements kept per connection (the PostgreSQL store keeps 5,000 translations). */
const STATEMENT_CACHE_SIZE = 2000;

/**
 * A database that does not exist yet starts as a copy of `template`, when there is one: a database that the same
 * build's migrations made (scripts/bundle-bins.mjs, beside the cloud's bundle), its schema and the versions in
 * schema_migrations and nothing else. Every migration then finds its namespace up to date: a first start does not
 * run them all (creating some two hundred tables and indexes was a twentieth of it). Written into the (empty) file
 * the cloud made private, or a new one that is; not where a database, or a write-ahead log of one, is there.
 */
function startFrom(template: string, filename: string): void {
  // Empty: made by the cloud beforehand, private (kernel/private-files.ts), for SQLite to open.
  const size = statSync(filename, { throwIfNoEntry: false })?.size;
  if ((size !== undefined && size > 0) || existsSync(`${filename}-wal`)) return;
  let bytes: Buffer;
  try {
    bytes = readFileSync(template);
  } catch {
    return; // none (the modules tsc wrote), or unreadable: the migrations make it all
  }
  try {
    writeFileSync(filename, bytes, { flag: size === undefined ? 'wx' : 'r+', mode: 0o600 });
  } catch {
    // Another process made it meanwhile: its database is used.
  }
}

const isBusy = (error: unknown): boolean => /^SQLITE_BUSY/.test(String((error as { code?: unknown } | null)?.code ?? ''));

/**
 * SqlStore on one better-sqlite3 connection (WAL). An async mutex keeps transactions whole.
 *
 * The cloud is the file's one writer, but another process may take its write lock (a second cloud started on the
 * same folder by mistake, the `sqlite3` shell, a backup): SQLite's busy handler would then hold the event loop for
 * its whole timeout, stopping every request. So SQLite waits only SYNC_BUSY_MS itself, and a write (or a
 * transaction's BEGIN) that still finds the lock taken is tried again on timers, up to `busyWaitMs` in all, while
 * later calls wait their turn behind it (the order of calls is kept). Past it, the SQLITE_BUSY error is thrown.
 */
export function createSqliteStore(filename: string, options: { busyWaitMs?: number; newDatabase?: string | undefined } = {}): SqlStore {
  const busyWaitMs = options.busyWaitMs ?? BUSY_WAIT_MS;
  if (options.newDatabase !== undefined) startFrom(options.newDatabase, filename);
  const db: Db = new Database(filename);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma(`busy_timeout = ${SYNC_BUSY_MS}`);
  /** Runs `exec` again on timers while the file is busy, up to busyWaitMs in all. */
  const whenNotBusy = async <T>(exec: () => T): Promise<T> => {
    const deadline = Date.now() + busyWaitMs;
    for (let pause = 5; ; pause = Math.min(pause * 2, 100)) {
      try {
        return exec();
      } catch (error) {
        if (!isBusy(error) || Date.now() + pause > deadline) throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  };
  const statements = boundedMemo(STATEMENT_CACHE_SIZE, (sql) => db.prepare(sql));
  const prepare = (sql: string): Database.Statement => statements.get(sql);
  const toParams = (params: unknown[] = []): unknown[] => params.map((p) => (typeof p === 'boolean' ? (p ? 1 : 0) : p === undefined ? null : p));

  /** SqlStore `dataVersion`: bumped after each statement that is not read-only and at each transaction's end. */
  let version = 0;
  const changing = (stmt: Database.Statement): Database.Statement => {
    if (!stmt.readonly) version += 1;
    return stmt;
  };

  let queue: Promise<unknown> = Promise.resolve();
  /** Calls queued or running: while a transaction is open (it may await), other calls wait their turn. */
  let pending = 0;
  const exclusive = <T>(fn: () => Promise<T> | T): Promise<T> => {
    pending += 1;
    const next = queue.then(fn, fn);
    const settled = next.then(
      () => void (pending -= 1),
      () => void (pending -= 1),
    );
    queue = settled;
    return next;
  };
  /**
   * A statement outside a transaction: at once when nothing is queued (the connection is idle, so it sees
   * exactly what every earlier call left; better-sqlite3 is synchronous), else after what is queued.
   */
  const statement = <T>(exec: () => T): Promise<T> => {
    if (pending > 0) return exclusive(() => whenNotBusy(exec));
    try {
      return Promise.resolve(exec());
    } catch (error) {
      // Busy: tried again on timers, holding the queue so that later calls still come after it.
      return isBusy(error) ? exclusive(() => whenNotBusy(exec)) : Promise.reject(error as Error);
    }
  };

  let migrationsTable = false;
  const direct = (inTx: boolean): SqlStore => {
    const store: SqlStore = {
      dialect: 'sqlite',
      dataVersion: () => version,
      all: <T>(sql: string, params?: unknown[]) => {
        const exec = () => changing(prepare(sql)).all(...toParams(params)) as T[];
        return inTx ? Promise.resolve(exec()) : statement(exec);
      },
      get: <T>(sql: string, params?: unknown[]) => {
        const exec = () => changing(prepare(sql)).get(...toParams(params)) as T | undefined;
        return inTx ? Promise.resolve(exec()) : statement(exec);
      },
      run: (sql: string, params?: unknown[]) => {
        const exec = () => ({ changes: changing(prepare(sql)).run(...toParams(params)).changes });
        return inTx ? Promise.resolve(exec()) : statement(exec);
      },
      transaction: <T>(fn: (tx: SqlStore) => Promise<T>): Promise<T> => {
        if (inTx) return fn(store); // nested: joins the open transaction
        return exclusive(async () => {
          await whenNotBusy(() => db.exec('BEGIN IMMEDIATE'));
          try {
            const result = await fn(direct(true));
            db.exec('COMMIT');
            return result;
          } catch (error) {
            if (db.inTransaction) db.exec('ROLLBACK');
            throw error;
          } finally {
            // What was read inside the transaction may have been rolled back, or written since.
            version += 1;
          }
        });
      },
      migrate: async (namespace, migrations) => {
        // Once per connection: every service migrates at start, a dozen namespaces on a new data folder.
        if (!migrationsTable) {
          await store.run('CREATE TABLE IF NOT EXISTS schema_migrations (namespace TEXT NOT NULL, version INTEGER NOT NULL, PRIMARY KEY (namespace, version))');
          migrationsTable = true;
        }
        // Up to date (a restart): no transaction.
        const done = await store.get<{ v: number | null }>('SELECT MAX(version) AS v FROM schema_migrations WHERE namespace = ?', [namespace]);
        if ((done?.v ?? 0) >= migrations.length) return;
        await store.transaction(async (tx) => {
          const row = await tx.get<{ v: number | null }>('SELECT MAX(version) AS v FROM schema_migrations WHERE namespace = ?', [namespace]);
          const pending = migrations.slice(row?.v ?? 0);
          // All of them in one transaction: a column added to a table the same batch creates is created with it
          // (fold-add-columns.ts; SQLite reads its whole schema again after each ADD COLUMN).
          const split = pending.map(splitStatements);
          if (split.every((statements) => statements !== undefined)) for (const statement of foldAddColumns(split.flat())) db.exec(statement);
          else for (const migration of pending) db.exec(migration);
          for (let i = row?.v ?? 0; i < migrations.length; i++) {
            version += 1;
            await tx.run('INSERT INTO schema_migrations (namespace, version) VALUES (?, ?)', [namespace, i + 1]);
          }
        });
      },
      close: async () => {
        await exclusive(() => db.close());
      },
    };
    return store;
  };
  return direct(false);
}
