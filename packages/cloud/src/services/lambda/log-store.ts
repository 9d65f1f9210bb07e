import { nulSafeText, storedLength } from '../../engines/dialect/nul-text.js';
import type { SqlStore } from '../../engines/types.js';
import type { Logger } from '../../kernel/logger.js';
import type { FunctionLogLine } from './runtime/types.js';

/** The log group of a function, as Lambda names it. */
export const logGroupOf = (functionName: string): string => `/aws/lambda/${functionName}`;

/**
 * Lines waiting longer than this are written; so are this many at once, or this many characters. Larger
 * batches write less: each transaction rewrites the partly filled last pages of the table and of its index
 * (measured with the two indexes of the first schema, one leaf per live stream in the second: SQLite's
 * write-ahead log grew by about 1,900 bytes a line in batches of 185 lines and 840 in batches of 2,000).
 * Readers lose nothing by the wait: every read writes what is buffered first.
 */
const FLUSH_AFTER_MS = 1000;
const FLUSH_AT_LINES = 2000;
const FLUSH_AT_CHARS = 2 * 1024 * 1024;
/**
 * Characters buffered or being written, past which a new line is dropped (and counted, then noted in its stream):
 * a function that prints faster than the database stores would otherwise have every line wait in the cloud's
 * memory for as long as it prints, and a function may print for 15 minutes.
 */
const MAX_PENDING_CHARS = 64 * 1024 * 1024;
const DAY_MS = 24 * 3600 * 1000;

export interface StoredLogEvent {
  id: number;
  stream: string;
  timestamp: number;
  ingested: number;
  message: string;
}

/**
 * Functions' log lines, per log group (`/aws/lambda/<fn>`). Lines are buffered and written in batches, one
 * transaction per batch (a chatty function costs no transaction per line), and trimmed by retention: the
 * LogGroup's RetentionInDays, else the configured default.
 */
export function createLogStore(options: {
  sql: SqlStore;
  log: Logger;
  defaultRetentionDays: number;
  now?: () => number;
  /** Characters buffered or being written past which lines are dropped (default 64 Mi). */
  maxPendingChars?: number;
}) {
  // A function may print U+0000, which PostgreSQL's TEXT refuses: stored escaped there.
  const sql = nulSafeText(options.sql);
  const now = options.now ?? Date.now;
  const maxPendingChars = options.maxPendingChars ?? MAX_PENDING_CHARS;
  let buffer: FunctionLogLine[] = [];
  let bufferedChars = 0;
  /** Characters of the batches handed to the database and not yet written. */
  let writingChars = 0;
  /** Lines dropped since the last flush, by function and stream. */
  const dropped = new Map<string, { line: FunctionLogLine; count: number }>();
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();

  function flush(): Promise<void> {
    if (timer) clearTimeout(timer);
    timer = undefined;
    for (const { line, count } of dropped.values())
      buffer.push({
        ...line,
        message: `${count} log line${count === 1 ? ' was' : 's were'} dropped here: the function printed them faster than the cloud could store them.`,
      });
    dropped.clear();
    const lines = buffer;
    const chars = bufferedChars;
    buffer = [];
    bufferedChars = 0;
    if (lines.length === 0) return writing;
    writingChars += chars;
    const ingested = now();
    writing = writing
      .then(() =>
        sql.transaction(async (tx) => {
          for (const line of lines)
            await tx.run('INSERT INTO lambda_log_events (log_group, stream, timestamp, ingested, message) VALUES (?, ?, ?, ?, ?)', [
              logGroupOf(line.functionName),
              line.stream,
              line.timestamp,
              ingested,
              line.message,
            ]);
        }),
      )
      .catch((error: unknown) => options.log.error('function log lines could not be stored', { lines: lines.length, error }))
      .finally(() => (writingChars -= chars));
    return writing;
  }

  return {
    /** The runtime's `onLog`: buffers the line; never throws. */
    add(line: FunctionLogLine): void {
      if (bufferedChars + writingChars + line.message.length > maxPendingChars) {
        const key = `${line.functionName}\n${line.stream}`;
        const seen = dropped.get(key);
        if (seen) seen.count += 1;
        else dropped.set(key, { line: { ...line, message: '' }, count: 1 });
        timer ??= setTimeout(() => void flush(), FLUSH_AFTER_MS);
        return;
      }
      buffer.push(line);
      bufferedChars += line.message.length;
      if (buffer.length >= FLUSH_AT_LINES || bufferedChars >= FLUSH_AT_CHARS) void flush();
      else timer ??= setTimeout(() => void flush(), FLUSH_AFTER_MS);
    },
    /** Writes what is buffered (before a read, and at stop). */
    flush,
    async setRetention(group: string, days: number | undefined): Promise<void> {
      await sql.run(
        'INSERT INTO lambda_log_groups (name, retention_days) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET retention_days = excluded.retention_days',
        [group, days ?? null],
      );
    },
    async deleteGroup(group: string): Promise<void> {
      await sql.run('DELETE FROM lambda_log_groups WHERE name = ?', [group]);
    },
    async groupExists(group: string): Promise<boolean> {
      await flush();
      const row = await sql.get<{ n: number }>(
        `SELECT CASE WHEN EXISTS (SELECT 1 FROM lambda_log_groups WHERE name = ?) OR EXISTS (SELECT 1 FROM lambda_log_events WHERE log_group = ?)
           THEN 1 ELSE 0 END AS n`,
        [group, group],
      );
      return (row?.n ?? 0) > 0;
    },
    /** Drops events older than their group's retention (one DELETE per group with its own, one for the rest). */
    async trim(): Promise<number> {
      await flush();
      const t = now();
      return sql.transaction(async (tx) => {
        const groups = await tx.all<{ name: string; retention_days: number }>(
          'SELECT name, retention_days FROM lambda_log_groups WHERE retention_days IS NOT NULL',
        );
        let removed = 0;
        for (const g of groups)
          removed += (await tx.run('DELETE FROM lambda_log_events WHERE log_group = ? AND timestamp < ?', [g.name, t - g.retention_days * DAY_MS])).changes;
        removed += (
          await tx.run(
            'DELETE FROM lambda_log_events WHERE timestamp < ? AND log_group NOT IN (SELECT name FROM lambda_log_groups WHERE retention_days IS NOT NULL)',
            [t - options.defaultRetentionDays * DAY_MS],
          )
        ).changes;
        return removed;
      });
    },
    /** Events of a group in time order after `afterId`, optionally of some streams, in a time window. */
    async events(query: {
      group: string;
      streams?: string[];
      streamPrefix?: string;
      startTime?: number;
      endTime?: number;
      afterId: number;
      limit: number;
      descending?: boolean;
    }): Promise<StoredLogEvent[]> {
      await flush();
      const where = ['log_group = ?'];
      const params: unknown[] = [query.group];
      if (query.streams && query.streams.length > 0) {
        where.push(`stream IN (${query.streams.map(() => '?').join(', ')})`);
        params.push(...query.streams);
      }
      if (query.streamPrefix) {
        where.push('substr(stream, 1, ?) = ?');
        params.push(storedLength(sql, query.streamPrefix), query.streamPrefix);
      }
      if (query.startTime !== undefined) (where.push('timestamp >= ?'), params.push(query.startTime));
      if (query.endTime !== undefined) (where.push('timestamp <= ?'), params.push(query.endTime));
      where.push(query.descending ? 'id < ?' : 'id > ?');
      params.push(query.descending && query.afterId === 0 ? Number.MAX_SAFE_INTEGER : query.afterId);
      const order = query.descending ? 'DESC' : 'ASC';
      return sql.all<StoredLogEvent>(
        `SELECT id, stream, timestamp, ingested, message FROM lambda_log_events WHERE ${where.join(' AND ')} ORDER BY id ${order} LIMIT ?`,
        [...params, query.limit],
      );
    },
    /** Groups by name (those created with a retention, and those that have events), after `afterName`, with their retention. */
    async groups(prefix: string | undefined, afterName: string, limit: number): Promise<Array<{ name: string; retentionDays: number | null }>> {
      await flush();
      return sql.all(
        `SELECT g.name AS name, r.retention_days AS "retentionDays"
         FROM (SELECT name FROM lambda_log_groups UNION SELECT DISTINCT log_group AS name FROM lambda_log_events) g
         LEFT JOIN lambda_log_groups r ON r.name = g.name
         WHERE g.name > ?${prefix ? ' AND substr(g.name, 1, ?) = ?' : ''} ORDER BY g.name LIMIT ?`,
        prefix ? [afterName, storedLength(sql, prefix), prefix, limit] : [afterName, limit],
      );
    },
    /** The streams of a group with their first and last event times and sizes, by name. */
    async streams(
      group: string,
      prefix: string | undefined,
    ): Promise<Array<{ stream: string; first: number; last: number; lastIngested: number; bytes: number }>> {
      await flush();
      return sql.all(
        `SELECT stream, MIN(timestamp) AS first, MAX(timestamp) AS last, MAX(ingested) AS lastIngested, SUM(length(message)) AS bytes
         FROM lambda_log_events WHERE log_group = ?${prefix ? ' AND substr(stream, 1, ?) = ?' : ''} GROUP BY stream ORDER BY stream`,
        prefix ? [group, storedLength(sql, prefix), prefix] : [group],
      );
    },
  };
}

export type LogStore = ReturnType<typeof createLogStore>;
