import {
  APPSYNC_RESOURCE_TYPES,
  RESOURCE_TYPES,
  TEMPLATE_FORMAT_VERSION,
  type GraphQLApiPlan,
  type GraphQLModelOperation,
  type GraphQLPlanAuthRule,
  type GraphQLPlanModel,
  type Template,
  type TemplateResource,
} from '@forte/protocol';
import { authModes, type ApiConfig, type AuthMode } from './api-config.js';

/** A table of the transformer's output, in the `Forte::DynamoDB::Table` (= AWS::DynamoDB::Table) property shape. */
export interface ModelTable {
  /** The model the table stores. */
  modelName: string;
  properties: Record<string, unknown>;
}

export interface CompiledApi {
  /** The output schema (SDL). */
  definition: string;
  /** The resolver plan (data). */
  plan: GraphQLApiPlan;
  tables: ModelTable[];
}

const getAtt = (id: string, attribute: string): unknown => ({ 'Fn::GetAtt': [id, attribute] });
const joined = (parts: unknown[], separator = '-'): unknown => ({ 'Fn::Join': [separator, parts] });

function provider(mode: AuthMode): Record<string, unknown> {
  switch (mode.mode) {
    case 'AMAZON_COGNITO_USER_POOLS':
      return { AuthenticationType: mode.mode, UserPoolConfig: { UserPoolId: { Ref: 'AuthCognitoUserPoolId' }, AwsRegion: { Ref: 'AWS::Region' } } };
    case 'OPENID_CONNECT':
      return {
        AuthenticationType: mode.mode,
        OpenIDConnectConfig: {
          Issuer: mode.openIDIssuerURL,
          ...(mode.openIDClientID ? { ClientId: mode.openIDClientID } : {}),
          ...(mode.openIDIatTTL ? { IatTTL: Number(mode.openIDIatTTL) } : {}),
          ...(mode.openIDAuthTTL ? { AuthTTL: Number(mode.openIDAuthTTL) } : {}),
        },
      };
    case 'AWS_LAMBDA':
      return {
        AuthenticationType: mode.mode,
        // The function resource's deployed name, `<name>-<env>`, as Amplify's transformer builds the authorizer's ARN.
        LambdaAuthorizerConfig: {
          AuthorizerUri: joined(
            ['arn:aws:lambda:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':function:', mode.lambdaFunction, '-', { Ref: 'env' }],
            '',
          ),
          AuthorizerResultTtlInSeconds: Number(mode.ttlSeconds ?? 300),
        },
      };
    default:
      return { AuthenticationType: mode.mode };
  }
}

/** A `types/<Type>/fields/<field>` (or `types/<Type>/*` when `field` is null) resource of the API. */
interface GraphQLResource {
  typeName: string;
  fieldName: string | null;
}

/** The root fields a model operation is served by (index queries are list operations, as in Amplify). */
function operationFields(model: GraphQLPlanModel, operation: GraphQLModelOperation): GraphQLResource[] {
  const ops = model.operations;
  const query = (...names: (string | undefined)[]): GraphQLResource[] =>
    names.filter((n): n is string => !!n).map((fieldName) => ({ typeName: 'Query', fieldName }));
  switch (operation) {
    case 'get':
      return query(ops.get);
    case 'list':
      return query(ops.list, ...model.indexes.map((index) => index.queryField));
    case 'sync':
      return query(ops.sync);
    case 'search':
      return query(model.searchable?.queryField);
    case 'create':
    case 'update':
    case 'delete':
      return ops[operation] ? [{ typeName: 'Mutation', fieldName: ops[operation] }] : [];
    case 'listen':
      return ops.subscriptionLevel === 'off'
        ? []
        : [...(ops.onCreate ?? []), ...(ops.onUpdate ?? []), ...(ops.onDelete ?? [])].map((fieldName) => ({ typeName: 'Subscription', fieldName }));
  }
}

/**
 * What the identity pool roles may call, as Amplify's auth transformer grants it: every field (and model
 * type) an `@auth` rule with provider iam opens; a public rule opens it to both roles (AppSync's resolver
 * then refuses a signed-in caller a public-only operation), a private rule to the authenticated role.
 * Per field, like Amplify; the model types themselves as `types/<Model>/*`.
 */
function iamPolicyResources(plan: GraphQLApiPlan): { auth: GraphQLResource[]; unauth: GraphQLResource[] } {
  const auth = new Map<string, GraphQLResource>();
  const unauth = new Map<string, GraphQLResource>();
  const grant = (rules: GraphQLPlanAuthRule[], resources: GraphQLResource[]): void => {
    const iam = rules.filter((rule) => rule.provider === 'iam');
    const isPublic = iam.some((rule) => rule.strategy === 'public');
    const isPrivate = iam.some((rule) => rule.strategy === 'private');
    for (const resource of resources) {
      const key = `${resource.typeName}/${resource.fieldName ?? '*'}`;
      if (isPublic) unauth.set(key, resource);
      if (isPublic || isPrivate) auth.set(key, resource);
    }
  };
  for (const model of plan.models) {
    grant(model.authRules, [{ typeName: model.name, fieldName: null }]);
    for (const operation of new Set(model.authRules.flatMap((rule) => rule.operations))) {
      grant(
        model.authRules.filter((rule) => rule.operations.includes(operation)),
        operationFields(model, operation),
      );
    }
    for (const [fieldName, rules] of Object.entries(model.fieldAuthRules)) grant(rules, [{ typeName: model.name, fieldName }]);
  }
  for (const field of plan.externalFields) if (field.authRules) grant(field.authRules, [{ typeName: field.typeName, fieldName: field.fieldName }]);
  return { auth: [...auth.values()], unauth: [...unauth.values()] };
}

// Amplify splits a role's grants into policies of at most about 6000 bytes (IAM's limit is 6144).
const MAX_POLICY_BYTES = 6000;
const RESOURCE_OVERHEAD_BYTES = 100;

function chunkResources(resources: GraphQLResource[]): GraphQLResource[][] {
  const chunks: GraphQLResource[][] = [];
  let current: GraphQLResource[] = [];
  let size = 0;
  for (const resource of resources) {
    const bytes = RESOURCE_OVERHEAD_BYTES + resource.typeName.length + (resource.fieldName?.length ?? 0);
    if (current.length > 0 && size + bytes > MAX_POLICY_BYTES) {
      chunks.push(current);
      current = [];
      size = 0;
    }
    current.push(resource);
    size += bytes;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

const resourceArn = (resource: GraphQLResource): unknown => ({
  'Fn::Sub': [
    resource.fieldName === null
      ? 'arn:aws:appsync:${AWS::Region}:${AWS::AccountId}:apis/${apiId}/types/${typeName}/*'
      : 'arn:aws:appsync:${AWS::Region}:${AWS::AccountId}:apis/${apiId}/types/${typeName}/fields/${fieldName}',
    { apiId: getAtt('GraphQLAPI', 'ApiId'), typeName: resource.typeName, ...(resource.fieldName === null ? {} : { fieldName: resource.fieldName }) },
  ],
});

/** `AuthRolePolicy01…` / `UnauthRolePolicy01…`: `appsync:GraphQL` on the granted resources, attached to the root stack's role. */
function rolePolicies(prefix: 'AuthRolePolicy' | 'UnauthRolePolicy', roleParameter: string, resources: GraphQLResource[]): Record<string, TemplateResource> {
  const out: Record<string, TemplateResource> = {};
  chunkResources(resources).forEach((chunk, i) => {
    const logicalId = `${prefix}${String(i + 1).padStart(2, '0')}`;
    out[logicalId] = {
      Type: RESOURCE_TYPES.policy,
      Properties: {
        PolicyName: joined([{ Ref: 'AppSyncApiName' }, { Ref: 'env' }, logicalId]),
        PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['appsync:GraphQL'], Resource: chunk.map(resourceArn) }] },
        Roles: [{ Ref: roleParameter }],
      },
    };
  });
  return out;
}

/**
 * The table's composite sort key attributes (`a#b` holds `a` and `b`), for `CompositeKeyAttributes`: a key
 * change or a new index then computes them for the items written before they were keys.
 */
export function compositeKeyAttributes(model: GraphQLPlanModel | undefined): { AttributeName: string; SourceAttributes: string[] }[] {
  const out = new Map<string, string[]>();
  for (const key of model ? [model.primaryKey, ...model.indexes] : []) {
    if (key.sortKeyFields.length > 1) out.set(key.compositeSortKeyAttribute ?? key.sortKeyFields.join('#'), key.sortKeyFields);
  }
  return [...out].map(([AttributeName, SourceAttributes]) => ({ AttributeName, SourceAttributes }));
}

/** Logical id of a model's table: `<Model>Table`, letters and digits only. */
export function tableLogicalId(modelName: string): string {
  return `${modelName.replace(/[^A-Za-z0-9]/g, '')}Table`;
}

/**
 * The exports of a model's table, with the output ids and export names of Amplify's model transformer,
 * which functions import (`Fn::ImportValue` of `${api<name>GraphQLAPIIdOutput}:GetAtt:<Model>Table:Name`
 * and `:StreamArn`).
 */
function modelTableExports(tableId: string): NonNullable<Template['Outputs']> {
  const exportName = (attribute: string): unknown => ({ Name: joined([getAtt('GraphQLAPI', 'ApiId'), 'GetAtt', tableId, attribute], ':') });
  return {
    [`GetAtt${tableId}StreamArn`]: { Value: getAtt(tableId, 'StreamArn'), Description: 'Your DynamoDB table StreamArn.', Export: exportName('StreamArn') },
    [`GetAtt${tableId}Name`]: { Value: { Ref: tableId }, Description: 'Your DynamoDB table name.', Export: exportName('Name') },
  };
}

/**
 * The nested stack of a GraphQL API, shaped like AWS's: the API (auth modes) first, then one table per
 * model named `<Model>-<apiId>-<env>` (Amplify's names), then the schema with its resolver plan and the
 * table names (so it is applied after every table exists), and the API key. Outputs carry Amplify's names
 * (GraphQLAPIIdOutput, GraphQLAPIEndpointOutput, GraphQLAPIKeyOutput) for amplify-meta and aws-exports,
 * and each table's exports (`GetAtt<Model>TableName`, `GetAtt<Model>TableStreamArn`) for functions.
 * With AWS_IAM among the modes, it takes the root stack's `authRoleName` / `unauthRoleName` and attaches
 * `AuthRolePolicy01…` / `UnauthRolePolicy01…` (`Forte::IAM::Policy`) granting what the iam rules open.
 */
export function apiTemplate(config: ApiConfig, compiled: CompiledApi, adminRoles: readonly string[] = []): Template {
  const modes = authModes(config);
  const usesUserPools = modes.some((m) => m.mode === 'AMAZON_COGNITO_USER_POOLS');
  const apiKey = modes.find((m): m is Extract<AuthMode, { mode: 'API_KEY' }> => m.mode === 'API_KEY');
  const parameters: NonNullable<Template['Parameters']> = {
    env: { Type: 'String' },
    AppId: { Type: 'String' },
    AppSyncApiName: { Type: 'String', Default: config.apiName },
    DynamoDBBillingMode: { Type: 'String', Default: 'PAY_PER_REQUEST' },
    DynamoDBEnableServerSideEncryption: { Type: 'String', Default: 'false' },
    CreateAPIKey: { Type: 'Number', Default: 1 },
  };
  if (usesUserPools) parameters.AuthCognitoUserPoolId = { Type: 'String' };
  // The root stack passes its identity pool roles to a template that declares them (Amplify's names).
  const usesIam = modes.some((m) => m.mode === 'AWS_IAM');
  if (usesIam) {
    parameters.authRoleName = { Type: 'String' };
    parameters.unauthRoleName = { Type: 'String' };
  }

  const resources: Record<string, TemplateResource> = {
    GraphQLAPI: {
      Type: APPSYNC_RESOURCE_TYPES.graphQLApi,
      Properties: {
        Name: joined([{ Ref: 'AppSyncApiName' }, { Ref: 'env' }]),
        ...provider(config.defaultAuthType),
        ...(config.additionalAuthTypes.length > 0 ? { AdditionalAuthenticationProviders: config.additionalAuthTypes.map(provider) } : {}),
        // Amplify's admin roles (admin-roles.ts, templateAdminRoles).
        ...(adminRoles.length > 0 ? { AdminRoleNames: [...adminRoles] } : {}),
      },
    },
  };
  const tableNames: Record<string, unknown> = {};
  const tableExports: NonNullable<Template['Outputs']> = {};
  for (const table of compiled.tables) {
    const id = tableLogicalId(table.modelName);
    if (resources[id]) throw new Error(`Two models map to the logical id ${id}.`);
    const composites = compositeKeyAttributes(compiled.plan.models.find((m) => m.name === table.modelName));
    resources[id] = {
      Type: 'Forte::DynamoDB::Table',
      Properties: {
        ...table.properties,
        TableName: joined([table.modelName, getAtt('GraphQLAPI', 'ApiId'), { Ref: 'env' }]),
        BillingMode: { Ref: 'DynamoDBBillingMode' },
        StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
        ...(composites.length > 0 ? { CompositeKeyAttributes: composites } : {}),
      },
    };
    tableNames[table.modelName] = getAtt(id, 'TableName');
    Object.assign(tableExports, modelTableExports(id));
  }
  if (usesIam) {
    const granted = iamPolicyResources(compiled.plan);
    Object.assign(resources, rolePolicies('AuthRolePolicy', 'authRoleName', granted.auth), rolePolicies('UnauthRolePolicy', 'unauthRoleName', granted.unauth));
  }
  resources.GraphQLSchema = {
    Type: APPSYNC_RESOURCE_TYPES.graphQLSchema,
    Properties: { ApiId: getAtt('GraphQLAPI', 'ApiId'), Definition: compiled.definition, Plan: compiled.plan, Tables: tableNames },
  };
  const outputs: NonNullable<Template['Outputs']> = {
    GraphQLAPIIdOutput: { Value: getAtt('GraphQLAPI', 'ApiId'), Description: 'Your GraphQL API ID.' },
    GraphQLAPIEndpointOutput: { Value: getAtt('GraphQLAPI', 'GraphQLUrl'), Description: 'Your GraphQL API endpoint.' },
    ...tableExports,
  };
  if (apiKey) {
    resources.GraphQLAPIKey = {
      Type: APPSYNC_RESOURCE_TYPES.apiKey,
      Properties: {
        ApiId: getAtt('GraphQLAPI', 'ApiId'),
        ExpirationDays: apiKey.expirationTime,
        ...(apiKey.keyDescription ? { Description: apiKey.keyDescription } : {}),
      },
    };
    outputs.GraphQLAPIKeyOutput = { Value: getAtt('GraphQLAPIKey', 'ApiKey'), Description: 'Your GraphQL API key.' };
  }
  return {
    FormatVersion: TEMPLATE_FORMAT_VERSION,
    Description: `GraphQL API ${config.apiName}`,
    Parameters: parameters,
    Resources: resources,
    Outputs: outputs,
  };
}
