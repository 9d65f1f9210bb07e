/** The identity pool service's tables (namespace `cognito-identity`). Append new migrations; never edit applied ones. */
export const COGNITO_IDENTITY_MIGRATIONS: readonly string[] = [
  `CREATE TABLE cognito_identity_pools (
    pool_id TEXT PRIMARY KEY,
    owner_key TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    allow_unauthenticated INTEGER NOT NULL,
    providers TEXT NOT NULL,
    authenticated_role TEXT NOT NULL,
    unauthenticated_role TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE TABLE cognito_identities (
    identity_id TEXT PRIMARY KEY,
    pool_id TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_modified_at TEXT NOT NULL
  );
  CREATE INDEX cognito_identities_pool ON cognito_identities (pool_id);
  CREATE TABLE cognito_identity_logins (
    pool_id TEXT NOT NULL,
    provider TEXT NOT NULL,
    subject TEXT NOT NULL,
    identity_id TEXT NOT NULL,
    linked_at TEXT NOT NULL,
    PRIMARY KEY (pool_id, provider, subject)
  );
  CREATE INDEX cognito_identity_logins_identity ON cognito_identity_logins (identity_id);
  CREATE TABLE cognito_identity_credentials (
    access_key_id TEXT PRIMARY KEY,
    secret_key TEXT NOT NULL,
    session_token_hash TEXT NOT NULL,
    role_arn TEXT NOT NULL,
    identity_id TEXT NOT NULL,
    pool_id TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE INDEX cognito_identity_credentials_expiry ON cognito_identity_credentials (expires_at);
  CREATE INDEX cognito_identity_credentials_identity ON cognito_identity_credentials (identity_id);`,
  // Role mappings per login provider (Token / Rules), and the amr of issued credentials (condition key).
  'ALTER TABLE cognito_identity_pools ADD COLUMN role_mappings TEXT',
  'ALTER TABLE cognito_identity_credentials ADD COLUMN amr TEXT',
  // SupportedLoginProviders: the public providers (Google, Facebook, Amazon, Apple) the pool federates with directly.
  'ALTER TABLE cognito_identity_pools ADD COLUMN login_providers TEXT',
];
