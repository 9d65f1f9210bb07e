import { isForteError } from '@forte/protocol';
import type { SqlStore } from '../../engines/types.js';
import type { FunctionInvoker } from '../../kernel/capabilities.js';
import type { Logger } from '../../kernel/logger.js';
import { sequencerOf } from './s3-event.js';

/** How long a hand-off that failed (Lambda not started yet, a database error) waits before the next try. */
const RETRY_MS = 1000;
const BATCH = 100;
/** How long an instance's claim on events lasts: a hand-over (a queued Event invocation) takes milliseconds. */
export const CLAIM_MS = 30_000;

interface OutboxRow {
  position: number;
  bucket: string;
  key: string;
  function_arn: string;
  record: string;
}

/** Lambda's answers that no retry can change: the event is dropped, as S3 drops it. */
const FINAL_REFUSALS = new Set(['ResourceNotFoundException', 'InvalidParameterValueException', 'RequestTooLargeException']);

/**
 * Hands the outbox's events to Lambda as asynchronous invocations (`FUNCTIONS`, Event: Lambda's queue runs them
 * and retries a failing function twice), oldest first, each with the ordering key `<bucket>/<key>`, so the
 * events of one object reach its function in the order of the changes. A row is deleted only after Lambda
 * queued it, so a stop or a kill -9 between the two hands it over again at the next start (at least once).
 *
 * Instances sharing the database each hand over only the events they claimed (`claimed_by`, for `CLAIM_MS`):
 * one serializable UPDATE claims a batch of events that are unclaimed or whose claim lapsed, leaving out those
 * of an object with an earlier event another instance holds (the order of one object's events is kept), so
 * each event is handed over once. Another instance takes over the claims of one that died once they lapse
 * (the `shared` timer looks every `CLAIM_MS`).
 */
export function createNotificationDispatcher(options: {
  sql: SqlStore;
  log: Logger;
  functions: () => FunctionInvoker | undefined;
  /** This instance's id: the owner of its claims. */
  instance: string;
  /** Whether other instances share the database (then lapsed claims are looked for every `CLAIM_MS`). */
  shared: boolean;
  now?: () => number;
}) {
  const { sql, log, instance } = options;
  const now = options.now ?? Date.now;
  let sweep: NodeJS.Timeout | undefined;
  let stopped = true;
  let again = false;
  let running: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;

  /** Hands one event over; false when it must wait (the next try starts from it, keeping the order). */
  async function handOver(row: OutboxRow): Promise<boolean> {
    const functions = options.functions();
    if (!functions) {
      log.warn('S3 notifications wait: this cloud runs no Lambda service', { bucket: row.bucket });
      return false;
    }
    const record = JSON.parse(row.record) as { s3: { object: Record<string, unknown> } };
    record.s3.object.sequencer = sequencerOf(row.position);
    try {
      await functions.invoke(row.function_arn, JSON.stringify({ Records: [record] }), { invocationType: 'Event', orderingKey: `${row.bucket}/${row.key}` });
    } catch (error) {
      if (!isForteError(error) || !FINAL_REFUSALS.has(error.code)) {
        log.error('could not hand an S3 event to Lambda: retrying', { function: row.function_arn, bucket: row.bucket, error });
        return false;
      }
      log.warn('S3 event dropped: Lambda refused it', { function: row.function_arn, bucket: row.bucket, code: error.code });
    }
    await sql.run('DELETE FROM s3_notification_outbox WHERE position = ? AND claimed_by = ?', [row.position, instance]);
    return true;
  }

  /** Claims (or renews this instance's claim on) up to a batch of events, oldest first; answers them. */
  async function claim(): Promise<OutboxRow[]> {
    const at = now();
    // Alone on its database, an instance takes every claim, those of its own earlier runs too.
    const lapsed = options.shared ? at : Number.MAX_SAFE_INTEGER;
    const claimable = (row: string): string => `(${row}claimed_by = ? OR ${row}claimed_until IS NULL OR ${row}claimed_until < ?)`;
    await sql.transaction((tx) =>
      tx.run(
        `UPDATE s3_notification_outbox SET claimed_by = ?, claimed_until = ? WHERE ${claimable('')} AND position IN (
          SELECT o.position FROM s3_notification_outbox o WHERE ${claimable('o.')} AND NOT EXISTS (
            SELECT 1 FROM s3_notification_outbox p WHERE p.bucket = o.bucket AND p.key = o.key AND p.position < o.position
            AND p.claimed_by <> ? AND p.claimed_until >= ?)
          ORDER BY o.position LIMIT ?)`,
        [instance, at + CLAIM_MS, instance, lapsed, instance, lapsed, instance, lapsed, BATCH],
      ),
    );
    return sql.all<OutboxRow>(
      'SELECT position, bucket, key, function_arn, record FROM s3_notification_outbox WHERE claimed_by = ? AND claimed_until >= ? ORDER BY position LIMIT ?',
      [instance, at, BATCH],
    );
  }

  async function drain(): Promise<void> {
    do {
      again = false;
      const rows = await claim();
      for (const row of rows) {
        if (stopped) return;
        if (!(await handOver(row))) {
          again = false;
          timer = setTimeout(wake, RETRY_MS);
          timer.unref();
          return;
        }
      }
      if (rows.length === BATCH) again = true;
    } while (again && !stopped);
  }

  function wake(): void {
    if (stopped) return;
    if (running) return void (again = true);
    if (timer) clearTimeout(timer);
    timer = undefined;
    running = drain()
      .catch((error: unknown) => {
        log.error('S3 notification dispatch failed', { error });
        timer = setTimeout(wake, RETRY_MS);
        timer.unref();
      })
      .finally(() => {
        running = undefined;
        if (again) wake();
      });
  }

  return {
    /** Called after a change recorded events (its transaction may still be open: the read waits for it). */
    wake,
    /** Hands over what an earlier run left, then whatever is recorded. */
    start(): void {
      stopped = false;
      wake();
      if (options.shared) {
        sweep = setInterval(wake, CLAIM_MS);
        sweep.unref();
      }
    },
    async stop(): Promise<void> {
      stopped = true;
      if (timer) clearTimeout(timer);
      if (sweep) clearInterval(sweep);
      await running;
    },
  };
}
