import { randomBytes, randomUUID } from 'node:crypto';
import type { SqlStore } from '../../engines/types.js';
import { sha256 } from './user-store.js';

/** Cognito's authorization codes live 5 minutes; its hosted-UI session cookie an hour. */
export const CODE_TTL_MS = 5 * 60_000;
export const HOSTED_SESSION_TTL_MS = 60 * 60_000;
/** At most this many codes and sessions are kept (checked at most every 10 s per instance): expired ones go first, then the oldest. */
const MAX_ROWS = 100_000;
const CAP_CHECK_INTERVAL_MS = 10_000;

/** What an authorization code was issued for, and what its redemption must prove. */
export interface CodeGrant {
  poolId: string;
  clientId: string;
  username: string;
  redirectUri: string;
  scopes: string[];
  nonce: string | undefined;
  /** PKCE S256 challenge: base64url(SHA-256(code_verifier)). */
  codeChallenge: string | undefined;
  authTime: number;
}

/**
 * Authorization codes and hosted-UI sign-in sessions in SQL, each stored as the SHA-256 of its value, so every
 * instance sharing the database redeems a code once and knows a session, and a copy of the database gives
 * neither away.
 */
export function createOAuthGrants(sql: SqlStore) {
  const lastCapCheck = { cognito_oauth_codes: 0, cognito_hosted_sessions: 0 };
  // Expired rows go with every new one (an indexed range); the count behind the cap is read at most every 10 s.
  const prune = async (table: 'cognito_oauth_codes' | 'cognito_hosted_sessions', key: string): Promise<void> => {
    await sql.run(`DELETE FROM ${table} WHERE expires_at < ?`, [Date.now()]);
    if (Date.now() - lastCapCheck[table] < CAP_CHECK_INTERVAL_MS) return;
    lastCapCheck[table] = Date.now();
    const count = Number((await sql.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`))?.n ?? 0);
    if (count > MAX_ROWS) await sql.run(`DELETE FROM ${table} WHERE ${key} IN (SELECT ${key} FROM ${table} ORDER BY expires_at LIMIT ?)`, [count - MAX_ROWS]);
  };
  return {
    async issueCode(grant: CodeGrant): Promise<string> {
      await prune('cognito_oauth_codes', 'code_hash');
      const code = randomUUID();
      await sql.run(
        `INSERT INTO cognito_oauth_codes (code_hash, pool_id, client_id, username, redirect_uri, scope, nonce, code_challenge, auth_time, expires_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          sha256(code),
          grant.poolId,
          grant.clientId,
          grant.username,
          grant.redirectUri,
          grant.scopes.join(' '),
          grant.nonce ?? null,
          grant.codeChallenge ?? null,
          grant.authTime,
          Date.now() + CODE_TTL_MS,
        ],
      );
      return code;
    },
    /**
     * Takes a code: deleted whether or not what follows accepts it (a second redemption, even of a code whose
     * first one failed, finds nothing). Undefined for an unknown, used or expired code.
     */
    async takeCode(code: string): Promise<CodeGrant | undefined> {
      return sql.transaction(async (tx) => {
        const row = await tx.get<{
          pool_id: string;
          client_id: string;
          username: string;
          redirect_uri: string;
          scope: string;
          nonce: string | null;
          code_challenge: string | null;
          auth_time: number;
          expires_at: number;
        }>('SELECT * FROM cognito_oauth_codes WHERE code_hash = ?', [sha256(code)]);
        if (!row) return undefined;
        const { changes } = await tx.run('DELETE FROM cognito_oauth_codes WHERE code_hash = ?', [sha256(code)]);
        if (changes !== 1 || Number(row.expires_at) < Date.now()) return undefined;
        return {
          poolId: row.pool_id,
          clientId: row.client_id,
          username: row.username,
          redirectUri: row.redirect_uri,
          scopes: row.scope.split(' ').filter(Boolean),
          nonce: row.nonce ?? undefined,
          codeChallenge: row.code_challenge ?? undefined,
          authTime: Number(row.auth_time),
        };
      });
    },
    /** A new hosted-UI session for a user who signed in on the login page: the cookie's value. */
    async startSession(poolId: string, username: string, authTime: number): Promise<string> {
      await prune('cognito_hosted_sessions', 'session_hash');
      const session = randomBytes(32).toString('base64url');
      await sql.run('INSERT INTO cognito_hosted_sessions (session_hash, pool_id, username, auth_time, expires_at) VALUES (?, ?, ?, ?, ?)', [
        sha256(session),
        poolId,
        username,
        authTime,
        Date.now() + HOSTED_SESSION_TTL_MS,
      ]);
      return session;
    },
    /** The user a session cookie of this pool stands for, while it lasts. */
    async session(poolId: string, value: string): Promise<{ username: string; authTime: number } | undefined> {
      const row = await sql.get<{ username: string; auth_time: number; expires_at: number }>(
        'SELECT username, auth_time, expires_at FROM cognito_hosted_sessions WHERE session_hash = ? AND pool_id = ?',
        [sha256(value), poolId],
      );
      return row && Number(row.expires_at) >= Date.now() ? { username: row.username, authTime: Number(row.auth_time) } : undefined;
    },
    async endSession(value: string): Promise<void> {
      await sql.run('DELETE FROM cognito_hosted_sessions WHERE session_hash = ?', [sha256(value)]);
    },
  };
}

export type OAuthGrants = ReturnType<typeof createOAuthGrants>;
