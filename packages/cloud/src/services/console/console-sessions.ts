import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { SqlStore } from '../../engines/types.js';

/** A signed-in browser: the admin key it signed in with and the token its writes must carry. */
export interface ConsoleSession {
  accessKeyId: string;
  csrfToken: string;
  expiresAt: number;
}

export interface ConsoleSessionOptions {
  sql: SqlStore;
  /** How long a session lasts from sign-in. */
  sessionMs: number;
  /** How long a login link may wait to be used. */
  loginLinkMs: number;
  /** Failed secret sign-ins one address may make within `failureWindowMs` before it is refused. */
  maxFailures: number;
  failureWindowMs: number;
  now?: () => number;
}

const hashOf = (secret: string): string => createHash('sha256').update(secret).digest('hex');
const newSecret = (): string => randomBytes(32).toString('base64url');

/** Whether two strings are equal, in a time that does not tell how much of them matched. */
export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Console sessions, one-time login links and the count of failed sign-ins, in SQL. Only hashes of the
 * session ids and link tokens are stored; the CSRF token is not a credential without the cookie.
 */
export function createConsoleSessions(options: ConsoleSessionOptions) {
  const { sql } = options;
  const now = options.now ?? Date.now;

  async function create(accessKeyId: string): Promise<{ id: string; session: ConsoleSession }> {
    const at = now();
    const id = newSecret();
    const session = { accessKeyId, csrfToken: randomBytes(24).toString('base64url'), expiresAt: at + options.sessionMs };
    await sql.run('DELETE FROM console_sessions WHERE expires_at <= ?', [at]);
    await sql.run('INSERT INTO console_sessions (id_hash, csrf_token, access_key_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?)', [
      hashOf(id),
      session.csrfToken,
      accessKeyId,
      at,
      session.expiresAt,
    ]);
    return { id, session };
  }

  return {
    create,

    /** The live session whose id the cookie carries, or undefined (unknown, expired, signed out). */
    async find(id: string): Promise<ConsoleSession | undefined> {
      const row = await sql.get<{ csrf_token: string; access_key_id: string; expires_at: number | string }>(
        'SELECT csrf_token, access_key_id, expires_at FROM console_sessions WHERE id_hash = ?',
        [hashOf(id)],
      );
      if (!row || Number(row.expires_at) <= now()) return undefined;
      return { accessKeyId: row.access_key_id, csrfToken: row.csrf_token, expiresAt: Number(row.expires_at) };
    },

    async remove(id: string): Promise<void> {
      await sql.run('DELETE FROM console_sessions WHERE id_hash = ?', [hashOf(id)]);
    },

    /** A new one-time login link token, for the admin key that asked for it; only its hash is kept. */
    async createLoginToken(accessKeyId: string): Promise<{ token: string; expiresAt: number }> {
      const at = now();
      const token = newSecret();
      const expiresAt = at + options.loginLinkMs;
      await sql.run('DELETE FROM console_login_links WHERE expires_at <= ?', [at]);
      await sql.run('INSERT INTO console_login_links (token_hash, access_key_id, expires_at) VALUES (?, ?, ?)', [hashOf(token), accessKeyId, expiresAt]);
      return { token, expiresAt };
    },

    /**
     * Uses a login token: the admin key id that asked for it, once, for a token issued and not expired;
     * else undefined. One conditional UPDATE, so two instances given the same link at once cannot both accept it.
     */
    async redeemLoginToken(token: string): Promise<string | undefined> {
      const at = now();
      const tokenHash = hashOf(token);
      const { changes } = await sql.run('UPDATE console_login_links SET used_at = ? WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?', [
        at,
        tokenHash,
        at,
      ]);
      if (changes !== 1) return undefined;
      return (await sql.get<{ access_key_id: string }>('SELECT access_key_id FROM console_login_links WHERE token_hash = ?', [tokenHash]))?.access_key_id;
    },

    /** Whether the address made too many failed sign-ins within the window. */
    async blocked(address: string): Promise<boolean> {
      const row = await sql.get<{ n: number | string }>('SELECT COUNT(*) AS n FROM console_sign_in_failures WHERE address = ? AND at > ?', [
        address,
        now() - options.failureWindowMs,
      ]);
      return Number(row?.n ?? 0) >= options.maxFailures;
    },

    async recordFailure(address: string): Promise<void> {
      const at = now();
      await sql.run('DELETE FROM console_sign_in_failures WHERE at <= ?', [at - options.failureWindowMs]);
      await sql.run('INSERT INTO console_sign_in_failures (address, at) VALUES (?, ?)', [address, at]);
    },
  };
}

export type ConsoleSessions = ReturnType<typeof createConsoleSessions>;
