import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileSwaggerBody } from './swagger-body.js';
import { matchResource } from './match-resource.js';

const LAMBDA_URI = 'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:fn-dev/invocations';
const proxy = { 'x-amazon-apigateway-integration': { type: 'aws_proxy', httpMethod: 'POST', uri: LAMBDA_URI } };
const body = (paths: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  swagger: '2.0',
  info: { title: 'api', version: '1' },
  basePath: '/dev',
  securityDefinitions: { sigv4: { type: 'apiKey', name: 'Authorization', in: 'header', 'x-amazon-apigateway-authtype': 'awsSigv4' } },
  paths,
  ...extra,
});
const refusal = (document: unknown): string => {
  try {
    compileSwaggerBody(document, 'abcdefghij', 'AWS::ApiGateway::RestApi Body');
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('the body was accepted');
};

void describe('Swagger bodies of AWS::ApiGateway::RestApi', () => {
  void it("compiles Amplify's shape: ANY to a Lambda proxy with sigv4, a mock OPTIONS, the function's ARN", () => {
    const definition = compileSwaggerBody(
      body({
        '/items': {
          'x-amazon-apigateway-any-method': { ...proxy, security: [{ sigv4: [] }] },
          options: {
            'x-amazon-apigateway-integration': {
              type: 'mock',
              requestTemplates: { 'application/json': '{"statusCode": 200}' },
              responses: { default: { statusCode: '200', responseParameters: { 'method.response.header.Access-Control-Allow-Origin': "'*'" } } },
            },
          },
        },
        '/items/{proxy+}': { 'x-amazon-apigateway-any-method': proxy },
      }),
      'abcdefghij',
      'Body',
    );
    const items = definition.resources[0]!;
    assert.deepEqual(items.methods.ANY, {
      httpMethod: 'ANY',
      authorization: 'AWS_IAM',
      integration: { type: 'aws_proxy', functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:fn-dev', timeoutMs: 29000 },
    });
    assert.deepEqual(items.methods.OPTIONS?.integration, { type: 'mock', statusCode: 200, headers: { 'Access-Control-Allow-Origin': '*' } });
    assert.equal(definition.resources[1]!.methods.ANY?.authorization, 'NONE');
    assert.match(items.id, /^[a-z0-9]{6}$/);
  });

  void it('compiles the parameters a request validator requires', () => {
    const definition = compileSwaggerBody(
      body(
        {
          '/a': {
            get: {
              ...proxy,
              'x-amazon-apigateway-request-validator': 'params',
              parameters: [
                { name: 'X-Key', in: 'header', required: true, type: 'string' },
                { name: 'q', in: 'query', required: true, type: 'string' },
                { name: 'opt', in: 'query', required: false, type: 'string' },
              ],
            },
          },
        },
        { 'x-amazon-apigateway-request-validators': { params: { validateRequestParameters: true, validateRequestBody: false } } },
      ),
      'abcdefghij',
      'Body',
    );
    assert.deepEqual(definition.resources[0]!.methods.GET?.requiredParameters, [
      { in: 'header', name: 'X-Key' },
      { in: 'query', name: 'q' },
    ]);
  });

  void it('matches literal parts before variables and variables before greedy parts', () => {
    const definition = compileSwaggerBody(
      body({ '/a/{id}': { get: proxy }, '/a/new': { get: proxy }, '/a/{id}/{rest+}': { get: proxy }, '/': { get: proxy } }),
      'abcdefghij',
      'Body',
    );
    assert.equal(matchResource(definition, '/a/new')?.resource.path, '/a/new');
    assert.deepEqual(matchResource(definition, '/a/x%2Fy'), { resource: definition.resources[0], pathParameters: { id: 'x/y' } });
    assert.deepEqual(matchResource(definition, '/a/1/b/c/')?.pathParameters, { id: '1', rest: 'b/c' });
    assert.equal(matchResource(definition, '/')?.resource.path, '/');
    assert.equal(matchResource(definition, '/b'), undefined);
  });

  void it('refuses what Forte does not serve, naming it and where it is', () => {
    assert.match(
      refusal(body({ '/a': { get: { 'x-amazon-apigateway-integration': { type: 'http_proxy', uri: 'https://example.com' } } } })),
      /paths\.\/a\.get: the integration type "http_proxy" is not supported/,
    );
    assert.match(
      refusal(
        body(
          { '/a': { get: { ...proxy, security: [{ fn: [] }] } } },
          { securityDefinitions: { fn: { 'x-amazon-apigateway-authtype': 'custom', 'x-amazon-apigateway-authorizer': { type: 'token' } } } },
        ),
      ),
      /the authorizer fn \(custom\) is not supported yet/,
    );
    assert.match(
      refusal(
        body(
          { '/a': { get: { ...proxy, security: [{ pool: [] }] } } },
          {
            securityDefinitions: {
              pool: {
                'x-amazon-apigateway-authtype': 'cognito_user_pools',
                'x-amazon-apigateway-authorizer': { type: 'cognito_user_pools', providerARNs: ['pool'] },
              },
            },
          },
        ),
      ),
      /"pool" is not a user pool ARN/,
    );
    assert.match(refusal(body({ '/a': { get: proxy } }, { 'x-amazon-apigateway-policy': {} })), /x-amazon-apigateway-policy is not supported/);
    assert.match(refusal(body({ '/a': { get: { ...proxy, 'x-amazon-apigateway-request-validator': 'all' } } })), /the request validator "all" is not declared/);
    assert.match(
      refusal(body({ '/a': { get: proxy } }, { 'x-amazon-apigateway-request-validators': { all: { validateRequestBody: true } } })),
      /validating request bodies against models is not supported/,
    );
    assert.match(refusal(body({ '/a/{id}': { get: proxy }, '/a/{name}': { get: proxy } })), /two variable parts, \{id\} and \{name\}/);
    assert.match(refusal(body({ '/a/{p+}/b': { get: proxy } })), /greedy part \{p\+\} of \/a\/\{p\+\}\/b must be its last part/);
    assert.match(refusal({ openapi: '3.0.1', paths: {} }), /OpenAPI 3\.0\.1: Forte reads Swagger 2\.0/);
    assert.match(
      refusal(body({ '/a': { get: { 'x-amazon-apigateway-integration': { ...proxy['x-amazon-apigateway-integration'], uri: 'arn:aws:s3:::b' } } } })),
      /does not name a Lambda function/,
    );
    assert.match(
      refusal(
        body({
          '/a': {
            options: {
              'x-amazon-apigateway-integration': { type: 'mock', responses: { default: { responseTemplates: { 'application/json': '#set($x = 1)' } } } },
            },
          },
        }),
      ),
      /Velocity directives/,
    );
  });
});
