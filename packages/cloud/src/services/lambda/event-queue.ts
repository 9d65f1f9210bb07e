import { randomUUID } from 'node:crypto';
import type { SqlStore } from '../../engines/types.js';
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

/**
 * Event invocations, queued durably in SQL: a row is written before the caller gets its 202 and deleted only
 * after its last attempt, so a restart of the cloud runs what was pending. A function error is retried after
 * the configured delays (Lambda: twice). Invocations of one function queued with the same ordering key run one
 * at a time in the order they were queued: a retry or a throttle holds back the ones after it.
 */
export function createEventQueue(options: {
  sql: SqlStore;
  log: Logger;
  retryDelaysMs: readonly number[];
  run: (functionName: string, payload: string, clientContext: string | undefined, requestId: string) => Promise<QueuedAttempt>;
  now?: () => number;
}) {
  const { sql, log } = options;
  const now = options.now ?? Date.now;
  const running = new Map<string, Promise<void>>();
  // Invocations whose attempt ended while the pump's read was under way: the read may predate the attempt's
  // write (on PostgreSQL the two run on different connections), so its row for them is stale. The pump reads
  // again after the attempt ended.
  const endedDuringRead = new Set<string>();
  let reading = false;
  let timer: NodeJS.Timeout | undefined;
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
    // The cloud is stopping (its runtime stopped the process): the row stays and runs again at the next start.
    if (stopped) return;
    if (result.kind === 'throttled' && now() - row.created_at > MAX_EVENT_AGE_MS) {
      await sql.run('DELETE FROM lambda_event_invocations WHERE id = ?', [row.id]);
      return log.warn('event invocation dropped: throttled for longer than 6 hours', { function: row.function_name, requestId: row.id });
    }
    if (result.kind === 'throttled') {
      await sql.run('UPDATE lambda_event_invocations SET next_attempt_at = ? WHERE id = ?', [now() + THROTTLE_DELAY_MS, row.id]);
      return;
    }
    const attempts = row.attempts + 1;
    const failed = result.kind === 'done' && result.outcome.functionError !== undefined;
    if (failed && attempts < MAX_ATTEMPTS) {
      const delay = options.retryDelaysMs[attempts - 1] ?? options.retryDelaysMs.at(-1) ?? 0;
      await sql.run('UPDATE lambda_event_invocations SET attempts = ?, next_attempt_at = ? WHERE id = ?', [attempts, now() + delay, row.id]);
      log.info('event invocation failed: retrying', { function: row.function_name, requestId: row.id, attempt: attempts, delayMs: delay });
      return;
    }
    await sql.run('DELETE FROM lambda_event_invocations WHERE id = ?', [row.id]);
    if (failed) log.warn('event invocation failed after its retries: dropped', { function: row.function_name, requestId: row.id, attempts });
    if (result.kind === 'gone') log.warn('event invocation dropped: its function no longer exists', { function: row.function_name, requestId: row.id });
  }

  async function pump(): Promise<void> {
    if (stopped) return;
    if (pumping) return void (pumpAgain = true);
    pumping = true;
    try {
      do {
        pumpAgain = false;
        endedDuringRead.clear();
        reading = true;
        let due: QueuedRow[];
        try {
          due = await sql.all<QueuedRow>(
            `SELECT id, function_name, payload, client_context, attempts, created_at FROM lambda_event_invocations e
             WHERE next_attempt_at <= ? AND ${HEAD_OF_ITS_ORDER} ORDER BY next_attempt_at LIMIT 100`,
            [now()],
          );
        } finally {
          reading = false;
        }
        for (const row of due) {
          if (running.has(row.id) || endedDuringRead.has(row.id) || stopped) continue;
          const task = attempt(row)
            .catch((error: unknown) => log.error('event invocation could not be recorded', { requestId: row.id, error }))
            .finally(() => {
              running.delete(row.id);
              if (reading) endedDuringRead.add(row.id);
              void pump();
            });
          running.set(row.id, task);
        }
        await schedule();
      } while (pumpAgain && !stopped);
    } finally {
      pumping = false;
    }
  }

  /** Wakes the queue when its next waiting invocation is due. */
  async function schedule(): Promise<void> {
    if (timer) clearTimeout(timer);
    timer = undefined;
    const ids = [...running.keys()];
    const next = await sql.get<{ at: number | null }>(
      `SELECT MIN(next_attempt_at) AS at FROM lambda_event_invocations e WHERE ${HEAD_OF_ITS_ORDER}${ids.length > 0 ? ` AND id NOT IN (${ids.map(() => '?').join(', ')})` : ''}`,
      ids,
    );
    if (next?.at === null || next?.at === undefined || stopped) return;
    timer = setTimeout(() => void pump(), Math.max(0, next.at - now()));
    timer.unref();
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
      void pump();
      return id;
    },
    /** Runs what is pending (at start: what an earlier run of the cloud left). */
    start(): void {
      stopped = false;
      void pump();
    },
    /** Stops taking queued invocations; `settled` waits for those under way (once the runtime has stopped them). */
    stop(): void {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
    settled: async (): Promise<void> => void (await Promise.all(running.values())),
    pending: async (): Promise<number> => (await sql.get<{ n: number }>('SELECT COUNT(*) AS n FROM lambda_event_invocations'))?.n ?? 0,
  };
}

export type EventQueue = ReturnType<typeof createEventQueue>;
