import { z } from 'zod';

/**
 * The resolver plan of a GraphQL API: what the transformer decided for every model, written as plain JSON
 * so the cloud's AppSync service can execute it natively without re-reading directives. It travels with
 * the output schema in `Forte::AppSync::GraphQLSchema` (`Plan`) and is validated with
 * `graphQLApiPlanSchema` where it arrives. Bump the version on any breaking change: the cloud refuses
 * plans of a version it does not know, rather than guessing.
 */
export const GRAPHQL_PLAN_VERSION = 1;

export const DYNAMODB_TABLE_RESOURCE_TYPE = 'Forte::DynamoDB::Table';

export const graphQLAuthStrategySchema = z.enum(['owner', 'groups', 'public', 'private', 'custom']);
export const graphQLAuthProviderSchema = z.enum(['userPools', 'oidc', 'iam', 'apiKey', 'function']);
export const graphQLModelOperationSchema = z.enum(['create', 'update', 'delete', 'get', 'list', 'sync', 'listen', 'search']);

/** How a field's GraphQL type is classified for storage and filtering. */
export const graphQLPlanFieldSchema = z.object({
  name: z.string(),
  /** The named (innermost) GraphQL type, for example `String`, `AWSDateTime`, `OrderStatus`, `Post`. */
  type: z.string(),
  isList: z.boolean(),
  isRequired: z.boolean(),
  /** For lists: whether the elements are non-null (`[String!]`). */
  isListItemRequired: z.boolean().optional(),
  kind: z.enum(['scalar', 'enum', 'model', 'nonModel']),
});

/** A key: the partition field and its sort key fields (several are stored as one composite attribute). */
export const graphQLPlanKeySchema = z.object({
  partitionField: z.string(),
  sortKeyFields: z.array(z.string()),
  /** With several sort keys: the synthetic attribute holding them joined by `#`, named `a#b`. */
  compositeSortKeyAttribute: z.string().optional(),
});

export const graphQLPlanIndexSchema = graphQLPlanKeySchema.extend({
  name: z.string(),
  /** The generated query field on `Query`, when there is one. */
  queryField: z.string().optional(),
});

/**
 * A relation field. `sourceFields` are read on the item that holds the field; they are matched against
 * `targetFields` of the related model (its primary key, or the key of `indexName` when set).
 */
export const graphQLPlanRelationSchema = z.object({
  field: z.string(),
  kind: z.enum(['hasOne', 'hasMany', 'belongsTo']),
  relatedModel: z.string(),
  sourceFields: z.array(z.string()),
  targetFields: z.array(z.string()),
  /** The index of the related model queried (hasMany); absent when the related primary key is used. */
  indexName: z.string().optional(),
  /** Default page size of a hasMany field. */
  limit: z.number().int().positive().optional(),
  /** Set on the relations of a join model generated for a `@manyToMany`. */
  manyToMany: z.object({ relationName: z.string() }).optional(),
});

/** One `@auth` rule with every default filled in; `operations` is expanded (`read` = get, list, sync, listen, search). */
export const graphQLPlanAuthRuleSchema = z.object({
  strategy: graphQLAuthStrategySchema,
  provider: graphQLAuthProviderSchema,
  operations: z.array(graphQLModelOperationSchema),
  /** owner: the field holding the owner(s) (`String` or `[String]`). */
  ownerField: z.string().optional(),
  /** owner: the claim compared, for example `sub::username` (stored as `<sub>::<username>`), `sub` or `username`. */
  identityClaim: z.string().optional(),
  /** groups: the claim holding the caller's groups. */
  groupClaim: z.string().optional(),
  /** groups, static form. */
  groups: z.array(z.string()).optional(),
  /** groups, dynamic form: the item field listing the allowed group(s). */
  groupsField: z.string().optional(),
});

export const graphQLPlanOperationsSchema = z.object({
  get: z.string().optional(),
  list: z.string().optional(),
  sync: z.string().optional(),
  create: z.string().optional(),
  update: z.string().optional(),
  delete: z.string().optional(),
  onCreate: z.array(z.string()).optional(),
  onUpdate: z.array(z.string()).optional(),
  onDelete: z.array(z.string()).optional(),
  /** `on`: filtered by auth; `public`: not auth-filtered; `off`: no subscriptions. */
  subscriptionLevel: z.enum(['on', 'public', 'off']),
  /** Extra arguments of the subscriptions (owner fields), in order. */
  subscriptionArguments: z.array(z.string()),
});

export const graphQLPlanModelSchema = z.object({
  name: z.string(),
  /** Plural name used in generated names (`Inventories`). */
  pluralName: z.string(),
  /** The table's logical name (`@mapsTo` keeps the original one). */
  tableName: z.string(),
  primaryKey: graphQLPlanKeySchema,
  indexes: z.array(graphQLPlanIndexSchema),
  fields: z.array(graphQLPlanFieldSchema),
  relations: z.array(graphQLPlanRelationSchema),
  /** Names of the auto-filled timestamp fields; `null` when that timestamp is switched off. */
  timestamps: z.object({ createdAt: z.string().nullable(), updatedAt: z.string().nullable() }),
  /** `@default` values, as written in the schema (strings), by field name. */
  defaults: z.record(z.string(), z.string()),
  operations: graphQLPlanOperationsSchema,
  /** Model-level rules. Empty with `sandbox: true` means public API-key access; empty otherwise means IAM admin only. */
  authRules: z.array(graphQLPlanAuthRuleSchema),
  /** Field-level rules, replacing the model rules for that field. */
  fieldAuthRules: z.record(z.string(), z.array(graphQLPlanAuthRuleSchema)),
  /** The global sandbox rule (`input AMPLIFY { globalAuthRule }`) applies to this model (it has no `@auth`). */
  sandbox: z.boolean(),
  /** `@searchable`: the search query field. */
  searchable: z.object({ queryField: z.string() }).optional(),
  /** Conflict resolution is on: `_version`, `_deleted`, `_lastChangedAt`, soft deletes, the delta table. */
  versioned: z.object({ conflictHandler: z.enum(['OPTIMISTIC_CONCURRENCY', 'AUTOMERGE', 'LAMBDA']), lambdaConflictHandler: z.string().optional() }).optional(),
});

/** One `@function` of a field's chain: the function, where it lives, and how it is invoked. */
export const graphQLPlanFunctionCallSchema = z.object({
  /** As written: `${env}` is replaced by the API's environment when the schema is deployed. */
  name: z.string(),
  region: z.string().optional(),
  accountId: z.string().optional(),
  /** `Event` answers `{success: true}` (EventInvocationResponse) without waiting for the function. */
  invocationType: z.enum(['RequestResponse', 'Event']),
});

/** A field served by `@function` (the cloud invokes the chain) or `@http` (the cloud calls the URL). */
export const graphQLPlanExternalFieldSchema = z.object({
  typeName: z.string(),
  fieldName: z.string(),
  kind: z.enum(['function', 'http']),
  /** `@function` names in call order (`${env}` left as written). */
  functions: z.array(z.string()).optional(),
  /** `@function`s in call order, with region, account and invocation type (plans of older CLIs have only `functions`). */
  functionCalls: z.array(graphQLPlanFunctionCallSchema).optional(),
  /**
   * The field's own `@auth` rules, on a type without `@model` (Query, Mutation, …): who may call it. Absent:
   * callers of the API's default auth mode only, as AppSync serves a field without auth directives.
   */
  authRules: z.array(graphQLPlanAuthRuleSchema).optional(),
  /**
   * `@http`: the method, the URL as written (`${env}`, `${aws_region}` and `:param` path segments resolved
   * per call), the directive's headers, and the field's non-null arguments, which a call with a body must
   * carry in `query` or `body` (plans of older CLIs have neither headers nor nonNullArgs).
   */
  http: z
    .object({
      method: z.string(),
      url: z.string(),
      headers: z.array(z.object({ key: z.string(), value: z.string() })).optional(),
      nonNullArgs: z.array(z.string()).optional(),
    })
    .optional(),
});

const keySchemaElement = z.object({ AttributeName: z.string(), KeyType: z.enum(['HASH', 'RANGE']) });

/** A table in the `AWS::DynamoDB::Table` property shape, declared as `Forte::DynamoDB::Table`. */
export const graphQLPlanTableSchema = z.object({
  /** The logical name: the model name (the `@mapsTo` target when renamed). */
  TableName: z.string(),
  KeySchema: z.array(keySchemaElement),
  AttributeDefinitions: z.array(z.object({ AttributeName: z.string(), AttributeType: z.enum(['S', 'N', 'B']) })),
  GlobalSecondaryIndexes: z
    .array(z.object({ IndexName: z.string(), KeySchema: z.array(keySchemaElement), Projection: z.object({ ProjectionType: z.literal('ALL') }) }))
    .optional(),
  BillingMode: z.literal('PAY_PER_REQUEST'),
  StreamSpecification: z.object({ StreamViewType: z.literal('NEW_AND_OLD_IMAGES') }),
  /** Present with conflict resolution: soft-deleted items expire through `_ttl`. */
  TimeToLiveSpecification: z.object({ AttributeName: z.literal('_ttl'), Enabled: z.literal(true) }).optional(),
});

export const graphQLApiPlanSchema = z.object({
  version: z.literal(GRAPHQL_PLAN_VERSION),
  /** The AppSync auth modes: the default first. */
  authModes: z.object({ default: graphQLAuthProviderSchema, additional: z.array(graphQLAuthProviderSchema) }),
  models: z.array(graphQLPlanModelSchema),
  externalFields: z.array(graphQLPlanExternalFieldSchema),
  /** Conflict resolution (DataStore) is on for the API. */
  conflictResolution: z.boolean(),
  /** One table per model, in model order: the `Forte::DynamoDB::Table` properties of each. */
  tables: z.array(z.object({ modelName: z.string(), properties: graphQLPlanTableSchema })),
});

export type GraphQLAuthStrategy = z.infer<typeof graphQLAuthStrategySchema>;
export type GraphQLAuthProvider = z.infer<typeof graphQLAuthProviderSchema>;
export type GraphQLModelOperation = z.infer<typeof graphQLModelOperationSchema>;
export type GraphQLPlanField = z.infer<typeof graphQLPlanFieldSchema>;
export type GraphQLPlanFieldKind = GraphQLPlanField['kind'];
export type GraphQLPlanKey = z.infer<typeof graphQLPlanKeySchema>;
export type GraphQLPlanIndex = z.infer<typeof graphQLPlanIndexSchema>;
export type GraphQLPlanRelation = z.infer<typeof graphQLPlanRelationSchema>;
export type GraphQLPlanRelationKind = GraphQLPlanRelation['kind'];
export type GraphQLPlanAuthRule = z.infer<typeof graphQLPlanAuthRuleSchema>;
export type GraphQLPlanOperations = z.infer<typeof graphQLPlanOperationsSchema>;
export type GraphQLPlanModel = z.infer<typeof graphQLPlanModelSchema>;
export type GraphQLPlanExternalField = z.infer<typeof graphQLPlanExternalFieldSchema>;
export type GraphQLPlanFunctionCall = z.infer<typeof graphQLPlanFunctionCallSchema>;
export type GraphQLPlanTable = z.infer<typeof graphQLPlanTableSchema>;
export type GraphQLApiPlan = z.infer<typeof graphQLApiPlanSchema>;
