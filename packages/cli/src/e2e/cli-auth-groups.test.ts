import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { AdminAddUserToGroupCommand, CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { get } from 'aws-amplify/api';
import { fetchAuthSession, signIn, signOut } from 'aws-amplify/auth';
import { configureAmplifyFrom, signUpAndIn } from './amplify-app.js';
import { useProject } from './forte-runner.js';

/** Email sign-in, an identity pool, and the user pool groups Admin and Editors (Amplify's AddAuthRequest v2). */
const ADD_AUTH_REQUEST = {
  version: 2,
  serviceConfiguration: {
    serviceName: 'Cognito',
    includeIdentityPool: true,
    userPoolConfiguration: {
      signinMethod: 'EMAIL',
      requiredSignupAttributes: ['EMAIL'],
      userPoolGroups: [{ groupName: 'Admin' }, { groupName: 'Editors' }],
    },
  },
};

/** `/reports` for the Admin group only (Amplify's "Restrict access by: Individual Groups"), served by a Hello World function. */
const ADD_REST_REQUEST = {
  version: 1,
  serviceConfiguration: {
    serviceName: 'API Gateway',
    apiName: 'reportsapi',
    paths: { '/reports': { newFunction: { name: 'reportsfn' }, permissions: { setting: 'private', groups: { Admin: ['read'] } } } },
  },
};

const PASSWORD = 'Password-123';

void describe('user pool groups made by forte add auth: their IAM roles carry REST group permissions (built binary, local cloud)', () => {
  const project = useProject('forte-auth-groups-', 'groupsapp');
  const { forte, readJson } = project;

  void it("add auth writes Amplify's userPoolGroups resource; the REST walkthrough's groups then have roles to grant", async () => {
    const auth = await forte(['add', 'auth', '--headless'], JSON.stringify(ADD_AUTH_REQUEST));
    assert.equal(auth.code, 0, auth.stderr + auth.stdout);
    assert.deepEqual(readJson('amplify/backend/auth/userPoolGroups/user-pool-group-precedence.json'), [
      { groupName: 'Admin', precedence: 1 },
      { groupName: 'Editors', precedence: 2 },
    ]);
    assert.equal(readJson('amplify/backend/backend-config.json').auth.userPoolGroups.service, 'Cognito-UserPool-Groups');
    const api = await forte(['add', 'api', '--headless'], JSON.stringify(ADD_REST_REQUEST));
    assert.equal(api.code, 0, api.stderr + api.stdout);
    assert.deepEqual(
      readJson('amplify/backend/backend-config.json').api.reportsapi.dependsOn.filter((d: { resourceName: string }) => d.resourceName === 'userPoolGroups'),
      [{ category: 'auth', resourceName: 'userPoolGroups', attributes: ['AdminGroupRole'] }],
    );
  });

  void it('pushes the groups with their roles; an Admin member may call /reports, a signed-in user outside the group is refused', async () => {
    const push = await forte(['push', '--yes']);
    assert.equal(push.code, 0, push.stderr + push.stdout);
    const meta = readJson('amplify/backend/amplify-meta.json');
    const authName = Object.keys(meta.auth).find((n) => meta.auth[n].service === 'Cognito')!;
    const userPoolId = String(meta.auth[authName].output.UserPoolId);
    assert.match(String(meta.auth.userPoolGroups.output.AdminGroupRole), new RegExp(`:role/${userPoolId}-AdminGroupRole$`));
    assert.match(String(meta.auth.userPoolGroups.output.EditorsGroupRole), new RegExp(`:role/${userPoolId}-EditorsGroupRole$`));
    assert.ok(existsSync(join(project.root, 'amplify/backend/api/reportsapi/build/reportsapi-cloudformation-template.json')));

    configureAmplifyFrom(project.root);
    await signUpAndIn('admin@example.com', { cwd: project.root, home: project.home });
    await signOut();
    await signUpAndIn('reader@example.com', { cwd: project.root, home: project.home });
    const refused = await get({ apiName: 'reportsapi', path: '/reports', options: { retryStrategy: { strategy: 'no-retry' } } as never }).response.then(
      () => undefined,
      (e: { response?: { statusCode?: number } }) => e,
    );
    assert.equal(refused?.response?.statusCode, 403, 'the authenticated role has no policy on /reports');
    await signOut();

    // The admin joins the group (with the cloud's admin keys, as an account holder would in the console) and signs in again.
    const cloud = JSON.parse(readFileSync(join(project.home, 'cloud', 'cloud.json'), 'utf8')) as { url: string };
    const keys = JSON.parse(readFileSync(join(project.home, 'cloud', 'admin-credentials.json'), 'utf8')) as { accessKeyId: string; secretAccessKey: string };
    const idp = new CognitoIdentityProviderClient({ endpoint: `${cloud.url}/cognito-idp/`, region: 'us-east-1', credentials: keys, maxAttempts: 1 });
    await idp.send(new AdminAddUserToGroupCommand({ UserPoolId: userPoolId, Username: 'admin@example.com', GroupName: 'Admin' }));
    await signIn({ username: 'admin@example.com', password: PASSWORD });
    const session = await fetchAuthSession();
    assert.equal(session.tokens?.idToken?.payload['cognito:preferred_role'], meta.auth.userPoolGroups.output.AdminGroupRole);
    const allowed = await get({ apiName: 'reportsapi', path: '/reports' }).response;
    assert.equal(allowed.statusCode, 200);
    assert.equal(await allowed.body.json(), 'Hello from Lambda!');
    await signOut();
  });

  void it('`forte remove auth` is refused while the API grants its groups, naming the API and what to remove first', async () => {
    const removed = await forte(['remove', 'auth', '--yes']);
    assert.notEqual(removed.code, 0);
    const text = removed.stderr + removed.stdout;
    assert.match(text, /cannot be removed because other resources depend on it: api reportsapi \(API Gateway: grants user pool groups through their roles\)/);
    assert.match(text, /forte remove api reportsapi/);
    assert.ok(existsSync(join(project.root, 'amplify/backend/auth/userPoolGroups/user-pool-group-precedence.json')), 'nothing was removed');
  });
});
