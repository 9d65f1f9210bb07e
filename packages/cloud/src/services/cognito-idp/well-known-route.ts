import type { Route } from '../../kernel/types.js';
import { issuerOf, type CognitoState } from './cognito-state.js';
import { domainBaseUrl } from './hosted-ui-address.js';

const WELL_KNOWN = /^\/([a-z]{2}(?:-[a-z]+)+-\d_[A-Za-z0-9]+)\/\.well-known\/(jwks\.json|openid-configuration)$/;

/** `GET /<userPoolId>/.well-known/jwks.json` and `openid-configuration`: issuer + path, as any JWT library expects. */
export function createWellKnownRoute(state: CognitoState): Route {
  return {
    name: 'cognito-idp-well-known',
    errorFormat: 'json',
    match: { path: (req, pathname) => (req.method === 'GET' || req.method === 'HEAD') && WELL_KNOWN.test(pathname) },
    async handle(ctx) {
      const m = WELL_KNOWN.exec(ctx.url.pathname)!;
      const poolId = m[1]!;
      const pool = await state.pools.getPool(poolId);
      let status = 200;
      let body: unknown;
      if (!pool) {
        status = 404;
        body = { __type: 'ResourceNotFoundException', message: `User pool ${poolId} does not exist.` };
      } else if (m[2] === 'jwks.json') {
        body = state.keys.jwks();
      } else {
        const issuer = issuerOf(state, poolId);
        const domain = await state.pools.domainOfPool(poolId);
        const endpoints = domain === undefined ? undefined : domainBaseUrl(state.kernel, domain);
        body = {
          issuer,
          ...(endpoints === undefined
            ? {}
            : {
                authorization_endpoint: `${endpoints}/oauth2/authorize`,
                token_endpoint: `${endpoints}/oauth2/token`,
                userinfo_endpoint: `${endpoints}/oauth2/userInfo`,
                revocation_endpoint: `${endpoints}/oauth2/revoke`,
                end_session_endpoint: `${endpoints}/logout`,
                code_challenge_methods_supported: ['S256'],
                grant_types_supported: ['authorization_code', 'refresh_token'],
              }),
          jwks_uri: `${issuer}/.well-known/jwks.json`,
          id_token_signing_alg_values_supported: ['RS256'],
          subject_types_supported: ['public'],
          response_types_supported: ['code', 'token'],
          scopes_supported: ['openid', 'email', 'phone', 'profile'],
          token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
        };
      }
      const payload = JSON.stringify(body);
      ctx.res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), 'cache-control': 'max-age=300' });
      ctx.res.end(ctx.req.method === 'HEAD' ? undefined : payload);
    },
  };
}
