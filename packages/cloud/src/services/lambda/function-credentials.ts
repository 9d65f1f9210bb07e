import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import type { SqlStore } from '../../engines/types.js';
import { JSON_API_ERRORS } from '../../kernel/api-errors.js';
import type { SecretBox } from '../../kernel/secret-box.js';
import type { CredentialProvider } from '../../kernel/types.js';

/** A function's temporary credentials of its execution role, as its environment carries them. */
export interface FunctionCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  /** Epoch milliseconds. */
  expiresAt: number;
}

const KEY_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const SECRET_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const randomString = (alphabet: string, length: number): string => Array.from({ length }, () => alphabet[randomInt(alphabet.length)]).join('');
const hashToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');
/** Where a secret key is sealed: it opens in this row only. */
const sealContext = (accessKeyId: string): string => `lambda_credentials.secret_key:${accessKeyId}`;

/**
 * Temporary credentials of functions' execution roles. Secret keys are sealed with `kernel.secrets` and session
 * tokens kept as hashes, so a copy of the database signs nothing. The credential provider resolves them to a
 * role principal: every service's SigV4 check and the role's IAM-lite policies apply to a function's calls.
 */
export function createFunctionCredentials(sql: SqlStore, secrets: SecretBox, now: () => number = Date.now) {
  return {
    /** New credentials for a function; older ones keep working until they expire (invocations under way use them). */
    async issue(functionName: string, roleArn: string, lifetimeMs: number): Promise<FunctionCredentials> {
      const issuedAt = now();
      const credentials: FunctionCredentials = {
        accessKeyId: `ASIA${randomString(KEY_CHARS, 16)}`,
        secretAccessKey: randomString(SECRET_CHARS, 40),
        sessionToken: randomBytes(192).toString('base64'),
        expiresAt: issuedAt + lifetimeMs,
      };
      await sql.transaction(async (tx) => {
        // Expired rows stay a day, so a late call is told "expired" rather than "unknown key".
        await tx.run('DELETE FROM lambda_credentials WHERE expires_at < ?', [issuedAt - 24 * 3600 * 1000]);
        await tx.run(
          'INSERT INTO lambda_credentials (access_key_id, function_name, role_arn, secret_key, session_token_hash, expires_at) VALUES (?, ?, ?, ?, ?, ?)',
          [
            credentials.accessKeyId,
            functionName,
            roleArn,
            secrets.seal(credentials.secretAccessKey, sealContext(credentials.accessKeyId)),
            hashToken(credentials.sessionToken),
            credentials.expiresAt,
          ],
        );
      });
      return credentials;
    },

    /** Drops every credential of a function (it was removed). */
    async revoke(functionName: string): Promise<void> {
      await sql.run('DELETE FROM lambda_credentials WHERE function_name = ?', [functionName]);
    },

    /** The kernel credential provider: a function's key with its session token resolves to its role. */
    provider(): CredentialProvider {
      return {
        async lookup(accessKeyId, sessionToken) {
          if (!accessKeyId.startsWith('ASIA')) return undefined;
          const row = await sql.get<{ role_arn: string; secret_key: string; session_token_hash: string; expires_at: number }>(
            'SELECT role_arn, secret_key, session_token_hash, expires_at FROM lambda_credentials WHERE access_key_id = ?',
            [accessKeyId],
          );
          if (!row || sessionToken === undefined) return undefined;
          const given = Buffer.from(hashToken(sessionToken));
          const stored = Buffer.from(row.session_token_hash);
          if (given.length !== stored.length || !timingSafeEqual(given, stored)) return undefined;
          if (row.expires_at <= now()) throw JSON_API_ERRORS.error('ExpiredToken', 'The security token included in the request is expired.');
          return {
            secretAccessKey: secrets.open(row.secret_key, sealContext(accessKeyId)),
            principal: { kind: 'role', accessKeyId, roleArn: row.role_arn, expiresAt: row.expires_at },
          };
        },
      };
    },
  };
}

export type FunctionCredentialStore = ReturnType<typeof createFunctionCredentials>;
