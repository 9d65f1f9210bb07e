import { jsonMemberText } from '../../engines/dialect/json-member.js';
import type { SqlStore } from '../../engines/types.js';

/**
 * Tables of the user pool service. Codes, refresh tokens and challenge session strings are kept only as
 * SHA-256 hashes. Append only: each entry runs once, in order. The sign-in attributes' indexes are on
 * expressions of the engine's dialect (jsonMemberText): on SQLite the same text as ever.
 */
export const cognitoIdpMigrations = (dialect: SqlStore['dialect']): string[] => {
  const attribute = (name: string): string => jsonMemberText(dialect, 'attributes', name);
  return [
    `CREATE TABLE cognito_pools (id TEXT PRIMARY KEY, name TEXT NOT NULL, config TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL)`,
    `CREATE TABLE cognito_clients (id TEXT PRIMARY KEY, pool_id TEXT NOT NULL, name TEXT NOT NULL, secret TEXT, config TEXT NOT NULL, created_at TEXT NOT NULL)`,
    `CREATE TABLE cognito_users (
    pool_id TEXT NOT NULL, username TEXT NOT NULL, sub TEXT NOT NULL, status TEXT NOT NULL, enabled INTEGER NOT NULL,
    attributes TEXT NOT NULL, srp_salt TEXT, srp_verifier TEXT, password_hash TEXT, mfa TEXT NOT NULL,
    totp_secret TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    PRIMARY KEY (pool_id, username))`,
    `CREATE UNIQUE INDEX cognito_users_sub ON cognito_users (pool_id, sub)`,
    // Sign-in by email / phone / preferred_username looks users up by these attributes.
    `CREATE INDEX cognito_users_email ON cognito_users (pool_id, ${attribute('email')})`,
    `CREATE INDEX cognito_users_phone ON cognito_users (pool_id, ${attribute('phone_number')})`,
    `CREATE INDEX cognito_users_preferred ON cognito_users (pool_id, ${attribute('preferred_username')})`,
    `CREATE TABLE cognito_groups (pool_id TEXT NOT NULL, name TEXT NOT NULL, description TEXT, precedence INTEGER, role_arn TEXT,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, PRIMARY KEY (pool_id, name))`,
    `CREATE TABLE cognito_memberships (pool_id TEXT NOT NULL, group_name TEXT NOT NULL, username TEXT NOT NULL, PRIMARY KEY (pool_id, group_name, username))`,
    `CREATE INDEX cognito_memberships_user ON cognito_memberships (pool_id, username)`,
    `CREATE TABLE cognito_codes (pool_id TEXT NOT NULL, username TEXT NOT NULL, purpose TEXT NOT NULL, code_hash TEXT NOT NULL, expires_at INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (pool_id, username, purpose))`,
    `CREATE TABLE cognito_refresh_tokens (token_hash TEXT PRIMARY KEY, pool_id TEXT NOT NULL, client_id TEXT NOT NULL, username TEXT NOT NULL,
    origin_jti TEXT NOT NULL UNIQUE, auth_time INTEGER NOT NULL, expires_at INTEGER NOT NULL, revoked INTEGER NOT NULL DEFAULT 0)`,
    `CREATE INDEX cognito_refresh_user ON cognito_refresh_tokens (pool_id, username)`,
    `CREATE TABLE cognito_signing_keys (kid TEXT PRIMARY KEY, private_jwk TEXT NOT NULL, public_jwk TEXT NOT NULL, created_at TEXT NOT NULL, active INTEGER NOT NULL)`,
    `CREATE TABLE cognito_mailbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, message_id TEXT NOT NULL, to_addr TEXT NOT NULL, medium TEXT NOT NULL,
    subject TEXT, body TEXT NOT NULL, code TEXT, purpose TEXT NOT NULL, pool_id TEXT NOT NULL, username TEXT NOT NULL, created_at TEXT NOT NULL)`,
    // Pending sign-in steps, keyed by the hash of the session string (challenge-sessions.ts).
    `CREATE TABLE cognito_challenge_sessions (session_hash TEXT PRIMARY KEY, pool_id TEXT NOT NULL, client_id TEXT NOT NULL, username TEXT NOT NULL,
    challenge TEXT NOT NULL, state TEXT NOT NULL, expires_at INTEGER NOT NULL)`,
    `CREATE INDEX cognito_challenge_sessions_expiry ON cognito_challenge_sessions (expires_at)`,
    // Case-insensitive pools (UsernameCaseSensitive: false) match usernames and sign-in aliases by lower().
    `CREATE INDEX cognito_users_username_folded ON cognito_users (pool_id, lower(username))`,
    `CREATE INDEX cognito_users_email_folded ON cognito_users (pool_id, lower(${attribute('email')}))`,
    `CREATE INDEX cognito_users_preferred_folded ON cognito_users (pool_id, lower(${attribute('preferred_username')}))`,
    // The new email / phone number waiting for its code when the pool verifies before updating.
    `ALTER TABLE cognito_codes ADD COLUMN pending_value TEXT`,
    // The hosted UI: one domain prefix per pool, authorization codes and sign-in sessions kept as SHA-256 hashes.
    `CREATE TABLE cognito_domains (domain TEXT PRIMARY KEY, pool_id TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL)`,
    `CREATE TABLE cognito_oauth_codes (code_hash TEXT PRIMARY KEY, pool_id TEXT NOT NULL, client_id TEXT NOT NULL, username TEXT NOT NULL,
    redirect_uri TEXT NOT NULL, scope TEXT NOT NULL, nonce TEXT, code_challenge TEXT, auth_time INTEGER NOT NULL, expires_at INTEGER NOT NULL)`,
    `CREATE INDEX cognito_oauth_codes_expiry ON cognito_oauth_codes (expires_at)`,
    `CREATE TABLE cognito_hosted_sessions (session_hash TEXT PRIMARY KEY, pool_id TEXT NOT NULL, username TEXT NOT NULL, auth_time INTEGER NOT NULL,
    expires_at INTEGER NOT NULL)`,
    `CREATE INDEX cognito_hosted_sessions_expiry ON cognito_hosted_sessions (expires_at)`,
    // The scopes a sign-in was granted (the hosted UI's); NULL: an API sign-in (aws.cognito.signin.user.admin).
    `ALTER TABLE cognito_refresh_tokens ADD COLUMN scope TEXT`,
    // The hosted UI's customization (SetUICustomization): per pool (client_id 'ALL') and per client; the logo as base64.
    `CREATE TABLE cognito_ui_customizations (pool_id TEXT NOT NULL, client_id TEXT NOT NULL, css TEXT, image TEXT, image_type TEXT,
    created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, PRIMARY KEY (pool_id, client_id))`,
    // Federation: each pool's identity providers, the sign-ins waiting for their provider (the hash of the state
    // sent to it), and native users linked to a provider's user (AdminLinkProviderForUser).
    `CREATE TABLE cognito_identity_providers (pool_id TEXT NOT NULL, name TEXT NOT NULL, type TEXT NOT NULL, details TEXT NOT NULL,
    attribute_mapping TEXT NOT NULL, identifiers TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL, PRIMARY KEY (pool_id, name))`,
    `CREATE TABLE cognito_federation_states (state_hash TEXT PRIMARY KEY, pool_id TEXT NOT NULL, provider TEXT NOT NULL, request TEXT NOT NULL,
    nonce TEXT NOT NULL, code_verifier TEXT NOT NULL, expires_at INTEGER NOT NULL)`,
    `CREATE INDEX cognito_federation_states_expiry ON cognito_federation_states (expires_at)`,
    `CREATE TABLE cognito_provider_links (pool_id TEXT NOT NULL, provider TEXT NOT NULL, provider_user_id TEXT NOT NULL, username TEXT NOT NULL,
    PRIMARY KEY (pool_id, provider, provider_user_id))`,
    `CREATE INDEX cognito_provider_links_user ON cognito_provider_links (pool_id, username)`,
    // Resource servers and their custom scopes (`<identifier>/<scope>`), for app clients and the client_credentials grant.
    `CREATE TABLE cognito_resource_servers (pool_id TEXT NOT NULL, identifier TEXT NOT NULL, name TEXT NOT NULL, scopes TEXT NOT NULL,
    PRIMARY KEY (pool_id, identifier))`,
  ];
};
