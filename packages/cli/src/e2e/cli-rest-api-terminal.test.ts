import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type ForteRun, initProject, removeProject, runForte, runForteInTerminal } from './forte-runner.js';

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

void describe('forte add api (REST) in a terminal (built binary)', () => {
  let work: string;
  let home: string;
  let root: string;
  const forte = (args: string[], stdin?: string): Promise<ForteRun> => runForte(args, { cwd: root, home, ...(stdin === undefined ? {} : { stdin }) });
  const readJson = (...path: string[]): any => JSON.parse(readFileSync(join(root, ...path), 'utf8'));

  before(async () => {
    ({ work, home, root } = await initProject('forte-rest-tty-', 'shopapp'));
    const auth = await forte(['add', 'auth', '--headless'], JSON.stringify(ADD_AUTH_REQUEST));
    assert.equal(auth.code, 0, auth.stderr);
  });
  after(() => removeProject({ work, home }));

  void it("`forte add api` in a terminal: REST, Amplify's questions, and the function category's questions for a new function", async () => {
    const { code, screen } = await runForteInTerminal(['add', 'api'], { cwd: root, home }, [
      [/Select from one of the below mentioned services/, '\x1b[B\r'],
      [/Provide a friendly name for your resource/, 'shopapi\r'],
      [/Provide a path \(e\.g\., \/book\/\{isbn\}\)/, '/orders/{id}\r'],
      [/Choose a Lambda source/, '\r'],
      [/Provide an AWS Lambda function name/, 'ordersfn\r'],
      [/Choose the runtime that you want to use/, '\r'],
      [/Choose the function template that you want to use/, '\x1b[B\x1b[B\r'],
      [/Do you want to configure advanced settings\?/, '\r'],
      [/Do you want to edit the local lambda function now\?/, '\r'],
      [/Restrict API access\?/, '\r'],
      [/Who should have access\?/, '\x1b[B\r'],
      [/What permissions do you want to grant to Authenticated users\?/, 'read\r'],
      [/What permissions do you want to grant to Guest users\?/, 'read\r'],
      [/Do you want to add another path\?/, '\r'],
    ]);
    assert.equal(code, 0, screen);
    assert.ok(
      screen.indexOf('Successfully added the Lambda function locally') < screen.indexOf('Restrict API access?'),
      'the function is added before the access questions',
    );
    assert.match(readFileSync(join(root, 'amplify/backend/function/ordersfn/src/app.js'), 'utf8'), /app\.get\('\/orders\/:id\/\*', /);
    assert.deepEqual(readJson('amplify/backend/api/shopapi/cli-inputs.json').paths['/orders/{id}'], {
      name: '/orders/{id}',
      lambdaFunction: 'ordersfn',
      permissions: { setting: 'protected', auth: ['read'], guest: ['read'] },
    });
  });
});
