import type { IdentityTokenVerifier } from '../../kernel/types.js';
import { issuerOf, type CognitoState } from './cognito-state.js';
import { verifyTokenSignature } from './tokens.js';

/** Verifies this service's ID tokens for `cognito-idp.<region>.amazonaws.com/<userPoolId>`. */
export function createIdentityTokenVerifier(state: CognitoState): IdentityTokenVerifier {
  const prefix = `cognito-idp.${state.kernel.config.region}.amazonaws.com/`;
  return {
    async verify(providerName, token) {
      if (!providerName.startsWith(prefix)) return undefined;
      const pool = await state.pools.getPool(providerName.slice(prefix.length));
      if (!pool) return undefined;
      const claims = await verifyTokenSignature(state.keys, token, issuerOf(state, pool.id), 'id');
      if (!claims || typeof claims['cognito:username'] !== 'string' || typeof claims.aud !== 'string') return undefined;
      const client = await state.pools.getClient(claims.aud);
      if (!client || client.poolId !== pool.id) return undefined;
      const user = await state.users.get(pool.id, claims['cognito:username']);
      if (!user || !user.enabled || user.sub !== claims.sub || !(await state.users.originLive(String(claims.origin_jti)))) return undefined;
      const groups = Array.isArray(claims['cognito:groups']) ? claims['cognito:groups'].filter((g): g is string => typeof g === 'string') : [];
      return { sub: user.sub, username: user.username, groups, claims: { ...claims } };
    },
  };
}
