/**
 * The console's tables (portable SQL; times are epoch milliseconds). Sessions and login links are kept by
 * the sha256 of their secret, so a copy of the database signs nobody in, and in the database, so every
 * instance of a cluster accepts them. Append new migrations at the end; never edit an applied one.
 */
export const CONSOLE_MIGRATIONS: readonly string[] = [
  `CREATE TABLE console_sessions (
    id_hash TEXT PRIMARY KEY,
    csrf_token TEXT NOT NULL,
    access_key_id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
  )`,
  `CREATE TABLE console_login_links (
    token_hash TEXT PRIMARY KEY,
    access_key_id TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER
  )`,
  `CREATE TABLE console_sign_in_failures (address TEXT NOT NULL, at INTEGER NOT NULL)`,
  `CREATE INDEX console_sign_in_failures_by_address ON console_sign_in_failures (address, at)`,
];
