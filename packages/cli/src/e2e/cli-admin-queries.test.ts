import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AdminAddUserToGroupCommand, CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { get, post } from 'aws-amplify/api';
import { fetchAuthSession, signIn, signOut } from 'aws-amplify/auth';
import { configureAmplifyFrom, signUpAndIn } from './amplify-app.js';
import { type ForteRun, initProject, removeProject, runForte, runForteInTerminal } from './forte-runner.js';

/** Email sign-in, the group Admin, and Amplify's Admin Queries API for the Admin group (AddAuthRequest v2). */
const ADD_AUTH_REQUEST = {
  version: 2,
  serviceConfiguration: {
    serviceName: 'Cognito',
    includeIdentityPool: false,
    userPoolConfiguration: {
      signinMethod: 'EMAIL',
      requiredSignupAttributes: ['EMAIL'],
      userPoolGroups: [{ groupName: 'Admin' }],
      adminQueries: { permissions: { restrictAccess: true, groupName: 'Admin' } },
    },
  },
};

const PASSWORD = 'Password-123';

/** The status and body of a refused aws-amplify REST call (it rejects with the response); throws if it was allowed. */
async function refusal(call: Promise<unknown>): Promise<{ statusCode?: number; body?: string }> {
  try {
    await call;
  } catch (error) {
    return (error as { response?: { statusCode?: number; body?: string } }).response ?? {};
  }
  throw new Error('the call was allowed');
}

void describe("forte auth's Admin Queries API: add auth → the function and REST API → push → admin group calls (built binary, local cloud)", () => {
  let work: string;
  let home: string;
  let root: string;
  let functionName: string;
  const forte = (args: string[], stdin?: string): Promise<ForteRun> => runForte(args, { cwd: root, home, ...(stdin === undefined ? {} : { stdin }) });
  const readJson = (...path: string[]): any => JSON.parse(readFileSync(join(root, ...path), 'utf8'));
  const authorization = async (): Promise<string> => (await fetchAuthSession()).tokens!.accessToken.toString();

  before(async () => {
    ({ work, home, root } = await initProject('forte-admin-queries-', 'adminapp'));
  });
  after(() => removeProject({ work, home }));

  void it('add auth --headless with adminQueries writes the AdminQueries function and REST API as Amplify does', async () => {
    const add = await forte(['add', 'auth', '--headless'], JSON.stringify(ADD_AUTH_REQUEST));
    assert.equal(add.code, 0, add.stderr + add.stdout);
    const backend = readJson('amplify/backend/backend-config.json');
    const auth = Object.keys(backend.auth)[0]!;
    assert.equal(readJson(`amplify/backend/auth/${auth}/cli-inputs.json`).cognitoConfig.adminQueryGroup, 'Admin');
    functionName = Object.keys(backend.function).find((n) => /^AdminQueries[0-9a-f]{8}$/.test(n))!;
    assert.ok(functionName, JSON.stringify(backend.function));
    assert.deepEqual(backend.function[functionName], {
      build: true,
      providerPlugin: 'awscloudformation',
      service: 'Lambda',
      dependsOn: [{ category: 'auth', resourceName: auth, attributes: ['UserPoolId'] }],
    });
    assert.deepEqual(backend.api.AdminQueries, {
      service: 'API Gateway',
      providerPlugin: 'awscloudformation',
      authorizationType: 'AMAZON_COGNITO_USER_POOLS',
      dependsOn: [
        { category: 'auth', resourceName: auth, attributes: ['UserPoolId'] },
        { category: 'function', resourceName: functionName, attributes: ['Arn', 'Name'] },
      ],
    });
    assert.deepEqual(readJson('amplify/backend/api/AdminQueries/cli-inputs.json'), {
      version: 1,
      paths: { '/{proxy+}': { lambdaFunction: functionName, permissions: { setting: 'private', auth: ['create', 'read', 'update', 'delete'] } } },
    });
    const template = readJson(`amplify/backend/function/${functionName}/${functionName}-cloudformation-template.json`);
    const variables = template.Resources.LambdaFunction.Properties.Environment.Variables;
    assert.equal(variables.GROUP, 'Admin');
    assert.deepEqual(variables.USERPOOL, { Ref: `auth${auth}UserPoolId` });
    const statements = template.Resources.lambdaexecutionpolicy.Properties.PolicyDocument.Statement as { Action: string[] | string }[];
    assert.ok(
      statements.some((s) => Array.isArray(s.Action) && s.Action.includes('cognito-idp:AdminAddUserToGroup') && s.Action.includes('cognito-idp:ListUsers')),
    );
    assert.match(readFileSync(join(root, `amplify/backend/function/${functionName}/src/index.js`), 'utf8'), /'GET \/listUsers'/);
  });

  void it('pushes; an Admin member lists users and adds a user to a group with its access token, a non-member gets 403, no token 401', async () => {
    const push = await forte(['push', '--yes']);
    assert.equal(push.code, 0, push.stderr + push.stdout);
    const output = readJson('amplify/backend/amplify-meta.json').api.AdminQueries.output;
    assert.equal(output.ApiName, 'AdminQueries');
    const template = readJson('amplify/backend/api/AdminQueries/build/AdminQueries-cloudformation-template.json');
    assert.deepEqual(Object.keys(template.Resources.AdminQueries.Properties.Body.paths), ['/{proxy+}']);
    assert.equal(readJson('amplify_outputs.json').custom.API.AdminQueries.endpoint, output.RootUrl);

    configureAmplifyFrom(root);
    await signUpAndIn('admin@example.com', { cwd: root, home });
    await signOut();
    await signUpAndIn('member@example.com', { cwd: root, home });

    // Not in the Admin group: the function's group check refuses.
    const notAdmin = await refusal(
      get({ apiName: 'AdminQueries', path: '/listUsers', options: { headers: { Authorization: await authorization() } } }).response,
    );
    assert.equal(notAdmin.statusCode, 403);
    assert.match(String(notAdmin.body), /User does not have permissions to perform administrative tasks/);
    await signOut();
    // No token: the gateway's user pool authorizer refuses before the function.
    const anonymous = await fetch(`${output.RootUrl}/listUsers`);
    assert.equal(anonymous.status, 401);
    assert.deepEqual(await anonymous.json(), { message: 'Unauthorized' });

    // The first admin is made with the cloud's admin credentials, as an AWS account holder would in the console.
    const cloud = JSON.parse(readFileSync(join(home, 'cloud', 'cloud.json'), 'utf8')) as { url: string };
    const keys = JSON.parse(readFileSync(join(home, 'cloud', 'admin-credentials.json'), 'utf8')) as { accessKeyId: string; secretAccessKey: string };
    const idp = new CognitoIdentityProviderClient({ endpoint: `${cloud.url}/cognito-idp/`, region: 'us-east-1', credentials: keys, maxAttempts: 1 });
    const userPoolId = String(
      Object.values(readJson('amplify/backend/amplify-meta.json').auth as Record<string, { output: { UserPoolId: string } }>)[0]!.output.UserPoolId,
    );
    await idp.send(new AdminAddUserToGroupCommand({ UserPoolId: userPoolId, Username: 'admin@example.com', GroupName: 'Admin' }));

    await signIn({ username: 'admin@example.com', password: PASSWORD });
    const listed = await get({ apiName: 'AdminQueries', path: '/listUsers', options: { headers: { Authorization: await authorization() } } }).response;
    assert.equal(listed.statusCode, 200);
    const users = (await listed.body.json()) as { Users: { Attributes: { Name: string; Value: string }[] }[] };
    const emails = users.Users.map((u) => u.Attributes.find((a) => a.Name === 'email')?.Value).sort();
    assert.deepEqual(emails, ['admin@example.com', 'member@example.com']);
    const added = await post({
      apiName: 'AdminQueries',
      path: '/addUserToGroup',
      options: { headers: { Authorization: await authorization() }, body: { username: 'member@example.com', groupname: 'Admin' } },
    }).response;
    assert.deepEqual(await added.body.json(), { message: 'Success adding member@example.com to Admin' });
    const inGroup = await get({
      apiName: 'AdminQueries',
      path: '/listUsersInGroup',
      options: { headers: { Authorization: await authorization() }, queryParams: { groupname: 'Admin' } },
    }).response;
    assert.equal(((await inGroup.body.json()) as { Users: unknown[] }).Users.length, 2);
    const missing = await refusal(
      post({ apiName: 'AdminQueries', path: '/addUserToGroup', options: { headers: { Authorization: await authorization() }, body: { username: 'x' } } })
        .response,
    );
    assert.equal(missing.statusCode, 400);
    assert.match(String(missing.body), /username and groupname are required/);
    await signOut();
  });

  void it('`forte update auth` in a terminal: the admin queries questions; no group restriction sets GROUP to NONE', async () => {
    const { code, screen } = await runForteInTerminal(['update', 'auth'], { cwd: root, home }, [
      [/What do you want to do\?/, '\r'],
      [/Select the authentication\/authorization services/, '\r'],
      [/Do you want to add User Pool Groups\?/, '\r'],
      [/Provide the names of your user pool groups/, '\r'],
      [/Do you want to add an admin queries API\?/, '\r'],
      [/Do you want to restrict access to the admin queries API to a specific Group/, 'n\r'],
      [/How do you want users to be able to sign in/, '\r'],
      [/Multifactor authentication \(MFA\) user login options/, '\r'],
      [/Email based user registration\/forgot password/, '\r'],
      [/Specify an email verification subject/, '\r'],
      [/Specify an email verification message/, '\r'],
      [/Do you want to override the default password policy/, '\r'],
      [/What attributes are required for signing up/, '\r'],
      [/Specify the app's refresh token expiration period/, '\r'],
      [/Do you want to use an OAuth flow\?/, '\r'],
      [/Do you want to configure Lambda Triggers for Cognito\?/, '\r'],
    ]);
    assert.equal(code, 0, screen);
    const backend = readJson('amplify/backend/backend-config.json');
    assert.deepEqual(
      Object.keys(backend.function).filter((n) => n.startsWith('AdminQueries')),
      [functionName],
      'the function is updated, not added again',
    );
    const template = readJson(`amplify/backend/function/${functionName}/${functionName}-cloudformation-template.json`);
    assert.equal(template.Resources.LambdaFunction.Properties.Environment.Variables.GROUP, 'NONE');
    const auth = Object.keys(backend.auth)[0]!;
    assert.equal(readJson(`amplify/backend/auth/${auth}/cli-inputs.json`).cognitoConfig.adminQueryGroup, undefined);
  });
});
