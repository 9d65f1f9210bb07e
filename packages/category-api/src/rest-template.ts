import { createHash } from 'node:crypto';
import type { Template, TemplateResource } from '@forte/protocol';
import { crudMethods, operationMethods, type RestInputs, type RestPath } from './rest-config.js';

const ref = (name: string): { Ref: string } => ({ Ref: name });
const join = (parts: unknown[], separator = ''): unknown => ({ 'Fn::Join': [separator, parts] });
/** The stage: the env name (`Prod` for env NONE), as Amplify's `ShouldNotCreateEnvResources` condition. */
const stage = (): unknown => ({ 'Fn::If': ['ShouldNotCreateEnvResources', 'Prod', ref('env')] });

const CORS_METHOD_RESPONSE = {
  statusCode: '200',
  responseParameters: {
    'method.response.header.Access-Control-Allow-Methods': "'DELETE,GET,HEAD,OPTIONS,PATCH,POST,PUT'",
    'method.response.header.Access-Control-Allow-Headers': "'Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token,X-Amz-User-Agent'",
    'method.response.header.Access-Control-Allow-Origin': "'*'",
  },
};

const CORS_GATEWAY_RESPONSE = {
  'gatewayresponse.header.Access-Control-Allow-Origin': "'*'",
  'gatewayresponse.header.Access-Control-Allow-Headers': "'Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token'",
  'gatewayresponse.header.Access-Control-Allow-Methods': "'DELETE,GET,HEAD,OPTIONS,PATCH,POST,PUT'",
  'gatewayresponse.header.Access-Control-Expose-Headers': "'Date,X-Amzn-ErrorType'",
};

/** `P/{proxy+}` (or `/{proxy+}` for the root path). */
const proxyPath = (path: string): string => (path.endsWith('/') ? `${path}{proxy+}` : `${path}/{proxy+}`);

/** One Swagger path item: CORS preflight (a mock, no auth) and any other method to the function (Lambda proxy, SigV4 unless open). */
function pathItem(path: RestPath): Record<string, unknown> {
  const anyMethod: Record<string, unknown> = {
    consumes: ['application/json'],
    produces: ['application/json'],
    parameters: [{ in: 'body', name: 'RequestSchema', required: false, schema: { $ref: '#/definitions/RequestSchema' } }],
    responses: { 200: { description: '200 response', schema: { $ref: '#/definitions/ResponseSchema' } } },
    'x-amazon-apigateway-integration': {
      responses: { default: { statusCode: '200' } },
      uri: join(['arn:aws:apigateway:', ref('AWS::Region'), ':lambda:path/2015-03-31/functions/', ref(`function${path.lambdaFunction}Arn`), '/invocations']),
      passthroughBehavior: 'when_no_match',
      httpMethod: 'POST',
      type: 'aws_proxy',
    },
  };
  if (path.permissions.setting !== 'open') anyMethod.security = [{ sigv4: [] }];
  return {
    options: {
      consumes: ['application/json'],
      produces: ['application/json'],
      responses: {
        200: {
          description: '200 response',
          headers: {
            'Access-Control-Allow-Origin': { type: 'string' },
            'Access-Control-Allow-Methods': { type: 'string' },
            'Access-Control-Allow-Headers': { type: 'string' },
          },
        },
      },
      'x-amazon-apigateway-integration': {
        responses: { default: CORS_METHOD_RESPONSE },
        requestTemplates: { 'application/json': '{"statusCode": 200}' },
        passthroughBehavior: 'when_no_match',
        type: 'mock',
      },
    },
    'x-amazon-apigateway-any-method': anyMethod,
  };
}

/** `arn:aws:execute-api:<region>:<account>:<apiId>/<stage><method><path>`. */
function invokeArn(apiName: string, method: string, path: string): unknown {
  return join(['arn:aws:execute-api:', ref('AWS::Region'), ':', ref('AWS::AccountId'), ':', ref(apiName), '/', stage(), `${method}${path}`]);
}

/** A path as policies name it: parameters (`{id}`) match any segment (`*`). */
const policyPath = (path: string): string => path.replace(/{[a-zA-Z0-9\-_]+}/g, '*');

const hash8 = (value: unknown): string => createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 8);

export interface RestTemplateOptions {
  /** The auth resource whose user pool id names the group roles (`<UserPoolId>-<Group>GroupRole`). */
  authResourceName?: string;
}

/**
 * The REST API's nested stack, as Amplify's ApigwStackTransform writes it: the `AWS::ApiGateway::RestApi`
 * with its Swagger 2.0 Body (each path as `P` and `P/{proxy+}`), the DEFAULT_4XX/5XX gateway responses with
 * CORS headers, the `Deployment` whose stage is the env name, one `AWS::Lambda::Permission` per function,
 * the group roles' policies, and the outputs `RootUrl`, `ApiName`, `ApiId`.
 *
 * The auth and guest policies that Amplify puts in the root's `APIGatewayAuthStack` (`PolicyAPIGWAuth<n>` /
 * `PolicyAPIGWUnauth<n>`) are here too, on the root stack's `authRoleName` / `unauthRoleName`, with the same
 * statements: the roles get `execute-api:Invoke` on `<apiId>/<env>/<METHOD>/<path>` and `…/<path>/*`.
 *
 * Amplify suffixes the gateway responses and the deployment with a fresh uuid at every build (so each push
 * deploys the API again); here the suffix is a hash of what the deployment serves, so a push redeploys the
 * stage exactly when the API changed and an unchanged API builds the same template.
 */
export function restTemplate(apiName: string, inputs: RestInputs, options: RestTemplateOptions = {}): Template {
  const paths = Object.entries(inputs.paths);
  const functions = [...new Set(paths.map(([, p]) => p.lambdaFunction))];
  const groups = [...new Set(paths.flatMap(([, p]) => Object.keys(p.permissions.groups ?? {})))];
  const authResource = options.authResourceName;
  const parameters: NonNullable<Template['Parameters']> = {};
  if (groups.length > 0 && authResource) {
    parameters[`auth${authResource}UserPoolId`] = { Type: 'String', Default: `auth${authResource}UserPoolId` };
    for (const g of groups) parameters[`authuserPoolGroups${g}GroupRole`] = { Type: 'String', Default: `authuserPoolGroups${g}GroupRole` };
  }
  for (const fn of functions) {
    parameters[`function${fn}Name`] = { Type: 'String', Default: `function${fn}Name` };
    parameters[`function${fn}Arn`] = { Type: 'String', Default: `function${fn}Arn` };
  }
  parameters.env = { Type: 'String' };
  const hasAuth = paths.some(([, p]) => p.permissions.auth);
  const hasGuest = paths.some(([, p]) => p.permissions.guest);
  if (hasAuth) parameters.authRoleName = { Type: 'String' };
  if (hasGuest) parameters.unauthRoleName = { Type: 'String' };

  const swaggerPaths: Record<string, unknown> = {};
  for (const [name, path] of paths) {
    swaggerPaths[name] = pathItem(path);
    swaggerPaths[proxyPath(name)] = pathItem(path);
  }
  const body = {
    swagger: '2.0',
    info: { version: '2018-05-24T17:52:00Z', title: apiName },
    host: join(['apigateway.', ref('AWS::Region'), '.amazonaws.com']),
    basePath: { 'Fn::If': ['ShouldNotCreateEnvResources', '/Prod', join(['/', ref('env')])] },
    schemes: ['https'],
    paths: swaggerPaths,
    securityDefinitions: { sigv4: { type: 'apiKey', name: 'Authorization', in: 'header', 'x-amazon-apigateway-authtype': 'awsSigv4' } },
    definitions: {
      RequestSchema: { type: 'object', required: ['request'], properties: { request: { type: 'string' } }, title: 'Request Schema' },
      ResponseSchema: { type: 'object', required: ['response'], properties: { response: { type: 'string' } }, title: 'Response Schema' },
    },
  };

  const resources: Record<string, TemplateResource> = {};
  // Group policies: each operation's methods on the path and below it, on the group's role.
  for (const [name, path] of paths) {
    const alnum = name.replace(/[^-a-z0-9]/g, '');
    for (const [group, operations] of Object.entries(path.permissions.groups ?? {})) {
      if (!authResource) continue;
      const methods = operationMethods(operations);
      const target = policyPath(name);
      resources[`${group}Group${alnum.replace(/-/g, '')}Policy`] = {
        Type: 'AWS::IAM::Policy',
        Properties: {
          PolicyDocument: {
            Statement: [
              {
                Action: 'execute-api:Invoke',
                Effect: 'Allow',
                Resource: [...methods.map((m) => invokeArn(apiName, m, target)), ...methods.map((m) => invokeArn(apiName, m, `${target}/*`))],
              },
            ],
            Version: '2012-10-17',
          },
          PolicyName: [apiName, alnum, group, 'group', 'policy'].join('-'),
          Roles: [join([ref(`auth${authResource}UserPoolId`), `${group}GroupRole`], '-')],
        },
      };
    }
  }
  for (const fn of functions) {
    resources[`function${fn}Permission${apiName}`] = {
      Type: 'AWS::Lambda::Permission',
      Properties: {
        Action: 'lambda:InvokeFunction',
        FunctionName: ref(`function${fn}Name`),
        Principal: 'apigateway.amazonaws.com',
        SourceArn: join(['arn:aws:execute-api:', ref('AWS::Region'), ':', ref('AWS::AccountId'), ':', ref(apiName), '/*/*/*']),
      },
    };
  }
  resources[apiName] = { Type: 'AWS::ApiGateway::RestApi', Properties: { Body: body, Description: '', FailOnWarnings: true, Name: apiName } };
  // What the deployment serves: each path's function and access (the stored `name` repeats the key).
  const suffix = hash8({ apiName, paths: paths.map(([name, p]) => [name, p.lambdaFunction, p.permissions]) });
  const response4xx = `${apiName}Default4XXResponse${suffix}`;
  const response5xx = `${apiName}Default5XXResponse${suffix}`;
  for (const [id, type] of [
    [response4xx, 'DEFAULT_4XX'],
    [response5xx, 'DEFAULT_5XX'],
  ] as const) {
    resources[id] = {
      Type: 'AWS::ApiGateway::GatewayResponse',
      Properties: { ResponseParameters: CORS_GATEWAY_RESPONSE, ResponseType: type, RestApiId: ref(apiName) },
    };
  }
  resources[`DeploymentAPIGW${apiName}${suffix}`] = {
    Type: 'AWS::ApiGateway::Deployment',
    Properties: { Description: 'The Development stage deployment of your API.', RestApiId: ref(apiName), StageName: stage() },
    DependsOn: [response4xx, response5xx],
  };
  Object.assign(resources, rolePolicies(apiName, paths, 'auth'), rolePolicies(apiName, paths, 'guest'));

  return {
    Description: 'API Gateway Resource for AWS Amplify CLI',
    AWSTemplateFormatVersion: '2010-09-09',
    Parameters: parameters,
    Conditions: { ShouldNotCreateEnvResources: { 'Fn::Equals': [ref('env'), 'NONE'] } },
    Resources: resources,
    Outputs: {
      RootUrl: {
        Description: 'Root URL of the API gateway',
        Value: join(['https://', ref(apiName), '.execute-api.', ref('AWS::Region'), '.amazonaws.com/', stage()]),
      },
      ApiName: { Description: 'API Friendly name', Value: apiName },
      ApiId: { Description: 'API ID (prefix of API URL)', Value: ref(apiName) },
    },
  };
}

/**
 * `PolicyAPIGWAuth1` / `PolicyAPIGWUnauth1` (Amplify's APIGatewayAuthStack names): for each path and method
 * of the auth (guest) lists, `execute-api:Invoke` on `…/<path>/*` and `…/<path>`, on the root stack's
 * authenticated (unauthenticated) role. One policy per role: a REST API's statements stay far below IAM's
 * policy size limit that makes Amplify split them across managed policies.
 */
function rolePolicies(apiName: string, paths: [string, RestPath][], who: 'auth' | 'guest'): Record<string, TemplateResource> {
  const resourceArns: unknown[] = [];
  for (const [name, path] of paths) {
    const operations = path.permissions[who];
    if (!operations) continue;
    const target = policyPath(name);
    for (const method of crudMethods(operations)) resourceArns.push(invokeArn(apiName, method, `${target}/*`), invokeArn(apiName, method, target));
  }
  if (resourceArns.length === 0) return {};
  const id = who === 'auth' ? 'PolicyAPIGWAuth1' : 'PolicyAPIGWUnauth1';
  return {
    [id]: {
      Type: 'AWS::IAM::Policy',
      Properties: {
        PolicyName: join([apiName, ref('env'), id], '-'),
        PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['execute-api:Invoke'], Resource: resourceArns }] },
        Roles: [ref(who === 'auth' ? 'authRoleName' : 'unauthRoleName')],
      },
    },
  };
}

/** Amplify's Admin Queries path item: any method to the function with the user pool's token, OPTIONS a CORS mock. */
function adminQueriesPathItem(lambdaFunction: string): Record<string, unknown> {
  return {
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
        responses: {
          default: {
            statusCode: '200',
            responseParameters: {
              'method.response.header.Access-Control-Allow-Methods': "'DELETE,GET,HEAD,OPTIONS,PATCH,POST,PUT'",
              'method.response.header.Access-Control-Allow-Headers': "'Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token'",
              'method.response.header.Access-Control-Allow-Origin': "'*'",
            },
          },
        },
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
        uri: join(['arn:aws:apigateway:', ref('AWS::Region'), ':lambda:path/2015-03-31/functions/', ref(`function${lambdaFunction}Arn`), '/invocations']),
        passthroughBehavior: 'when_no_match',
        httpMethod: 'POST',
        cacheNamespace: 'n40eb9',
        cacheKeyParameters: ['method.request.path.proxy'],
        contentHandling: 'CONVERT_TO_TEXT',
        type: 'aws_proxy',
      },
    },
  };
}

/**
 * Amplify's Admin Queries API (the auth category's `adminQueries`, resource `AdminQueries`), as
 * generateAdminQueriesStack writes it: one `/{proxy+}` path to its function, authorized by the user pool's
 * access token (`Cognito` security definition with scope `aws.cognito.signin.user.admin`), not by SigV4, so
 * no role policies; the function checks the caller's group.
 */
export function adminQueriesTemplate(apiName: string, inputs: RestInputs, authResourceName: string): Template {
  const lambdaFunction = Object.values(inputs.paths)[0]!.lambdaFunction;
  const userPoolId = `auth${authResourceName}UserPoolId`;
  const body = {
    swagger: '2.0',
    info: { version: '2018-05-24T17:52:00Z', title: apiName },
    host: join(['apigateway.', ref('AWS::Region'), '.amazonaws.com']),
    basePath: { 'Fn::If': ['ShouldNotCreateEnvResources', '/Prod', join(['/', ref('env')])] },
    schemes: ['https'],
    paths: { '/{proxy+}': adminQueriesPathItem(lambdaFunction) },
    securityDefinitions: {
      Cognito: {
        type: 'apiKey',
        name: 'Authorization',
        in: 'header',
        'x-amazon-apigateway-authtype': 'cognito_user_pools',
        'x-amazon-apigateway-authorizer': {
          providerARNs: [join(['arn:aws:cognito-idp:', ref('AWS::Region'), ':', ref('AWS::AccountId'), ':userpool/', ref(userPoolId)])],
          type: 'cognito_user_pools',
        },
      },
    },
    definitions: { Empty: { type: 'object', title: 'Empty Schema' } },
    'x-amazon-apigateway-request-validators': {
      'Validate query string parameters and headers': { validateRequestParameters: true, validateRequestBody: false },
    },
  };
  return {
    Description: 'API Gateway Resource for AWS Amplify CLI',
    AWSTemplateFormatVersion: '2010-09-09',
    Parameters: {
      [userPoolId]: { Type: 'String', Default: userPoolId },
      [`function${lambdaFunction}Name`]: { Type: 'String', Default: `function${lambdaFunction}Name` },
      [`function${lambdaFunction}Arn`]: { Type: 'String', Default: `function${lambdaFunction}Arn` },
      env: { Type: 'String' },
    },
    Conditions: { ShouldNotCreateEnvResources: { 'Fn::Equals': [ref('env'), 'NONE'] } },
    Resources: {
      [`${apiName}APIGWPolicyForLambda`]: {
        Type: 'AWS::Lambda::Permission',
        Properties: {
          Action: 'lambda:InvokeFunction',
          FunctionName: ref(`function${lambdaFunction}Name`),
          Principal: 'apigateway.amazonaws.com',
          SourceArn: join(['arn:aws:execute-api:', ref('AWS::Region'), ':', ref('AWS::AccountId'), ':', ref(apiName), '/*/*/*']),
        },
      },
      [apiName]: { Type: 'AWS::ApiGateway::RestApi', Properties: { Body: body, Description: '', Name: apiName } },
      [`DeploymentAPIGW${apiName}${hash8({ apiName, lambdaFunction, authResourceName })}`]: {
        Type: 'AWS::ApiGateway::Deployment',
        Properties: { Description: 'The Development stage deployment of your API.', RestApiId: ref(apiName), StageName: stage() },
      },
    },
    Outputs: {
      RootUrl: {
        Description: 'Root URL of the API gateway',
        Value: join(['https://', ref(apiName), '.execute-api.', ref('AWS::Region'), '.amazonaws.com/', stage()]),
      },
      ApiName: { Description: 'API Friendly name', Value: apiName },
      ApiId: { Description: 'API ID (prefix of API URL)', Value: ref(apiName) },
    },
  };
}
