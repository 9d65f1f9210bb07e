import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import type { SqlStore } from '../../engines/types.js';
import type { SecretBox } from '../../kernel/secret-box.js';
import type { CredentialProvider, Principal } from '../../kernel/types.js';
import { JSON_API_ERRORS } from '../../kernel/api-errors.js';

/** How long issued credentials live. Amplify caches them for 50 minutes, so they must outlive that. */
export const CREDENTIALS_LIFETIME_MS = 60 * 60 * 1000;
/** Expired rows are kept this long (so a late request is told "expired", not "unknown") and then dropped. */
const EXPIRED_RETENTION_MS = 24 * 60 * 60 * 1000;

const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const SECRET_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** What GetCredentialsForIdentity answers in `Credentials` (Expiration in epoch seconds, as clients expect). */
export interface IssuedCredentials {
  AccessKeyId: string;
  SecretKey: string;
  SessionToken: string;
  Expiration: number;
}

/** `ASIA` + 16 uppercase letters and digits: the shape of AWS temporary access key ids. */
export function newTemporaryAccessKeyId(): string {
  return `ASIA${randomString(UPPER_ALNUM, 16)}`;
}

/** 40 characters, the shape of an AWS secret access key. */
export function newSecretKey(): string {
  return randomString(SECRET_CHARS, 40);
}

/** A long random session token; only its hash is stored. */
export function newSessionToken(): string {
  return randomBytes(192).toString('base64');
}

export function hashSessionToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

interface CredentialRow {
  secret_key: string;
  session_token_hash: string;
  role_arn: string;
  identity_id: string;
  expires_at: number;
  unauthenticated_role: string | null;
  known_pool: string | null;
  pool_id: string;
  amr: string | null;
}

/** Where a secret key is sealed: its table, column and access key id (it does not open in another row). */
const sealContext = (accessKeyId: string): string => `cognito_identity_credentials.secret_key:${accessKeyId}`;

/**
 * Issues temporary credentials for identities and resolves them during SigV4 checks. Secret keys are kept
 * sealed (`kernel.secrets`), session tokens only as hashes: a copy of the database alone signs nothing.
 */
export function createTemporaryCredentials(sql: SqlStore, secrets: SecretBox, now: () => number = Date.now) {
  return {
    /** Seals the secret keys that a cloud from before sealing stored as plaintext (still-live credentials keep working). */
    async sealPlaintextSecrets(): Promise<void> {
      await sql.transaction(async (tx) => {
        const rows = await tx.all<{ access_key_id: string; secret_key: string }>('SELECT access_key_id, secret_key FROM cognito_identity_credentials');
        for (const row of rows) {
          if (!secrets.isSealed(row.secret_key))
            await tx.run('UPDATE cognito_identity_credentials SET secret_key = ? WHERE access_key_id = ?', [
              secrets.seal(row.secret_key, sealContext(row.access_key_id)),
              row.access_key_id,
            ]);
        }
      });
    },

    async issue(grant: { identityId: string; poolId: string; roleArn: string; amr: readonly string[] }): Promise<IssuedCredentials> {
      const issuedAt = now();
      const credentials: IssuedCredentials = {
        AccessKeyId: newTemporaryAccessKeyId(),
        SecretKey: newSecretKey(),
        SessionToken: newSessionToken(),
        Expiration: Math.floor((issuedAt + CREDENTIALS_LIFETIME_MS) / 1000),
      };
      await sql.transaction(async (tx) => {
        await tx.run('DELETE FROM cognito_identity_credentials WHERE expires_at < ?', [issuedAt - EXPIRED_RETENTION_MS]);
        await tx.run(
          'INSERT INTO cognito_identity_credentials (access_key_id, secret_key, session_token_hash, role_arn, identity_id, pool_id, expires_at, created_at, amr) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
          [
            credentials.AccessKeyId,
            secrets.seal(credentials.SecretKey, sealContext(credentials.AccessKeyId)),
            hashSessionToken(credentials.SessionToken),
            grant.roleArn,
            grant.identityId,
            grant.poolId,
            credentials.Expiration * 1000,
            new Date(issuedAt).toISOString(),
            JSON.stringify(grant.amr),
          ],
        );
      });
      return credentials;
    },

    /**
     * The kernel credential provider: an issued key with its session token resolves to a role principal
     * bound to the identity. A missing or wrong session token is treated as an unknown key (the kernel
     * answers each protocol's "invalid token" error); an expired one is refused as expired.
     */
    provider(): CredentialProvider {
      return {
        async lookup(accessKeyId, sessionToken) {
          if (!accessKeyId.startsWith('ASIA')) return undefined;
          const row = await sql.get<CredentialRow>(
            'SELECT c.secret_key, c.session_token_hash, c.role_arn, c.identity_id, c.expires_at, c.pool_id, c.amr, p.unauthenticated_role, p.pool_id AS known_pool FROM cognito_identity_credentials c LEFT JOIN cognito_identity_pools p ON p.pool_id = c.pool_id WHERE c.access_key_id = ?',
            [accessKeyId],
          );
          if (!row || sessionToken === undefined) return undefined;
          const given = Buffer.from(hashSessionToken(sessionToken));
          const stored = Buffer.from(row.session_token_hash);
          if (given.length !== stored.length || !timingSafeEqual(given, stored)) return undefined;
          if (row.expires_at <= now()) {
            throw JSON_API_ERRORS.error('ExpiredToken', 'The security token included in the request is expired: get new credentials from the identity pool.');
          }
          const principal: Principal = {
            kind: 'role',
            accessKeyId,
            roleArn: row.role_arn,
            identityId: row.identity_id,
            identityPoolId: row.pool_id,
            expiresAt: row.expires_at,
          };
          if (row.amr !== null) principal.amr = JSON.parse(row.amr) as string[];
          // Guests get the pool's unauthenticated role (chooseRole): AppSync's `public`/`private` IAM rules tell them apart by it.
          if (row.known_pool !== null) principal.identityAuthType = row.role_arn === row.unauthenticated_role ? 'unauthenticated' : 'authenticated';
          return { secretAccessKey: secrets.open(row.secret_key, sealContext(accessKeyId)), principal };
        },
      };
    },
  };
}

export type TemporaryCredentials = ReturnType<typeof createTemporaryCredentials>;

function randomString(alphabet: string, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}
