import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { transform } from '@forte/graphql-transformer';
import {
  APPSYNC_RESOURCE_TYPES,
  CONTROL_PATH,
  CONTROL_TARGET_PREFIX,
  RESOURCE_TYPES,
  SIGNING_SERVICE,
  type ControlOperation,
  type ControlOperations,
  type Deployment,
  type Template,
} from '@forte/protocol';
import { LAMBDA_TRUST, NODE_RUNTIME, startLambdaCloud } from './lambda-fixture.js';
import type { TestCloud } from './index.js';

let cloud: TestCloud;

/** One control API call, signed with the admin keys as the CLI signs it. */
async function control<O extends ControlOperation>(operation: O, input: ControlOperations[O]['input']): Promise<ControlOperations[O]['output']> {
  const url = new URL(cloud.url);
  const body = JSON.stringify(input);
  const signer = new SignatureV4({
    service: SIGNING_SERVICE,
    region: cloud.credentials.region,
    credentials: cloud.credentials,
    sha256: Hash.bind(null, 'sha256'),
  });
  const headers = { host: url.host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `${CONTROL_TARGET_PREFIX}${operation}` };
  const signed = await signer.sign({ method: 'POST', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: CONTROL_PATH, headers, body });
  const { host: _host, ...sent } = signed.headers as Record<string, string>;
  const res = await fetch(new URL(CONTROL_PATH, url), { method: 'POST', headers: sent, body });
  const answer = (await res.json()) as Record<string, unknown>;
  if (res.status !== 200) throw new Error(`${operation}: ${String(answer['message'])}`);
  return answer as ControlOperations[O]['output'];
}

async function deployed(deploymentId: string): Promise<Deployment> {
  for (let i = 0; i < 600; i++) {
    const { deployment } = await control('GetDeployment', { deploymentId });
    if (deployment.status !== 'IN_PROGRESS' && deployment.status !== 'ROLLING_BACK') return deployment;
    await sleep(50);
  }
  throw new Error(`deployment ${deploymentId} did not finish`);
}

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
});
