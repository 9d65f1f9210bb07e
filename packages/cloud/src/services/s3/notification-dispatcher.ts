import { isForteError } from '@forte/protocol';
import type { SqlStore } from '../../engines/types.js';
import type { FunctionInvoker } from '../../kernel/capabilities.js';
import type { Logger } from '../../kernel/logger.js';
import { sequencerOf } from './s3-event.js';

/** How long a hand-off that failed (Lambda not started yet, a database error) waits before the next try. */
const RETRY_MS = 1000;
const BATCH = 100;

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
 */
export function createNotificationDispatcher(options: { sql: SqlStore; log: Logger; functions: () => FunctionInvoker | undefined }) {
  const { sql, log } = options;
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
    await sql.run('DELETE FROM s3_notification_outbox WHERE position = ?', [row.position]);
    return true;
  }

  async function drain(): Promise<void> {
    do {
      again = false;
      const rows = await sql.all<OutboxRow>('SELECT position, bucket, key, function_arn, record FROM s3_notification_outbox ORDER BY position LIMIT ?', [
        BATCH,
      ]);
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
    },
    async stop(): Promise<void> {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
