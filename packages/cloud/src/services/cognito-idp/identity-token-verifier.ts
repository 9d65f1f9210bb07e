import type { IdentityTokenVerifier } from '../../kernel/types.js';
import { issuerOf, type CognitoState } from './cognito-state.js';
import { decodePayload } from './signed-in-user.js';
import { verifyToken } from './tokens.js';

/**
 * Verifies this service's ID tokens for `cognito-idp.<region>.amazonaws.com/<userPoolId>`, and access
 * tokens too when asked (`tokenUse: 'any'`: AppSync takes either; identity pools take ID tokens only).
 *
 * A token is checked as what its `token_use` says, so one RSA signature check at most, and only the first
 * time: verified tokens are remembered until they expire (verified-tokens.ts, shared with GetUser). What
 * can change after issue (the pool, the user enabled and still the same `sub`, the sign-in session live
 * and of this pool, client and user, the client still in the pool) is one SQL query, remembered only until
 * the next write to the database (user-store `signedIn`), so revocation is immediate.
 */
export function createIdentityTokenVerifier(state: CognitoState): IdentityTokenVerifier {
  const prefix = `cognito-idp.${state.kernel.config.region}.amazonaws.com/`;
  return {
    async verify(providerName, token, options) {
      if (!providerName.startsWith(prefix)) return undefined;
      const poolId = providerName.slice(prefix.length);
      const issuer = issuerOf(state, poolId);
      const accepted = (use: unknown): use is 'id' | 'access' => use === 'id' || (use === 'access' && options?.tokenUse === 'any');
      const claims = state.verifiedTokens.claims(token, () => {
        const use = decodePayload(token)?.token_use;
        return accepted(use) ? verifyToken(state.keys, token, issuer, use) : undefined;
      });
      // Remembered claims were verified for their own issuer and use: both are checked again for this call.
      if (!claims || claims.iss !== issuer || !accepted(claims.token_use)) return undefined;
      const access = claims.token_use === 'access';
      const username = access ? claims.username : claims['cognito:username'];
      const clientId = access ? claims.client_id : claims.aud;
      if (typeof username !== 'string' || typeof clientId !== 'string') return undefined;
      const found = await state.users.signedIn(poolId, username, String(claims.origin_jti));
      const user = found?.user;
      const origin = found?.origin;
      if (
        !origin ||
        origin.revoked ||
        origin.poolId !== poolId ||
        origin.clientId !== clientId ||
        origin.username !== username ||
        origin.clientPoolId !== poolId
      )
        return undefined;
      if (!user || !user.enabled || user.sub !== claims.sub) return undefined;
      const groups = Array.isArray(claims['cognito:groups']) ? claims['cognito:groups'].filter((g): g is string => typeof g === 'string') : [];
      return { sub: user.sub, username: user.username, groups, claims: { ...claims } };
    },
  };
}
