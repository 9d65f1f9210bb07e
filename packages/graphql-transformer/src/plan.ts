/**
 * The resolver plan: what every model's generated operations do, in plain JSON for the cloud (see
 * `GraphQLApiPlan` in @forte/protocol), and its tables in the `AWS::DynamoDB::Table` property shape.
 */
import type {
  GraphQLApiPlan,
  GraphQLPlanField,
  GraphQLPlanFieldKind,
  GraphQLPlanIndex,
  GraphQLPlanKey,
  GraphQLPlanModel,
  GraphQLPlanTable,
} from '@forte/protocol';
import { GRAPHQL_PLAN_VERSION } from '@forte/protocol';
import type { TypeNode } from 'graphql';
import { DEFAULT_SCALARS, baseTypeName, fieldNamed, isListItemNonNull, isListType, isNonNullType, isScalarName } from './ast.js';
import { configuredProviders, defaultProvider } from './auth.js';
import type { Context, ModelState } from './context.js';
import { plural, upperFirst } from './naming.js';

const COMPOSITE_SEPARATOR = '#';

const key = (partitionField: string, sortKeyFields: string[]): GraphQLPlanKey => ({
  partitionField,
  sortKeyFields,
  ...(sortKeyFields.length > 1 ? { compositeSortKeyAttribute: sortKeyFields.join(COMPOSITE_SEPARATOR) } : {}),
});

const kindOf = (ctx: Context, typeName: string): GraphQLPlanFieldKind => {
  if (ctx.isModel(typeName)) return 'model';
  if (ctx.isEnum(typeName)) return 'enum';
  if (isScalarName(typeName)) return 'scalar';
  return 'nonModel';
};

export const planField = (ctx: Context, name: string, type: TypeNode): GraphQLPlanField => {
  const typeName = baseTypeName(type);
  const isList = isListType(type);
  return {
    name,
    type: typeName,
    isList,
    isRequired: isNonNullType(type),
    ...(isList ? { isListItemRequired: isListItemNonNull(type) } : {}),
    kind: kindOf(ctx, typeName),
  };
};

/** The model's fields in the output schema; relation fields keep the related model as their type. */
const modelFields = (ctx: Context, m: ModelState): GraphQLPlanField[] =>
  (ctx.output.object(m.name)?.fields ?? []).map((f) => planField(ctx, f.name, fieldNamed(m.def.fields, f.name)?.type ?? f.type));

const attributeType = (ctx: Context, m: ModelState, attribute: string): 'S' | 'N' => {
  if (attribute.includes(COMPOSITE_SEPARATOR)) return 'S';
  const f = ctx.output.object(m.name)?.fields.find((x) => x.name === attribute);
  const base = f ? baseTypeName(f.type) : 'ID';
  const scalar = DEFAULT_SCALARS[base];
  return scalar === 'Int' || scalar === 'Float' ? 'N' : 'S';
};

const keySchema = (k: GraphQLPlanKey) => {
  const range = k.compositeSortKeyAttribute ?? k.sortKeyFields[0];
  return [{ AttributeName: k.partitionField, KeyType: 'HASH' as const }, ...(range ? [{ AttributeName: range, KeyType: 'RANGE' as const }] : [])];
};

const table = (ctx: Context, m: ModelState, primaryKey: GraphQLPlanKey, indexes: GraphQLPlanIndex[]): GraphQLPlanTable => {
  const attributes: string[] = [];
  const use = (k: GraphQLPlanKey) => {
    for (const a of keySchema(k)) if (!attributes.includes(a.AttributeName)) attributes.push(a.AttributeName);
  };
  use(primaryKey);
  indexes.forEach(use);
  return {
    TableName: m.tableName,
    KeySchema: keySchema(primaryKey),
    AttributeDefinitions: attributes.map((a) => ({ AttributeName: a, AttributeType: attributeType(ctx, m, a) })),
    ...(indexes.length > 0
      ? { GlobalSecondaryIndexes: indexes.map((i) => ({ IndexName: i.name, KeySchema: keySchema(i), Projection: { ProjectionType: 'ALL' as const } })) }
      : {}),
    BillingMode: 'PAY_PER_REQUEST',
    StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
    ...(ctx.syncEnabled ? { TimeToLiveSpecification: { AttributeName: '_ttl' as const, Enabled: true as const } } : {}),
  };
};

const planModel = (ctx: Context, m: ModelState): GraphQLPlanModel => {
  const c = m.config;
  const subscriptionFields = [...(c.subscriptions?.onCreate ?? []), ...(c.subscriptions?.onUpdate ?? []), ...(c.subscriptions?.onDelete ?? [])];
  const firstSubscription = ctx.output.object('Subscription')?.fields.find((f) => subscriptionFields.includes(f.name));
  const optional = <K extends string>(k: K, v: string | null | undefined): Partial<Record<K, string>> => (v ? ({ [k]: v } as Record<K, string>) : {});
  const subs = (k: 'onCreate' | 'onUpdate' | 'onDelete', mutation: string | null | undefined) => {
    const v = c.subscriptions?.[k];
    return v && mutation && c.subscriptions?.level !== 'off' ? { [k]: v } : {};
  };
  const indexes = m.indexes.map((i) => ({
    name: i.name,
    ...key(i.partitionField, i.sortKeyFields),
    ...(i.queryField && !i.generated ? { queryField: i.queryField } : {}),
  }));
  const sync = m.sync;
  return {
    name: m.name,
    pluralName: plural(upperFirst(m.name)),
    tableName: m.tableName,
    primaryKey: key(m.primaryKey.partitionField, m.primaryKey.sortKeyFields),
    indexes,
    fields: modelFields(ctx, m),
    relations: m.relations,
    timestamps: { ...m.config.timestamps },
    defaults: { ...m.defaults },
    operations: {
      ...optional('get', c.queries?.get),
      ...optional('list', c.queries?.list),
      ...optional('sync', c.queries?.sync),
      ...optional('create', c.mutations?.create),
      ...optional('update', c.mutations?.update),
      ...optional('delete', c.mutations?.delete),
      ...subs('onCreate', c.mutations?.create),
      ...subs('onUpdate', c.mutations?.update),
      ...subs('onDelete', c.mutations?.delete),
      subscriptionLevel: c.subscriptions?.level ?? 'off',
      subscriptionArguments: (firstSubscription?.args ?? []).map((a) => a.name).filter((n) => n !== 'filter'),
    },
    authRules: m.authRules,
    fieldAuthRules: Object.fromEntries(m.fieldAuthRules),
    sandbox: !m.hasAuth && ctx.params.sandboxModeEnabled,
    ...(m.searchQuery ? { searchable: { queryField: m.searchQuery } } : {}),
    ...(sync && sync.ConflictDetection === 'VERSION'
      ? {
          versioned: {
            conflictHandler: sync.ConflictHandler ?? 'AUTOMERGE',
            ...(sync.LambdaConflictHandler ? { lambdaConflictHandler: sync.LambdaConflictHandler.name } : {}),
          },
        }
      : {}),
  };
};

export const buildPlan = (ctx: Context): GraphQLApiPlan => {
  const models = [...ctx.models.values()].map((m) => planModel(ctx, m));
  const tables = models.map((pm) => ({ modelName: pm.name, properties: table(ctx, ctx.model(pm.name), pm.primaryKey, pm.indexes) }));
  const [first, ...rest] = configuredProviders(ctx);
  return {
    version: GRAPHQL_PLAN_VERSION,
    authModes: { default: first ?? defaultProvider(ctx), additional: rest },
    models,
    externalFields: ctx.externalFields.map((f) => ({ ...f })),
    conflictResolution: ctx.syncEnabled,
    tables,
  };
};
