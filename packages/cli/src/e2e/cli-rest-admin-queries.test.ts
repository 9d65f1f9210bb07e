import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fetchAuthSession, signOut } from 'aws-amplify/auth';
import { configureAmplifyFrom, signUpAndIn } from './amplify-app.js';
import { type ForteRun, initProject, removeProject, runForte } from './forte-runner.js';

/** Auth with an identity pool that lets guests in (Amplify's AddAuthRequest v2). */
const ADD_AUTH_REQUEST = {
  version: 2,
  serviceConfiguration: {
    serviceName: 'Cognito',
    includeIdentityPool: true,
    identityPoolConfiguration: { unauthenticatedLogin: true },
    userPoolConfiguration: { signinMethod: 'EMAIL', requiredSignupAttributes: ['EMAIL'] },
  },
};

void describe("Amplify's Admin Queries API through the api plugin (built binary, local cloud)", () => {
  let work: string;
  let home: string;
  let root: string;
  const forte = (args: string[], stdin?: string): Promise<ForteRun> => runForte(args, { cwd: root, home, ...(stdin === undefined ? {} : { stdin }) });
  const readJson = (...path: string[]): any => JSON.parse(readFileSync(join(root, ...path), 'utf8'));

  before(async () => {
    ({ work, home, root } = await initProject('forte-admin-queries-', 'adminapp'));
    const auth = await forte(['add', 'auth', '--headless'], JSON.stringify(ADD_AUTH_REQUEST));
    assert.equal(auth.code, 0, auth.stderr);
  });
  after(() => removeProject({ work, home }));

  void it("Amplify's Admin Queries API (files as the auth category writes them) pushes and answers only with a user pool access token", async () => {
    const fn = await forte(['add', 'function', '--headless'], JSON.stringify({ name: 'AdminQueriesfn' }));
    assert.equal(fn.code, 0, fn.stderr);
    const authName = Object.keys(readJson('amplify/backend/backend-config.json').auth)[0]!;
    const dir = join(root, 'amplify/backend/api/AdminQueries');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'cli-inputs.json'),
      JSON.stringify({
        version: 1,
        paths: { '/{proxy+}': { lambdaFunction: 'AdminQueriesfn', permissions: { setting: 'private', auth: ['create', 'read', 'update', 'delete'] } } },
      }),
    );
    writeFileSync(join(dir, 'parameters.json'), '{}');
    const configFile = join(root, 'amplify/backend/backend-config.json');
    const config = readJson('amplify/backend/backend-config.json');
    config.api = {
      AdminQueries: {
        service: 'API Gateway',
        providerPlugin: 'awscloudformation',
        authorizationType: 'AMAZON_COGNITO_USER_POOLS',
        dependsOn: [
          { category: 'auth', resourceName: authName, attributes: ['UserPoolId'] },
          { category: 'function', resourceName: 'AdminQueriesfn', attributes: ['Arn', 'Name'] },
        ],
      },
    };
    writeFileSync(configFile, JSON.stringify(config, null, 2));
    const push = await forte(['push', '--yes']);
    assert.equal(push.code, 0, push.stderr + push.stdout);
    const rootUrl = readJson('amplify/backend/amplify-meta.json').api.AdminQueries.output.RootUrl as string;

    const anonymous = await fetch(`${rootUrl}/listUsers`);
    assert.equal(anonymous.status, 401, 'no token: Unauthorized');
    configureAmplifyFrom(root);
    await signUpAndIn('admin@example.com', { cwd: root, home });
    const accessToken = (await fetchAuthSession()).tokens!.accessToken.toString();
    const allowed = await fetch(`${rootUrl}/listUsers`, { headers: { Authorization: accessToken } });
    assert.equal(allowed.status, 200);
    assert.equal(await allowed.json(), 'Hello from Lambda!');
    await signOut();
  });
});
