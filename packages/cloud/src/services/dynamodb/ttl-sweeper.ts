import type { SqlStore } from '../../engines/types.js';
import type { Logger } from '../../kernel/logger.js';
import type { ItemEngine } from './table-engine.js';

/** Items read per transaction of the sweep: each is one short write transaction. */
const STEP_ITEMS = 100;

/**
 * DynamoDB's Time to Live: every `intervalMs`, goes on through the tables whose TTL is enabled, reading at
 * most `itemsPerTick` items per tick (a cursor per table, so a large table is swept over several ticks) and
 * deleting those whose TTL attribute is in the past, each with a REMOVE stream record made by the TTL
 * process (`table-engine.ts expire`). A step per turn of the event loop; ticks never overlap. Each step reads and
 * deletes in one transaction, so even two sweeps of one item at once (a lease taken over) delete it once and
 * write one REMOVE record: PostgreSQL runs the second again, which no longer finds it.
 */
export function createTtlSweeper(options: {
  sql: SqlStore;
  items: ItemEngine;
  log: Logger;
  intervalMs: number;
  itemsPerTick: number;
  /**
   * Whether this instance sweeps this tick: on a cluster, the one holding the sweep's lease (each tick renews it),
   * so one instance sweeps at a time. Default: always.
   */
  mayRun?: () => Promise<boolean>;
  now?: () => number;
}) {
  const now = options.now ?? Date.now;
  const cursors = new Map<string, Buffer[]>();
  /** The table the next tick starts with. */
  let resume: string | undefined;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;

  async function tablesWithTtl(): Promise<string[]> {
    // A cheap pre-filter on the stored JSON; `expire` reads the definition and checks it.
    const rows = await options.sql.all<{ table_name: string }>(
      `SELECT table_name FROM dynamodb_tables WHERE definition LIKE '%"ttl":{"AttributeName":%"Enabled":true}%' ORDER BY table_name`,
    );
    return rows.map((r) => r.table_name);
  }

  /** One tick: at most `itemsPerTick` items read, across the tables in turn. */
  async function sweep(): Promise<number> {
    if (options.mayRun && !(await options.mayRun())) return 0;
    let budget = options.itemsPerTick;
    let deleted = 0;
    const tables = await tablesWithTtl();
    for (const name of [...cursors.keys()]) if (!tables.includes(name)) cursors.delete(name);
    // Each tick starts where the last one stopped, so one large table does not keep the others waiting.
    const first = Math.max(0, resume === undefined ? 0 : tables.findIndex((t) => t >= resume!));
    resume = undefined;
    for (let i = 0; i < tables.length && !stopped; i++) {
      const table = tables[(first + i) % tables.length]!;
      if (budget <= 0) {
        resume = table;
        break;
      }
      for (;;) {
        const limit = Math.min(STEP_ITEMS, budget);
        const step = await options.items.expire(table, cursors.get(table), limit, now() / 1000);
        budget -= Math.max(1, step.read);
        deleted += step.deleted;
        if (step.next) cursors.set(table, step.next);
        else cursors.delete(table);
        await new Promise((resolve) => setImmediate(resolve));
        if (!step.next) break;
        if (budget <= 0 || stopped) {
          resume = table;
          break;
        }
      }
      if (resume !== undefined) break;
    }
    return deleted;
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      running = sweep()
        .then((deleted) => {
          if (deleted > 0) options.log.debug('expired items deleted (TTL)', { items: deleted });
        })
        .catch((error: unknown) => options.log.error('TTL sweep failed', { error }))
        .finally(() => {
          running = undefined;
          schedule();
        });
    }, options.intervalMs);
    timer.unref();
  }

  return {
    start(): void {
      stopped = false;
      schedule();
    },
    async stop(): Promise<void> {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
    /** Runs one tick now (tests). */
    sweep,
  };
}
