/**
 * A REST API stack shaped as Amplify Gen 1 generates it (`apigw-stack-builder.ts`: the RestApi's Swagger body
 * with `P` and `P/{proxy+}` per path, ANY → Lambda proxy, OPTIONS → mock CORS, the sigv4 security definition,
 * DEFAULT_4XX/5XX gateway responses, the Deployment named after the environment, group policies), with the
 * `APIGatewayAuthStack`'s managed policies for the identity pool's roles in the same template.
 */

type Crud = 'create' | 'read' | 'update' | 'delete';
export interface RestPath {
  path: string;
  /** `open`: no authorization; otherwise IAM. */
  setting: 'open' | 'private' | 'protected';
  auth?: Crud[];
  guest?: Crud[];
  groups?: Record<string, Crud[]>;
}

const METHODS: Record<Crud, string[]> = { create: ['/POST'], read: ['/GET'], update: ['/PUT', '/PATCH'], delete: ['/DELETE'] };
const methodsOf = (crud: Crud[]): string[] => (crud.length === 4 ? ['/*'] : crud.flatMap((c) => METHODS[c]));
const stage = { 'Fn::If': ['ShouldNotCreateEnvResources', 'Prod', { Ref: 'env' }] };
const arnOf = (api: string, suffix: string) => ({
  'Fn::Join': ['', ['arn:aws:execute-api:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':', { Ref: api }, '/', stage, suffix]],
});
const CORS_RESPONSE = {
  'gatewayresponse.header.Access-Control-Allow-Origin': "'*'",
  'gatewayresponse.header.Access-Control-Allow-Headers': "'Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token'",
  'gatewayresponse.header.Access-Control-Allow-Methods': "'DELETE,GET,HEAD,OPTIONS,PATCH,POST,PUT'",
  'gatewayresponse.header.Access-Control-Expose-Headers': "'Date,X-Amzn-ErrorType'",
};

function pathItem(setting: RestPath['setting'], functionParameter: string) {
  return {
    options: {
      consumes: ['application/json'],
      produces: ['application/json'],
      responses: { '200': { description: '200 response', headers: { 'Access-Control-Allow-Origin': { type: 'string' } } } },
      'x-amazon-apigateway-integration': {
        responses: {
          default: {
            statusCode: '200',
            responseParameters: {
              'method.response.header.Access-Control-Allow-Methods': "'DELETE,GET,HEAD,OPTIONS,PATCH,POST,PUT'",
              'method.response.header.Access-Control-Allow-Headers': "'Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token,X-Amz-User-Agent'",
              'method.response.header.Access-Control-Allow-Origin': "'*'",
            },
          },
        },
        requestTemplates: { 'application/json': '{"statusCode": 200}' },
        passthroughBehavior: 'when_no_match',
        type: 'mock',
      },
    },
    'x-amazon-apigateway-any-method': {
      consumes: ['application/json'],
      produces: ['application/json'],
      parameters: [{ in: 'body', name: 'RequestSchema', required: false, schema: { $ref: '#/definitions/RequestSchema' } }],
      responses: { '200': { description: '200 response', schema: { $ref: '#/definitions/ResponseSchema' } } },
      'x-amazon-apigateway-integration': {
        responses: { default: { statusCode: '200' } },
        uri: {
          'Fn::Join': ['', ['arn:aws:apigateway:', { Ref: 'AWS::Region' }, ':lambda:path/2015-03-31/functions/', { Ref: functionParameter }, '/invocations']],
        },
        passthroughBehavior: 'when_no_match',
        httpMethod: 'POST',
        type: 'aws_proxy',
      },
      ...(setting === 'open' ? {} : { security: [{ sigv4: [] }] }),
    },
  };
}

/**
 * The template; `buildId` is the random suffix Amplify gives the Deployment and gateway responses on every build.
 * Parameters `functionrestfnArn`, `functionrestfnName`, `env`, `authRoleName`, `unauthRoleName`, `authUserPoolId`.
 */
export function amplifyRestApiTemplate(api: string, paths: RestPath[], buildId = '7e86ac76'): Record<string, unknown> {
  const swaggerPaths: Record<string, unknown> = {};
  const resources: Record<string, unknown> = {};
  const authResources: unknown[] = [];
  const unauthResources: unknown[] = [];
  for (const p of paths) {
    swaggerPaths[p.path] = pathItem(p.setting, 'functionrestfnArn');
    swaggerPaths[`${p.path}/{proxy+}`] = pathItem(p.setting, 'functionrestfnArn');
    const both = (methods: string[]) => methods.flatMap((m) => [arnOf(api, `${m}${p.path}`), arnOf(api, `${m}${p.path}/*`)]);
    authResources.push(...both(methodsOf(p.auth ?? [])));
    unauthResources.push(...both(methodsOf(p.guest ?? [])));
    for (const [group, crud] of Object.entries(p.groups ?? {})) {
      resources[`${group}Group${p.path.replace(/[^A-Za-z0-9]/g, '')}Policy`] = {
        Type: 'AWS::IAM::Policy',
        Properties: {
          PolicyDocument: { Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: both(methodsOf(crud)) }], Version: '2012-10-17' },
          PolicyName: `${api}-${p.path.replace(/[^A-Za-z0-9]/g, '')}-${group}-group-policy`,
          Roles: [{ 'Fn::Join': ['-', [{ Ref: 'authUserPoolId' }, `${group}GroupRole`]] }],
        },
      };
    }
  }
  const managed = (roleParameter: string, list: unknown[]) => ({
    Type: 'AWS::IAM::ManagedPolicy',
    Properties: {
      PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['execute-api:Invoke'], Resource: list }] },
      Roles: [{ Ref: roleParameter }],
    },
  });
  if (authResources.length > 0) resources.PolicyAPIGWAuth1 = managed('authRoleName', authResources);
  if (unauthResources.length > 0) resources.PolicyAPIGWUnauth1 = managed('unauthRoleName', unauthResources);
  return {
    Description: 'API Gateway Resource for AWS Amplify CLI',
    AWSTemplateFormatVersion: '2010-09-09',
    Parameters: {
      functionrestfnName: { Type: 'String' },
      functionrestfnArn: { Type: 'String' },
      env: { Type: 'String' },
      authRoleName: { Type: 'String' },
      unauthRoleName: { Type: 'String' },
      authUserPoolId: { Type: 'String' },
    },
    Conditions: { ShouldNotCreateEnvResources: { 'Fn::Equals': [{ Ref: 'env' }, 'NONE'] } },
    Resources: {
      ...resources,
      functionrestfnPermission: {
        Type: 'AWS::Lambda::Permission',
        Properties: {
          Action: 'lambda:InvokeFunction',
          FunctionName: { Ref: 'functionrestfnName' },
          Principal: 'apigateway.amazonaws.com',
          SourceArn: { 'Fn::Join': ['', ['arn:aws:execute-api:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':', { Ref: api }, '/*/*/*']] },
        },
      },
      [api]: {
        Type: 'AWS::ApiGateway::RestApi',
        Properties: {
          Body: {
            swagger: '2.0',
            info: { version: '2018-05-24T17:52:00Z', title: api },
            host: { 'Fn::Join': ['', ['apigateway.', { Ref: 'AWS::Region' }, '.amazonaws.com']] },
            basePath: { 'Fn::If': ['ShouldNotCreateEnvResources', '/Prod', { 'Fn::Join': ['', ['/', { Ref: 'env' }]] }] },
            schemes: ['https'],
            paths: swaggerPaths,
            securityDefinitions: { sigv4: { type: 'apiKey', name: 'Authorization', in: 'header', 'x-amazon-apigateway-authtype': 'awsSigv4' } },
            definitions: {
              RequestSchema: { type: 'object', required: ['request'], properties: { request: { type: 'string' } }, title: 'Request Schema' },
              ResponseSchema: { type: 'object', required: ['response'], properties: { response: { type: 'string' } }, title: 'Response Schema' },
            },
          },
          Description: '',
          FailOnWarnings: true,
          Name: api,
        },
      },
      [`${api}Default4XXResponse${buildId}`]: {
        Type: 'AWS::ApiGateway::GatewayResponse',
        Properties: { ResponseParameters: CORS_RESPONSE, ResponseType: 'DEFAULT_4XX', RestApiId: { Ref: api } },
      },
      [`${api}Default5XXResponse${buildId}`]: {
        Type: 'AWS::ApiGateway::GatewayResponse',
        Properties: { ResponseParameters: CORS_RESPONSE, ResponseType: 'DEFAULT_5XX', RestApiId: { Ref: api } },
      },
      [`DeploymentAPIGW${api}${buildId}`]: {
        Type: 'AWS::ApiGateway::Deployment',
        Properties: { Description: 'The Development stage deployment of your API.', RestApiId: { Ref: api }, StageName: stage },
        DependsOn: [`${api}Default4XXResponse${buildId}`, `${api}Default5XXResponse${buildId}`],
      },
    },
    Outputs: {
      RootUrl: {
        Description: 'Root URL of the API gateway',
        Value: { 'Fn::Join': ['', ['https://', { Ref: api }, '.execute-api.', { Ref: 'AWS::Region' }, '.amazonaws.com/', stage]] },
      },
      ApiName: { Description: 'API Friendly name', Value: api },
      ApiId: { Description: 'API ID (prefix of API URL)', Value: { Ref: api } },
    },
  };
}

/**
 * Amplify's AdminQueries API (`generateAdminQueriesStack`): `/{proxy+}` behind a Cognito user pool authorizer that
 * requires an access token with the `aws.cognito.signin.user.admin` scope, with a request validator. Parameters
 * `functionrestfnArn`, `functionrestfnName`, `env`, `authUserPoolId`.
 */
export function amplifyAdminQueriesTemplate(buildId = '5f1c2e0a'): Record<string, unknown> {
  const cors = {
    'method.response.header.Access-Control-Allow-Methods': "'DELETE,GET,HEAD,OPTIONS,PATCH,POST,PUT'",
    'method.response.header.Access-Control-Allow-Headers': "'Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token'",
    'method.response.header.Access-Control-Allow-Origin': "'*'",
  };
  return {
    Description: 'API Gateway Resource for AWS Amplify CLI',
    AWSTemplateFormatVersion: '2010-09-09',
    Parameters: {
      functionrestfnName: { Type: 'String' },
      functionrestfnArn: { Type: 'String' },
      env: { Type: 'String' },
      authUserPoolId: { Type: 'String' },
    },
    Conditions: { ShouldNotCreateEnvResources: { 'Fn::Equals': [{ Ref: 'env' }, 'NONE'] } },
    Resources: {
      AdminQueriesAPIGWPolicyForLambda: {
        Type: 'AWS::Lambda::Permission',
        Properties: {
          Action: 'lambda:InvokeFunction',
          FunctionName: { Ref: 'functionrestfnName' },
          Principal: 'apigateway.amazonaws.com',
          SourceArn: {
            'Fn::Join': ['', ['arn:aws:execute-api:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':', { Ref: 'AdminQueries' }, '/*/*/*']],
          },
        },
      },
      AdminQueries: {
        Type: 'AWS::ApiGateway::RestApi',
        Properties: {
          Description: '',
          Name: 'AdminQueries',
          Body: {
            swagger: '2.0',
            info: { version: '2018-05-24T17:52:00Z', title: 'AdminQueries' },
            host: { 'Fn::Join': ['', ['apigateway.', { Ref: 'AWS::Region' }, '.amazonaws.com']] },
            basePath: { 'Fn::If': ['ShouldNotCreateEnvResources', '/Prod', { 'Fn::Join': ['', ['/', { Ref: 'env' }]] }] },
            schemes: ['https'],
            paths: {
              '/{proxy+}': {
                options: {
                  consumes: ['application/json'],
                  produces: ['application/json'],
                  responses: { '200': { description: '200 response', schema: { $ref: '#/definitions/Empty' } } },
                  'x-amazon-apigateway-integration': {
                    responses: { default: { statusCode: '200', responseParameters: cors } },
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
                    uri: {
                      'Fn::Join': [
                        '',
                        ['arn:aws:apigateway:', { Ref: 'AWS::Region' }, ':lambda:path/2015-03-31/functions/', { Ref: 'functionrestfnArn' }, '/invocations'],
                      ],
                    },
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
                  providerARNs: [
                    {
                      'Fn::Join': [
                        '',
                        ['arn:aws:cognito-idp:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':userpool/', { Ref: 'authUserPoolId' }],
                      ],
                    },
                  ],
                  type: 'cognito_user_pools',
                },
              },
            },
            definitions: { Empty: { type: 'object', title: 'Empty Schema' } },
            'x-amazon-apigateway-request-validators': {
              'Validate query string parameters and headers': { validateRequestParameters: true, validateRequestBody: false },
            },
          },
        },
      },
      [`DeploymentAPIGWAdminQueries${buildId}`]: {
        Type: 'AWS::ApiGateway::Deployment',
        Properties: {
          Description: 'The Development stage deployment of your API.',
          StageName: { 'Fn::If': ['ShouldNotCreateEnvResources', 'Prod', { Ref: 'env' }] },
          RestApiId: { Ref: 'AdminQueries' },
        },
      },
    },
    Outputs: {
      RootUrl: {
        Description: 'Root URL of the API gateway',
        Value: {
          'Fn::Join': [
            '',
            [
              'https://',
              { Ref: 'AdminQueries' },
              '.execute-api.',
              { Ref: 'AWS::Region' },
              '.amazonaws.com/',
              { 'Fn::If': ['ShouldNotCreateEnvResources', 'Prod', { Ref: 'env' }] },
            ],
          ],
        },
      },
      ApiName: { Description: 'API Friendly name', Value: 'AdminQueries' },
      ApiId: { Description: 'API ID (prefix of API URL)', Value: { Ref: 'AdminQueries' } },
    },
  };
}
