/**
 * Tables of the user pools' limits, in their own migration namespace (`cognito-idp-limits`, applied after
 * `cognito-idp`): attempt and request counters, so a restart neither forgives a lock nor resets a count
 * (attempt-limits.ts), the indexes the mailbox's caps delete by, and the failed sign-ins of the last
 * window, and the attempts under way (sign-in-limiter.ts). Append only.
 */
export const COGNITO_LIMIT_MIGRATIONS = [
  `CREATE TABLE cognito_attempts (limit_key TEXT PRIMARY KEY, count INTEGER NOT NULL, window_ends INTEGER NOT NULL, locked_until INTEGER NOT NULL DEFAULT 0)`,
  `CREATE INDEX cognito_attempts_window ON cognito_attempts (window_ends)`,
  `CREATE INDEX cognito_mailbox_to ON cognito_mailbox (to_addr, seq)`,
  `CREATE INDEX cognito_mailbox_pool ON cognito_mailbox (pool_id, seq)`,
  `CREATE TABLE cognito_sign_in_failures (limit_key TEXT NOT NULL, at INTEGER NOT NULL)`,
  `CREATE INDEX cognito_sign_in_failures_at ON cognito_sign_in_failures (at)`,
  `CREATE INDEX cognito_sign_in_failures_key ON cognito_sign_in_failures (limit_key)`,
  // An attempt under way counts as a failure until it ends; its id lets it go if it succeeds.
  `ALTER TABLE cognito_sign_in_failures ADD COLUMN attempt TEXT`,
  `CREATE INDEX cognito_sign_in_failures_attempt ON cognito_sign_in_failures (attempt)`,
];
