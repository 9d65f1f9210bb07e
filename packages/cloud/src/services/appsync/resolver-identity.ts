import { roleNameOf } from '../../kernel/iam-lite.js';
import type { Caller } from './caller.js';

/** The request as a `@function` sees it in `event.request`, and the caller's address for `identity.sourceIp`. */
export interface ResolverRequest {
  /** The request's headers, names in lower case. */
  headers: Record<string, string>;
  sourceIp: string | undefined;
}

/** `cognito-identity.amazonaws.com:amr` after `authenticated`, as AppSync spells `cognitoIdentityAuthProvider`. */
const authProviderOf = (amr: readonly string[] | undefined): string | null => {
  const providers = (amr ?? []).filter((a) => a !== 'authenticated' && a !== 'unauthenticated');
  return providers.length > 0 ? providers.map((p) => `"${p}"`).join(',') : null;
};

/**
 * `$ctx.identity` as AppSync builds it for the caller's auth mode: null for API keys; the token's subject,
 * issuer, claims and groups for user pools (`defaultAuthStrategy` ALLOW) and OIDC; the SigV4 principal's
 * account, identity pool identity and ARN for IAM; the authorizer's `resolverContext` for AWS_LAMBDA.
 */
export function resolverIdentity(caller: Caller, request: ResolverRequest | undefined, accountId: string): Record<string, unknown> | null {
  const sourceIp = request?.sourceIp ? [request.sourceIp] : [];
  const issuer = typeof caller.claims.iss === 'string' ? caller.claims.iss : null;
  switch (caller.mode) {
    case 'apiKey':
      return null;
    case 'userPools':
      return {
        sub: caller.sub ?? null,
        issuer,
        username: caller.username ?? null,
        claims: caller.claims,
        sourceIp,
        defaultAuthStrategy: 'ALLOW',
        groups: caller.groups.length > 0 ? caller.groups : null,
      };
    case 'function':
      return { resolverContext: caller.resolverContext ?? {} };
    case 'oidc':
      return { sub: caller.sub ?? null, issuer, claims: caller.claims, sourceIp };
    case 'iam': {
      const principal = caller.principal;
      if (principal?.kind === 'role') {
        const roleName = roleNameOf(principal.roleArn);
        // Identity pool credentials are sessions named CognitoIdentityCredentials, as AWS names them.
        const session = principal.identityId ? 'CognitoIdentityCredentials' : principal.accessKeyId;
        return {
          accountId: principal.roleArn.split(':')[4] ?? accountId,
          cognitoIdentityPoolId: principal.identityPoolId ?? null,
          cognitoIdentityId: principal.identityId ?? null,
          cognitoIdentityAuthType: principal.identityAuthType ?? null,
          cognitoIdentityAuthProvider: principal.identityAuthType === 'authenticated' ? authProviderOf(principal.amr) : null,
          sourceIp,
          username: `${roleName}:${session}`,
          userArn: `arn:aws:sts::${accountId}:assumed-role/${roleName}/${session}`,
        };
      }
      return {
        accountId,
        cognitoIdentityPoolId: null,
        cognitoIdentityId: null,
        cognitoIdentityAuthType: null,
        cognitoIdentityAuthProvider: null,
        sourceIp,
        username: principal?.kind === 'admin' ? principal.accessKeyId : null,
        userArn: `arn:aws:iam::${accountId}:root`,
      };
    }
  }
}
