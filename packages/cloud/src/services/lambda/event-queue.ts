import { randomUUID } from 'node:crypto';
import type { Bus, SqlStore } from '../../engines/types.js';
import type { Logger } from '../../kernel/logger.js';
import type { InvokeOutcome } from './runtime/types.js';

/** Lambda runs an asynchronous invocation once and retries it twice when the function fails. */
const MAX_ATTEMPTS = 3;
/** A throttled invocation waits this long and does not use up an attempt. */
const THROTTLE_DELAY_MS = 1000;
/** Lambda's longest MaximumEventAgeInSeconds: an event still throttled after this long is dropped. */
const MAX_EVENT_AGE_MS = 6 * 3600 * 1000;
/**
 * Whether row `e` may run now as far as ordering goes: it has no ordering key, or no earlier invocation of its
 * function with the same key is still queued (running, or waiting for a retry).
 */
const HEAD_OF_ITS_ORDER = `(e.ordering_key IS NULL OR NOT EXISTS (SELECT 1 FROM lambda_event_invocations p
  WHERE p.function_name = e.function_name AND p.ordering_key = e.ordering_key AND p.ordering_seq < e.ordering_seq))`;

interface QueuedRow {
  id: string;
  function_name: string;
  payload: string;
  client_context: string | null;
  attempts: number;
  created_at: number;
}

/** What running one queued invocation gave: its outcome, a throttle, or a function that no longer exists. */
export type QueuedAttempt = { kind: 'done'; outcome: InvokeOutcome } | { kind: 'throttled' } | { kind: 'gone' };

/** How long the queue waits to read again after the database failed it. */
const RETRY_READ_MS = 1000;
/** The bus subject that tells every instance an invocation was queued (its pump reads the queue at once). */
const QUEUED_SUBJECT = 'lambda.event-queued.v1';

/**
 * Event invocations, queued durably in SQL: a row is written before the caller gets its 202 and deleted only
 * after its last attempt, so a restart of the cloud runs what was pending. A function error is retried after
 * the configured delays (Lambda: twice). Invocations of one function queued with the same ordering key run one
 * at a time in the order they were queued: a retry or a throttle holds back the ones after it.
 *
 * Several instances of a cluster read one queue: an instance runs a row only after its conditional UPDATE
 * claimed it (`owner`, `lease_until`), renews the leases of what it runs every third of `leaseMs`, and a row
 * whose lease lapsed (its instance died) is claimed again by another. A queued row wakes every instance
 * through the bus; each pump also wakes itself when the next row is due or the next lease lapses.
 */
export function createEventQueue(options: {
  sql: SqlStore;
  log: Logger;
  retryDelaysMs: readonly number[];
  run: (functionName: string, payload: string, clientContext: string | undefined, requestId: string) => Promise<QueuedAttempt>;
  /** This instance's id (the owner of the rows it claims). */
  instance: string;
  /** How long a claim holds without being renewed. */
  leaseMs: number;
  /** Tells the other instances of a cluster that a row was queued; absent when the cloud runs alone. */
  bus?: Bus;
  /**
   * Whether other processes may read the queue: when not, a start takes back at once what an earlier run of
   * this cloud claimed, instead of waiting for its lease to lapse.
   */
  shared: boolean;
  now?: () => number;
}) {
  const { sql, log, instance } = options;
  const now = options.now ?? Date.now;
  const running = new Map<string, Promise<void>>();
  let timer: NodeJS.Timeout | undefined;
  let renewal: NodeJS.Timeout | undefined;
  let unsubscribe: (() => void) | undefined;
  let stopped = true;
  let pumping = false;
  let pumpAgain = false;

  async function attempt(row: QueuedRow): Promise<void> {
    let result: QueuedAttempt;
    try {
      result = await options.run(row.function_name, row.payload, row.client_context ?? undefined, row.id);
    } catch (error) {
      log.error('event invocation failed to run', { function: row.function_name, requestId: row.id, error });
      result = { kind: 'throttled' };
    }
    // The cloud is stopping (its runtime stopped the process): the row is released at the stop and runs again.
    if (stopped) return;
    // Each write below matches only while this instance still owns the row: one whose lease lapsed meanwhile
    // belongs to the instance that claimed it since, which runs it again (at least once, as Lambda).
    if (result.kind === 'throttled' && now() - row.created_at > MAX_EVENT_AGE_MS) {
      await sql.run('DELETE FROM lambda_event_invocations WHERE id = ? AND owner = ?', [row.id, instance]);
      return log.warn('event invocation dropped: throttled for longer than 6 hours', { function: row.function_name, requestId: row.id });
    }
    if (result.kind === 'throttled') {
      await sql.run('UPDATE lambda_event_invocations SET next_attempt_at = ?, owner = NULL, lease_until = NULL WHERE id = ? AND owner = ?', [
        now() + THROTTLE_DELAY_MS,
        row.id,
        instance,
      ]);
      return;
    }
    const attempts = row.attempts + 1;
    const failed = result.kind === 'done' && result.outcome.functionError !== undefined;
    if (failed && attempts < MAX_ATTEMPTS) {
      const delay = options.retryDelaysMs[attempts - 1] ?? options.retryDelaysMs.at(-1) ?? 0;
      await sql.run('UPDATE lambda_event_invocations SET attempts = ?, next_attempt_at = ?, owner = NULL, lease_until = NULL WHERE id = ? AND owner = ?', [
        attempts,
        now() + delay,
        row.id,
        instance,
      ]);
      log.info('event invocation failed: retrying', { function: row.function_name, requestId: row.id, attempt: attempts, delayMs: delay });
      return;
    }
    await sql.run('DELETE FROM lambda_event_invocations WHERE id = ? AND owner = ?', [row.id, instance]);
    if (failed) log.warn('event invocation failed after its retries: dropped', { function: row.function_name, requestId: row.id, attempts });
    if (result.kind === 'gone') log.warn('event invocation dropped: its function no longer exists', { function: row.function_name, requestId: row.id });
  }

  /**
   * Claims a row read as due: matches only while nobody holds it and it is still what was read (another
   * instance may have run an attempt since: then its attempts or its time differ, or it is gone).
   */
  async function claim(row: QueuedRow & { next_attempt_at: number }): Promise<boolean> {
    const t = now();
    const claimed = await sql.run(
      `UPDATE lambda_event_invocations SET owner = ?, lease_until = ?
       WHERE id = ? AND attempts = ? AND next_attempt_at = ? AND (owner IS NULL OR lease_until < ?)`,
      [instance, t + options.leaseMs, row.id, row.attempts, row.next_attempt_at, t],
    );
    return claimed.changes === 1;
  }

  async function pump(): Promise<void> {
    if (stopped) return;
    if (pumping) return void (pumpAgain = true);
    pumping = true;
    try {
      do {
        pumpAgain = false;
        const t = now();
        const due = await sql.all<QueuedRow & { next_attempt_at: number }>(
          `SELECT id, function_name, payload, client_context, attempts, created_at, next_attempt_at FROM lambda_event_invocations e
           WHERE next_attempt_at <= ? AND (owner IS NULL OR lease_until < ?) AND ${HEAD_OF_ITS_ORDER} ORDER BY next_attempt_at LIMIT 100`,
          [t, t],
        );
        for (const row of due) {
          if (running.has(row.id) || stopped) continue;
          if (!(await claim(row))) continue;
          if (stopped) break;
          const task = attempt(row)
            .catch((error: unknown) => log.error('event invocation could not be recorded', { requestId: row.id, error }))
            .finally(() => {
              running.delete(row.id);
              void pump();
            });
          running.set(row.id, task);
        }
        await schedule();
      } while (pumpAgain && !stopped);
    } catch (error) {
      // The database is out of reach: read again in a while (or at the next queued row).
      log.error('event queue could not be read', { error });
      if (timer) clearTimeout(timer);
      if (!stopped) {
        timer = setTimeout(() => void pump(), RETRY_READ_MS);
        timer.unref();
      }
    } finally {
      pumping = false;
    }
  }

  /** Wakes the queue when its next waiting invocation is due, or the next lease another instance holds lapses. */
  async function schedule(): Promise<void> {
    if (timer) clearTimeout(timer);
    timer = undefined;
    const ids = [...running.keys()];
    const next = await sql.get<{ at: number | null }>(
      `SELECT MIN(CASE WHEN owner IS NOT NULL AND lease_until > next_attempt_at THEN lease_until + 1 ELSE next_attempt_at END) AS at
       FROM lambda_event_invocations e WHERE ${HEAD_OF_ITS_ORDER}${ids.length > 0 ? ` AND id NOT IN (${ids.map(() => '?').join(', ')})` : ''}`,
      ids,
    );
    if (next?.at === null || next?.at === undefined || stopped) return;
    timer = setTimeout(() => void pump(), Math.max(0, next.at - now()));
    timer.unref();
  }

  /** Renews the leases of the rows this instance runs. */
  async function renew(): Promise<void> {
    if (running.size === 0) return;
    await sql.run('UPDATE lambda_event_invocations SET lease_until = ? WHERE owner = ?', [now() + options.leaseMs, instance]);
  }

  return {
    /**
     * Queues an invocation durably and answers its request id. With an `orderingKey`, it runs after every
     * invocation of the function queued earlier with that key has ended.
     */
    async enqueue(functionName: string, payload: string, clientContext: string | undefined, orderingKey?: string): Promise<string> {
      const id = randomUUID();
      const t = now();
      const insert = (on: SqlStore) =>
        on.run(
          `INSERT INTO lambda_event_invocations (id, function_name, payload, client_context, attempts, next_attempt_at, created_at, ordering_key, ordering_seq)
           VALUES (?, ?, ?, ?, 0, ?, ?, ?, CASE WHEN CAST(? AS TEXT) IS NULL THEN NULL ELSE
             (SELECT COALESCE(MAX(ordering_seq), 0) + 1 FROM lambda_event_invocations WHERE function_name = ? AND ordering_key = ?) END)`,
          [id, functionName, payload, clientContext ?? null, t, t, orderingKey ?? null, orderingKey ?? null, functionName, orderingKey ?? null],
        );
      // The place in its order is read and taken in one transaction: on a database several writers share
      // (PostgreSQL), two invocations queued at once with one key would otherwise get the same place.
      if (orderingKey === undefined) await insert(sql);
      else await sql.transaction(insert);
      options.bus?.publish(QUEUED_SUBJECT, null);
      void pump();
      return id;
    },
    /** Runs what is pending (at start: what an earlier run of the cloud left). */
    async start(): Promise<void> {
      // Alone on its database, nothing an earlier run claimed is still running: it runs again now.
      if (!options.shared) await sql.run('UPDATE lambda_event_invocations SET owner = NULL, lease_until = NULL WHERE owner IS NOT NULL');
      if (options.bus) unsubscribe = await options.bus.subscribe(QUEUED_SUBJECT, () => void pump());
      stopped = false;
      renewal = setInterval(
        () => void renew().catch((error: unknown) => log.error('event invocation leases could not be renewed', { error })),
        options.leaseMs / 3,
      );
      renewal.unref();
      void pump();
    },
    /** Stops taking queued invocations; `settled` waits for those under way (once the runtime has stopped them). */
    stop(): void {
      stopped = true;
      unsubscribe?.();
      if (timer) clearTimeout(timer);
      if (renewal) clearInterval(renewal);
    },
    /** Waits for the invocations under way, then hands what this instance claimed back to the queue. */
    async settled(): Promise<void> {
      await Promise.all(running.values());
      await sql
        .run('UPDATE lambda_event_invocations SET owner = NULL, lease_until = NULL WHERE owner = ?', [instance])
        .catch((error: unknown) => log.warn('event invocations could not be handed back: they run again once their lease lapses', { error }));
    },
    pending: async (): Promise<number> => (await sql.get<{ n: number }>('SELECT COUNT(*) AS n FROM lambda_event_invocations'))?.n ?? 0,
  };
}

export type EventQueue = ReturnType<typeof createEventQueue>;
