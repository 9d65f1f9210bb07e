import { randomUUID } from 'node:crypto';
import type { ForteError } from '@forte/protocol';
import { z } from 'zod';
import type { SqlStore } from '../../engines/types.js';
import type { Kernel } from '../../kernel/types.js';
import { chooseRole } from './choose-role.js';
import { defineOperation, type JsonOperation } from '../../kernel/json-api.js';
import type { IdentityStore, StoredIdentity, StoredIdentityPool } from './identity-store.js';
import type { TemporaryCredentials } from './temporary-credentials.js';
import type { SocialLoginEndpoints } from './social-logins.js';
import { verifyLogins, type VerifiedLogin } from './verify-logins.js';
import { COGNITO_IDENTITY_ERRORS } from './identity-errors.js';

const POOL_ID = /^[\w-]+:[0-9a-f-]+$/;
const poolId = z.string().regex(POOL_ID, 'must look like <region>:<uuid>');
const identityId = z.string().regex(POOL_ID, 'must look like <region>:<uuid>');
const logins = z.record(z.string(), z.string().min(1)).optional();

const notAuthorized = (message: string): ForteError => COGNITO_IDENTITY_ERRORS.error('NotAuthorizedException', message);
const GUESTS_REFUSED = 'Unauthenticated access is not supported for this identity pool.';

/** The operations of `AWSCognitoIdentityService` that Forte serves. */
export function createIdentityOperations(deps: {
  kernel: Kernel;
  store: IdentityStore;
  credentials: TemporaryCredentials;
  loginEndpoints?: SocialLoginEndpoints | undefined;
}): Record<string, JsonOperation> {
  const { kernel, store, credentials } = deps;
  const endpoints = deps.loginEndpoints ?? {};
  const region = kernel.config.region;

  const requirePool = async (id: string): Promise<StoredIdentityPool> => {
    const pool = await store.poolById(id);
    if (!pool) throw COGNITO_IDENTITY_ERRORS.error('ResourceNotFoundException', `IdentityPool '${id}' not found.`);
    return pool;
  };
  const requireIdentity = async (id: string): Promise<StoredIdentity> => {
    const identity = await store.identity(id);
    if (!identity) throw COGNITO_IDENTITY_ERRORS.error('ResourceNotFoundException', `Identity '${id}' not found.`);
    return identity;
  };
  const newIdentity = async (pool: StoredIdentityPool, db?: SqlStore): Promise<string> => {
    const id = `${region}:${randomUUID()}`;
    await store.createIdentity(pool.poolId, id, db);
    return id;
  };

  /** The identity the verified logins belong to, linking them (to `guest` when given and still a guest). */
  const identityForLogins = async (pool: StoredIdentityPool, verified: VerifiedLogin[], guest?: StoredIdentity): Promise<string> =>
    store.linkLogins(
      pool.poolId,
      verified.map((l) => ({ provider: l.provider, subject: l.subject })),
      async (tx) => {
        if (!guest) return newIdentity(pool, tx);
        if ((await store.loginCount(guest.identityId, tx)) > 0) {
          throw notAuthorized("Logins don't match. Please include at least one valid login for this identity or identity pool.");
        }
        return guest.identityId;
      },
    );

  return {
    GetId: defineOperation({
      signed: false,
      input: z.object({ IdentityPoolId: poolId, Logins: logins, AccountId: z.string().optional() }),
      async handler(input) {
        const pool = await requirePool(input.IdentityPoolId);
        const verified = await verifyLogins(kernel, pool, input.Logins ?? {}, endpoints);
        if (verified.length === 0) {
          if (!pool.allowUnauthenticated) throw notAuthorized(GUESTS_REFUSED);
          return { IdentityId: await newIdentity(pool) };
        }
        return { IdentityId: await identityForLogins(pool, verified) };
      },
    }),

    GetCredentialsForIdentity: defineOperation({
      signed: false,
      input: z.object({ IdentityId: identityId, Logins: logins, CustomRoleArn: z.string().min(20).optional() }),
      async handler(input) {
        const identity = await requireIdentity(input.IdentityId);
        const pool = await requirePool(identity.poolId);
        const verified = await verifyLogins(kernel, pool, input.Logins ?? {}, endpoints);
        let id = identity.identityId;
        if (verified.length === 0) {
          if (identity.logins.length > 0) throw notAuthorized(`Access to Identity '${identity.identityId}' is forbidden.`);
          if (!pool.allowUnauthenticated) throw notAuthorized(GUESTS_REFUSED);
        } else {
          // A guest signing in keeps its identity id (aws-amplify sends the stored guest id with Logins);
          // a login already linked elsewhere answers that identity, which the client adopts.
          id = await identityForLogins(pool, verified, identity);
        }
        const roleArn = chooseRole(pool, verified, input.CustomRoleArn);
        const amr = amrOf(verified);
        const refusal = await kernel.checkRoleTrust({
          roleArn,
          federatedPrincipal: COGNITO_IDENTITY,
          action: 'sts:AssumeRoleWithWebIdentity',
          context: { [`${COGNITO_IDENTITY}:aud`]: pool.poolId, [`${COGNITO_IDENTITY}:amr`]: amr, [`${COGNITO_IDENTITY}:sub`]: id },
        });
        if (refusal !== undefined) {
          kernel.log.warn('identity pool role refused by its trust policy', { identityPoolId: pool.poolId, roleArn, reason: refusal });
          throw COGNITO_IDENTITY_ERRORS.error(
            'InvalidIdentityPoolConfigurationException',
            `Invalid identity pool configuration. Check assigned IAM roles for this pool: ${refusal}.`,
          );
        }
        const issued = await credentials.issue({ identityId: id, poolId: pool.poolId, roleArn, amr });
        return { IdentityId: id, Credentials: issued };
      },
    }),

    DescribeIdentity: defineOperation({
      signed: true,
      input: z.object({ IdentityId: identityId }),
      async handler(input) {
        return describe(await requireIdentity(input.IdentityId));
      },
    }),

    ListIdentities: defineOperation({
      signed: true,
      input: z.object({
        IdentityPoolId: poolId,
        MaxResults: z.number().int().min(1).max(60),
        NextToken: z.string().optional(),
        HideDisabled: z.boolean().optional(),
      }),
      async handler(input) {
        await requirePool(input.IdentityPoolId);
        const page = await store.listIdentities(input.IdentityPoolId, input.MaxResults + 1, input.NextToken);
        const items = page.slice(0, input.MaxResults);
        const last = items.at(-1);
        return {
          IdentityPoolId: input.IdentityPoolId,
          Identities: items.map(describe),
          ...(page.length > input.MaxResults && last ? { NextToken: last.identityId } : {}),
        };
      },
    }),

    DescribeIdentityPool: defineOperation({
      signed: true,
      input: z.object({ IdentityPoolId: poolId }),
      async handler(input) {
        const pool = await requirePool(input.IdentityPoolId);
        return {
          IdentityPoolId: pool.poolId,
          IdentityPoolName: pool.name,
          AllowUnauthenticatedIdentities: pool.allowUnauthenticated,
          CognitoIdentityProviders: pool.providers.map((p) => ({ ...p, ServerSideTokenCheck: false })),
          ...(Object.keys(pool.loginProviders).length > 0 ? { SupportedLoginProviders: pool.loginProviders } : {}),
        };
      },
    }),

    GetIdentityPoolRoles: defineOperation({
      signed: true,
      input: z.object({ IdentityPoolId: poolId }),
      async handler(input) {
        const pool = await requirePool(input.IdentityPoolId);
        return {
          IdentityPoolId: pool.poolId,
          Roles: { authenticated: pool.authenticatedRole, ...(pool.unauthenticatedRole ? { unauthenticated: pool.unauthenticatedRole } : {}) },
          ...(Object.keys(pool.roleMappings).length > 0 ? { RoleMappings: pool.roleMappings } : {}),
        };
      },
    }),
  };
}

const COGNITO_IDENTITY = 'cognito-identity.amazonaws.com';

/**
 * `cognito-identity.amazonaws.com:amr` as Cognito sets it: `unauthenticated` for guests; for a user pool
 * login `authenticated`, the provider, and `<provider>:CognitoSignIn:<sub>`.
 */
function amrOf(logins: readonly VerifiedLogin[]): string[] {
  if (logins.length === 0) return ['unauthenticated'];
  return ['authenticated', ...logins.flatMap((l) => [l.provider, l.social ? `${l.provider}:${l.subject}` : `${l.provider}:CognitoSignIn:${l.subject}`])];
}

function describe(identity: StoredIdentity) {
  return {
    IdentityId: identity.identityId,
    Logins: identity.logins,
    CreationDate: Date.parse(identity.createdAt) / 1000,
    LastModifiedDate: Date.parse(identity.lastModifiedAt) / 1000,
  };
}
