import { createPublicKey, randomUUID, type JsonWebKey, type KeyObject } from 'node:crypto';
import { exportJWK, generateKeyPair, importJWK, type JSONWebKeySet, type JWK } from 'jose';
import type { SqlStore } from '../../engines/types.js';
import type { SecretBox } from '../../kernel/secret-box.js';

type SigningKey = Awaited<ReturnType<typeof importJWK>>;

/** A signing key older than this is replaced at the next start (its public half stays published). */
const KEY_LIFETIME_MS = 90 * 86_400_000;

/** Where a private key is sealed: its table, column and kid (a sealed key moved to another row does not open). */
const sealContext = (kid: string): string => `cognito_signing_keys.private_jwk:${kid}`;

/**
 * RS256 signing keys. One is active; retired public keys stay in the JWKS so tokens signed before a
 * rotation keep verifying until they expire. Private keys are kept sealed (`kernel.secrets`): a copy of
 * the database alone cannot sign tokens.
 */
export function createTokenKeys(sql: SqlStore, secrets: SecretBox, options: { onRotated?: () => void } = {}) {
  let active: { kid: string; key: SigningKey } | undefined;
  let jwks: JSONWebKeySet = { keys: [] };
  // The published keys as node:crypto public keys by kid, so a token's signature is checked in one
  // synchronous call (tokens.ts), not through WebCrypto's job queue.
  let publicKeys = new Map<string, KeyObject>();

  const load = async (): Promise<void> => {
    const rows = await sql.all<{ kid: string; private_jwk: string; public_jwk: string; active: number }>(
      'SELECT * FROM cognito_signing_keys ORDER BY created_at',
    );
    const current = rows.find((r) => r.active === 1);
    active = current
      ? { kid: current.kid, key: await importJWK(JSON.parse(secrets.open(current.private_jwk, sealContext(current.kid))) as JWK, 'RS256') }
      : undefined;
    jwks = { keys: rows.map((r) => JSON.parse(r.public_jwk) as JWK) };
    publicKeys = new Map(
      jwks.keys
        .filter((jwk) => jwk.kty === 'RSA' && typeof jwk.kid === 'string')
        .map((jwk) => [jwk.kid!, createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' })]),
    );
  };

  let creating: Promise<string> | undefined;
  return {
    /**
     * Loads the keys and replaces an active key that is old. A new data dir gets its first key when the
     * first token is issued, so a cloud that issues none never pays for RSA key generation at start.
     */
    async start(): Promise<void> {
      await sealPlaintextKeys(sql, secrets);
      await load();
      const row = await sql.get<{ created_at: string }>('SELECT created_at FROM cognito_signing_keys WHERE active = 1');
      if (active && row && Date.now() - Date.parse(row.created_at) > KEY_LIFETIME_MS) await this.rotate();
    },
    /** Makes a new key the signing key; earlier public keys stay published. */
    async rotate(): Promise<string> {
      const { privateKey, publicKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
      const kid = randomUUID();
      const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
      const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: 'RS256' };
      await sql.transaction(async (tx) => {
        await tx.run('UPDATE cognito_signing_keys SET active = 0');
        await tx.run('INSERT INTO cognito_signing_keys (kid, private_jwk, public_jwk, created_at, active) VALUES (?, ?, ?, ?, 1)', [
          kid,
          secrets.seal(JSON.stringify(privateJwk), sealContext(kid)),
          JSON.stringify(publicJwk),
          new Date().toISOString(),
        ]);
      });
      await load();
      options.onRotated?.();
      return kid;
    },
    /** Reads the keys again: another instance sharing the database made a new signing key. */
    reload: (): Promise<void> => load(),
    /** The active signing key, created on first use (once, even when several requests ask at once). */
    async signingKey(): Promise<{ kid: string; key: SigningKey }> {
      if (!active) {
        creating ??= this.rotate().finally(() => (creating = undefined));
        await creating;
      }
      if (!active) throw new Error('no token signing key could be created');
      return active;
    },
    jwks: (): JSONWebKeySet => jwks,
    /** The published RSA public key `kid` (active or retired), or undefined for a kid this cloud never made. */
    verificationKey: (kid: string): KeyObject | undefined => publicKeys.get(kid),
  };
}

export type TokenKeys = ReturnType<typeof createTokenKeys>;

/** Seals the private keys that a cloud from before sealing stored as plaintext JSON. */
async function sealPlaintextKeys(sql: SqlStore, secrets: SecretBox): Promise<void> {
  await sql.transaction(async (tx) => {
    const rows = await tx.all<{ kid: string; private_jwk: string }>('SELECT kid, private_jwk FROM cognito_signing_keys');
    for (const row of rows) {
      if (!secrets.isSealed(row.private_jwk))
        await tx.run('UPDATE cognito_signing_keys SET private_jwk = ? WHERE kid = ?', [secrets.seal(row.private_jwk, sealContext(row.kid)), row.kid]);
    }
  });
}
