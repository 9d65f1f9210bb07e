import type { UserPoolProperties } from '@forte/protocol';
import type { SqlStore } from '../../engines/types.js';
import type { ClientOAuthSettings } from './oauth-client-settings.js';

export interface StoredPool {
  id: string;
  name: string;
  /** Frozen when read from the store (`poolFromRow`): shared between calls. */
  readonly config: Readonly<UserPoolProperties>;
}

export interface StoredClient {
  id: string;
  poolId: string;
  name: string;
  secret: string | undefined;
  refreshTokenValidityDays: number;
  accessTokenSeconds: number;
  idTokenSeconds: number;
  /** ENABLED (the default): unsigned operations do not reveal whether a user exists. */
  preventUserExistenceErrors: 'ENABLED' | 'LEGACY';
  /** What the client's users read; undefined: everything. */
  readAttributes?: string[] | undefined;
  /** What the client's users write; undefined: every attribute users may write. */
  writeAttributes?: string[] | undefined;
  /** Allowed sign-in flows as configured; undefined: Cognito's default (SRP, refresh, custom). */
  explicitAuthFlows?: string[] | undefined;
  /** The hosted UI's settings (flows, scopes, redirect URLs); undefined: the client does not use OAuth. */
  oauth?: ClientOAuthSettings | undefined;
}

export interface StoredGroup {
  GroupName: string;
  UserPoolId: string;
  Description?: string;
  Precedence?: number;
  RoleArn?: string;
  CreationDate: number;
  LastModifiedDate: number;
}

interface GroupRow {
  pool_id: string;
  name: string;
  description: string | null;
  precedence: number | null;
  role_arn: string | null;
  created_at: string;
  updated_at: string;
}

function groupFromRow(row: GroupRow): StoredGroup {
  const group: StoredGroup = {
    GroupName: row.name,
    UserPoolId: row.pool_id,
    CreationDate: Date.parse(row.created_at) / 1000,
    LastModifiedDate: Date.parse(row.updated_at) / 1000,
  };
  if (row.description !== null) group.Description = row.description;
  if (row.precedence !== null) group.Precedence = row.precedence;
  if (row.role_arn !== null) group.RoleArn = row.role_arn;
  return group;
}

/** A `cognito_pools` row (id, name, config) as a pool. */
/** Pool configs parsed from their stored JSON, frozen and shared: a pool is read on every token check. */
const parsedConfigs = new Map<string, UserPoolProperties>();
const MAX_PARSED_CONFIGS = 256;

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/** A pool from its row. Its `config` is frozen and may be shared with other calls: never change it. */
export function poolFromRow(row: { id: string; name: string; config: string }): StoredPool {
  let config = parsedConfigs.get(row.config);
  if (!config) {
    config = deepFreeze(JSON.parse(row.config) as UserPoolProperties);
    if (parsedConfigs.size >= MAX_PARSED_CONFIGS) parsedConfigs.clear();
    parsedConfigs.set(row.config, config);
  }
  return { id: row.id, name: row.name, config };
}

interface ClientRow {
  id: string;
  pool_id: string;
  name: string;
  secret: string | null;
  config: string;
}

function clientFromRow(row: ClientRow): StoredClient {
  const config = JSON.parse(row.config) as {
    refreshTokenValidityDays?: number;
    accessTokenSeconds?: number;
    idTokenSeconds?: number;
    preventUserExistenceErrors?: 'ENABLED' | 'LEGACY';
    readAttributes?: string[];
    writeAttributes?: string[];
    explicitAuthFlows?: string[];
    oauth?: ClientOAuthSettings;
  };
  return {
    id: row.id,
    poolId: row.pool_id,
    name: row.name,
    secret: row.secret ?? undefined,
    refreshTokenValidityDays: config.refreshTokenValidityDays ?? 30,
    accessTokenSeconds: config.accessTokenSeconds ?? 3600,
    idTokenSeconds: config.idTokenSeconds ?? 3600,
    preventUserExistenceErrors: config.preventUserExistenceErrors ?? 'ENABLED',
    readAttributes: config.readAttributes,
    writeAttributes: config.writeAttributes,
    explicitAuthFlows: config.explicitAuthFlows,
    oauth: config.oauth,
  };
}

/** Pools, app clients and groups in SQL; writes are upserts so resource handlers stay idempotent. */
export function createPoolStore(sql: SqlStore) {
  return {
    async getPool(id: string): Promise<StoredPool | undefined> {
      const row = await sql.get<{ id: string; name: string; config: string }>('SELECT id, name, config FROM cognito_pools WHERE id = ?', [id]);
      return row ? poolFromRow(row) : undefined;
    },
    async putPool(id: string, config: UserPoolProperties): Promise<void> {
      const now = new Date().toISOString();
      await sql.run(
        'INSERT INTO cognito_pools (id, name, config, created_at, updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET name = excluded.name, config = excluded.config, updated_at = excluded.updated_at',
        [id, config.PoolName, JSON.stringify(config), now, now],
      );
    },
    /** Deletes the pool and everything in it. */
    async deletePool(id: string): Promise<void> {
      await sql.transaction(async (tx) => {
        for (const table of [
          'cognito_users',
          'cognito_groups',
          'cognito_memberships',
          'cognito_codes',
          'cognito_refresh_tokens',
          'cognito_challenge_sessions',
          'cognito_clients',
          'cognito_domains',
          'cognito_oauth_codes',
          'cognito_hosted_sessions',
          'cognito_ui_customizations',
          'cognito_identity_providers',
          'cognito_resource_servers',
          'cognito_federation_states',
          'cognito_provider_links',
        ]) {
          await tx.run(`DELETE FROM ${table} WHERE pool_id = ?`, [id]);
        }
        await tx.run('DELETE FROM cognito_pools WHERE id = ?', [id]);
      });
    },
    async getClient(id: string): Promise<StoredClient | undefined> {
      const row = await sql.get<ClientRow>('SELECT * FROM cognito_clients WHERE id = ?', [id]);
      return row ? clientFromRow(row) : undefined;
    },
    /** The app clients of a pool, by name. */
    async listClients(poolId: string): Promise<StoredClient[]> {
      return (await sql.all<ClientRow>('SELECT * FROM cognito_clients WHERE pool_id = ? ORDER BY name, id', [poolId])).map(clientFromRow);
    },
    /** An app client and its pool, in one query. */
    async getClientAndPool(id: string): Promise<{ client: StoredClient; pool: StoredPool } | undefined> {
      const row = await sql.get<ClientRow & { pool_name: string; pool_config: string }>(
        'SELECT c.*, p.name AS pool_name, p.config AS pool_config FROM cognito_clients c JOIN cognito_pools p ON p.id = c.pool_id WHERE c.id = ?',
        [id],
      );
      return row ? { client: clientFromRow(row), pool: poolFromRow({ id: row.pool_id, name: row.pool_name, config: row.pool_config }) } : undefined;
    },
    async putClient(client: StoredClient): Promise<void> {
      await sql.run(
        'INSERT INTO cognito_clients (id, pool_id, name, secret, config, created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET name = excluded.name, config = excluded.config',
        [
          client.id,
          client.poolId,
          client.name,
          client.secret ?? null,
          JSON.stringify({
            refreshTokenValidityDays: client.refreshTokenValidityDays,
            accessTokenSeconds: client.accessTokenSeconds,
            idTokenSeconds: client.idTokenSeconds,
            preventUserExistenceErrors: client.preventUserExistenceErrors,
            readAttributes: client.readAttributes,
            writeAttributes: client.writeAttributes,
            explicitAuthFlows: client.explicitAuthFlows,
            oauth: client.oauth,
          }),
          new Date().toISOString(),
        ],
      );
    },
    async deleteClient(id: string): Promise<void> {
      await sql.transaction(async (tx) => {
        await tx.run('UPDATE cognito_refresh_tokens SET revoked = 1 WHERE client_id = ?', [id]);
        await tx.run('DELETE FROM cognito_clients WHERE id = ?', [id]);
      });
    },
    /** The pool's domain prefix, if it has one. */
    async domainOfPool(poolId: string): Promise<string | undefined> {
      return (await sql.get<{ domain: string }>('SELECT domain FROM cognito_domains WHERE pool_id = ?', [poolId]))?.domain;
    },
    /** The pool a domain prefix belongs to. */
    async poolOfDomain(domain: string): Promise<StoredPool | undefined> {
      const row = await sql.get<{ id: string; name: string; config: string }>(
        'SELECT p.id, p.name, p.config FROM cognito_domains d JOIN cognito_pools p ON p.id = d.pool_id WHERE d.domain = ?',
        [domain],
      );
      return row ? poolFromRow(row) : undefined;
    },
    /**
     * Gives the pool a domain (in place of its domain `replacing`, when given); answers who holds it instead when
     * another pool (`taken`) or this pool under another prefix (`pool-has-one`) does. Idempotent for the same pool
     * and prefix.
     */
    async putDomain(poolId: string, domain: string, replacing?: string): Promise<'ok' | 'taken' | 'pool-has-one'> {
      return sql.transaction(async (tx) => {
        const holder = await tx.get<{ pool_id: string }>('SELECT pool_id FROM cognito_domains WHERE domain = ?', [domain]);
        if (holder) return holder.pool_id === poolId ? 'ok' : 'taken';
        // A renamed domain (the resource's Domain changed): the pool's sessions stay, its old prefix goes.
        if (replacing !== undefined) await tx.run('DELETE FROM cognito_domains WHERE domain = ? AND pool_id = ?', [replacing, poolId]);
        if (await tx.get('SELECT domain FROM cognito_domains WHERE pool_id = ?', [poolId])) return 'pool-has-one';
        await tx.run('INSERT INTO cognito_domains (domain, pool_id, created_at) VALUES (?, ?, ?)', [domain, poolId, new Date().toISOString()]);
        return 'ok';
      });
    },
    /** Removes a domain; its hosted-UI sessions and unused codes go with it. */
    async deleteDomain(poolId: string, domain: string): Promise<boolean> {
      return sql.transaction(async (tx) => {
        const { changes } = await tx.run('DELETE FROM cognito_domains WHERE domain = ? AND pool_id = ?', [domain, poolId]);
        await tx.run('DELETE FROM cognito_hosted_sessions WHERE pool_id = ?', [poolId]);
        await tx.run('DELETE FROM cognito_oauth_codes WHERE pool_id = ?', [poolId]);
        return changes > 0;
      });
    },
    async getGroup(poolId: string, name: string): Promise<StoredGroup | undefined> {
      const row = await sql.get<GroupRow>('SELECT * FROM cognito_groups WHERE pool_id = ? AND name = ?', [poolId, name]);
      return row ? groupFromRow(row) : undefined;
    },
    async listGroups(poolId: string): Promise<StoredGroup[]> {
      return (await sql.all<GroupRow>('SELECT * FROM cognito_groups WHERE pool_id = ? ORDER BY name', [poolId])).map(groupFromRow);
    },
    async putGroup(group: {
      poolId: string;
      name: string;
      description?: string | undefined;
      precedence?: number | undefined;
      roleArn?: string | undefined;
    }): Promise<void> {
      const now = new Date().toISOString();
      await sql.run(
        `INSERT INTO cognito_groups (pool_id, name, description, precedence, role_arn, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (pool_id, name) DO UPDATE SET description = excluded.description, precedence = excluded.precedence, role_arn = excluded.role_arn, updated_at = excluded.updated_at`,
        [group.poolId, group.name, group.description ?? null, group.precedence ?? null, group.roleArn ?? null, now, now],
      );
    },
    async deleteGroup(poolId: string, name: string): Promise<void> {
      await sql.transaction(async (tx) => {
        await tx.run('DELETE FROM cognito_memberships WHERE pool_id = ? AND group_name = ?', [poolId, name]);
        await tx.run('DELETE FROM cognito_groups WHERE pool_id = ? AND name = ?', [poolId, name]);
      });
    },
  };
}

export type PoolStore = ReturnType<typeof createPoolStore>;
