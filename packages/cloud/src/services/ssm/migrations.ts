/** The Parameter Store's tables (namespace `ssm`). Append new migrations; never edit applied ones. */
export const SSM_MIGRATIONS: readonly string[] = [
  // `value` is sealed with kernel.secrets for SecureString parameters (bound to the name and version).
  `CREATE TABLE ssm_parameters (
    name TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    value TEXT NOT NULL,
    description TEXT,
    version INTEGER NOT NULL,
    tier TEXT NOT NULL,
    data_type TEXT NOT NULL,
    last_modified_at INTEGER NOT NULL,
    last_modified_user TEXT NOT NULL
  );`,
];
