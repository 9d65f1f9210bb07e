import { nulSafeText } from '../../engines/dialect/nul-text.js';
import type { SqlStore } from '../../engines/types.js';
import type { AnsweredRequest, RequestLogQuery, RequestLogRow } from '../../kernel/capabilities.js';
import type { Logger } from '../../kernel/logger.js';

/** The request log's limits; defaults in `DEFAULT_REQUEST_LOG_SETTINGS`. */
export interface RequestLogSettings {
  /** Rows older than this are swept (config.json `requestLog.keepHours`, default 24 h). */
  keepMs: number;
  /** At most this many rows are kept, the newest (config.json `requestLog.maxRows`, default 100,000). */
  maxRows: number;
  /** Requests waiting to be written, at most; past it the oldest waiting are dropped and counted (default 10,000). */
  maxBuffered: number;
  /** How long a request may wait for others to share its write (default 1 s). */
  flushMs: number;
  /** A batch this large is written at once (default 100: one INSERT; a SQLite write holds the event loop while it runs). */
  flushAt: number;
}

export const DEFAULT_REQUEST_LOG_SETTINGS: RequestLogSettings = {
  keepMs: 24 * 3_600_000,
  maxRows: 100_000,
  maxBuffered: 10_000,
  flushMs: 1000,
  flushAt: 100,
};

/** Rows per INSERT statement: 11 parameters each, far below either engine's limit on parameters. */
const ROWS_PER_INSERT = 100;
const COLUMNS = 'at, request_id, method, path, status, ms, service, client, principal, access_key_id, caller_user';
const ROW_PLACEHOLDERS = `(${Array.from({ length: 11 }, () => '?').join(', ')})`;

/**
 * The cloud's request log: `record` only buffers (it runs on the request path); a timer writes the buffer in
 * batches, one multi-row INSERT per batch (a transaction of several for a batch that grew while a write was slow),
 * one batch at a time. While the database is slow
 * the buffer grows up to `maxBuffered`, then drops its oldest entries and counts them (`dropped`), so memory
 * stays bounded whatever the database does. `sweep` deletes rows past `keepMs` and beyond `maxRows`.
 * Every instance of a cluster writes its own requests to the shared table.
 */
export function createRequestLogStore(options: { sql: SqlStore; log: Logger; settings?: Partial<RequestLogSettings>; now?: () => number }) {
  // Paths are what clients sent: a percent-decoded NUL never reaches here, but user names are the services' to choose.
  const sql = nulSafeText(options.sql);
  const settings = { ...DEFAULT_REQUEST_LOG_SETTINGS, ...options.settings };
  const now = options.now ?? Date.now;
  let buffer: AnsweredRequest[] = [];
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> | undefined;
  let dropped = 0;
  let stopped = false;

  const schedule = (): void => {
    if (stopped || timer || writing) return;
    timer = setTimeout(() => void flush(), settings.flushMs);
    timer.unref();
  };

  const insert = async (on: SqlStore, rows: AnsweredRequest[]): Promise<void> => {
    const params: unknown[] = [];
    for (const r of rows)
      params.push(
        r.at,
        r.requestId,
        r.method,
        r.path,
        r.status,
        r.ms,
        r.route ?? null,
        r.client,
        r.caller.kind,
        r.caller.accessKeyId ?? null,
        r.caller.user ?? null,
      );
    await on.run(`INSERT INTO request_log (${COLUMNS}) VALUES ${rows.map(() => ROW_PLACEHOLDERS).join(', ')}`, params);
  };

  async function write(batch: AnsweredRequest[]): Promise<void> {
    try {
      // One statement is atomic by itself: a transaction around it would only add round trips (PostgreSQL).
      if (batch.length <= ROWS_PER_INSERT) await insert(sql, batch);
      else
        await sql.transaction(async (tx) => {
          for (let i = 0; i < batch.length; i += ROWS_PER_INSERT) await insert(tx, batch.slice(i, i + ROWS_PER_INSERT));
        });
    } catch (error) {
      dropped += batch.length;
      options.log.error('requests could not be written to the request log', { requests: batch.length, error });
    }
  }

  /** Writes what is buffered; answers once it is written (or its write failed and was counted as dropped). */
  async function flush(): Promise<void> {
    if (timer) clearTimeout(timer);
    timer = undefined;
    // One batch at a time: a slow database makes the batches larger, not more numerous.
    while (writing) await writing;
    if (buffer.length === 0) return;
    const batch = buffer;
    buffer = [];
    writing = write(batch);
    try {
      await writing;
    } finally {
      writing = undefined;
      if (buffer.length >= settings.flushAt) void flush();
      else if (buffer.length > 0) schedule();
    }
  }

  return {
    /** Takes one answered request; never waits and never throws. */
    record(entry: AnsweredRequest): void {
      if (stopped) return;
      buffer.push(entry);
      if (buffer.length > settings.maxBuffered) {
        const excess = buffer.length - settings.maxBuffered;
        buffer.splice(0, excess);
        if (dropped === 0 || dropped % 1000 < excess)
          options.log.warn('request log entries dropped: the database is not keeping up', { dropped: dropped + excess });
        dropped += excess;
      }
      if (buffer.length >= settings.flushAt && !writing) void flush();
      else schedule();
    },
    flush,
    /** Entries lost since start: dropped from a full buffer, or in a failed write. */
    dropped: (): number => dropped,
    /** Deletes rows older than `keepMs` and, past `maxRows`, the oldest. Answers how many went. */
    async sweep(): Promise<number> {
      let removed = (await sql.run('DELETE FROM request_log WHERE at < ?', [now() - settings.keepMs])).changes;
      const cut = await sql.get<{ at: number; request_id: string }>(
        'SELECT at, request_id FROM request_log ORDER BY at DESC, request_id DESC LIMIT 1 OFFSET ?',
        [settings.maxRows],
      );
      if (cut)
        removed += (await sql.run('DELETE FROM request_log WHERE at < ? OR (at = ? AND request_id <= ?)', [Number(cut.at), Number(cut.at), cut.request_id]))
          .changes;
      return removed;
    },
    /** Rows matching every filter given, newest first. What is buffered is written first, so a read sees it. */
    async query(query: RequestLogQuery): Promise<RequestLogRow[]> {
      await flush();
      const where: string[] = [];
      const params: unknown[] = [];
      if (typeof query.status === 'number') (where.push('status = ?'), params.push(query.status));
      else if (query.status) (where.push('status >= ? AND status <= ?'), params.push(query.status[0], query.status[1]));
      if (query.service !== undefined) {
        // A service's name also finds its other routes (`appsync` finds `appsync-graphql`).
        where.push('(service = ? OR substr(service, 1, ?) = ?)');
        params.push(query.service, query.service.length + 1, `${query.service}-`);
      }
      if (query.principal !== undefined) (where.push('principal = ?'), params.push(query.principal));
      if (query.accessKeyId !== undefined) (where.push('access_key_id = ?'), params.push(query.accessKeyId));
      if (query.user !== undefined) (where.push('caller_user = ?'), params.push(query.user));
      if (query.from !== undefined) (where.push('at >= ?'), params.push(query.from));
      if (query.to !== undefined) (where.push('at <= ?'), params.push(query.to));
      if (query.before) (where.push('(at < ? OR (at = ? AND request_id < ?))'), params.push(query.before.at, query.before.at, query.before.requestId));
      const rows = await sql.all<{
        at: number | string;
        request_id: string;
        method: string;
        path: string;
        status: number;
        ms: number;
        service: string | null;
        client: string;
        principal: string;
        access_key_id: string | null;
        caller_user: string | null;
      }>(`SELECT ${COLUMNS} FROM request_log${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY at DESC, request_id DESC LIMIT ?`, [
        ...params,
        query.limit,
      ]);
      return rows.map((r) => ({
        at: Number(r.at),
        requestId: r.request_id,
        method: r.method,
        path: r.path,
        status: Number(r.status),
        ms: Number(r.ms),
        service: r.service ?? undefined,
        client: r.client,
        principal: r.principal,
        accessKeyId: r.access_key_id ?? undefined,
        user: r.caller_user ?? undefined,
      }));
    },
    /** Writes what is buffered and takes no more. */
    async stop(): Promise<void> {
      await flush();
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}

export type RequestLogStore = ReturnType<typeof createRequestLogStore>;
