import type { IdentityTokenVerifier } from '../../kernel/types.js';
import { issuerOf, type CognitoState } from './cognito-state.js';
import { verifyTokenSignature } from './tokens.js';

/**
 * Verifies this service's ID tokens for `cognito-idp.<region>.amazonaws.com/<userPoolId>`, and access
 * tokens too when asked (`tokenUse: 'any'`: AppSync takes either; identity pools take ID tokens only).
 */
export function createIdentityTokenVerifier(state: CognitoState): IdentityTokenVerifier {
  const prefix = `cognito-idp.${state.kernel.config.region}.amazonaws.com/`;
  return {
    async verify(providerName, token, options) {
      if (!providerName.startsWith(prefix)) return undefined;
      const pool = await state.pools.getPool(providerName.slice(prefix.length));
      if (!pool) return undefined;
      const issuer = issuerOf(state, pool.id);
      let claims = await verifyTokenSignature(state.keys, token, issuer, 'id');
      if (!claims && options?.tokenUse === 'any') claims = await verifyTokenSignature(state.keys, token, issuer, 'access');
      if (!claims) return undefined;
      const username = claims.token_use === 'access' ? claims.username : claims['cognito:username'];
      const clientId = claims.token_use === 'access' ? claims.client_id : claims.aud;
      if (typeof username !== 'string' || typeof clientId !== 'string') return undefined;
      const client = await state.pools.getClient(clientId);
      if (!client || client.poolId !== pool.id) return undefined;
      const user = await state.users.get(pool.id, username);
      if (!user || !user.enabled || user.sub !== claims.sub || !(await state.users.originLive(String(claims.origin_jti)))) return undefined;
      const groups = Array.isArray(claims['cognito:groups']) ? claims['cognito:groups'].filter((g): g is string => typeof g === 'string') : [];
      return { sub: user.sub, username: user.username, groups, claims: { ...claims } };
    },
  };
}
