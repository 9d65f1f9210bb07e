/** The AppSync service's tables (namespace `appsync`). Append new migrations; never edit applied ones. */
export const APPSYNC_MIGRATIONS: readonly string[] = [
  `CREATE TABLE appsync_apis (
    api_id TEXT PRIMARY KEY,
    owner_key TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    auth_providers TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE TABLE appsync_api_keys (
    api_key TEXT PRIMARY KEY,
    api_id TEXT NOT NULL,
    owner_key TEXT NOT NULL UNIQUE,
    description TEXT,
    expires_at INTEGER NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE INDEX appsync_api_keys_api ON appsync_api_keys (api_id);
  CREATE TABLE appsync_schemas (
    api_id TEXT PRIMARY KEY,
    definition TEXT NOT NULL,
    plan TEXT NOT NULL,
    tables TEXT NOT NULL,
    definition_hash TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );`,
  // Secrets of the service itself (the key that seals nextTokens), made once per cloud.
  `CREATE TABLE appsync_secrets (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );`,
  // The IAM roles that pass every @auth rule (Amplify's admin roles: functions with access to the API, custom-roles.json).
  'ALTER TABLE appsync_apis ADD COLUMN admin_role_names TEXT',
];
