import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { SqlStore } from '../../engines/types.js';
import { jsonMemberText } from '../../engines/dialect/json-member.js';
import { poolFromRow, type StoredPool } from './pool-store.js';

/** EXTERNAL_PROVIDER: a user who signs in through a federated identity provider (no password). */
export type UserStatus = 'UNCONFIRMED' | 'CONFIRMED' | 'FORCE_CHANGE_PASSWORD' | 'RESET_REQUIRED' | 'EXTERNAL_PROVIDER';

export interface UserMfa {
  smsEnabled: boolean;
  totpEnabled: boolean;
  /** VerifySoftwareToken succeeded for the current secret. */
  totpVerified?: boolean;
  /** The time step of the last TOTP code used to sign in: a code works once. */
  totpLastStep?: number;
  preferred?: 'SMS_MFA' | 'SOFTWARE_TOKEN_MFA' | undefined;
}

export interface StoredUser {
  poolId: string;
  username: string;
  sub: string;
  status: UserStatus;
  enabled: boolean;
  attributes: Record<string, string>;
  srpSalt: string | undefined;
  srpVerifier: string | undefined;
  passwordHash: string | undefined;
  mfa: UserMfa;
  totpSecret: string | undefined;
  createdAt: string;
  updatedAt: string;
}

/** A user about to be created: enabled, no password yet (the caller sets it), no MFA, created now. */
export function newStoredUser(fields: { poolId: string; username: string; sub: string; status: UserStatus; attributes: Record<string, string> }): StoredUser {
  const now = new Date().toISOString();
  return {
    ...fields,
    enabled: true,
    srpSalt: undefined,
    srpVerifier: undefined,
    passwordHash: undefined,
    mfa: { smsEnabled: false, totpEnabled: false },
    totpSecret: undefined,
    createdAt: now,
    updatedAt: now,
  };
}

interface UserRow {
  pool_id: string;
  username: string;
  sub: string;
  status: string;
  enabled: number;
  attributes: string;
  srp_salt: string | null;
  srp_verifier: string | null;
  password_hash: string | null;
  mfa: string;
  totp_secret: string | null;
  created_at: string;
  updated_at: string;
}

/** A row of user-store `signedIn`: the pool's columns, the user's (null without a user), the origin's (null without one). */
type SignedInRow = { [K in keyof UserRow]: UserRow[K] | null } & {
  pool_name: string;
  pool_config: string;
  origin_pool_id: string | null;
  origin_client_id: string;
  origin_username: string;
  origin_revoked: number;
  client_pool_id: string | null;
};

/** A pool, one of its users and one sign-in session, as user-store `signedIn` reads them together. */
export interface SignedInRecord {
  pool: StoredPool;
  user: StoredUser | undefined;
  /**
   * The sign-in session (refresh token row) of an `origin_jti`; undefined when there is none. `clientPoolId`
   * is the pool of its app client as that client is now (undefined once the client is deleted).
   */
  origin: { poolId: string; clientId: string; username: string; revoked: boolean; clientPoolId: string | undefined } | undefined;
}

function fromRow(row: UserRow): StoredUser {
  return {
    poolId: row.pool_id,
    username: row.username,
    sub: row.sub,
    status: row.status as UserStatus,
    enabled: row.enabled === 1,
    attributes: JSON.parse(row.attributes) as Record<string, string>,
    srpSalt: row.srp_salt ?? undefined,
    srpVerifier: row.srp_verifier ?? undefined,
    passwordHash: row.password_hash ?? undefined,
    mfa: JSON.parse(row.mfa) as UserMfa,
    totpSecret: row.totp_secret ?? undefined,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The attributes a user may sign in with (each has an expression index on cognito_users). */
export const SIGN_IN_ATTRIBUTES = ['email', 'phone_number', 'preferred_username'];

/**
 * The SQL condition (one `?` for the value) matching a sign-in attribute, in any case when `folded`.
 * Phone numbers have no case. lower() is the database's, on both sides, so stored and typed values fold
 * the same way (SQLite folds A-Z only).
 */
export function attributeMatch(dialect: SqlStore['dialect'], attribute: string, folded: boolean): string {
  if (!SIGN_IN_ATTRIBUTES.includes(attribute)) throw new Error(`${attribute} is not a sign-in attribute`);
  const column = jsonMemberText(dialect, 'attributes', attribute);
  return folded && attribute !== 'phone_number' ? `lower(${column}) = lower(?)` : `${column} = ?`;
}

/** Wrong guesses a code survives. */
export const MAX_CODE_ATTEMPTS = 5;

export const CODE_TTL_MS = { signUp: 24 * 3600_000, reset: 3600_000, attribute: 24 * 3600_000, mfa: 3 * 60_000 } as const;

/** Users, group memberships, one-time codes and refresh tokens of every pool. */
async function insertUser(store: SqlStore, user: StoredUser): Promise<void> {
  await store.run(
    `INSERT INTO cognito_users (pool_id, username, sub, status, enabled, attributes, srp_salt, srp_verifier, password_hash, mfa, totp_secret, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      user.poolId,
      user.username,
      user.sub,
      user.status,
      user.enabled ? 1 : 0,
      JSON.stringify(user.attributes),
      user.srpSalt ?? null,
      user.srpVerifier ?? null,
      user.passwordHash ?? null,
      JSON.stringify(user.mfa),
      user.totpSecret ?? null,
      user.createdAt,
      user.updatedAt,
    ],
  );
}

/** Most signedIn rows remembered at once; beyond it the oldest is dropped. */
const MAX_SIGNED_IN_ROWS = 10_000;

export function createUserStore(sql: SqlStore) {
  /**
   * signedIn rows read at data version `signedInVersion` (SqlStore `dataVersion`). Every write to the
   * service's tables changes the version and so empties this, which keeps revocation immediate (a sign-out,
   * a revoked token, a disabled or deleted user, a deleted pool or client is a write); on PostgreSQL the
   * service's store learns of other instances' writes from the bus (kernel/bus-data-version.ts). A store
   * without a data version is read on every call. Rows are copied into new objects on every use, never handed out.
   */
  const signedInRows = new Map<string, SignedInRow>();
  let signedInVersion: number | undefined;
  return {
    /** The user with exactly this (stored) username. */
    async get(poolId: string, username: string): Promise<StoredUser | undefined> {
      const row = await sql.get<UserRow>('SELECT * FROM cognito_users WHERE pool_id = ? AND username = ?', [poolId, username]);
      return row ? fromRow(row) : undefined;
    },
    /**
     * The user a typed username means. In a case-insensitive pool (`folded`) any case matches; an exact
     * match wins over another case (users created before the pool was case-insensitive may differ only by case).
     */
    async getByName(poolId: string, name: string, folded: boolean): Promise<StoredUser | undefined> {
      if (!folded) return this.get(poolId, name);
      const row = await sql.get<UserRow>(
        'SELECT * FROM cognito_users WHERE pool_id = ? AND lower(username) = lower(?) ORDER BY (username = ?) DESC, created_at LIMIT 1',
        [poolId, name, name],
      );
      return row ? fromRow(row) : undefined;
    },
    /** Finds a user by username, or by the value of one of the sign-in attributes `aliases`. */
    async find(poolId: string, name: string, aliases: readonly string[], folded: boolean): Promise<StoredUser | undefined> {
      const direct = await this.getByName(poolId, name, folded);
      if (direct) return direct;
      for (const attribute of aliases) {
        const found = await this.findByAttribute(poolId, attribute, name, folded);
        if (found) return found;
      }
      return undefined;
    },
    /**
     * Sign-in attributes only (each has an expression index, and a lower() one for the case-insensitive
     * match of `folded`); confirmed users win over unconfirmed ones.
     */
    async findByAttribute(poolId: string, attribute: string, value: string, folded: boolean): Promise<StoredUser | undefined> {
      const row = await sql.get<UserRow>(
        `SELECT * FROM cognito_users WHERE pool_id = ? AND ${attributeMatch(sql.dialect, attribute, folded)} ORDER BY (status = 'CONFIRMED') DESC LIMIT 1`,
        [poolId, value],
      );
      return row ? fromRow(row) : undefined;
    },
    async list(poolId: string): Promise<StoredUser[]> {
      return (await sql.all<UserRow>('SELECT * FROM cognito_users WHERE pool_id = ? ORDER BY username', [poolId])).map(fromRow);
    },
    /**
     * One page of a pool's users in username order, after `after`, filtered in SQL (ListUsers' grammar:
     * `=` or `^=` on username, sub, status, cognito:user_status or any attribute), so a pool of any size
     * is never loaded whole. Answers one row more than `limit` when there is a next page.
     */
    async listPage(
      poolId: string,
      options: { filter?: { attribute: string; op: '=' | '^='; value: string }; after?: string; limit: number },
    ): Promise<StoredUser[]> {
      const where = ['pool_id = ?'];
      const params: unknown[] = [poolId];
      const { filter } = options;
      if (filter) {
        let expr: string;
        switch (filter.attribute) {
          case 'username':
          case 'sub':
            expr = filter.attribute;
            break;
          case 'cognito:user_status':
            expr = 'status';
            break;
          case 'status':
            expr = "(CASE enabled WHEN 1 THEN 'Enabled' ELSE 'Disabled' END)";
            break;
          default:
            // The filter grammar allows only [\w:] in names, which jsonMemberText writes into the SQL.
            expr = jsonMemberText(sql.dialect, 'attributes', filter.attribute);
        }
        if (filter.op === '=') {
          where.push(`${expr} = ?`);
          params.push(filter.value);
        } else {
          where.push(`substr(${expr}, 1, ?) = ?`);
          params.push(filter.value.length, filter.value);
        }
      }
      if (options.after !== undefined) {
        where.push('username > ?');
        params.push(options.after);
      }
      params.push(options.limit + 1);
      return (await sql.all<UserRow>(`SELECT * FROM cognito_users WHERE ${where.join(' AND ')} ORDER BY username LIMIT ?`, params)).map(fromRow);
    },
    /**
     * Inserts the user unless its username, or its value of `uniqueAttribute`, is taken (in any case when
     * `folded`): check and insert in one transaction, so concurrent sign-ups cannot both take the same
     * name or email. Answers false when taken.
     */
    async insertIfFree(user: StoredUser, options: { uniqueAttribute?: 'email' | 'phone_number' | undefined; folded: boolean }): Promise<boolean> {
      return sql.transaction(async (tx) => {
        const nameMatch = options.folded ? 'lower(username) = lower(?)' : 'username = ?';
        if (await tx.get(`SELECT 1 AS taken FROM cognito_users WHERE pool_id = ? AND ${nameMatch}`, [user.poolId, user.username])) return false;
        const { uniqueAttribute } = options;
        const value = uniqueAttribute ? user.attributes[uniqueAttribute] : undefined;
        if (uniqueAttribute && value !== undefined) {
          const taken = await tx.get(
            `SELECT 1 AS taken FROM cognito_users WHERE pool_id = ? AND ${attributeMatch(tx.dialect, uniqueAttribute, options.folded)}`,
            [user.poolId, value],
          );
          if (taken) return false;
        }
        await insertUser(tx, user);
        return true;
      });
    },
    async update(user: StoredUser): Promise<void> {
      await sql.run(
        `UPDATE cognito_users SET status = ?, enabled = ?, attributes = ?, srp_salt = ?, srp_verifier = ?, password_hash = ?, mfa = ?, totp_secret = ?, updated_at = ?
         WHERE pool_id = ? AND username = ?`,
        [
          user.status,
          user.enabled ? 1 : 0,
          JSON.stringify(user.attributes),
          user.srpSalt ?? null,
          user.srpVerifier ?? null,
          user.passwordHash ?? null,
          JSON.stringify(user.mfa),
          user.totpSecret ?? null,
          new Date().toISOString(),
          user.poolId,
          user.username,
        ],
      );
    },
    async delete(poolId: string, username: string): Promise<void> {
      await sql.transaction(async (tx) => {
        for (const table of ['cognito_memberships', 'cognito_codes', 'cognito_provider_links'])
          await tx.run(`DELETE FROM ${table} WHERE pool_id = ? AND username = ?`, [poolId, username]);
        await tx.run('UPDATE cognito_refresh_tokens SET revoked = 1 WHERE pool_id = ? AND username = ?', [poolId, username]);
        await tx.run('DELETE FROM cognito_users WHERE pool_id = ? AND username = ?', [poolId, username]);
      });
    },
    async groupsOf(poolId: string, username: string): Promise<string[]> {
      return (await this.groupsAndRolesOf(poolId, username)).groups;
    },
    /**
     * The user's groups, and the role ARNs of those that have one, both highest precedence (lowest number)
     * first, in one query (the `cognito:groups` and `cognito:roles` of its tokens).
     */
    async groupsAndRolesOf(poolId: string, username: string): Promise<{ groups: string[]; roles: string[] }> {
      const rows = await sql.all<{ group_name: string; role_arn: string | null }>(
        `SELECT m.group_name, g.role_arn FROM cognito_memberships m LEFT JOIN cognito_groups g ON g.pool_id = m.pool_id AND g.name = m.group_name
         WHERE m.pool_id = ? AND m.username = ? ORDER BY COALESCE(g.precedence, 2147483647), m.group_name`,
        [poolId, username],
      );
      return { groups: rows.map((r) => r.group_name), roles: rows.flatMap((r) => (r.role_arn === null ? [] : [r.role_arn])) };
    },
    async addToGroup(poolId: string, group: string, username: string): Promise<void> {
      await sql.run('INSERT INTO cognito_memberships (pool_id, group_name, username) VALUES (?, ?, ?) ON CONFLICT DO NOTHING', [poolId, group, username]);
    },
    async removeFromGroup(poolId: string, group: string, username: string): Promise<void> {
      await sql.run('DELETE FROM cognito_memberships WHERE pool_id = ? AND group_name = ? AND username = ?', [poolId, group, username]);
    },
    async membersOf(poolId: string, group: string): Promise<string[]> {
      return (
        await sql.all<{ username: string }>('SELECT username FROM cognito_memberships WHERE pool_id = ? AND group_name = ? ORDER BY username', [poolId, group])
      ).map((r) => r.username);
    },

    /**
     * Stores a new one-time code (replacing any earlier one of the same purpose) and returns it.
     * `pendingValue` is what the code confirms, when that is not yet on the user (a new email address).
     */
    async newCode(poolId: string, username: string, purpose: string, ttlMs: number, pendingValue?: string): Promise<string> {
      const code = String(randomBytes(4).readUInt32BE() % 1_000_000).padStart(6, '0');
      await sql.run(
        `INSERT INTO cognito_codes (pool_id, username, purpose, code_hash, expires_at, pending_value) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (pool_id, username, purpose) DO UPDATE SET code_hash = excluded.code_hash, expires_at = excluded.expires_at, pending_value = excluded.pending_value`,
        [poolId, username, purpose, sha256(`${poolId}/${username}/${purpose}/${code}`), Date.now() + ttlMs, pendingValue ?? null],
      );
      return code;
    },
    /** The value a live code of `purpose` waits to confirm, if any. */
    async pendingValue(poolId: string, username: string, purpose: string): Promise<string | undefined> {
      const row = await sql.get<{ pending_value: string | null }>(
        'SELECT pending_value FROM cognito_codes WHERE pool_id = ? AND username = ? AND purpose = ? AND expires_at >= ?',
        [poolId, username, purpose, Date.now()],
      );
      return row?.pending_value ?? undefined;
    },
    /** useCode, also answering the value the code confirmed (see newCode) when it was right. */
    async useCodeFor(
      poolId: string,
      username: string,
      purpose: string,
      code: string,
    ): Promise<{ result: 'ok' | 'mismatch' | 'expired' | 'exceeded'; pendingValue?: string }> {
      return sql.transaction(async (tx) => {
        const key = [poolId, username, purpose];
        const row = await tx.get<{ code_hash: string; expires_at: number; attempts: number; pending_value: string | null }>(
          'SELECT code_hash, expires_at, attempts, pending_value FROM cognito_codes WHERE pool_id = ? AND username = ? AND purpose = ?',
          key,
        );
        if (!row) return { result: 'mismatch' };
        if (!timingSafeEqual(Buffer.from(row.code_hash), Buffer.from(sha256(`${poolId}/${username}/${purpose}/${code}`)))) {
          if (row.attempts + 1 >= MAX_CODE_ATTEMPTS) {
            await tx.run('DELETE FROM cognito_codes WHERE pool_id = ? AND username = ? AND purpose = ?', key);
            return { result: 'exceeded' };
          }
          await tx.run('UPDATE cognito_codes SET attempts = attempts + 1 WHERE pool_id = ? AND username = ? AND purpose = ?', key);
          return { result: 'mismatch' };
        }
        await tx.run('DELETE FROM cognito_codes WHERE pool_id = ? AND username = ? AND purpose = ?', key);
        if (row.expires_at < Date.now()) return { result: 'expired' };
        return row.pending_value === null ? { result: 'ok' } : { result: 'ok', pendingValue: row.pending_value };
      });
    },
    /**
     * Consumes the code: 'ok' once, then it is gone. Hashes are compared, in constant time. After
     * MAX_CODE_ATTEMPTS wrong guesses the code is dropped ('exceeded') and a new one is needed.
     */
    async useCode(poolId: string, username: string, purpose: string, code: string): Promise<'ok' | 'mismatch' | 'expired' | 'exceeded'> {
      return (await this.useCodeFor(poolId, username, purpose, code)).result;
    },

    async addRefreshToken(entry: {
      poolId: string;
      clientId: string;
      username: string;
      originJti: string;
      authTime: number;
      expiresAt: number;
      /** The OAuth scopes granted through the hosted UI; absent for sign-ins through the API. */
      scope?: string | undefined;
    }): Promise<string> {
      const token = randomBytes(48).toString('base64url');
      await sql.run(
        'INSERT INTO cognito_refresh_tokens (token_hash, pool_id, client_id, username, origin_jti, auth_time, expires_at, scope) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        [sha256(token), entry.poolId, entry.clientId, entry.username, entry.originJti, entry.authTime, entry.expiresAt, entry.scope ?? null],
      );
      return token;
    },
    async getRefreshToken(token: string): Promise<
      | {
          poolId: string;
          clientId: string;
          username: string;
          originJti: string;
          authTime: number;
          expiresAt: number;
          revoked: boolean;
          scope: string | undefined;
        }
      | undefined
    > {
      const row = await sql.get<{
        pool_id: string;
        client_id: string;
        username: string;
        origin_jti: string;
        auth_time: number;
        expires_at: number;
        revoked: number;
        scope: string | null;
      }>('SELECT * FROM cognito_refresh_tokens WHERE token_hash = ?', [sha256(token)]);
      return row
        ? {
            poolId: row.pool_id,
            clientId: row.client_id,
            username: row.username,
            originJti: row.origin_jti,
            authTime: row.auth_time,
            expiresAt: row.expires_at,
            revoked: row.revoked === 1,
            scope: row.scope ?? undefined,
          }
        : undefined;
    },
    /**
     * All that an access token's check reads, in one query: the pool, the user `username` in it, and the
     * sign-in session `originJti` (its refresh token's pool, client, user and revocation). Undefined when
     * the pool does not exist.
     */
    async signedIn(poolId: string, username: string, originJti: string): Promise<SignedInRecord | undefined> {
      const version = sql.dataVersion?.();
      const key = `${poolId}\n${username}\n${originJti}`;
      if (version !== signedInVersion) {
        signedInRows.clear();
        signedInVersion = version;
      }
      let row = version === undefined ? undefined : signedInRows.get(key);
      if (!row) {
        row = await sql.get<SignedInRow>(
          `SELECT p.name AS pool_name, p.config AS pool_config, u.*, r.pool_id AS origin_pool_id, r.client_id AS origin_client_id, r.username AS origin_username, r.revoked AS origin_revoked,
             c.pool_id AS client_pool_id
           FROM cognito_pools p
           LEFT JOIN cognito_users u ON u.pool_id = p.id AND u.username = ?
           LEFT JOIN cognito_refresh_tokens r ON r.origin_jti = ?
           LEFT JOIN cognito_clients c ON c.id = r.client_id
           WHERE p.id = ?`,
          [username, originJti, poolId],
        );
        if (!row) return undefined;
        // Kept only when nothing was written between the version taken above and now (the query may have waited).
        if (version !== undefined && sql.dataVersion?.() === version && signedInVersion === version) {
          if (signedInRows.size >= MAX_SIGNED_IN_ROWS) signedInRows.delete(signedInRows.keys().next().value!);
          signedInRows.set(key, row);
        }
      }
      return {
        pool: poolFromRow({ id: poolId, name: row.pool_name, config: row.pool_config }),
        user: row.username === null ? undefined : fromRow(row as UserRow),
        origin:
          row.origin_pool_id === null
            ? undefined
            : {
                poolId: row.origin_pool_id,
                clientId: row.origin_client_id,
                username: row.origin_username,
                revoked: row.origin_revoked === 1,
                clientPoolId: row.client_pool_id ?? undefined,
              },
      };
    },
    /** True when the sign-in session `originJti` is still live (not revoked, signed out or deleted). */
    async originLive(originJti: string): Promise<boolean> {
      const row = await sql.get<{ revoked: number }>('SELECT revoked FROM cognito_refresh_tokens WHERE origin_jti = ?', [originJti]);
      return row !== undefined && row.revoked === 0;
    },
    async revokeOrigin(originJti: string): Promise<void> {
      await sql.run('UPDATE cognito_refresh_tokens SET revoked = 1 WHERE origin_jti = ?', [originJti]);
    },
    /** Signs the user out everywhere (GlobalSignOut, AdminUserGlobalSignOut): their tokens and their hosted-UI sessions. */
    async revokeAll(poolId: string, username: string): Promise<void> {
      await sql.run('UPDATE cognito_refresh_tokens SET revoked = 1 WHERE pool_id = ? AND username = ?', [poolId, username]);
      await sql.run('DELETE FROM cognito_hosted_sessions WHERE pool_id = ? AND username = ?', [poolId, username]);
    },
  };
}

export type UserStore = ReturnType<typeof createUserStore>;
