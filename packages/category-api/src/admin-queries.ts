import { mkdirSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError, type BackendConfig, type BackendResource, type PluginContext, type Template } from '@forte/protocol';
import { CATEGORY, CLI_INPUTS_FILE, PROVIDER_PLUGIN } from './api-config.js';
import { ADMIN_QUERIES_NAME, CRUD_OPERATIONS, REST_SERVICE, type RestInputs } from './rest-config.js';

const ref = (name: string): { Ref: string } => ({ Ref: name });
const join_ = (parts: unknown[], separator = ''): unknown => ({ 'Fn::Join': [separator, parts] });
const stage = (): unknown => ({ 'Fn::If': ['ShouldNotCreateEnvResources', 'Prod', ref('env')] });

/** What the auth category passes (Amplify's `addAdminQueriesApi` / `updateAdminQueriesApi` props). */
export interface AdminQueriesApiProps {
  apiName?: string;
  functionName: string;
  authResourceName: string;
  dependsOn?: BackendResource['dependsOn'];
}

/**
 * Writes the `AdminQueries` REST API as Amplify's api category does for the auth category: cli-inputs.json
 * with the single `/{proxy+}` path to the function (private, every operation), an empty parameters.json, and
 * the backend-config / amplify-meta entry (`authorizationType: AMAZON_COGNITO_USER_POOLS`, depending on the
 * user pool id and the function). Called again by `update auth`, it points the API at the function given.
 */
export function addAdminQueriesApi(ctx: PluginContext, props: AdminQueriesApiProps): string {
  const { functionName, authResourceName } = props ?? ({} as AdminQueriesApiProps);
  if (typeof functionName !== 'string' || typeof authResourceName !== 'string')
    throw new UserError('The Admin Queries API needs its function and auth resource names.', 'Pass functionName and authResourceName.');
  const project = ctx.project();
  const dir = project.resourceDir(CATEGORY, ADMIN_QUERIES_NAME);
  mkdirSync(dir, { recursive: true });
  const inputs: RestInputs = {
    version: 1,
    paths: { '/{proxy+}': { lambdaFunction: functionName, permissions: { setting: 'private', auth: [...CRUD_OPERATIONS] } } },
  };
  writeFileSync(join(dir, CLI_INPUTS_FILE), `${JSON.stringify(inputs, null, 2)}\n`);
  if (!existsSync(join(dir, 'parameters.json'))) writeFileSync(join(dir, 'parameters.json'), '{}\n');
  const dependsOn = props.dependsOn ?? [
    { category: 'auth', resourceName: authResourceName, attributes: ['UserPoolId'] },
    { category: 'function', resourceName: functionName, attributes: ['Arn', 'Name'] },
  ];
  const entry: BackendResource = { service: REST_SERVICE, providerPlugin: PROVIDER_PLUGIN, authorizationType: 'AMAZON_COGNITO_USER_POOLS', dependsOn };
  const backend = project.readBackendConfig();
  backend[CATEGORY] = { ...backend[CATEGORY], [ADMIN_QUERIES_NAME]: entry };
  project.writeBackendConfig(backend);
  const meta = project.readMeta();
  const previous = (meta[CATEGORY]?.[ADMIN_QUERIES_NAME] ?? {}) as Record<string, unknown>;
  meta[CATEGORY] = { ...meta[CATEGORY], [ADMIN_QUERIES_NAME]: { ...previous, ...entry } };
  project.writeMeta(meta);
  return ADMIN_QUERIES_NAME;
}

/** Amplify's second entry point: the same files. */
export const updateAdminQueriesApi = addAdminQueriesApi;

/** The auth resource the API's users sign in to: its backend-config dependsOn, else the project's Cognito resource. */
export function adminQueriesAuthResource(entry: BackendResource | undefined, backend: BackendConfig): string {
  const fromDeps = entry?.dependsOn?.find((d) => d.category === 'auth' && d.attributes.includes('UserPoolId'))?.resourceName;
  const auth = fromDeps ?? Object.entries(backend['auth'] ?? {}).find(([, e]) => e.service === 'Cognito')?.[0];
  if (!auth)
    throw new UserError(
      'The AdminQueries API needs the auth resource whose user pool signs its callers in, and the project has none.',
      'Add auth with `forte add auth`, or remove the API (`forte remove api AdminQueries`).',
    );
  return auth;
}

const CORS_MOCK_RESPONSE = {
  statusCode: '200',
  responseParameters: {
    'method.response.header.Access-Control-Allow-Methods': "'DELETE,GET,HEAD,OPTIONS,PATCH,POST,PUT'",
    'method.response.header.Access-Control-Allow-Headers': "'Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token'",
    'method.response.header.Access-Control-Allow-Origin': "'*'",
  },
};

const CORS_GATEWAY_RESPONSE = {
  'gatewayresponse.header.Access-Control-Allow-Origin': "'*'",
  'gatewayresponse.header.Access-Control-Allow-Headers': "'Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token'",
  'gatewayresponse.header.Access-Control-Allow-Methods': "'DELETE,GET,HEAD,OPTIONS,PATCH,POST,PUT'",
  'gatewayresponse.header.Access-Control-Expose-Headers': "'Date,X-Amzn-ErrorType'",
};

/**
 * The AdminQueries stack as Amplify's `generateAdminQueriesStack` builds it: one `/{proxy+}` path, its
 * OPTIONS a CORS mock and any other method the function through the Lambda proxy (`contentHandling:
 * CONVERT_TO_TEXT`), authorized by the `Cognito` user pool authorizer on the auth resource's pool (scope
 * `aws.cognito.signin.user.admin`: the caller sends its access token as `Authorization`), the DEFAULT_4XX /
 * DEFAULT_5XX gateway responses with CORS headers, the deployment (stage = env), the function's permission
 * (`AdminQueriesAPIGWPolicyForLambda`) and the outputs `RootUrl`, `ApiName`, `ApiId`.
 */
export function adminQueriesTemplate(apiName: string, functionName: string, authResourceName: string): Template {
  const userPool = `auth${authResourceName}UserPoolId`;
  const body = {
    swagger: '2.0',
    info: { version: '2018-05-24T17:52:00Z', title: apiName },
    host: join_(['apigateway.', ref('AWS::Region'), '.amazonaws.com']),
    basePath: { 'Fn::If': ['ShouldNotCreateEnvResources', '/Prod', join_(['/', ref('env')])] },
    schemes: ['https'],
    paths: {
      '/{proxy+}': {
        options: {
          consumes: ['application/json'],
          produces: ['application/json'],
          responses: {
            200: {
              description: '200 response',
              schema: { $ref: '#/definitions/Empty' },
              headers: {
                'Access-Control-Allow-Origin': { type: 'string' },
                'Access-Control-Allow-Methods': { type: 'string' },
                'Access-Control-Allow-Headers': { type: 'string' },
              },
            },
          },
          'x-amazon-apigateway-integration': {
            responses: { default: CORS_MOCK_RESPONSE },
            passthroughBehavior: 'when_no_match',
            requestTemplates: { 'application/json': '{"statusCode": 200}' },
            type: 'mock',
          },
        },
        'x-amazon-apigateway-any-method': {
          produces: ['application/json'],
          parameters: [
            { name: 'proxy', in: 'path', required: true, type: 'string' },
            { name: 'Authorization', in: 'header', required: false, type: 'string' },
          ],
          responses: {},
          security: [{ Cognito: ['aws.cognito.signin.user.admin'] }],
          'x-amazon-apigateway-request-validator': 'Validate query string parameters and headers',
          'x-amazon-apigateway-integration': {
            uri: join_(['arn:aws:apigateway:', ref('AWS::Region'), ':lambda:path/2015-03-31/functions/', ref(`function${functionName}Arn`), '/invocations']),
            passthroughBehavior: 'when_no_match',
            httpMethod: 'POST',
            cacheNamespace: 'n40eb9',
            cacheKeyParameters: ['method.request.path.proxy'],
            contentHandling: 'CONVERT_TO_TEXT',
            type: 'aws_proxy',
          },
        },
      },
    },
    securityDefinitions: {
      Cognito: {
        type: 'apiKey',
        name: 'Authorization',
        in: 'header',
        'x-amazon-apigateway-authtype': 'cognito_user_pools',
        'x-amazon-apigateway-authorizer': {
          providerARNs: [join_(['arn:aws:cognito-idp:', ref('AWS::Region'), ':', ref('AWS::AccountId'), ':userpool/', ref(userPool)])],
          type: 'cognito_user_pools',
        },
      },
    },
    definitions: { Empty: { type: 'object', title: 'Empty Schema' } },
    'x-amazon-apigateway-request-validators': {
      'Validate query string parameters and headers': { validateRequestParameters: true, validateRequestBody: false },
    },
  };
  const response4xx = `${apiName}Default4XXResponse`;
  const response5xx = `${apiName}Default5XXResponse`;
  return {
    Description: 'API Gateway Resource for AWS Amplify CLI',
    AWSTemplateFormatVersion: '2010-09-09',
    Parameters: {
      [userPool]: { Type: 'String', Default: userPool },
      [`function${functionName}Arn`]: { Type: 'String', Default: `function${functionName}Arn` },
      [`function${functionName}Name`]: { Type: 'String', Default: `function${functionName}Name` },
      env: { Type: 'String' },
    },
    Conditions: { ShouldNotCreateEnvResources: { 'Fn::Equals': [ref('env'), 'NONE'] } },
    Resources: {
      AdminQueriesAPIGWPolicyForLambda: {
        Type: 'AWS::Lambda::Permission',
        Properties: {
          Action: 'lambda:InvokeFunction',
          FunctionName: ref(`function${functionName}Name`),
          Principal: 'apigateway.amazonaws.com',
          SourceArn: join_(['arn:aws:execute-api:', ref('AWS::Region'), ':', ref('AWS::AccountId'), ':', ref(apiName), '/*/*/*']),
        },
      },
      [apiName]: { Type: 'AWS::ApiGateway::RestApi', Properties: { Description: '', Name: apiName, Body: body } },
      [response4xx]: {
        Type: 'AWS::ApiGateway::GatewayResponse',
        Properties: { ResponseParameters: CORS_GATEWAY_RESPONSE, ResponseType: 'DEFAULT_4XX', RestApiId: ref(apiName) },
      },
      [response5xx]: {
        Type: 'AWS::ApiGateway::GatewayResponse',
        Properties: { ResponseParameters: CORS_GATEWAY_RESPONSE, ResponseType: 'DEFAULT_5XX', RestApiId: ref(apiName) },
      },
      [`DeploymentAPIGW${apiName}`]: {
        Type: 'AWS::ApiGateway::Deployment',
        Properties: { Description: 'The Development stage deployment of your API.', RestApiId: ref(apiName), StageName: stage() },
        DependsOn: [response4xx, response5xx],
      },
    },
    Outputs: {
      RootUrl: {
        Description: 'Root URL of the API gateway',
        Value: join_(['https://', ref(apiName), '.execute-api.', ref('AWS::Region'), '.amazonaws.com/', stage()]),
      },
      ApiName: { Description: 'API Friendly name', Value: apiName },
      ApiId: { Description: 'API ID (prefix of API URL)', Value: ref(apiName) },
    },
  };
}
