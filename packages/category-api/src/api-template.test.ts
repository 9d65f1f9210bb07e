import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { transform } from '@forte/graphql-transformer';
import { APPSYNC_RESOURCE_TYPES } from '@forte/protocol';
import { apiConfigSchema } from './api-config.js';
import { appSyncAuthConfig } from './auth-config.js';
import { apiTemplate } from './api-template.js';

void describe('the API template with a Lambda authorizer', () => {
  void it("names the authorizer function's deployed ARN (<function>-<env>) and its TTL, as Amplify's transformer does", () => {
    const config = apiConfigSchema.parse({
      serviceName: 'AppSync',
      apiName: 'notes',
      defaultAuthType: { mode: 'AWS_LAMBDA', lambdaFunction: 'graphQlLambdaAuthorizer1a2b3c4d', ttlSeconds: '120' },
      additionalAuthTypes: [{ mode: 'API_KEY', expirationTime: 7 }],
    });
    const compiled = transform({ schema: 'type Note @model @auth(rules: [{ allow: custom }]) { id: ID! }', authConfig: appSyncAuthConfig(config, undefined) });
    const template = apiTemplate(config, { definition: compiled.schema, plan: compiled.plan, tables: [] });
    const api = Object.values(template.Resources).find((r) => r.Type === APPSYNC_RESOURCE_TYPES.graphQLApi)!;
    assert.equal(api.Properties!.AuthenticationType, 'AWS_LAMBDA');
    assert.deepEqual(api.Properties!.LambdaAuthorizerConfig, {
      AuthorizerUri: {
        'Fn::Join': [
          '',
          ['arn:aws:lambda:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':function:', 'graphQlLambdaAuthorizer1a2b3c4d', '-', { Ref: 'env' }],
        ],
      },
      AuthorizerResultTtlInSeconds: 120,
    });
  });
});
