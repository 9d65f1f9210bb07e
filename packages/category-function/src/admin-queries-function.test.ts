import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CognitoIdentityProviderClient, CreateGroupCommand } from '@aws-sdk/client-cognito-identity-provider';
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { AUTH_RESOURCE_TYPES } from '@forte/protocol';
import { deployFunction, deployRole, lambdaClient, resourceContext, startLambdaCloud, type TestCloud } from '@forte/testing';
import { ADMIN_QUERIES_ACTIONS, ADMIN_QUERIES_INDEX } from './admin-queries-source.js';
import { ADMIN_QUERIES_ACTIONS_ALLOWED } from './admin-queries.js';

/** A REST (v1) proxy event as the gateway's user pool authorizer passes it: the caller's claims. */
function proxyEvent(
  method: string,
  path: string,
  options: { groups?: string; query?: Record<string, string>; body?: unknown; username?: string } = {},
): unknown {
  return {
    resource: '/{proxy+}',
    path,
    httpMethod: method,
    headers: { 'Content-Type': 'application/json' },
    queryStringParameters: options.query ?? null,
    pathParameters: { proxy: path.slice(1) },
    body: options.body === undefined ? null : JSON.stringify(options.body),
    isBase64Encoded: false,
    requestContext: {
      authorizer: { claims: { username: options.username ?? 'caller', ...(options.groups ? { 'cognito:groups': options.groups } : {}) } },
      identity: { userArn: null },
    },
  };
}

/** The Admin Queries function's own code, run by the cloud's Lambda runtime against its user pools (IAM as on AWS). */
void describe("the Admin Queries function's routes, group check and user pool access", () => {
  let cloud: TestCloud;
  let lambda: LambdaClient;
  let poolA: string;
  let poolB: string;

  const call = async (fn: string, event: unknown): Promise<{ statusCode: number; headers: Record<string, string>; body: any }> => {
    const out = await lambda.send(new InvokeCommand({ FunctionName: fn, Payload: JSON.stringify(event) }));
    const answer = JSON.parse(Buffer.from(out.Payload ?? []).toString('utf8')) as { statusCode: number; headers: Record<string, string>; body: string };
    return { ...answer, body: JSON.parse(answer.body) };
  };

  before(async () => {
    cloud = await startLambdaCloud();
    lambda = lambdaClient(cloud);
    const idp = new CognitoIdentityProviderClient({
      endpoint: `${cloud.url}/cognito-idp/`,
      region: cloud.credentials.region,
      credentials: cloud.credentials,
      maxAttempts: 1,
    });
    const pools = cloud.kernel.resourceHandler(AUTH_RESOURCE_TYPES.userPool)!;
    poolA = String((await pools.create({ PoolName: 'a' }, resourceContext(cloud, 'UserPoolA'))).attributes.UserPoolId);
    poolB = String((await pools.create({ PoolName: 'b' }, resourceContext(cloud, 'UserPoolB'))).attributes.UserPoolId);
    await idp.send(new CreateGroupCommand({ UserPoolId: poolA, GroupName: 'Admin', Precedence: 1 }));
    idp.destroy();
    const { region, accountId } = cloud.kernel.config;
    // The role Amplify's template gives the function: the admin actions on its own pool only.
    const role = await deployRole(cloud, 'adminqueries-role', [
      { Effect: 'Allow', Action: ADMIN_QUERIES_ACTIONS_ALLOWED, Resource: `arn:aws:cognito-idp:${region}:${accountId}:userpool/${poolA}` },
    ]);
    const files = { 'index.js': ADMIN_QUERIES_INDEX, 'cognitoActions.js': ADMIN_QUERIES_ACTIONS };
    await deployFunction(cloud, { name: 'adminq', files, role, variables: { USERPOOL: poolA, GROUP: 'Admin' } });
    await deployFunction(cloud, { name: 'adminqother', files, role, variables: { USERPOOL: poolB, GROUP: 'NONE' } });
  });
  after(async () => {
    lambda.destroy();
    await cloud.close();
  });

  void it("lets the group's members through and refuses others with 403, as Amplify's group check", async () => {
    const listed = await call('adminq', proxyEvent('GET', '/listGroups', { groups: 'Editors,Admin' }));
    assert.equal(listed.statusCode, 200);
    assert.equal(listed.headers['Access-Control-Allow-Origin'], '*');
    assert.deepEqual(
      listed.body.Groups.map((g: { GroupName: string }) => g.GroupName),
      ['Admin'],
    );
    for (const groups of [undefined, 'Editors']) {
      const refused = await call('adminq', proxyEvent('GET', '/listUsers', groups ? { groups } : {}));
      assert.deepEqual([refused.statusCode, refused.body], [403, { message: 'User does not have permissions to perform administrative tasks' }]);
    }
  });

  void it("answers Amplify's 400s for missing fields, the user pool's errors with their status, 404 for unknown routes", async () => {
    const admin = { groups: 'Admin' };
    assert.deepEqual(await call('adminq', proxyEvent('POST', '/addUserToGroup', { ...admin, body: { username: 'x' } })).then((r) => [r.statusCode, r.body]), [
      400,
      { message: 'username and groupname are required' },
    ]);
    assert.deepEqual(await call('adminq', proxyEvent('GET', '/getUser', admin)).then((r) => [r.statusCode, r.body]), [
      400,
      { message: 'username is required' },
    ]);
    const missing = await call('adminq', proxyEvent('GET', '/getUser', { ...admin, query: { username: 'nobody' } }));
    assert.deepEqual([missing.statusCode, missing.body], [400, { message: 'User does not exist.' }]);
    const users = await call('adminq', proxyEvent('GET', '/listUsers', { ...admin, query: { limit: '10' } }));
    assert.deepEqual([users.statusCode, users.body.Users], [200, []]);
    assert.equal(await call('adminq', proxyEvent('GET', '/nothing', admin)).then((r) => r.statusCode), 404);
    const signOut = await call('adminq', proxyEvent('POST', '/signUserOut', { body: { username: 'someone-else' }, username: 'caller' }));
    assert.deepEqual([signOut.statusCode, signOut.body], [400, { message: 'only the user can sign themselves out' }]);
  });

  void it("cannot reach a user pool its role is not allowed (the cognito-idp admin actions are authorized on the pool's ARN)", async () => {
    const refused = await call('adminqother', proxyEvent('GET', '/listUsers'));
    assert.equal(refused.statusCode, 403, "the pool's AccessDeniedException status, passed on");
    assert.match(refused.body.message, new RegExp(`not authorized to perform cognito-idp:ListUsers on arn:aws:cognito-idp:[^:]+:\\d+:userpool/${poolB}`));
  });
});
