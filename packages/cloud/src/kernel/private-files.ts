import { chmodSync, closeSync, mkdirSync, openSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Files of a data dir that hold secrets or everything (the database holds signing keys, secret keys,
 * API keys and mailbox codes): only the owner may read them.
 */
const PRIVATE_FILES = ['forte.db', 'forte.db-wal', 'forte.db-shm', 'forte.db-journal', 'admin-credentials.json', 'secret.key', 'config.json', 'cloud.json'];
const PRIVATE_FOLDERS = ['logs', 'blobs', 'tls'];

/**
 * Makes the data dir private: the folder 0700 (created so if missing), its secret files 0600, the log
 * files 0600, and, for a cloud on the embedded database, creates `databaseFile` 0600 before SQLite opens
 * it (SQLite gives `-wal` and `-shm` the database's mode). A cloud on a database server passes none: no
 * empty file suggests its data is in the folder. Answers the paths whose mode it repaired, for the log.
 * Does nothing on Windows, where modes are not permissions.
 */
export function makeDataDirPrivate(dataDir: string, databaseFile: string | undefined): string[] {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (process.platform === 'win32') return [];
  if (databaseFile !== undefined) closeSync(openSync(join(dataDir, databaseFile), 'a', 0o600));
  const repaired: string[] = [];
  const restrict = (path: string, mode: number): void => {
    const stat = statSync(path, { throwIfNoEntry: false });
    if (!stat || (stat.mode & 0o077) === 0) return;
    chmodSync(path, mode);
    repaired.push(`${path} (was ${(stat.mode & 0o777).toString(8)})`);
  };
  restrict(dataDir, 0o700);
  for (const name of PRIVATE_FILES) restrict(join(dataDir, name), 0o600);
  for (const name of PRIVATE_FOLDERS) restrict(join(dataDir, name), 0o700);
  const logs = join(dataDir, 'logs');
  if (statSync(logs, { throwIfNoEntry: false })?.isDirectory()) {
    for (const entry of readdirSync(logs, { withFileTypes: true })) if (entry.isFile()) restrict(join(logs, entry.name), 0o600);
  }
  return repaired;
}
