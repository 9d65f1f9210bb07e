/**
 * The request log's table (portable SQL; `at` is epoch milliseconds). Rows are read newest first by
 * `(at, request_id)`, which the index orders; filters narrow what that walk reads. Append new migrations at
 * the end; never edit an applied one.
 */
export const REQUEST_LOG_MIGRATIONS: readonly string[] = [
  `CREATE TABLE request_log (
    at INTEGER NOT NULL,
    request_id TEXT NOT NULL,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    status INTEGER NOT NULL,
    ms REAL NOT NULL,
    service TEXT,
    client TEXT NOT NULL,
    principal TEXT NOT NULL,
    access_key_id TEXT,
    caller_user TEXT
  )`,
  `CREATE INDEX request_log_by_time ON request_log (at, request_id)`,
];
