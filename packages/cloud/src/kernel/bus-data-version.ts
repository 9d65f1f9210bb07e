import type { SqlStore } from '../engines/types.js';
import { createCacheInvalidation } from './cache-invalidation.js';
import type { Kernel } from './types.js';

/** A service's store with a data version on every engine (see `createBusDataVersion`). */
export interface BusDataVersion {
  /** The kernel's store, offering `dataVersion`: every statement on the service's tables goes through it. */
  readonly sql: SqlStore;
  /** Subscribes to the other instances' writes; the service awaits it in `start`, before it caches anything. */
  start(): Promise<void>;
  stop(): void;
}

/** How long a cache kept on the version may be behind another instance's write when the bus lost its message. */
const DEFAULT_MAX_AGE_MS = 1000;

// A statement that cannot write; anything else (INSERT, UPDATE … RETURNING, WITH …) counts as a write.
const READ_ONLY = /^\s*SELECT\b/i;

/**
 * Gives a service's store the SqlStore `dataVersion` its per-process caches rely on, where the engine has
 * none because other instances write the same database (PostgreSQL). The version changes after each
 * statement this instance writes through the store and at the end of each of its transactions; each time,
 * after the write is committed, the other instances are told on the bus (`cache.<name>-data.v1`) and change
 * theirs. So a cache keyed on the version is read again at once after a local write, and as soon as the
 * bus brings another instance's (and everything is read again when the bus comes back after a cut, and at
 * least every `maxAgeMs` (default 1 s) should a message be lost). Only
 * the service's own statements count: it must own its tables, every write to them going through `sql`.
 * On an engine with its own version (SQLite, one process) the store is returned as it is.
 */
export function createBusDataVersion(kernel: Pick<Kernel, 'sql' | 'bus' | 'log'>, name: string, options: { maxAgeMs?: number } = {}): BusDataVersion {
  const inner = kernel.sql;
  if (inner.dataVersion) return { sql: inner, start: () => Promise.resolve(), stop: () => undefined };
  let version = 0;
  const changed = (): void => {
    version += 1;
  };
  // The bus may lose a message (delivery is at most once; it may be cut off for a while before `onResume`):
  // the version also changes every `maxAgeMs`, so nothing kept on it is older than that, whatever the bus does.
  let ageTimer: NodeJS.Timeout | undefined;
  const invalidation = createCacheInvalidation<null>(kernel, `${name}-data`, {
    isChange: (value): value is null => value === null,
    onChange: changed,
    onLost: changed,
  });
  /** Runs a write; the version changes once it ended, and the other instances hear of it once it is committed. */
  const write = async <T>(inTransaction: boolean, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } finally {
      changed();
      if (!inTransaction) invalidation.changed(null);
    }
  };
  const statement = <T>(text: string, inTransaction: boolean, run: () => Promise<T>): Promise<T> => (READ_ONLY.test(text) ? run() : write(inTransaction, run));
  const over = (on: SqlStore, inTransaction: boolean): SqlStore => ({
    dialect: on.dialect,
    all: <T>(text: string, params?: unknown[]) => statement(text, inTransaction, () => on.all<T>(text, params)),
    get: <T>(text: string, params?: unknown[]) => statement(text, inTransaction, () => on.get<T>(text, params)),
    run: (text, params) => statement(text, inTransaction, () => on.run(text, params)),
    // A nested transaction joins the open one: only the outermost ends it.
    transaction: (fn) => (inTransaction ? on.transaction((tx) => fn(over(tx, true))) : write(false, () => on.transaction((tx) => fn(over(tx, true))))),
    dataVersion: () => version,
    migrate: (namespace, migrations) => write(inTransaction, () => on.migrate(namespace, migrations)),
    close: () => on.close(),
  });
  return {
    sql: over(inner, false),
    start: async () => {
      ageTimer ??= setInterval(changed, options.maxAgeMs ?? DEFAULT_MAX_AGE_MS).unref();
      await invalidation.start();
    },
    stop: () => {
      clearInterval(ageTimer);
      ageTimer = undefined;
      invalidation.stop();
    },
  };
}
