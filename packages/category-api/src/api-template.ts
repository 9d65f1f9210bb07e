import { APPSYNC_RESOURCE_TYPES, TEMPLATE_FORMAT_VERSION, type Template, type TemplateResource } from '@forte/protocol';
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
  plan: unknown;
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
      return { AuthenticationType: mode.mode, LambdaAuthorizerConfig: { AuthorizerUri: mode.lambdaFunction, AuthorizerResultTtlInSeconds: Number(mode.ttlSeconds ?? 300) } };
    default:
      return { AuthenticationType: mode.mode };
  }
}

/** Logical id of a model's table: `<Model>Table`, letters and digits only. */
export function tableLogicalId(modelName: string): string {
  return `${modelName.replace(/[^A-Za-z0-9]/g, '')}Table`;
}

/**
 * The nested stack of a GraphQL API, shaped like AWS's: the API (auth modes) first, then one table per
 * model named `<Model>-<apiId>-<env>` (Amplify's names), then the schema with its resolver plan and the
 * table names (so it is applied after every table exists), and the API key. Outputs carry Amplify's names
 * (GraphQLAPIIdOutput, GraphQLAPIEndpointOutput, GraphQLAPIKeyOutput) for amplify-meta and aws-exports.
 */
export function apiTemplate(config: ApiConfig, compiled: CompiledApi): Template {
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

  const resources: Record<string, TemplateResource> = {
    GraphQLAPI: {
      Type: APPSYNC_RESOURCE_TYPES.graphQLApi,
      Properties: {
        Name: joined([{ Ref: 'AppSyncApiName' }, { Ref: 'env' }]),
        ...provider(config.defaultAuthType),
        ...(config.additionalAuthTypes.length > 0 ? { AdditionalAuthenticationProviders: config.additionalAuthTypes.map(provider) } : {}),
      },
    },
  };
  const tableNames: Record<string, unknown> = {};
  for (const table of compiled.tables) {
    const id = tableLogicalId(table.modelName);
    if (resources[id]) throw new Error(`Two models map to the logical id ${id}.`);
    resources[id] = {
      Type: 'Forte::DynamoDB::Table',
      Properties: {
        ...table.properties,
        TableName: joined([table.modelName, getAtt('GraphQLAPI', 'ApiId'), { Ref: 'env' }]),
        BillingMode: { Ref: 'DynamoDBBillingMode' },
        StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
      },
    };
    tableNames[table.modelName] = getAtt(id, 'TableName');
  }
  resources.GraphQLSchema = {
    Type: APPSYNC_RESOURCE_TYPES.graphQLSchema,
    Properties: { ApiId: getAtt('GraphQLAPI', 'ApiId'), Definition: compiled.definition, Plan: compiled.plan, Tables: tableNames },
  };
  const outputs: NonNullable<Template['Outputs']> = {
    GraphQLAPIIdOutput: { Value: getAtt('GraphQLAPI', 'ApiId'), Description: 'Your GraphQL API ID.' },
    GraphQLAPIEndpointOutput: { Value: getAtt('GraphQLAPI', 'GraphQLUrl'), Description: 'Your GraphQL API endpoint.' },
  };
  if (apiKey) {
    resources.GraphQLAPIKey = {
      Type: APPSYNC_RESOURCE_TYPES.apiKey,
      Properties: { ApiId: getAtt('GraphQLAPI', 'ApiId'), ExpirationDays: apiKey.expirationTime, ...(apiKey.keyDescription ? { Description: apiKey.keyDescription } : {}) },
    };
    outputs.GraphQLAPIKeyOutput = { Value: getAtt('GraphQLAPIKey', 'ApiKey'), Description: 'Your GraphQL API key.' };
  }
  return { FormatVersion: TEMPLATE_FORMAT_VERSION, Description: `GraphQL API ${config.apiName}`, Parameters: parameters, Resources: resources, Outputs: outputs };
}
