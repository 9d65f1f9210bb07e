import { createHash } from 'node:crypto';
import { APPSYNC_RESOURCE_TYPES, type ForteError } from '@forte/protocol';
import { z } from 'zod';
import type { Kernel, ResourceContext, ResourceHandler, ResourceResult } from '../../kernel/types.js';
import { checkConflictHandlers, checkFunctionFields, functionAccessFor } from './function-check.js';
import type { FunctionAccess } from './function-resolver.js';
import type { ApiRegistry, BuiltSchema } from './api-registry.js';
import type { AppSyncStore, StoredSchema } from './appsync-store.js';
import { buildExecutableApi } from './executable-schema.js';
import type { HttpAccess, HttpResolverSettings } from './http-resolver.js';
import { RESOURCE_ERRORS } from '../../kernel/resource-errors.js';

const schemaProps = z.object({
  ApiId: z.string().regex(/^[a-z0-9]{26}$/, 'must be the ApiId of a Forte::AppSync::GraphQLApi'),
  Definition: z.string().min(1, 'the schema definition is empty'),
  Plan: z.unknown(),
  Tables: z.record(z.string(), z.string()),
});

const invalid = (message: string, cause?: unknown): ForteError =>
  RESOURCE_ERRORS.error('ValidationException', `${APPSYNC_RESOURCE_TYPES.graphQLSchema}: ${message}`, { cause });

/**
 * Checks what a schema resource brings (SDL, plan, tables) the way serving it will: refuses what would not
 * run. The executable schema built to check it is the one then served.
 */
function parseProps(props: Record<string, unknown>, functions: FunctionAccess | undefined, http: HttpAccess): { stored: StoredSchema; built: BuiltSchema } {
  const parsed = schemaProps.safeParse(props);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw invalid(`${issue?.path.join('.') || 'Properties'}: ${issue?.message ?? 'invalid'}`);
  }
  const p = parsed.data;
  let executable: Omit<BuiltSchema, 'definitionHash'>;
  try {
    executable = buildExecutableApi({ definition: p.Definition, plan: p.Plan, tables: p.Tables, functions, http });
  } catch (error) {
    throw invalid(error instanceof Error ? error.message : String(error), error);
  }
  const definitionHash = createHash('sha256')
    .update(JSON.stringify([p.Definition, p.Plan, p.Tables]))
    .digest('hex');
  return { stored: { apiId: p.ApiId, definition: p.Definition, plan: p.Plan, tables: p.Tables, definitionHash }, built: { definitionHash, ...executable } };
}

/**
 * `Forte::AppSync::GraphQLSchema` → physical id `<apiId>/schema`, attribute `DefinitionHash`. The schema is
 * validated (SDL with AppSync's scalars and directives, the resolver plan and its version, a table for every
 * model) before it replaces the served one; a new ApiId replaces the resource.
 */
export function createSchemaResourceHandler(kernel: Kernel, store: AppSyncStore, registry: ApiRegistry, http: HttpResolverSettings): ResourceHandler {
  const result = (schema: StoredSchema): ResourceResult => ({ physicalId: `${schema.apiId}/schema`, attributes: { DefinitionHash: schema.definitionHash } });
  const parse = (props: Record<string, unknown>, ctx: ResourceContext) =>
    parseProps(props, functionAccessFor(kernel, ctx.envName), { env: ctx.envName, region: kernel.config.region, settings: http });
  const put = async ({ stored, built }: { stored: StoredSchema; built: BuiltSchema }, ctx: ResourceContext): Promise<ResourceResult> => {
    if (!(await store.apiById(stored.apiId)))
      throw RESOURCE_ERRORS.error('ResourceNotFoundException', `${APPSYNC_RESOURCE_TYPES.graphQLSchema}: no GraphQL API ${stored.apiId}.`);
    const warnings = [
      ...(await checkFunctionFields(kernel, built.plan, ctx.envName, ctx.pendingValues)),
      ...(await checkConflictHandlers(kernel, built.plan, ctx.envName, ctx.pendingValues)),
    ];
    registry.prepare(stored.apiId, built);
    await store.putSchema(stored);
    await registry.refresh(stored.apiId);
    return warnings.length === 0 ? result(stored) : { ...result(stored), warnings };
  };
  return {
    replaceOn: ['ApiId'],
    // The functions its @function fields call must exist when it is checked.
    appliedAfter: ['AWS::Lambda::Function'],
    async create(props, ctx) {
      const schema = await put(parse(props, ctx), ctx);
      ctx.log.info('graphql schema deployed', { apiId: schema.physicalId });
      return schema;
    },
    async update(physicalId, props, _oldProps, ctx) {
      const schema = parse(props, ctx);
      if (physicalId !== `${schema.stored.apiId}/schema`) return 'replace';
      const out = await put(schema, ctx);
      ctx.log.info('graphql schema updated', { apiId: schema.stored.apiId });
      return out;
    },
    async delete(physicalId) {
      const apiId = physicalId.replace(/\/schema$/, '');
      await store.deleteSchema(apiId);
      await registry.refresh(apiId);
    },
  };
}
