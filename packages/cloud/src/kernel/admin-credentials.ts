import { randomInt } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CREDENTIAL_PROVIDERS } from './capabilities.js';
import { createFileOnce } from './create-file-once.js';
import { provide } from './capability.js';
import type { SqlStore } from '../engines/types.js';
import type { SecretBox } from './secret-box.js';
import type { CredentialProvider, Service } from './types.js';

/** Name of the admin key file inside the data dir (mode 0600). */
export const ADMIN_CREDENTIALS_FILE = 'admin-credentials.json';

export interface AdminCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const SECRET_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/**
 * Reads `<dataDir>/admin-credentials.json`, creating it (mode 0600) with fresh AWS-shaped keys at first
 * start: `FKIA` + 16 uppercase letters and digits, and a 40 character secret.
 */
export function loadOrCreateAdminCredentials(dataDir: string): AdminCredentials {
  const file = join(dataDir, ADMIN_CREDENTIALS_FILE);
  const existing = readCredentials(file);
  if (existing) return existing;
  const credentials = { accessKeyId: `FKIA${randomString(UPPER_ALNUM, 16)}`, secretAccessKey: randomString(SECRET_CHARS, 40) };
  mkdirSync(dataDir, { recursive: true });
  // Two processes starting at once cannot both write different keys, nor read the other's half written: the
  // loser reads the winner's.
  if (createFileOnce(file, `${JSON.stringify(credentials, null, 2)}\n`, 0o600)) return credentials;
  return readCredentials(file) ?? credentials;
}

const SHARED_SETTING = 'admin-credentials';

/**
 * The admin keys of a cloud whose database other instances share: kept in the database (sealed with the
 * secret key, which the instances share too), so that every instance behind a load balancer accepts the
 * same keys. The first instance stores the keys of its data folder; every instance then writes the stored
 * keys into its own `admin-credentials.json`, where the CLI on that machine reads them.
 */
export async function sharedAdminCredentials(sql: SqlStore, box: SecretBox, dataDir: string): Promise<AdminCredentials> {
  const own = loadOrCreateAdminCredentials(dataDir);
  await sql.run('INSERT INTO kernel_settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING', [
    SHARED_SETTING,
    box.seal(JSON.stringify(own), SHARED_SETTING),
  ]);
  const row = await sql.get<{ value: string }>('SELECT value FROM kernel_settings WHERE name = ?', [SHARED_SETTING]);
  const stored = JSON.parse(box.open(row!.value, SHARED_SETTING)) as AdminCredentials;
  if (stored.accessKeyId !== own.accessKeyId || stored.secretAccessKey !== own.secretAccessKey) {
    const file = join(dataDir, ADMIN_CREDENTIALS_FILE);
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600 });
    renameSync(temp, file);
  }
  return stored;
}

function readCredentials(file: string): AdminCredentials | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let parsed: Partial<AdminCredentials> = {};
  try {
    parsed = JSON.parse(text) as Partial<AdminCredentials>;
  } catch {
    // reported below
  }
  if (typeof parsed.accessKeyId !== 'string' || typeof parsed.secretAccessKey !== 'string') {
    throw new Error(`${file} must hold {"accessKeyId", "secretAccessKey"}: fix it, or delete it to get new admin keys.`);
  }
  return { accessKeyId: parsed.accessKeyId, secretAccessKey: parsed.secretAccessKey };
}

/** The credential provider that knows the admin key. */
/** The admin keys as a service of the cloud: it only provides their credential provider. */
export function adminCredentialsService(credentials: AdminCredentials): Service {
  return { name: 'admin-credentials', routes: [], provides: [provide(CREDENTIAL_PROVIDERS, adminCredentialProvider(credentials))] };
}

function adminCredentialProvider(credentials: AdminCredentials): CredentialProvider {
  return {
    lookup: async (accessKeyId) =>
      accessKeyId === credentials.accessKeyId ? { secretAccessKey: credentials.secretAccessKey, principal: { kind: 'admin', accessKeyId } } : undefined,
  };
}

function randomString(alphabet: string, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}
