import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { transform } from '@forte/graphql-transformer';
import {
  APPSYNC_RESOURCE_TYPES,
  RESOURCE_TYPES,
  STACK_EVENT_WARNING,
  type ControlOperation,
  type ControlOperations,
  type Deployment,
  type Template,
} from '@forte/protocol';
import { LAMBDA_TRUST, NODE_RUNTIME, startLambdaCloud } from './lambda-fixture.js';
import { createTestControlClient } from './control-client.js';
import type { TestCloud } from './index.js';

let cloud: TestCloud;

/** One control API call, signed with the admin keys as the CLI signs it. */
const control = <O extends ControlOperation>(operation: O, input: ControlOperations[O]['input']): Promise<ControlOperations[O]['output']> =>
  createTestControlClient(cloud).call(operation, input);

const deployed = (deploymentId: string): Promise<Deployment> => createTestControlClient(cloud).waitFor(deploymentId);

/**
 * One push holding the function and the API whose schema calls it. The function reads the API's id (as a
 * function given access to an API does), so nothing the templates say orders it before the schema: the
 * schema waits for it because its handler is applied after functions.
 */
function pushTemplate(): Template {
  const compiled = transform({
    schema: 'type Query { hello(name: String!): String @function(name: "hello-${env}") @auth(rules: [{ allow: public }]) }',
    authConfig: { defaultAuthentication: { authenticationType: 'API_KEY' } },
  });
  return {
    Parameters: { env: { Type: 'String' } },
    Resources: {
      GraphQLAPI: { Type: APPSYNC_RESOURCE_TYPES.graphQLApi, Properties: { Name: 'pushed', AuthenticationType: 'API_KEY' } },
      GraphQLSchema: {
        Type: APPSYNC_RESOURCE_TYPES.graphQLSchema,
        Properties: { ApiId: { 'Fn::GetAtt': ['GraphQLAPI', 'ApiId'] }, Definition: compiled.schema, Plan: compiled.plan, Tables: {} },
      },
      GraphQLAPIKey: { Type: APPSYNC_RESOURCE_TYPES.apiKey, Properties: { ApiId: { 'Fn::GetAtt': ['GraphQLAPI', 'ApiId'] }, ExpirationDays: 7 } },
      LambdaExecutionRole: { Type: RESOURCE_TYPES.role, Properties: { RoleName: 'hello-role', AssumeRolePolicyDocument: LAMBDA_TRUST } },
      LambdaFunction: {
        Type: 'AWS::Lambda::Function',
        Properties: {
          FunctionName: { 'Fn::Join': ['-', ['hello', { Ref: 'env' }]] },
          Handler: 'index.handler',
          Runtime: NODE_RUNTIME,
          Role: { 'Fn::GetAtt': ['LambdaExecutionRole', 'Arn'] },
          Code: { ZipFile: 'exports.handler = async (event) => `hello ${event.arguments.name} from ${process.env.API_ID}`;' },
          Environment: { Variables: { API_ID: { 'Fn::GetAtt': ['GraphQLAPI', 'ApiId'] } } },
        },
      },
    },
    Outputs: {
      Url: { Value: { 'Fn::GetAtt': ['GraphQLAPI', 'GraphQLUrl'] } },
      Key: { Value: { 'Fn::GetAtt': ['GraphQLAPIKey', 'ApiKey'] } },
      ApiId: { Value: { 'Fn::GetAtt': ['GraphQLAPI', 'ApiId'] } },
    },
  };
}

/**
 * An API whose default mode is AWS_LAMBDA, with its authorizer in the same push: the authorizer named as the
 * api category's template names it (`arn:aws:lambda:<region>:<account>:function:<name>-<env>`, category-api's
 * api-template.ts), resolved by the stack engine.
 */
function lambdaAuthTemplate(): Template {
  const compiled = transform({
    schema: 'type Query { me: String @function(name: "me-${env}") @auth(rules: [{ allow: custom }]) }',
    authConfig: { defaultAuthentication: { authenticationType: 'AWS_LAMBDA', lambdaAuthorizerConfig: { lambdaFunction: 'authz', ttlSeconds: 300 } } },
  });
  const fn = (name: string, code: string) => ({
    Type: 'AWS::Lambda::Function',
    Properties: {
      FunctionName: { 'Fn::Join': ['-', [name, { Ref: 'env' }]] },
      Handler: 'index.handler',
      Runtime: NODE_RUNTIME,
      Role: { 'Fn::GetAtt': ['LambdaExecutionRole', 'Arn'] },
      Code: { ZipFile: code },
    },
  });
  return {
    Parameters: { env: { Type: 'String' } },
    Resources: {
      GraphQLAPI: {
        Type: APPSYNC_RESOURCE_TYPES.graphQLApi,
        Properties: {
          Name: 'authorized',
          AuthenticationType: 'AWS_LAMBDA',
          LambdaAuthorizerConfig: {
            AuthorizerUri: {
              'Fn::Join': ['', ['arn:aws:lambda:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':function:', 'authz', '-', { Ref: 'env' }]],
            },
            AuthorizerResultTtlInSeconds: 300,
          },
        },
      },
      GraphQLSchema: {
        Type: APPSYNC_RESOURCE_TYPES.graphQLSchema,
        Properties: { ApiId: { 'Fn::GetAtt': ['GraphQLAPI', 'ApiId'] }, Definition: compiled.schema, Plan: compiled.plan, Tables: {} },
      },
      LambdaExecutionRole: { Type: RESOURCE_TYPES.role, Properties: { RoleName: 'authz-role', AssumeRolePolicyDocument: LAMBDA_TRUST } },
      Authorizer: fn('authz', "exports.handler = async (e) => ({ isAuthorized: e.authorizationToken === 'letmein', resolverContext: { who: 'ada' } });"),
      // What the function's own template holds once the api category makes it the authorizer.
      PermissionForAppSyncToInvokeLambda: {
        Type: 'AWS::Lambda::Permission',
        Properties: { FunctionName: { Ref: 'Authorizer' }, Action: 'lambda:InvokeFunction', Principal: 'appsync.amazonaws.com' },
      },
      Me: fn('me', 'exports.handler = async (e) => e.identity.resolverContext.who;'),
    },
    Outputs: { Url: { Value: { 'Fn::GetAtt': ['GraphQLAPI', 'GraphQLUrl'] } } },
  };
}

before(async () => {
  cloud = await startLambdaCloud();
});
after(() => cloud.close());

void describe('@function in a push', () => {
  void it('the function of the same push is deployed before the schema that names it, and the field answers through it', async () => {
    const { app } = await control('CreateApp', { name: 'FnPush' });
    await control('CreateEnvironment', { appId: app.appId, envName: 'dev' });
    const { changeSet } = await control('CreateChangeSet', { appId: app.appId, envName: 'dev', template: pushTemplate(), parameters: { env: 'dev' } });
    const { deployment } = await control('ExecuteChangeSet', { changeSetId: changeSet.changeSetId });
    const done = await deployed(deployment.deploymentId);
    assert.equal(done.status, 'SUCCEEDED', done.error);
    const outputs = (await control('GetEnvironment', { appId: app.appId, envName: 'dev' })).environment.outputs as Record<string, string>;
    const res = await fetch(outputs.Url!, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': outputs.Key! },
      body: JSON.stringify({ query: '{ hello(name: "ada") }' }),
    });
    assert.deepEqual(await res.json(), { data: { hello: `hello ada from ${outputs.ApiId}` } });
  });

  void it('a function of the same push that depends on the API comes after the schema, which accepts it; a name no function has deploys with a warning', async () => {
    // As in Amplify's stacks, where a function reading the API's outputs depends on the whole API stack.
    const after = pushTemplate();
    const dependsOnSchema = (template: ReturnType<typeof pushTemplate>): void => {
      const props = (template.Resources.LambdaFunction as unknown as { Properties: { Environment: { Variables: Record<string, unknown> } } }).Properties;
      props.Environment.Variables.SCHEMA = { 'Fn::GetAtt': ['GraphQLSchema', 'DefinitionHash'] };
    };
    dependsOnSchema(after);
    const { app } = await control('CreateApp', { name: 'FnAfterSchema' });
    await control('CreateEnvironment', { appId: app.appId, envName: 'stage' });
    const { changeSet } = await control('CreateChangeSet', { appId: app.appId, envName: 'stage', template: after, parameters: { env: 'stage' } });
    const done = await deployed((await control('ExecuteChangeSet', { changeSetId: changeSet.changeSetId })).deployment.deploymentId);
    assert.equal(done.status, 'SUCCEEDED', done.error);
    const outputs = (await control('GetEnvironment', { appId: app.appId, envName: 'stage' })).environment.outputs as Record<string, string>;
    const res = await fetch(outputs.Url!, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': outputs.Key! },
      body: JSON.stringify({ query: '{ hello(name: "ada") }' }),
    });
    assert.deepEqual(await res.json(), { data: { hello: `hello ada from ${outputs.ApiId}` } });

    // The same push with the function named otherwise: nothing creates "hello-prod", so the schema deploys (as on
    // AWS) with a warning on its event, and the field answers Lambda's error.
    const misnamed = pushTemplate();
    const fnProps = (misnamed.Resources.LambdaFunction as { Properties: Record<string, unknown> }).Properties;
    fnProps.FunctionName = { 'Fn::Join': ['-', ['other', { Ref: 'env' }]] };
    dependsOnSchema(misnamed);
    await control('CreateEnvironment', { appId: app.appId, envName: 'prod' });
    const second = await control('CreateChangeSet', { appId: app.appId, envName: 'prod', template: misnamed, parameters: { env: 'prod' } });
    const warned = await deployed((await control('ExecuteChangeSet', { changeSetId: second.changeSet.changeSetId })).deployment.deploymentId);
    assert.equal(warned.status, 'SUCCEEDED', warned.error);
    const { events } = await control('DescribeStackEvents', { appId: app.appId, envName: 'prod', deploymentId: warned.deploymentId });
    const schemaDone = events.find((e) => e.logicalId === 'GraphQLSchema' && e.status === 'CREATE_COMPLETE');
    assert.equal(
      schemaDone?.reason,
      `${STACK_EVENT_WARNING}Query.hello calls @function "hello-prod", which does not exist in this environment (prod): the field answers Lambda:ResourceNotFoundException until it does. Add the function, or fix the name in schema.graphql.`,
    );
    assert.equal(
      events.find((e) => e.logicalId === 'LambdaFunction' && e.status === 'CREATE_COMPLETE')?.reason,
      undefined,
      'a resource without warnings has no reason',
    );
    const prod = (await control('GetEnvironment', { appId: app.appId, envName: 'prod' })).environment.outputs as Record<string, string>;
    const answer = (await fetch(prod.Url!, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': prod.Key! },
      body: JSON.stringify({ query: '{ hello(name: "ada") }' }),
    }).then((res) => res.json())) as { data: unknown; errors?: Array<{ errorType: string }> };
    assert.deepEqual(answer.data, { hello: null });
    assert.equal(answer.errors?.[0]?.errorType, 'Lambda:ResourceNotFoundException');
  });
});

void describe('AWS_LAMBDA in a push', () => {
  void it("the api template's authorizer ARN resolves to the pushed function, which decides who calls", async () => {
    const { app } = await control('CreateApp', { name: 'LambdaAuthPush' });
    await control('CreateEnvironment', { appId: app.appId, envName: 'dev' });
    const { changeSet } = await control('CreateChangeSet', { appId: app.appId, envName: 'dev', template: lambdaAuthTemplate(), parameters: { env: 'dev' } });
    const { deployment } = await control('ExecuteChangeSet', { changeSetId: changeSet.changeSetId });
    const done = await deployed(deployment.deploymentId);
    assert.equal(done.status, 'SUCCEEDED', done.error);
    const outputs = (await control('GetEnvironment', { appId: app.appId, envName: 'dev' })).environment.outputs as Record<string, string>;
    const ask = (token: string) =>
      fetch(outputs.Url!, { method: 'POST', headers: { 'content-type': 'application/json', authorization: token }, body: JSON.stringify({ query: '{ me }' }) });
    const allowed = await ask('letmein');
    assert.deepEqual(await allowed.json(), { data: { me: 'ada' } });
    const refused = await ask('guess');
    assert.equal(refused.status, 401);
  });
});
