import type { IdentityPoolRoleMapping } from '@forte/protocol';
import type { SqlStore } from '../../engines/types.js';

/** One identity pool as stored. */
export interface StoredIdentityPool {
  poolId: string;
  /** `<appId>/<envName>/<stackName>/<logicalId>`: lets a repeated create adopt the pool it made before. */
  ownerKey: string;
  name: string;
  allowUnauthenticated: boolean;
  providers: Array<{ ProviderName: string; ClientId: string }>;
  authenticatedRole: string;
  unauthenticatedRole: string | undefined;
  /** Role mappings keyed by `<providerName>:<clientId>` (the mapping's IdentityProvider, else its key). */
  roleMappings: Record<string, IdentityPoolRoleMapping>;
  /** SupportedLoginProviders: a public provider's login key (`accounts.google.com`, ...) → the app id(s) accepted. */
  loginProviders: Record<string, string>;
}

export interface StoredIdentity {
  identityId: string;
  poolId: string;
  createdAt: string;
  lastModifiedAt: string;
  /** The logins linked to it (`<provider>` names); empty for a guest identity. */
  logins: string[];
}

interface PoolRow {
  pool_id: string;
  owner_key: string;
  name: string;
  allow_unauthenticated: number;
  providers: string;
  authenticated_role: string;
  unauthenticated_role: string | null;
  role_mappings: string | null;
  login_providers: string | null;
}

interface IdentityRow {
  identity_id: string;
  pool_id: string;
  created_at: string;
  last_modified_at: string;
}

const fromPoolRow = (row: PoolRow): StoredIdentityPool => ({
  poolId: row.pool_id,
  ownerKey: row.owner_key,
  name: row.name,
  allowUnauthenticated: row.allow_unauthenticated === 1,
  providers: JSON.parse(row.providers) as StoredIdentityPool['providers'],
  authenticatedRole: row.authenticated_role,
  unauthenticatedRole: row.unauthenticated_role ?? undefined,
  roleMappings: row.role_mappings ? (JSON.parse(row.role_mappings) as StoredIdentityPool['roleMappings']) : {},
  loginProviders: row.login_providers ? (JSON.parse(row.login_providers) as StoredIdentityPool['loginProviders']) : {},
});

/** Identity pools, their identities and the logins linked to those identities, in SQL. */
export function createIdentityStore(sql: SqlStore) {
  const identityWithLogins = async (db: SqlStore, row: IdentityRow): Promise<StoredIdentity> => {
    const logins = await db.all<{ provider: string }>('SELECT DISTINCT provider FROM cognito_identity_logins WHERE identity_id = ? ORDER BY provider', [
      row.identity_id,
    ]);
    return {
      identityId: row.identity_id,
      poolId: row.pool_id,
      createdAt: row.created_at,
      lastModifiedAt: row.last_modified_at,
      logins: logins.map((l) => l.provider),
    };
  };

  return {
    async poolById(poolId: string): Promise<StoredIdentityPool | undefined> {
      const row = await sql.get<PoolRow>('SELECT * FROM cognito_identity_pools WHERE pool_id = ?', [poolId]);
      return row ? fromPoolRow(row) : undefined;
    },

    async poolByOwner(ownerKey: string): Promise<StoredIdentityPool | undefined> {
      const row = await sql.get<PoolRow>('SELECT * FROM cognito_identity_pools WHERE owner_key = ?', [ownerKey]);
      return row ? fromPoolRow(row) : undefined;
    },

    /** Inserts the pool, or updates the settings of the pool with that id in place (its identities stay). */
    async putPool(pool: StoredIdentityPool): Promise<void> {
      const now = new Date().toISOString();
      const values = [
        pool.name,
        pool.allowUnauthenticated ? 1 : 0,
        JSON.stringify(pool.providers),
        pool.authenticatedRole,
        pool.unauthenticatedRole ?? null,
        JSON.stringify(pool.roleMappings),
        JSON.stringify(pool.loginProviders),
      ];
      await sql.transaction(async (tx) => {
        const changed = await tx.run(
          'UPDATE cognito_identity_pools SET name = ?, allow_unauthenticated = ?, providers = ?, authenticated_role = ?, unauthenticated_role = ?, role_mappings = ?, login_providers = ?, updated_at = ? WHERE pool_id = ?',
          [...values, now, pool.poolId],
        );
        if (changed.changes === 0) {
          await tx.run(
            'INSERT INTO cognito_identity_pools (name, allow_unauthenticated, providers, authenticated_role, unauthenticated_role, role_mappings, login_providers, pool_id, owner_key, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
            [...values, pool.poolId, pool.ownerKey, now, now],
          );
        }
      });
    },

    /** Deletes the pool with its identities, logins and the credentials issued for them. */
    async deletePool(poolId: string): Promise<void> {
      await sql.transaction(async (tx) => {
        for (const table of ['cognito_identity_credentials', 'cognito_identity_logins', 'cognito_identities', 'cognito_identity_pools']) {
          await tx.run(`DELETE FROM ${table} WHERE pool_id = ?`, [poolId]);
        }
      });
    },

    async identity(identityId: string): Promise<StoredIdentity | undefined> {
      const row = await sql.get<IdentityRow>('SELECT * FROM cognito_identities WHERE identity_id = ?', [identityId]);
      return row ? identityWithLogins(sql, row) : undefined;
    },

    /** Adds an identity with no logins (a guest); `db` is the open transaction when there is one. */
    async createIdentity(poolId: string, identityId: string, db: SqlStore = sql): Promise<void> {
      const now = new Date().toISOString();
      await db.run('INSERT INTO cognito_identities (identity_id, pool_id, created_at, last_modified_at) VALUES (?, ?, ?, ?)', [identityId, poolId, now, now]);
    },

    /**
     * The identity linked to any of `logins`, else `fallback()`'s identity with every login linked to it:
     * in one transaction, so two first sign-ins at once cannot make two identities for one user. The
     * logins not yet linked are linked to the answer (Cognito links every login sent with a known one).
     */
    async linkLogins(poolId: string, logins: Array<{ provider: string; subject: string }>, fallback: (tx: SqlStore) => Promise<string>): Promise<string> {
      return sql.transaction(async (tx) => {
        let identityId: string | undefined;
        const unlinked: Array<{ provider: string; subject: string }> = [];
        for (const login of logins) {
          const row = await tx.get<{ identity_id: string }>(
            'SELECT identity_id FROM cognito_identity_logins WHERE pool_id = ? AND provider = ? AND subject = ?',
            [poolId, login.provider, login.subject],
          );
          if (row) identityId ??= row.identity_id;
          else unlinked.push(login);
        }
        identityId ??= await fallback(tx);
        const now = new Date().toISOString();
        for (const login of unlinked) {
          await tx.run('INSERT INTO cognito_identity_logins (pool_id, provider, subject, identity_id, linked_at) VALUES (?, ?, ?, ?, ?)', [
            poolId,
            login.provider,
            login.subject,
            identityId,
            now,
          ]);
        }
        if (unlinked.length > 0) await tx.run('UPDATE cognito_identities SET last_modified_at = ? WHERE identity_id = ?', [now, identityId]);
        return identityId;
      });
    },

    /** How many logins are linked to the identity (0: a guest). */
    async loginCount(identityId: string, db: SqlStore = sql): Promise<number> {
      const row = await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM cognito_identity_logins WHERE identity_id = ?', [identityId]);
      return Number(row?.n ?? 0);
    },

    async listIdentities(poolId: string, limit: number, after: string | undefined): Promise<StoredIdentity[]> {
      const rows = await sql.all<IdentityRow>('SELECT * FROM cognito_identities WHERE pool_id = ? AND identity_id > ? ORDER BY identity_id LIMIT ?', [
        poolId,
        after ?? '',
        limit,
      ]);
      return Promise.all(rows.map((row) => identityWithLogins(sql, row)));
    },
  };
}

export type IdentityStore = ReturnType<typeof createIdentityStore>;
