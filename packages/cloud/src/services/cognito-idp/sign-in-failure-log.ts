import type { SqlStore } from '../../engines/types.js';
import type { SignInFailureLog } from './sign-in-limiter.js';

/**
 * Failed sign-ins in SQL (`cognito_sign_in_failures`), for the sign-in limiter to read back after a
 * restart. Keys are `u:<poolId>/<username>` and `a:<address>`, never a password. Failures older than the
 * window are deleted with every new one, so the table holds one window at most.
 */
export function createSqlSignInFailureLog(sql: SqlStore, windowMs: number): SignInFailureLog {
  return {
    async record(key, at) {
      await sql.transaction(async (tx) => {
        await tx.run('DELETE FROM cognito_sign_in_failures WHERE at <= ?', [at - windowMs]);
        await tx.run('INSERT INTO cognito_sign_in_failures (limit_key, at) VALUES (?, ?)', [key, at]);
      });
    },
    async forget(key) {
      await sql.run('DELETE FROM cognito_sign_in_failures WHERE limit_key = ?', [key]);
    },
    async since(since) {
      return (await sql.all<{ limit_key: string; at: number }>('SELECT limit_key, at FROM cognito_sign_in_failures WHERE at >= ? ORDER BY at', [since])).map(
        (row) => ({ key: row.limit_key, at: row.at }),
      );
    },
  };
}
