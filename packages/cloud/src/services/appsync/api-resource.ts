import { randomInt } from 'node:crypto';
import { APPSYNC_RESOURCE_TYPES, IAM_ROLE_NAME, type AppSyncAuthProvider } from '@forte/protocol';
import { z } from 'zod';
import type { Kernel, ResourceContext, ResourceHandler, ResourceResult } from '../../kernel/types.js';
import type { ApiRegistry } from './api-registry.js';
import type { AppSyncStore, StoredApi } from './appsync-store.js';
import { RESOURCE_ERRORS } from '../../kernel/resource-errors.js';

const authProvider = z.object({
  AuthenticationType: z.enum(['API_KEY', 'AMAZON_COGNITO_USER_POOLS', 'AWS_IAM', 'OPENID_CONNECT', 'AWS_LAMBDA']),
  UserPoolConfig: z.object({ UserPoolId: z.string().min(1), AwsRegion: z.string().optional(), AppIdClientRegex: z.string().optional() }).optional(),
  OpenIDConnectConfig: z
    .object({ Issuer: z.string().url(), ClientId: z.string().optional(), IatTTL: z.number().optional(), AuthTTL: z.number().optional() })
    .optional(),
  LambdaAuthorizerConfig: z
    .object({
      AuthorizerUri: z.string().min(1),
      AuthorizerResultTtlInSeconds: z.number().int().min(0).max(3600).optional(),
      IdentityValidationExpression: z
        .string()
        .refine((v) => {
          try {
            new RegExp(v);
            return true;
          } catch {
            return false;
          }
        }, 'IdentityValidationExpression is not a valid regular expression')
        .optional(),
    })
    .optional(),
});
const apiProps = authProvider.extend({
  Name: z.string().regex(/^[\w\- ]{1,65536}$/, 'API names are letters, digits, spaces, _ and -'),
  AdditionalAuthenticationProviders: z.array(authProvider).default([]),
  // IAM role names (1 to 64 of IAM's characters): their callers pass every @auth rule, as Amplify's admin roles do.
  AdminRoleNames: z.array(z.string().regex(IAM_ROLE_NAME, 'admin role names are IAM role names (letters, digits and +=,.@_-, up to 64)')).default([]),
});

const ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';
/** 26 lowercase letters and digits: the shape of AppSync API ids. */
export const newApiId = (): string => Array.from({ length: 26 }, () => ALNUM[randomInt(ALNUM.length)]).join('');

function parseProps(props: Record<string, unknown>): AppSyncAuthProvider[] & { name?: string; adminRoleNames: string[] } {
  const parsed = apiProps.safeParse(props);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw RESOURCE_ERRORS.error(
      'ValidationException',
      `${APPSYNC_RESOURCE_TYPES.graphQLApi} ${issue?.path.join('.') || 'Properties'}: ${issue?.message ?? 'invalid'}`,
    );
  }
  const { Name, AdditionalAuthenticationProviders, AdminRoleNames, ...defaultProvider } = parsed.data;
  const providers: AppSyncAuthProvider[] = [defaultProvider, ...AdditionalAuthenticationProviders];
  for (const p of providers) {
    if (p.AuthenticationType === 'AMAZON_COGNITO_USER_POOLS' && !p.UserPoolConfig) {
      throw RESOURCE_ERRORS.error('ValidationException', `${APPSYNC_RESOURCE_TYPES.graphQLApi}: AMAZON_COGNITO_USER_POOLS needs UserPoolConfig.UserPoolId.`);
    }
    if (p.AuthenticationType === 'AWS_LAMBDA' && !p.LambdaAuthorizerConfig) {
      throw RESOURCE_ERRORS.error(
        'ValidationException',
        `${APPSYNC_RESOURCE_TYPES.graphQLApi}: AWS_LAMBDA needs LambdaAuthorizerConfig.AuthorizerUri (the authorizer function).`,
      );
    }
    if (p.AuthenticationType === 'OPENID_CONNECT' && !p.OpenIDConnectConfig) {
      throw RESOURCE_ERRORS.error('ValidationException', `${APPSYNC_RESOURCE_TYPES.graphQLApi}: OPENID_CONNECT needs OpenIDConnectConfig.Issuer.`);
    }
  }
  const types = providers.map((p) => p.AuthenticationType);
  const repeated = types.find((t, i) => types.indexOf(t) !== i && t !== 'AMAZON_COGNITO_USER_POOLS' && t !== 'OPENID_CONNECT');
  if (repeated) throw RESOURCE_ERRORS.error('ValidationException', `${APPSYNC_RESOURCE_TYPES.graphQLApi}: the auth mode ${repeated} is listed twice.`);
  return Object.assign(providers, { name: Name, adminRoleNames: [...new Set(AdminRoleNames)] });
}

const ownerKey = (ctx: ResourceContext): string => `${ctx.appId}/${ctx.envName}/${ctx.stackName}/${ctx.logicalId}`;

/** The environment whose stack made the API (its owner key's second part): what `${env}` means in its schema. */
export const envOfApi = (api: Pick<StoredApi, 'ownerKey'>): string => api.ownerKey.split('/')[1] ?? 'NONE';

/** The ARN of an API (`arn:aws:appsync:<region>:<account>:apis/<apiId>`). */
export const apiArn = (kernel: Kernel, apiId: string): string => `arn:aws:appsync:${kernel.config.region}:${kernel.config.accountId}:apis/${apiId}`;

/**
 * `Forte::AppSync::GraphQLApi` → physical id = ApiId; attributes `ApiId`, `Arn`, `GraphQLUrl`
 * (`<baseUrl>/graphql/<apiId>`), `RealtimeUrl` (`ws://…/graphql/<apiId>/realtime`). Auth modes, the admin
 * roles (`AdminRoleNames`) and the name change in place.
 */
export function createApiResourceHandler(kernel: Kernel, store: AppSyncStore, registry: ApiRegistry): ResourceHandler {
  const result = (api: StoredApi): ResourceResult => {
    const graphQLUrl = `${kernel.baseUrl()}/graphql/${api.apiId}`;
    return {
      physicalId: api.apiId,
      attributes: {
        ApiId: api.apiId,
        Arn: apiArn(kernel, api.apiId),
        GraphQLUrl: graphQLUrl,
        RealtimeUrl: `${graphQLUrl.replace(/^http/, 'ws')}/realtime`,
        Name: api.name,
      },
    };
  };
  return {
    async create(props, ctx) {
      const providers = parseProps(props);
      const owner = ownerKey(ctx);
      const existing = await store.apiByOwner(owner);
      const api: StoredApi = {
        apiId: existing?.apiId ?? newApiId(),
        ownerKey: owner,
        name: providers.name ?? '',
        authProviders: [...providers],
        adminRoleNames: providers.adminRoleNames,
      };
      await store.putApi(api);
      await registry.refresh(api.apiId);
      ctx.log.info(existing ? 'graphql api adopted' : 'graphql api created', { apiId: api.apiId });
      return result(api);
    },
    async update(physicalId, props, _oldProps, ctx) {
      const providers = parseProps(props);
      const existing = await store.apiById(physicalId);
      if (!existing) return 'replace';
      const api: StoredApi = { ...existing, name: providers.name ?? '', authProviders: [...providers], adminRoleNames: providers.adminRoleNames };
      await store.putApi(api);
      await registry.refresh(api.apiId);
      ctx.log.info('graphql api updated', { apiId: api.apiId });
      return result(api);
    },
    async delete(physicalId) {
      await store.deleteApi(physicalId);
      await registry.refresh(physicalId);
    },
  };
}
