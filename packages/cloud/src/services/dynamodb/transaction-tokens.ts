import { hash } from 'node:crypto';
import type { SqlStore } from '../../engines/types.js';
import { DYNAMODB_ERRORS } from './errors.js';

/** How long a ClientRequestToken keeps TransactWriteItems idempotent, as in DynamoDB. */
const TOKEN_LIFETIME_MS = 10 * 60 * 1000;

/** The tokens' table, in a migration namespace of its own (`dynamodb-transaction-tokens`). Append only. */
export const TRANSACTION_TOKEN_MIGRATIONS: readonly string[] = [
  `CREATE TABLE dynamodb_transaction_tokens (token TEXT PRIMARY KEY, request_sha256 TEXT NOT NULL, expires_at INTEGER NOT NULL);
  CREATE INDEX dynamodb_transaction_tokens_expiry ON dynamodb_transaction_tokens (expires_at);`,
];

/**
 * TransactWriteItems' ClientRequestTokens in SQL (`dynamodb_transaction_tokens`), each with the SHA-256 of
 * the request it came with, for 10 minutes: every instance sharing the database answers a repeated token
 * the same, and a restart keeps them. A token is remembered in the transaction that applies its writes, so
 * it counts only once they are committed, and concurrent requests with one token apply it once (the second
 * waits or, on PostgreSQL, runs again and finds it).
 */
export function createTransactionTokens(sql: SqlStore, now: () => number = Date.now) {
  return {
    /** Deletes the expired tokens; outside the transactions that claim tokens, so they do not conflict over it. */
    async sweep(): Promise<void> {
      await sql.run('DELETE FROM dynamodb_transaction_tokens WHERE expires_at <= ?', [now()]);
    },
    /**
     * In the transaction that applies `request`: true when `token` is new (remembered now, with the writes),
     * false when this request already used it within 10 minutes (it is not applied again); another request
     * with it is refused with IdempotentParameterMismatchException.
     */
    async claim(tx: SqlStore, token: string, request: string): Promise<boolean> {
      const at = now();
      const digest = hash('sha256', request, 'hex');
      const row = await tx.get<{ request_sha256: string; expires_at: number }>(
        'SELECT request_sha256, expires_at FROM dynamodb_transaction_tokens WHERE token = ?',
        [token],
      );
      if (row && row.expires_at > at) {
        if (row.request_sha256 === digest) return false;
        throw DYNAMODB_ERRORS.error('IdempotentParameterMismatchException', 'The ClientRequestToken was used within the last 10 minutes with another request');
      }
      await tx.run(
        `INSERT INTO dynamodb_transaction_tokens (token, request_sha256, expires_at) VALUES (?, ?, ?)
         ON CONFLICT (token) DO UPDATE SET request_sha256 = excluded.request_sha256, expires_at = excluded.expires_at`,
        [token, digest, at + TOKEN_LIFETIME_MS],
      );
      return true;
    },
  };
}

export type TransactionTokens = ReturnType<typeof createTransactionTokens>;
