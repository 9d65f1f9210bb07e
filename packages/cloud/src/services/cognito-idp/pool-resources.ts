import { createHash, randomBytes } from 'node:crypto';
import { AUTH_RESOURCE_TYPES, type UserPoolProperties } from '@forte/protocol';
import { z } from 'zod';
import type { ResourceContext, ResourceHandler } from '../../kernel/types.js';
import { attributeRule, VERIFIED_FLAGS } from './attribute-schema.js';
import { caseInsensitive, type CognitoState } from './cognito-state.js';
import { RESOURCE_ERRORS } from '../../kernel/resource-errors.js';
import { createPoolStoredData } from './pool-stored-data.js';
import { checkClientOAuth, clientOAuthFields, SUPPORTED_PROVIDERS } from './oauth-client-settings.js';
import { createResourceServerStore } from './resource-servers.js';
import { domainAddress, domainProblem, hostedUiOrigin } from './hosted-ui-address.js';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const LOWER_ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** Ids derived from where the resource lives, so a create retried after a crash adopts its earlier self. */
function stableId(seed: string, alphabet: string, length: number): string {
  const bytes = createHash('sha256').update(seed).digest();
  return Array.from({ length }, (_, i) => alphabet[bytes[i]! % alphabet.length]).join('');
}

/** CloudFormation writes constraints as strings ("256"); numbers are accepted too. */
const numeric = z.union([z.number(), z.string().regex(/^-?\d+$/, 'must be a whole number')]);

const functionRef = z.string().min(1).max(2048);
const lambdaConfig = z
  .object({
    PreSignUp: functionRef.optional(),
    PostConfirmation: functionRef.optional(),
    PreAuthentication: functionRef.optional(),
    PostAuthentication: functionRef.optional(),
    PreTokenGeneration: functionRef.optional(),
    PreTokenGenerationConfig: z.object({ LambdaArn: functionRef, LambdaVersion: z.enum(['V1_0', 'V2_0', 'V3_0']).optional() }).optional(),
    CustomMessage: functionRef.optional(),
    DefineAuthChallenge: functionRef.optional(),
    CreateAuthChallenge: functionRef.optional(),
    VerifyAuthChallengeResponse: functionRef.optional(),
    UserMigration: functionRef.optional(),
    // Accepted and not used: Forte sends no SMS and does not encrypt codes for custom senders.
    KMSKeyID: z.string().optional(),
  })
  .strict();

const poolProps = z
  .object({
    PoolName: z.string().min(1).max(128),
    UsernameAttributes: z.array(z.enum(['email', 'phone_number'])).optional(),
    AliasAttributes: z.array(z.enum(['email', 'phone_number', 'preferred_username'])).optional(),
    AutoVerifiedAttributes: z.array(z.enum(['email', 'phone_number'])).optional(),
    RequiredAttributes: z.array(z.string()).optional(),
    PasswordPolicy: z
      .object({
        MinimumLength: z.number().int().min(6).max(99).optional(),
        RequireLowercase: z.boolean().optional(),
        RequireUppercase: z.boolean().optional(),
        RequireNumbers: z.boolean().optional(),
        RequireSymbols: z.boolean().optional(),
        TemporaryPasswordValidityDays: z.number().int().optional(),
      })
      .optional(),
    MfaConfiguration: z.enum(['OFF', 'ON', 'OPTIONAL']).optional(),
    EnabledMfas: z.array(z.enum(['SMS_MFA', 'SOFTWARE_TOKEN_MFA'])).optional(),
    EmailVerificationSubject: z.string().optional(),
    EmailVerificationMessage: z.string().optional(),
    SmsVerificationMessage: z.string().optional(),
    SmsAuthenticationMessage: z.string().optional(),
    UsernameCaseSensitive: z.boolean().optional(),
    UserAttributeUpdateSettings: z.object({ AttributesRequireVerificationBeforeUpdate: z.array(z.enum(['email', 'phone_number'])) }).optional(),
    Schema: z
      .array(
        z.object({
          Name: z.string().regex(/^[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,20}$/u, 'attribute names are 1 to 20 characters without spaces'),
          AttributeDataType: z.enum(['String', 'Number', 'DateTime', 'Boolean']).optional(),
          Mutable: z.boolean().optional(),
          Required: z.boolean().optional(),
          DeveloperOnlyAttribute: z.boolean().optional(),
          StringAttributeConstraints: z.object({ MinLength: numeric.optional(), MaxLength: numeric.optional() }).optional(),
          NumberAttributeConstraints: z.object({ MinValue: numeric.optional(), MaxValue: numeric.optional() }).optional(),
        }),
      )
      .max(50)
      .optional(),
    LambdaConfig: lambdaConfig.optional(),
  })
  .refine((p) => !(p.UsernameAttributes && p.AliasAttributes), 'UsernameAttributes and AliasAttributes cannot both be set: choose one way of signing in');

const timeUnit = z.enum(['seconds', 'minutes', 'hours', 'days']);
const UNIT_SECONDS = { seconds: 1, minutes: 60, hours: 3600, days: 86_400 } as const;

const clientProps = z.object({
  UserPoolId: z.string().min(1),
  ClientName: z.string().min(1).max(128),
  GenerateSecret: z.boolean().optional(),
  RefreshTokenValidityDays: z.number().int().min(1).max(3650).optional(),
  AccessTokenValidity: z.number().int().min(1).optional(),
  IdTokenValidity: z.number().int().min(1).optional(),
  TokenValidityUnits: z.object({ AccessToken: timeUnit.optional(), IdToken: timeUnit.optional() }).optional(),
  ReadAttributes: z.array(z.string()).optional(),
  WriteAttributes: z.array(z.string()).optional(),
  PreventUserExistenceErrors: z.enum(['ENABLED', 'LEGACY']).optional(),
  ExplicitAuthFlows: z
    .array(
      z.enum([
        'ALLOW_USER_SRP_AUTH',
        'ALLOW_USER_PASSWORD_AUTH',
        'ALLOW_REFRESH_TOKEN_AUTH',
        'ALLOW_CUSTOM_AUTH',
        'ALLOW_ADMIN_USER_PASSWORD_AUTH',
        'ALLOW_USER_AUTH',
        'USER_PASSWORD_AUTH',
        'ADMIN_NO_SRP_AUTH',
        'CUSTOM_AUTH_FLOW_ONLY',
      ]),
    )
    .optional(),
  ...clientOAuthFields,
});

const domainProps = z.object({ UserPoolId: z.string().min(1), Domain: z.string().min(1).max(63) });

const groupProps = z.object({
  UserPoolId: z.string().min(1),
  GroupName: z.string().regex(/^[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,128}$/u, 'group names are 1 to 128 characters without spaces'),
  Precedence: z.number().int().min(0).optional(),
  RoleArn: z.string().optional(),
  Description: z.string().max(2048).optional(),
});

function parse<T>(schema: z.ZodType<T>, props: Record<string, unknown>, type: string): T {
  const parsed = schema.safeParse(props);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw RESOURCE_ERRORS.error('ValidationException', `${type} ${issue?.path.join('.') || 'Properties'}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

/**
 * A pool's settings checked as the resource type checks them (UpdateUserPool uses it too); answers the
 * first problem's message, naming the field, or the settings.
 */
export function checkPoolSettings(props: Record<string, unknown>): { ok: true; config: UserPoolProperties } | { ok: false; message: string } {
  const parsed = poolProps.safeParse(props);
  if (parsed.success) return { ok: true, config: parsed.data as UserPoolProperties };
  const issue = parsed.error.issues[0];
  return { ok: false, message: `${issue?.path.join('.') || 'Properties'}: ${issue?.message ?? 'invalid'}` };
}

/**
 * Writes an app client from CloudFormation's properties (the resource, and Create/UpdateUserPoolClient):
 * checked as Cognito checks them, the secret kept when the client already has one.
 */
export async function applyClient(
  state: CognitoState,
  id: string,
  props: Record<string, unknown>,
): Promise<{ physicalId: string; attributes: Record<string, unknown> }> {
  const p = parse(clientProps, props, AUTH_RESOURCE_TYPES.userPoolClient);
  if (!(await state.pools.getPool(p.UserPoolId)))
    throw RESOURCE_ERRORS.error('ValidationException', `${AUTH_RESOURCE_TYPES.userPoolClient} UserPoolId: user pool ${p.UserPoolId} does not exist.`);
  const existing = await state.pools.getClient(id);
  const secret = p.GenerateSecret ? (existing?.secret ?? randomBytes(38).toString('base64url').toLowerCase()) : undefined;
  const seconds = (value: number | undefined, unit: keyof typeof UNIT_SECONDS | undefined): number =>
    value === undefined ? 3600 : value * UNIT_SECONDS[unit ?? 'minutes'];
  const accessTokenSeconds = seconds(p.AccessTokenValidity, p.TokenValidityUnits?.AccessToken);
  const idTokenSeconds = seconds(p.IdTokenValidity, p.TokenValidityUnits?.IdToken);
  if (accessTokenSeconds > 86_400 || idTokenSeconds > 86_400)
    throw RESOURCE_ERRORS.error('ValidationException', `${AUTH_RESOURCE_TYPES.userPoolClient}: access and ID tokens last at most 1 day.`);
  const pool = await state.pools.getPool(p.UserPoolId);
  for (const [field, names] of [
    ['ReadAttributes', p.ReadAttributes],
    ['WriteAttributes', p.WriteAttributes],
  ] as const) {
    const unknown = (names ?? []).filter(
      (name) =>
        !(field === 'ReadAttributes' && (VERIFIED_FLAGS.has(name) || name === 'sub')) && (pool === undefined || attributeRule(pool, name) === undefined),
    );
    if (unknown.length > 0)
      throw RESOURCE_ERRORS.error(
        'ValidationException',
        `${AUTH_RESOURCE_TYPES.userPoolClient} ${field}: ${unknown.join(', ')} ${unknown.length === 1 ? 'is not an attribute' : 'are not attributes'} of the user pool (standard attributes, or custom ones declared in its Schema).`,
      );
  }
  const oauth = checkClientOAuth(p, await createResourceServerStore(state.sql).customScopes(p.UserPoolId));
  if (!oauth.ok) throw RESOURCE_ERRORS.error('ValidationException', `${AUTH_RESOURCE_TYPES.userPoolClient} ${oauth.message}`);
  if (oauth.settings?.AllowedOAuthFlows.includes('client_credentials') && secret === undefined)
    throw RESOURCE_ERRORS.error(
      'ValidationException',
      `${AUTH_RESOURCE_TYPES.userPoolClient} AllowedOAuthFlows: client_credentials needs a client secret: set GenerateSecret.`,
    );
  for (const name of oauth.settings?.SupportedIdentityProviders ?? []) {
    if ((SUPPORTED_PROVIDERS as readonly string[]).includes(name) || (await state.providers.get(p.UserPoolId, name))) continue;
    throw RESOURCE_ERRORS.error(
      'ValidationException',
      `${AUTH_RESOURCE_TYPES.userPoolClient} SupportedIdentityProviders: the provider ${name} does not exist for user pool ${p.UserPoolId}: create it first (CreateIdentityProvider or ${AUTH_RESOURCE_TYPES.userPoolIdentityProvider}).`,
    );
  }
  const flows = p.ExplicitAuthFlows ?? [];
  if (flows.some((f) => f.startsWith('ALLOW_')) && flows.some((f) => !f.startsWith('ALLOW_'))) {
    throw RESOURCE_ERRORS.error(
      'ValidationException',
      `${AUTH_RESOURCE_TYPES.userPoolClient} ExplicitAuthFlows: the ALLOW_ flows cannot be mixed with the legacy ones (USER_PASSWORD_AUTH, ADMIN_NO_SRP_AUTH, CUSTOM_AUTH_FLOW_ONLY).`,
    );
  }
  await state.pools.putClient({
    id,
    poolId: p.UserPoolId,
    name: p.ClientName,
    secret,
    refreshTokenValidityDays: p.RefreshTokenValidityDays ?? 30,
    accessTokenSeconds,
    idTokenSeconds,
    preventUserExistenceErrors: p.PreventUserExistenceErrors ?? 'ENABLED',
    readAttributes: p.ReadAttributes,
    writeAttributes: p.WriteAttributes,
    explicitAuthFlows: p.ExplicitAuthFlows,
    oauth: oauth.settings,
  });
  return { physicalId: id, attributes: { ClientId: id, ...(secret ? { ClientSecret: secret } : {}) } };
}

/** The `Forte::Cognito::UserPool`, `UserPoolClient`, `UserPoolDomain` and `UserPoolGroup` resource types. */
export function createPoolResourceHandlers(state: CognitoState): Record<string, ResourceHandler> {
  const { kernel } = state;
  const poolAttributes = (id: string): Record<string, unknown> => ({
    UserPoolId: id,
    Arn: `arn:aws:cognito-idp:${kernel.config.region}:${kernel.config.accountId}:userpool/${id}`,
    ProviderName: `cognito-idp.${kernel.config.region}.amazonaws.com/${id}`,
    ProviderURL: `${kernel.baseUrl()}/${id}`,
  });
  const applyPool = async (id: string, props: Record<string, unknown>, ctx: ResourceContext) => {
    const config = parse(poolProps, props, AUTH_RESOURCE_TYPES.userPool) as UserPoolProperties;
    const before = await state.pools.getPool(id);
    if (before && caseInsensitive(before) !== caseInsensitive({ ...before, config })) {
      // Users signed up under one rule may clash under the other (Alice and alice), so Cognito fixes it at creation.
      throw RESOURCE_ERRORS.error(
        'ValidationException',
        `${AUTH_RESOURCE_TYPES.userPool} UsernameCaseSensitive: cannot change on an existing user pool; keep ${String(before.config.UsernameCaseSensitive ?? true)}, or remove the auth resource and add it again (its users are lost).`,
      );
    }
    await state.pools.putPool(id, config);
    const added = (config.RequiredAttributes ?? []).filter((a) => !(before?.config.RequiredAttributes ?? []).includes(a));
    if (before && added.length > 0) {
      // Users stay; those without a newly required attribute are named so the operator can follow up.
      const lacking = (await state.users.list(id)).filter((u) => added.some((a) => !u.attributes[a]));
      if (lacking.length > 0)
        ctx.log.warn('users lack newly required attributes', {
          userPoolId: id,
          attributes: added,
          users: lacking.length,
          usernames: lacking.slice(0, 20).map((u) => u.username),
        });
    }
    return { physicalId: id, attributes: poolAttributes(id) };
  };
  const applyGroup = async (props: Record<string, unknown>) => {
    const p = parse(groupProps, props, AUTH_RESOURCE_TYPES.userPoolGroup);
    if (!(await state.pools.getPool(p.UserPoolId)))
      throw RESOURCE_ERRORS.error('ValidationException', `${AUTH_RESOURCE_TYPES.userPoolGroup} UserPoolId: user pool ${p.UserPoolId} does not exist.`);
    await state.pools.putGroup({ poolId: p.UserPoolId, name: p.GroupName, description: p.Description, precedence: p.Precedence, roleArn: p.RoleArn });
    return { physicalId: `${p.UserPoolId}:${p.GroupName}`, attributes: { GroupName: p.GroupName } };
  };
  const applyDomain = async (props: Record<string, unknown>, ctx: ResourceContext, replacing?: string) => {
    const log = ctx.log;
    const p = parse(domainProps, props, AUTH_RESOURCE_TYPES.userPoolDomain);
    const problem = domainProblem(p.Domain);
    if (problem) throw RESOURCE_ERRORS.error('ValidationException', `${AUTH_RESOURCE_TYPES.userPoolDomain} Domain: ${problem}`);
    if (!(await state.pools.getPool(p.UserPoolId)))
      throw RESOURCE_ERRORS.error('ValidationException', `${AUTH_RESOURCE_TYPES.userPoolDomain} UserPoolId: user pool ${p.UserPoolId} does not exist.`);
    const result = await state.pools.putDomain(p.UserPoolId, p.Domain, replacing);
    if (result === 'taken')
      throw RESOURCE_ERRORS.error(
        'ValidationException',
        `${AUTH_RESOURCE_TYPES.userPoolDomain} Domain: ${p.Domain} belongs to another user pool of this cloud; choose another prefix.`,
      );
    if (result === 'pool-has-one')
      throw RESOURCE_ERRORS.error(
        'ValidationException',
        `${AUTH_RESOURCE_TYPES.userPoolDomain}: user pool ${p.UserPoolId} already has a domain; a pool has one.`,
      );
    if (!hostedUiOrigin(kernel).startsWith('https://'))
      log?.warn(
        'this cloud has no HTTPS origin: aws-amplify cannot reach the hosted UI (it calls https://<domain>); start it with --https-port or behind an HTTPS public URL',
        {
          domain: p.Domain,
        },
      );
    return { physicalId: p.Domain, attributes: { Domain: p.Domain, Address: domainAddress(kernel, p.Domain) } };
  };
  const clientId = (props: Record<string, unknown>, ctx: ResourceContext): string =>
    stableId(`${ctx.appId}/${ctx.envName}/${ctx.logicalId}/${String(props.UserPoolId)}/${String(props.GenerateSecret ?? false)}`, LOWER_ALNUM, 26);

  return {
    [AUTH_RESOURCE_TYPES.userPool]: {
      create: (props, ctx) =>
        applyPool(`${kernel.config.region}_${stableId(`${kernel.config.accountId}/${ctx.appId}/${ctx.envName}/${ctx.logicalId}`, ALNUM, 9)}`, props, ctx),
      update: (id, props, _old, ctx) => applyPool(id, props, ctx),
      delete: (id) => state.pools.deletePool(id),
      storedData: createPoolStoredData(state.sql),
    },
    [AUTH_RESOURCE_TYPES.userPoolClient]: {
      replaceOn: ['UserPoolId', 'GenerateSecret'],
      create: (props, ctx) => applyClient(state, clientId(props, ctx), props),
      update: async (id, props, old) =>
        props.UserPoolId !== old.UserPoolId || props.GenerateSecret !== old.GenerateSecret ? 'replace' : applyClient(state, id, props),
      delete: (id) => state.pools.deleteClient(id),
    },
    [AUTH_RESOURCE_TYPES.userPoolDomain]: {
      // A new prefix for the same pool is a rename in place: a pool has one domain, so a new one could not be
      // created beside the old.
      replaceOn: ['UserPoolId'],
      create: (props, ctx) => applyDomain(props, ctx),
      update: async (id, props, old, ctx) => (props.UserPoolId !== old.UserPoolId ? 'replace' : applyDomain(props, ctx, id)),
      delete: async (id, props) => {
        await state.pools.deleteDomain(String(props.UserPoolId), id);
      },
    },
    [AUTH_RESOURCE_TYPES.userPoolGroup]: {
      replaceOn: ['UserPoolId', 'GroupName'],
      create: (props) => applyGroup(props),
      update: async (id, props) => (id !== `${String(props.UserPoolId)}:${String(props.GroupName)}` ? 'replace' : applyGroup(props)),
      delete: async (id) => {
        const at = id.indexOf(':');
        if (at > 0) await state.pools.deleteGroup(id.slice(0, at), id.slice(at + 1));
      },
    },
  };
}
