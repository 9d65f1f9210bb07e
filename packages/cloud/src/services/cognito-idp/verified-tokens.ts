import { hash } from 'node:crypto';
import type { JWTPayload } from 'jose';

/** Most tokens remembered at once; beyond it the oldest entry is dropped. */
const MAX_ENTRIES = 10_000;

interface Entry {
  claims: JWTPayload;
  /** The token's `exp`, epoch seconds: the entry is worthless from then on. */
  exp: number;
}

/**
 * Tokens whose signature and claims were verified (tokens.ts `verifyToken`), keyed by the SHA-256 of the
 * token, each until its `exp`, so a token's RS256 signature is checked once rather than on every call.
 *
 * It remembers only what a token proves about itself, which nothing can change. Whether the token still
 * counts (its sign-in not revoked by GlobalSignOut, AdminUserGlobalSignOut or RevokeToken, its user
 * neither disabled nor deleted, its pool still there) is read from SQL (user-store `signedIn`), kept only
 * until the next write to the database, so revocation takes effect at once, and in every process sharing
 * the database: an engine that other processes write to offers no data version, and is read every call.
 */
export function createVerifiedTokens(options: { maxEntries?: number; now?: () => number } = {}) {
  const maxEntries = options.maxEntries ?? MAX_ENTRIES;
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry>();
  // One-shot hash: this runs on every authenticated request, and a Hash object per call costs more than the digest.
  const keyOf = (token: string): string => hash('sha256', token, 'base64');
  return {
    /**
     * The claims `verify` answers for `token`, remembered until the token expires; undefined when `verify`
     * refuses it (refusals are not remembered). `verify` must check everything that cannot change for
     * the token; what the caller checks after (the issuer against the cloud's URL, revocation) it checks
     * on every call.
     */
    claims(token: string, verify: () => JWTPayload | undefined): JWTPayload | undefined {
      const key = keyOf(token);
      const seconds = Math.floor(now() / 1000);
      const known = entries.get(key);
      if (known && known.exp > seconds) return known.claims;
      if (known) entries.delete(key);
      const claims = verify();
      if (!claims || typeof claims.exp !== 'number' || claims.exp <= seconds) return claims;
      if (entries.size >= maxEntries) {
        const oldest = entries.keys().next();
        if (!oldest.done) entries.delete(oldest.value);
      }
      entries.set(key, { claims, exp: claims.exp });
      return claims;
    },
    /** Entries held (tests). */
    size: (): number => entries.size,
  };
}

export type VerifiedTokens = ReturnType<typeof createVerifiedTokens>;
