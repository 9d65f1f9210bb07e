import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SqlStore } from '../engines/types.js';
import { createFileOnce } from './create-file-once.js';
import { SECRET_KEY_BYTES, SecretOpenError, createSecretBox, type SecretBox } from './secret-box.js';

/** The secret key file inside the data dir (mode 0600), made at first start unless the key comes from the environment. */
export const SECRET_KEY_FILE = 'secret.key';
/** The environment variable that carries the key instead of the file (clusters that share one database). */
export const SECRET_KEY_VARIABLE = 'FORTE_SECRET_KEY';

/** A value sealed with the key at first start: it tells a wrong key from a right one before any service runs. */
const CHECK_SETTING = 'secretKeyCheck';
const CHECK_CONTEXT = 'kernel_settings:secretKeyCheck';
const CHECK_TEXT = 'forte secret key check';

/** The cloud cannot open its sealed secrets; the message names the file or variable and the fix, and is fit to print. */
export class SecretKeyError extends Error {
  override readonly name = 'SecretKeyError';
}

/**
 * The secret box of a data dir. The key is `secretKey` (the value of FORTE_SECRET_KEY: 32 bytes in base64 or
 * hex) or else `<dataDir>/secret.key`, which is created only for a database that has never sealed anything.
 * A missing or wrong key is refused with a SecretKeyError: a new key would sign out every user and lose
 * every sealed secret, so the cloud never makes one for a database sealed with another.
 */
export async function openSecretBox(options: {
  dataDir: string;
  sql: SqlStore;
  secretKey?: string | undefined;
  /**
   * A database server's URL without its password, for the messages, when the database is not the data
   * folder's forte.db: other instances may share it, and they need the key the first one sealed with.
   */
  server?: string | undefined;
}): Promise<{ box: SecretBox; createdKeyFile: boolean }> {
  const { sql } = options;
  await sql.migrate('kernel', ['CREATE TABLE kernel_settings (name TEXT PRIMARY KEY, value TEXT NOT NULL)']);
  const check = (await sql.get<{ value: string }>('SELECT value FROM kernel_settings WHERE name = ?', [CHECK_SETTING]))?.value;
  const file = join(options.dataDir, SECRET_KEY_FILE);
  const database = options.server ?? join(options.dataDir, 'forte.db');
  const fix =
    options.server === undefined
      ? `Restore ${file} from the backup of this data folder, or set ${SECRET_KEY_VARIABLE} to the key the database was sealed with.`
      : `Set ${SECRET_KEY_VARIABLE} to the key the database was sealed with: every instance sharing a database needs the same key (\`openssl rand -base64 32\` once, for all of them).`;

  let key: Buffer;
  let source: string;
  let createdKeyFile = false;
  if (options.secretKey !== undefined) {
    source = SECRET_KEY_VARIABLE;
    key = parseKey(
      options.secretKey,
      `${SECRET_KEY_VARIABLE} must be ${SECRET_KEY_BYTES} random bytes in base64 or hex: make one with \`openssl rand -base64 32\`.`,
    );
  } else {
    source = file;
    const text = readKeyFile(file);
    if (text !== undefined) {
      key = parseKey(text, `${file} must hold ${SECRET_KEY_BYTES} bytes in base64. ${fix}`);
    } else if (check !== undefined) {
      throw new SecretKeyError(
        `${database} holds secrets sealed with a key that is missing: ${file} does not exist and ${SECRET_KEY_VARIABLE} is not set. ${fix} ` +
          'Forte does not make a new key for it: that would sign out every user and lose the sealed secrets.',
      );
    } else {
      ({ key, created: createdKeyFile } = createKeyFile(file));
    }
  }

  const box = createSecretBox(key);
  if (check === undefined) {
    await sql.run('INSERT INTO kernel_settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING', [
      CHECK_SETTING,
      box.seal(CHECK_TEXT, CHECK_CONTEXT),
    ]);
    // Another process sharing the database may have sealed its check first: the key must be the same.
    const stored = (await sql.get<{ value: string }>('SELECT value FROM kernel_settings WHERE name = ?', [CHECK_SETTING]))?.value;
    if (stored !== undefined) verifyCheck(box, stored, source, database, fix);
  } else {
    verifyCheck(box, check, source, database, fix);
  }
  return { box, createdKeyFile };
}

function verifyCheck(box: SecretBox, check: string, source: string, database: string, fix: string): void {
  try {
    if (box.open(check, CHECK_CONTEXT) === CHECK_TEXT) return;
  } catch (error) {
    if (!(error instanceof SecretOpenError)) throw error;
  }
  throw new SecretKeyError(`${source} is not the key ${database} was sealed with (this key's id is ${box.keyId}). ${fix}`);
}

function parseKey(text: string, message: string): Buffer {
  const value = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(value) ? Buffer.from(value, 'hex') : /^[A-Za-z0-9+/_-]+={0,2}$/.test(value) ? Buffer.from(value, 'base64') : undefined;
  if (!key || key.length !== SECRET_KEY_BYTES) throw new SecretKeyError(message);
  return key;
}

function readKeyFile(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new SecretKeyError(`Cannot read ${file}: ${(error as Error).message}`, { cause: error });
  }
}

function createKeyFile(file: string): { key: Buffer; created: boolean } {
  const key = randomBytes(SECRET_KEY_BYTES);
  // Two processes starting at once on a new folder agree on the first key written, never reading it half written.
  if (createFileOnce(file, `${key.toString('base64')}\n`, 0o600)) return { key, created: true };
  return { key: parseKey(readFileSync(file, 'utf8'), `${file} must hold ${SECRET_KEY_BYTES} bytes in base64.`), created: false };
}
