import { randomInt } from 'node:crypto';
import { APPSYNC_RESOURCE_TYPES } from '@forte/protocol';
import { z } from 'zod';
import type { Kernel, ResourceContext, ResourceHandler, ResourceResult } from '../../kernel/types.js';
import { apiArn } from './api-resource.js';
import type { ApiRegistry } from './api-registry.js';
import type { AppSyncStore, StoredApiKey } from './appsync-store.js';
import { RESOURCE_ERRORS } from '../../kernel/resource-errors.js';

const keyProps = z.object({
  ApiId: z.string().regex(/^[a-z0-9]{26}$/, 'must be the ApiId of a Forte::AppSync::GraphQLApi'),
  Description: z.string().max(256).optional(),
  ExpirationDays: z.number().int().min(1, 'API keys live 1 to 365 days').max(365, 'API keys live 1 to 365 days'),
});

const ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';
/** `da2-` + 26 lowercase letters and digits: the shape of AppSync API keys. */
export const newApiKey = (): string => `da2-${Array.from({ length: 26 }, () => ALNUM[randomInt(ALNUM.length)]).join('')}`;

const DAY_SECONDS = 24 * 60 * 60;
const ownerKey = (ctx: ResourceContext): string => `${ctx.appId}/${ctx.envName}/${ctx.stackName}/${ctx.logicalId}`;

function parseProps(props: Record<string, unknown>): z.infer<typeof keyProps> {
  const parsed = keyProps.safeParse(props);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw RESOURCE_ERRORS.error(
      'ValidationException',
      `${APPSYNC_RESOURCE_TYPES.apiKey} ${issue?.path.join('.') || 'Properties'}: ${issue?.message ?? 'invalid'}`,
    );
  }
  return parsed.data;
}

/**
 * `Forte::AppSync::ApiKey` → physical id = the key; attributes `ApiKey`, `Arn`, `Expires` (epoch seconds).
 * A new ApiId replaces the key; a new ExpirationDays moves the expiry to that many days from now.
 */
export function createApiKeyResourceHandler(kernel: Kernel, store: AppSyncStore, registry: ApiRegistry, now: () => number = Date.now): ResourceHandler {
  const result = (key: StoredApiKey): ResourceResult => ({
    physicalId: key.apiKey,
    attributes: { ApiKey: key.apiKey, Arn: `${apiArn(kernel, key.apiId)}/apikeys/${key.apiKey.slice(0, 8)}`, Expires: key.expiresAt },
  });
  const expiry = (days: number): number => Math.floor(now() / 1000) + days * DAY_SECONDS;
  const requireApi = async (apiId: string): Promise<void> => {
    if (!(await store.apiById(apiId))) throw RESOURCE_ERRORS.error('ResourceNotFoundException', `${APPSYNC_RESOURCE_TYPES.apiKey}: no GraphQL API ${apiId}.`);
  };
  return {
    replaceOn: ['ApiId'],
    async create(props, ctx) {
      const p = parseProps(props);
      await requireApi(p.ApiId);
      const owner = ownerKey(ctx);
      const existing = await store.keyByOwner(owner);
      const key: StoredApiKey = {
        apiKey: existing?.apiKey ?? newApiKey(),
        apiId: p.ApiId,
        ownerKey: owner,
        description: p.Description,
        expiresAt: expiry(p.ExpirationDays),
      };
      await store.putKey(key);
      await registry.refresh(key.apiId);
      ctx.log.info(existing ? 'api key adopted' : 'api key created', { apiId: key.apiId, expires: key.expiresAt });
      return result(key);
    },
    async update(physicalId, props, oldProps, ctx) {
      const p = parseProps(props);
      const existing = await store.key(physicalId);
      if (!existing || existing.apiId !== p.ApiId) return 'replace';
      const expiresAt = oldProps.ExpirationDays === p.ExpirationDays ? existing.expiresAt : expiry(p.ExpirationDays);
      const key: StoredApiKey = { ...existing, description: p.Description, expiresAt };
      await store.putKey(key);
      await registry.refresh(key.apiId);
      ctx.log.info('api key updated', { apiId: key.apiId, expires: key.expiresAt });
      return result(key);
    },
    async delete(physicalId) {
      const key = await store.key(physicalId);
      await store.deleteKey(physicalId);
      if (key) await registry.refresh(key.apiId);
    },
  };
}
