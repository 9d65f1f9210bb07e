import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSqliteStore } from './sqlite/sqlite-store.js';
import { DatabaseConfigError, openPostgresStore, redactUrl } from './postgres/postgres-store.js';
import type { SqlStore } from './types.js';

/** The embedded database's file in the data folder. */
export const DATABASE_FILE = 'forte.db';

/**
 * The database a new embedded one starts from (sqlite-store.ts, startFrom): `npm run build` writes it beside the
 * cloud's bundle (scripts/bundle-bins.mjs), where this module's URL is the bundle's. Run as the modules tsc wrote,
 * the path names no file, and a new database is made by its migrations.
 */
const NEW_DATABASE_TEMPLATE = fileURLToPath(new URL('new-database.db', import.meta.url));

/** Which engine holds a cloud's database, as `forte cloud status` and the health check name it. */
export type DatabaseEngine = 'sqlite' | 'postgres';

/** Whether a cloud's `database` setting names the embedded SQLite file (none, empty or `sqlite`) rather than a server. */
export const isEmbeddedDatabase = (database: string | undefined): database is undefined | '' | 'sqlite' =>
  database === undefined || database === '' || database === 'sqlite';

/**
 * Opens the database a cloud is configured with: none (or `sqlite`) is the data folder's forte.db, a
 * `postgres://` URL is a PostgreSQL database that several instances may share.
 */
export async function openSqlStore(database: string | undefined, dataDir: string): Promise<SqlStore> {
  if (isEmbeddedDatabase(database)) return createSqliteStore(join(dataDir, DATABASE_FILE), { newDatabase: NEW_DATABASE_TEMPLATE });
  if (/^postgres(ql)?:\/\//.test(database)) return openPostgresStore(database);
  throw new DatabaseConfigError(
    `The database "${redactUrl(database)}" is not one Forte knows: give a postgres://user:password@host:5432/database URL, or leave it out for the embedded SQLite file.`,
  );
}
