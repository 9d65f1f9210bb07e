import { GRAPHQL_PLAN_VERSION, graphQLApiPlanSchema, type GraphQLApiPlan, type GraphQLPlanModel } from '@forte/protocol';
import { GraphQLObjectType, GraphQLScalarType, Kind, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import { fieldRulesAllow, itemRuleAllows, modelRules, operationAccess } from './auth-rules.js';
import type { ExecutionContext } from './execution-context.js';
import { AppSyncFieldError, notAuthorized } from './field-error.js';
import { checkFilterSize } from './filter-limits.js';
import { fromItem } from './item-values.js';
import { functionResolver, type FunctionAccess } from './function-resolver.js';
import { httpResolver, type HttpAccess } from './http-resolver.js';
import { listItems, type Connection } from './list-items.js';
import { primaryKeyOf, sortArgumentName } from './model-keys.js';
import { resolveRelation } from './relation-fields.js';
import { meterFieldResolvers } from './request-budget.js';
import { readOnlyResolver } from './compiled-query.js';
import { searchItems, type SearchRequest } from './search-items.js';
import { applyAwsScalars } from './aws-scalars.js';
import { buildAppSyncSchema } from './schema-prelude.js';
import { unreadableFields } from './authorize-model.js';
import { syncItems, type SyncRequest } from './sync-items.js';
import { hasExpired } from './tombstones.js';
import { conflictThroughSelection } from './conflict-data.js';
import { createItem, deleteItem, updateItem } from './write-item.js';

type Args = Record<string, unknown>;
type Resolver = GraphQLFieldResolver<unknown, ExecutionContext, Args>;

/** Checks a plan's version and shape; an unknown version is refused rather than guessed at. */
export function parsePlan(plan: unknown): GraphQLApiPlan {
  const version = (plan as { version?: unknown } | null)?.version;
  if (version !== GRAPHQL_PLAN_VERSION) {
    throw new Error(
      `the resolver plan has version ${JSON.stringify(version)}, but this cloud runs version ${GRAPHQL_PLAN_VERSION} plans: push with a CLI of the same release as the cloud.`,
    );
  }
  const parsed = graphQLApiPlanSchema.safeParse(plan);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`the resolver plan is malformed at ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

/** DynamoDB's deepest document nesting: an attribute's value is level 1. */
const MAX_AWSJSON_NESTING = 32;

/** Whether a JSON value holds anything deeper than `limit` levels (the value itself is level 1). */
function nestedDeeperThan(value: unknown, limit: number): boolean {
  const pending: Array<{ value: unknown; depth: number }> = [{ value, depth: 1 }];
  for (let next = pending.pop(); next; next = pending.pop()) {
    if (next.depth > limit) return true;
    if (typeof next.value === 'object' && next.value !== null)
      for (const child of Object.values(next.value)) pending.push({ value: child, depth: next.depth + 1 });
  }
  return false;
}

const awsJson = (scalar: GraphQLScalarType): void => {
  // AppSync takes AWSJSON as a string holding JSON, stores the parsed value and answers it as a string again.
  const parse = (value: unknown): unknown => {
    if (typeof value !== 'string') return value;
    let parsed: unknown;
    try {
      parsed = JSON.parse(value) as unknown;
    } catch {
      throw new TypeError(`Variable has an invalid value: AWSJSON must be a string holding JSON.`);
    }
    // It is stored as a DynamoDB value, which nests at most 32 levels: deeper is refused here, before
    // anything walks it recursively.
    if (nestedDeeperThan(parsed, MAX_AWSJSON_NESTING))
      throw new TypeError(`Variable has an invalid value: AWSJSON nested deeper than ${MAX_AWSJSON_NESTING} levels.`);
    return parsed;
  };
  scalar.serialize = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));
  scalar.parseValue = parse;
  scalar.parseLiteral = (ast) => (ast.kind === Kind.STRING ? parse(ast.value) : undefined);
};

/** Owners are stored as `<sub>::<username>`; clients are answered the username alone, as AppSync does. */
const ownerUsername = (value: unknown): unknown => (typeof value === 'string' && value.includes('::') ? value.slice(value.lastIndexOf('::') + 2) : value);

/**
 * The deployed SDL made executable: resolvers for every field the plan describes (`@function` fields
 * through `functions`; without it they answer that this cloud runs no functions; `@http` fields through
 * `http`). Throws an Error saying
 * what is wrong when the SDL, the plan or the tables do not fit together.
 */
export function buildExecutableApi(input: {
  definition: string;
  plan: unknown;
  tables: Record<string, string>;
  functions?: FunctionAccess | undefined;
  http?: HttpAccess | undefined;
}): {
  schema: GraphQLSchema;
  plan: GraphQLApiPlan;
} {
  const plan = parsePlan(input.plan);
  const schema = buildAppSyncSchema(input.definition);
  applyAwsScalars(schema);
  const json = schema.getType('AWSJSON');
  if (json instanceof GraphQLScalarType) awsJson(json);
  const query = schema.getQueryType();
  const mutation = schema.getMutationType();
  const objectType = (name: string): GraphQLObjectType => {
    const type = schema.getType(name);
    if (!(type instanceof GraphQLObjectType)) throw new Error(`the plan names the type ${name}, which the schema does not define`);
    return type;
  };
  const attach = (type: GraphQLObjectType | null | undefined, fieldName: string | undefined, resolve: Resolver): void => {
    if (!fieldName) return;
    const field = type?.getFields()[fieldName];
    if (!field) throw new Error(`the plan names the field ${type?.name ?? '(missing type)'}.${fieldName}, which the schema does not define`);
    field.resolve = resolve as GraphQLFieldResolver<unknown, unknown>;
  };
  // The model's reads may run in a compiled query, which may run them twice (compiled-query.ts).
  const attachRead = (type: GraphQLObjectType | null | undefined, fieldName: string | undefined, resolve: Resolver): void =>
    attach(type, fieldName, readOnlyResolver(resolve));

  const models = new Map(plan.models.map((m) => [m.name, m]));
  for (const model of plan.models) {
    if (!input.tables[model.name]) throw new Error(`Tables has no table for the model ${model.name}`);
    attachModel(model);
  }
  for (const external of plan.externalFields) {
    if (external.kind === 'function' && input.functions) {
      const resolve = functionResolver({
        field: external,
        model: models.get(external.typeName),
        defaultMode: plan.authModes.default,
        functions: input.functions,
      });
      attach(objectType(external.typeName), external.fieldName, resolve);
      continue;
    }
    if (external.kind === 'http' && external.http && input.http) {
      const resolve = httpResolver({ field: external, model: models.get(external.typeName), defaultMode: plan.authModes.default, access: input.http });
      attach(objectType(external.typeName), external.fieldName, resolve);
      continue;
    }
    const what = external.kind === 'function' ? `@function ${(external.functions ?? []).join(', ')}` : `@http ${external.http?.url ?? ''}`;
    attach(objectType(external.typeName), external.fieldName, () => {
      throw new AppSyncFieldError(
        'NotImplemented',
        external.kind === 'function'
          ? `${external.typeName}.${external.fieldName} is served by ${what.trim()}, and this cloud runs no functions (it has no lambda service).`
          : `${external.typeName}.${external.fieldName} is served by ${what.trim()}, which this cloud does not run yet.`,
      );
    });
  }
  // Every field resolved is charged to the request's budget, whatever resolves it.
  meterFieldResolvers(schema);
  return { schema, plan };

  function attachModel(model: GraphQLPlanModel): void {
    const rules = modelRules(model);
    const ops = model.operations;
    attachRead(query, ops.get, async (_source, args, ctx) => {
      const access = operationAccess(ctx.caller, rules, 'get');
      if (access.kind === 'none') throw notAuthorized(ops.get!, 'Query');
      const key = primaryKeyOf(model, args);
      if (!key) return null;
      const found = await ctx.tables.get({ table: ctx.tableNames[model.name]!, key });
      if (!found) return null;
      const item = fromItem(found);
      if (model.versioned && hasExpired(item, ctx.clock?.() ?? Date.now())) return null;
      if (access.kind === 'items' && !access.rules.some((r) => itemRuleAllows(ctx.caller, r, item))) throw notAuthorized(ops.get!, 'Query');
      return item;
    });
    const list =
      (fieldName: string, key = model.primaryKey, indexName?: string): Resolver =>
      async (_source, args, ctx) => {
        const access = operationAccess(ctx.caller, rules, 'list');
        if (access.kind === 'none') throw notAuthorized(fieldName, 'Query');
        const sortArg = sortArgumentName(key);
        return listItems(ctx, {
          model,
          key,
          ...(indexName ? { indexName } : {}),
          partitionValue: args[key.partitionField],
          sortCondition: sortArg ? (args[sortArg] as Args | null | undefined) : undefined,
          filter: args.filter as Args | null | undefined,
          limit: args.limit as number | null | undefined,
          nextToken: args.nextToken as string | null | undefined,
          sortDirection: args.sortDirection as 'ASC' | 'DESC' | null | undefined,
          access,
        });
      };
    if (ops.list) attachRead(query, ops.list, list(ops.list));
    const syncField = ops.sync;
    if (syncField)
      attachRead(query, syncField, async (_source, args, ctx) => {
        const access = operationAccess(ctx.caller, rules, 'sync');
        if (access.kind === 'none') throw notAuthorized(syncField, 'Query');
        return syncItems(ctx, { model, access, ...(args as Pick<SyncRequest, 'filter' | 'limit' | 'nextToken' | 'lastSync'>) });
      });
    for (const index of model.indexes) if (index.queryField) attachRead(query, index.queryField, list(index.queryField, index, index.name));
    if (model.searchable) {
      const fieldName = model.searchable.queryField;
      attachRead(query, fieldName, async (_source, args, ctx) => {
        const access = operationAccess(ctx.caller, rules, 'search');
        if (access.kind === 'none') throw notAuthorized(fieldName, 'Query');
        return searchItems(ctx, { model, access, ...(args as Omit<SearchRequest, 'model' | 'access'>) });
      });
    }
    const write = (fieldName: string | undefined, operation: 'create' | 'update' | 'delete', run: typeof createItem): void =>
      attach(mutation, fieldName, async (_source, args, ctx, info) => {
        checkFilterSize(args.condition, ctx.limits, 'condition');
        const access = operationAccess(ctx.caller, rules, operation);
        try {
          return await run(ctx, model, access, fieldName!, (args.input ?? {}) as Args, (args.condition ?? undefined) as Args | undefined, {
            functions: input.functions,
            arguments: args,
          });
        } catch (error) {
          throw await conflictThroughSelection(error, info, ctx, (item) => unreadableFields(ctx.caller, model, item));
        }
      });
    write(ops.create, 'create', createItem);
    write(ops.update, 'update', updateItem);
    write(ops.delete, 'delete', deleteItem);
    attachItemFields(model);
    const connection = schema.getType(`Model${model.name}Connection`);
    if (connection instanceof GraphQLObjectType && connection.getFields().totalCount) {
      attach(connection, 'totalCount', (source) => (source as Connection).totalCount());
    }
  }

  function attachItemFields(model: GraphQLPlanModel): void {
    const type = objectType(model.name);
    const fields = type.getFields();
    const strippedOwners = new Set(
      [...model.authRules, ...Object.values(model.fieldAuthRules).flat()]
        .filter((r) => r.strategy === 'owner' && (r.identityClaim ?? 'sub::username') === 'sub::username')
        .map((r) => r.ownerField ?? 'owner'),
    );
    for (const [name, field] of Object.entries(fields)) {
      const relation = model.relations.find((r) => r.field === name);
      const related = relation && models.get(relation.relatedModel);
      const guarded = model.fieldAuthRules[name] !== undefined;
      const strip = strippedOwners.has(name);
      if (!relation && !guarded && !strip) continue;
      // Synchronous unless it reads a relation: a promise per item and field would make graphql-js wait on
      // every item of a list.
      field.resolve = readOnlyResolver((source: Args, args: Args, ctx: ExecutionContext) => {
        if (guarded && !fieldRulesAllow(ctx.caller, model, name, source, 'get')) throw notAuthorized(name, model.name);
        if (relation && related) return resolveRelation(ctx, { relation, related, source, args, typeName: model.name });
        const value = source[name];
        return strip ? (Array.isArray(value) ? value.map(ownerUsername) : ownerUsername(value)) : value;
      }) as GraphQLFieldResolver<unknown, unknown>;
    }
  }
}
