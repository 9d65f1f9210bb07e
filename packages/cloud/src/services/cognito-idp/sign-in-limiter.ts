import { randomUUID } from 'node:crypto';
import type { SqlStore } from '../../engines/types.js';

/** Which limit an attempt would exceed: the user's or the client address's. */
export type SignInBlock = 'user' | 'address' | undefined;

/** One attempt under way (`begin`): it counts as a failure until `end` says how it went. */
export interface SignInAttempt {
  blocked: SignInBlock;
  /** `end(false)` keeps it as a failure; `end(true)` lets it go. Only the first call counts. */
  end(ok: boolean): Promise<void>;
}

/**
 * Counts failed sign-ins per user and per client address in a sliding window, in SQL
 * (`cognito_sign_in_failures`; keys `u:<poolId>/<username>` and `a:<address>`, never a password), so every
 * instance sharing the database refuses what another one counted, and a restart forgives nothing. An
 * attempt under way is a row too, marked with its id until it ends: concurrent guesses, through any
 * instance, cannot all pass the check before the first of them has failed (an attempt whose instance dies
 * stays counted until the window passes). Rows older than the window are deleted with each new failure, so
 * the table holds one window: at most `perAddress` failures (two rows each) per address.
 */
export function createSignInLimiter(options: { sql: SqlStore; perUser: number; perAddress: number; windowMs: number; now?: () => number }) {
  const { sql, windowMs } = options;
  const now = options.now ?? Date.now;
  const keysOf = (userKey: string, address: string): [string, string] => [`u:${userKey}`, `a:${address}`];

  async function blockedIn(db: SqlStore, userKey: string, address: string, at: number): Promise<SignInBlock> {
    const [user, addr] = keysOf(userKey, address);
    const rows = await db.all<{ limit_key: string; n: number }>(
      'SELECT limit_key, COUNT(*) AS n FROM cognito_sign_in_failures WHERE limit_key IN (?, ?) AND at > ? GROUP BY limit_key',
      [user, addr, at - windowMs],
    );
    const count = (key: string): number => rows.find((row) => row.limit_key === key)?.n ?? 0;
    if (count(addr) >= options.perAddress) return 'address';
    if (count(user) >= options.perUser) return 'user';
    return undefined;
  }

  async function record(db: SqlStore, userKey: string, address: string, at: number, attempt: string | null): Promise<void> {
    for (const key of keysOf(userKey, address))
      await db.run('INSERT INTO cognito_sign_in_failures (limit_key, at, attempt) VALUES (?, ?, ?)', [key, at, attempt]);
  }

  const sweep = async (at: number): Promise<void> => {
    await sql.run('DELETE FROM cognito_sign_in_failures WHERE at <= ?', [at - windowMs]);
  };

  return {
    /** Which limit, if any, the next attempt would exceed. */
    blocked: (userKey: string, address: string): Promise<SignInBlock> => blockedIn(sql, userKey, address, now()),

    /**
     * Checks the limits and counts the attempt in one transaction (PostgreSQL's serializable ones run again
     * when a concurrent attempt changed the count), so guesses sent at once cannot all pass. Call `end`.
     */
    async begin(userKey: string, address: string): Promise<SignInAttempt> {
      const at = now();
      const attempt = randomUUID();
      const blocked = await sql.transaction(async (tx) => {
        const found = await blockedIn(tx, userKey, address, at);
        if (!found) await record(tx, userKey, address, at, attempt);
        return found;
      });
      if (blocked) return { blocked, end: () => Promise.resolve() };
      let ended = false;
      return {
        blocked,
        async end(ok) {
          if (ended) return;
          ended = true;
          if (ok) {
            await sql.run('DELETE FROM cognito_sign_in_failures WHERE attempt = ?', [attempt]);
            return;
          }
          await sql.run('UPDATE cognito_sign_in_failures SET attempt = NULL WHERE attempt = ?', [attempt]);
          await sweep(at);
        },
      };
    },

    /** Counts a failure that was not begun as an attempt (a wrong MFA code, a wrong previous password). */
    async fail(userKey: string, address: string): Promise<void> {
      const at = now();
      await sql.transaction((tx) => record(tx, userKey, address, at, null));
      await sweep(at);
    },

    /** The user signed in: their failures are forgiven (not the attempts still under way, nor the address's). */
    async succeed(userKey: string): Promise<void> {
      await sql.run('DELETE FROM cognito_sign_in_failures WHERE limit_key = ? AND attempt IS NULL', [`u:${userKey}`]);
    },
  };
}

export type SignInLimiter = ReturnType<typeof createSignInLimiter>;
