import { randomUUID } from 'node:crypto';
import { AUTH_RESOURCE_TYPES } from '@forte/protocol';
import { z } from 'zod';
import type { ResourceContext, ResourceHandler, ResourceResult } from '../../kernel/types.js';
import type { IdentityStore, StoredIdentityPool } from './identity-store.js';
import { RESOURCE_ERRORS } from '../../kernel/resource-errors.js';
import { SOCIAL_LOGIN_PROVIDERS } from './social-logins.js';

const roleArn = z
  .string()
  .regex(/^arn:aws:iam::\d{12}:role\/[\w+=,.@/-]+$/, 'must be a role ARN (arn:aws:iam::<account>:role/<name>), e.g. the Arn of a Forte::IAM::Role');
const poolProps = z.object({
  IdentityPoolName: z.string().regex(/^[\w\s+=,.@-]{1,128}$/, 'identity pool names are 1 to 128 letters, digits, spaces and +=,.@_-'),
  AllowUnauthenticatedIdentities: z.boolean(),
  CognitoIdentityProviders: z
    .array(
      z.object({
        ProviderName: z.string().regex(/^[\w.:-]+\/[\w-]+_[0-9A-Za-z]+$/, 'must be cognito-idp.<region>.amazonaws.com/<userPoolId>'),
        ClientId: z.string().regex(/^[\w+]{1,128}$/, 'must be a user pool client id'),
      }),
    )
    .default([]),
  SupportedLoginProviders: z
    .partialRecord(
      z.enum(SOCIAL_LOGIN_PROVIDERS, { error: `must be one of ${SOCIAL_LOGIN_PROVIDERS.join(', ')}` }),
      z.string().regex(/^[\w.,:-]{1,2048}$/, "must be the provider's app id (Google and Apple: client ids, comma separated)"),
    )
    .default({}),
  Roles: z.object({ authenticated: roleArn, unauthenticated: roleArn.optional() }),
  RoleMappings: z
    .record(
      z.string().min(1),
      z.object({
        Type: z.enum(['Token', 'Rules']),
        AmbiguousRoleResolution: z.enum(['AuthenticatedRole', 'Deny'], {
          error: 'must be AuthenticatedRole or Deny (required with Token and Rules, as in Cognito)',
        }),
        IdentityProvider: z.string().min(1).optional(),
        RulesConfiguration: z
          .object({
            Rules: z
              .array(
                z.object({
                  Claim: z.string().min(1).max(64),
                  MatchType: z.enum(['Equals', 'Contains', 'StartsWith', 'NotEqual']),
                  Value: z.string().min(1).max(128),
                  RoleARN: roleArn,
                }),
              )
              .min(1)
              .max(25),
          })
          .optional(),
      }),
    )
    .default({}),
});

function parseProps(props: Record<string, unknown>): z.infer<typeof poolProps> {
  const parsed = poolProps.safeParse(props);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw RESOURCE_ERRORS.error(
      'ValidationException',
      `${AUTH_RESOURCE_TYPES.identityPool} ${issue?.path.join('.') || 'Properties'}: ${issue?.message ?? 'invalid'}`,
    );
  }
  const p = parsed.data;
  if (p.AllowUnauthenticatedIdentities && p.Roles.unauthenticated === undefined) {
    throw RESOURCE_ERRORS.error(
      'ValidationException',
      `${AUTH_RESOURCE_TYPES.identityPool} Roles.unauthenticated: guests are allowed, so the pool needs a role for them (set Roles.unauthenticated or AllowUnauthenticatedIdentities: false).`,
    );
  }
  const providers = new Set(p.CognitoIdentityProviders.map((c) => `${c.ProviderName}:${c.ClientId}`));
  for (const [key, mapping] of Object.entries(p.RoleMappings)) {
    const provider = mapping.IdentityProvider ?? key;
    const where = `${AUTH_RESOURCE_TYPES.identityPool} RoleMappings.${key}`;
    if (!providers.has(provider)) {
      throw RESOURCE_ERRORS.error(
        'ValidationException',
        `${where}: ${provider} is not one of the pool's CognitoIdentityProviders (name it as <ProviderName>:<ClientId>).`,
      );
    }
    if (mapping.Type === 'Rules' && !mapping.RulesConfiguration)
      throw RESOURCE_ERRORS.error('ValidationException', `${where}: Type Rules needs RulesConfiguration.Rules.`);
  }
  return p;
}

const ownerKey = (ctx: ResourceContext): string => `${ctx.appId}/${ctx.envName}/${ctx.stackName}/${ctx.logicalId}`;

/**
 * `Forte::Cognito::IdentityPool` → physical id and attribute `IdentityPoolId` (`<region>:<uuid>`), and
 * `IdentityPoolName`. Every property changes in place: identities (and so users' stored files under
 * their identity id) survive an update.
 */
export function createIdentityPoolHandler(store: IdentityStore): ResourceHandler {
  const result = (pool: StoredIdentityPool): ResourceResult => ({
    physicalId: pool.poolId,
    attributes: { IdentityPoolId: pool.poolId, IdentityPoolName: pool.name },
  });
  const toStored = (p: z.infer<typeof poolProps>, poolId: string, owner: string): StoredIdentityPool => ({
    poolId,
    ownerKey: owner,
    name: p.IdentityPoolName,
    allowUnauthenticated: p.AllowUnauthenticatedIdentities,
    providers: p.CognitoIdentityProviders,
    authenticatedRole: p.Roles.authenticated,
    unauthenticatedRole: p.Roles.unauthenticated,
    roleMappings: Object.fromEntries(Object.entries(p.RoleMappings).map(([key, m]) => [m.IdentityProvider ?? key, m])),
    loginProviders: p.SupportedLoginProviders,
  });

  return {
    async create(props, ctx) {
      const p = parseProps(props);
      const owner = ownerKey(ctx);
      const existing = await store.poolByOwner(owner);
      const pool = toStored(p, existing?.poolId ?? `${ctx.region}:${randomUUID()}`, owner);
      await store.putPool(pool);
      ctx.log.info(existing ? 'identity pool adopted' : 'identity pool created', { identityPoolId: pool.poolId });
      return result(pool);
    },
    async update(physicalId, props, _oldProps, ctx) {
      const p = parseProps(props);
      const existing = await store.poolById(physicalId);
      if (!existing) return 'replace';
      const pool = toStored(p, physicalId, existing.ownerKey);
      await store.putPool(pool);
      ctx.log.info('identity pool updated', { identityPoolId: physicalId });
      return result(pool);
    },
    async delete(physicalId) {
      await store.deletePool(physicalId);
    },
  };
}
