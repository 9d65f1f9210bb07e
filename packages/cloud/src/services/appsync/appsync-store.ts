import type { AppSyncAuthProvider } from '@forte/protocol';
import type { SqlStore } from '../../engines/types.js';

/** One GraphQL API as stored: its name and auth providers (the default first). */
export interface StoredApi {
  apiId: string;
  /** `<appId>/<envName>/<stackName>/<logicalId>`: lets a repeated create adopt the API it made before. */
  ownerKey: string;
  name: string;
  authProviders: AppSyncAuthProvider[];
  /** IAM role names whose callers pass every `@auth` rule (Amplify's admin roles). */
  adminRoleNames: string[];
}

export interface StoredApiKey {
  apiKey: string;
  apiId: string;
  ownerKey: string;
  description: string | undefined;
  /** Epoch seconds. */
  expiresAt: number;
}

/** The deployed schema of an API: SDL, resolver plan (unvalidated JSON) and model → table names. */
export interface StoredSchema {
  apiId: string;
  definition: string;
  plan: unknown;
  tables: Record<string, string>;
  definitionHash: string;
}

interface ApiRow {
  api_id: string;
  owner_key: string;
  name: string;
  auth_providers: string;
  admin_role_names: string | null;
}
interface KeyRow {
  api_key: string;
  api_id: string;
  owner_key: string;
  description: string | null;
  expires_at: number;
}
interface SchemaRow {
  api_id: string;
  definition: string;
  plan: string;
  tables: string;
  definition_hash: string;
}

const fromApiRow = (row: ApiRow): StoredApi => ({
  apiId: row.api_id,
  ownerKey: row.owner_key,
  name: row.name,
  authProviders: JSON.parse(row.auth_providers) as AppSyncAuthProvider[],
  adminRoleNames: row.admin_role_names ? (JSON.parse(row.admin_role_names) as string[]) : [],
});
const fromKeyRow = (row: KeyRow): StoredApiKey => ({
  apiKey: row.api_key,
  apiId: row.api_id,
  ownerKey: row.owner_key,
  description: row.description ?? undefined,
  expiresAt: Number(row.expires_at),
});
const fromSchemaRow = (row: SchemaRow): StoredSchema => ({
  apiId: row.api_id,
  definition: row.definition,
  plan: JSON.parse(row.plan) as unknown,
  tables: JSON.parse(row.tables) as Record<string, string>,
  definitionHash: row.definition_hash,
});

/** GraphQL APIs, their API keys and schemas, in SQL. */
export function createAppSyncStore(sql: SqlStore) {
  const now = (): string => new Date().toISOString();
  return {
    async apiById(apiId: string): Promise<StoredApi | undefined> {
      const row = await sql.get<ApiRow>('SELECT * FROM appsync_apis WHERE api_id = ?', [apiId]);
      return row && fromApiRow(row);
    },
    async apiByOwner(ownerKey: string): Promise<StoredApi | undefined> {
      const row = await sql.get<ApiRow>('SELECT * FROM appsync_apis WHERE owner_key = ?', [ownerKey]);
      return row && fromApiRow(row);
    },
    async apiIds(): Promise<string[]> {
      return (await sql.all<{ api_id: string }>('SELECT api_id FROM appsync_apis')).map((r) => r.api_id);
    },
    async putApi(api: StoredApi): Promise<void> {
      const at = now();
      await sql.run(
        `INSERT INTO appsync_apis (api_id, owner_key, name, auth_providers, admin_role_names, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (api_id) DO UPDATE SET name = excluded.name, auth_providers = excluded.auth_providers,
           admin_role_names = excluded.admin_role_names, updated_at = excluded.updated_at`,
        [api.apiId, api.ownerKey, api.name, JSON.stringify(api.authProviders), JSON.stringify(api.adminRoleNames), at, at],
      );
    },
    /** Deletes the API with its keys and schema. */
    async deleteApi(apiId: string): Promise<void> {
      await sql.transaction(async (tx) => {
        await tx.run('DELETE FROM appsync_api_keys WHERE api_id = ?', [apiId]);
        await tx.run('DELETE FROM appsync_schemas WHERE api_id = ?', [apiId]);
        await tx.run('DELETE FROM appsync_apis WHERE api_id = ?', [apiId]);
      });
    },

    async key(apiKey: string): Promise<StoredApiKey | undefined> {
      const row = await sql.get<KeyRow>('SELECT * FROM appsync_api_keys WHERE api_key = ?', [apiKey]);
      return row && fromKeyRow(row);
    },
    async keysOfApi(apiId: string): Promise<StoredApiKey[]> {
      return (await sql.all<KeyRow>('SELECT * FROM appsync_api_keys WHERE api_id = ?', [apiId])).map(fromKeyRow);
    },
    async keyByOwner(ownerKey: string): Promise<StoredApiKey | undefined> {
      const row = await sql.get<KeyRow>('SELECT * FROM appsync_api_keys WHERE owner_key = ?', [ownerKey]);
      return row && fromKeyRow(row);
    },
    async putKey(key: StoredApiKey): Promise<void> {
      await sql.run(
        `INSERT INTO appsync_api_keys (api_key, api_id, owner_key, description, expires_at, created_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (api_key) DO UPDATE SET api_id = excluded.api_id, description = excluded.description, expires_at = excluded.expires_at`,
        [key.apiKey, key.apiId, key.ownerKey, key.description ?? null, key.expiresAt, now()],
      );
    },
    async deleteKey(apiKey: string): Promise<void> {
      await sql.run('DELETE FROM appsync_api_keys WHERE api_key = ?', [apiKey]);
    },

    async schema(apiId: string): Promise<StoredSchema | undefined> {
      const row = await sql.get<SchemaRow>('SELECT * FROM appsync_schemas WHERE api_id = ?', [apiId]);
      return row && fromSchemaRow(row);
    },
    async putSchema(schema: StoredSchema): Promise<void> {
      await sql.run(
        `INSERT INTO appsync_schemas (api_id, definition, plan, tables, definition_hash, updated_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (api_id) DO UPDATE SET definition = excluded.definition, plan = excluded.plan, tables = excluded.tables,
           definition_hash = excluded.definition_hash, updated_at = excluded.updated_at`,
        [schema.apiId, schema.definition, JSON.stringify(schema.plan), JSON.stringify(schema.tables), schema.definitionHash, now()],
      );
    },
    /** The secret called `name`, made by `make` the first time it is asked for (whoever asks first wins). */
    async secret(name: string, make: () => string): Promise<string> {
      await sql.run('INSERT INTO appsync_secrets (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING', [name, make()]);
      return (await sql.get<{ value: string }>('SELECT value FROM appsync_secrets WHERE name = ?', [name]))!.value;
    },
    async deleteSchema(apiId: string): Promise<void> {
      await sql.run('DELETE FROM appsync_schemas WHERE api_id = ?', [apiId]);
    },
  };
}

export type AppSyncStore = ReturnType<typeof createAppSyncStore>;
