import Database from 'better-sqlite3';
import type { SqlStore } from '../types.js';

type Db = InstanceType<typeof Database>;

/** SqlStore on one better-sqlite3 connection (WAL). An async mutex keeps transactions whole. */
export function createSqliteStore(filename: string): SqlStore {
  const db: Db = new Database(filename);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  const statements = new Map<string, Database.Statement>();
  const prepare = (sql: string): Database.Statement => {
    let stmt = statements.get(sql);
    if (!stmt) {
      stmt = db.prepare(sql);
      statements.set(sql, stmt);
    }
    return stmt;
  };
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
    if (pending > 0) return exclusive(exec);
    try {
      return Promise.resolve(exec());
    } catch (error) {
      return Promise.reject(error as Error);
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
          db.exec('BEGIN IMMEDIATE');
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
          for (let i = row?.v ?? 0; i < migrations.length; i++) {
            db.exec(migrations[i]!);
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
