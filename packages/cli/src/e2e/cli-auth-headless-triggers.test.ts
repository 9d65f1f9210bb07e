import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { signUp } from 'aws-amplify/auth';
import { configureAmplifyFrom } from './amplify-app.js';
import { useProject } from './forte-runner.js';

/** Email sign-in with a PreSignup allowlist, in the headless AddAuthRequest (`triggers` and `triggerSettings`). */
const ADD_AUTH_REQUEST = {
  version: 2,
  resourceName: 'hookauth',
  serviceConfiguration: {
    serviceName: 'Cognito',
    includeIdentityPool: false,
    userPoolConfiguration: {
      signinMethod: 'EMAIL',
      requiredSignupAttributes: ['EMAIL'],
      triggers: { PreSignup: ['email-filter-allowlist'] },
      triggerSettings: { PreSignup: { DOMAINALLOWLIST: 'example.com' } },
    },
  },
};

const PASSWORD = 'Passw0rd!';
const signUpAs = (email: string): Promise<unknown> => signUp({ username: email, password: PASSWORD, options: { userAttributes: { email } } });

void describe('Lambda triggers in the headless AddAuthRequest / UpdateAuthRequest → push → the pool runs them (built binary, local cloud)', () => {
  const project = useProject('forte-auth-headless-triggers-', 'hookapp');
  const { forte, readJson } = project;

  void it('add auth --headless writes the trigger function through the function category; after push only allowed domains sign up', async () => {
    const add = await forte(['add', 'auth', '--headless'], JSON.stringify(ADD_AUTH_REQUEST));
    assert.equal(add.code, 0, add.stderr + add.stdout);
    assert.deepEqual(readJson('amplify/backend/auth/hookauth/cli-inputs.json').cognitoConfig.triggers, { PreSignup: ['email-filter-allowlist'] });
    assert.deepEqual(readJson('amplify/backend/function/hookauthPreSignup/parameters.json'), {
      modules: 'email-filter-allowlist',
      resourceName: 'hookauthPreSignup',
      DOMAINALLOWLIST: 'example.com',
    });
    assert.ok(existsSync(join(project.root, 'amplify/backend/function/hookauthPreSignup/src/email-filter-allowlist.js')));

    const push = await forte(['push', '--yes']);
    assert.equal(push.code, 0, push.stderr + push.stdout);
    configureAmplifyFrom(project.root);
    await assert.rejects(
      signUpAs('eve@other.example'),
      (error: Error) => error.name === 'UserLambdaValidationException' && /Invalid email domain: other\.example/.test(error.message),
    );
    await signUpAs('ann@example.com');
  });

  void it('a bad module setting is refused naming the field; update --headless with triggers {} removes the trigger, and after push any domain signs up', async () => {
    const bad = await forte(
      ['update', 'auth', '--headless'],
      JSON.stringify({ version: 2, serviceModification: { serviceName: 'Cognito', userPoolModification: { triggerSettings: { PreSignup: { GROUP: 'x' } } } } }),
    );
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr + bad.stdout, /triggerSettings\.PreSignup\.GROUP is not a setting of the chosen modules/);

    const update = await forte(
      ['update', 'auth', '--headless'],
      JSON.stringify({ version: 2, serviceModification: { serviceName: 'Cognito', userPoolModification: { triggers: {} } } }),
    );
    assert.equal(update.code, 0, update.stderr + update.stdout);
    assert.equal(readJson('amplify/backend/backend-config.json').function?.hookauthPreSignup, undefined);
    assert.equal(existsSync(join(project.root, 'amplify/backend/function/hookauthPreSignup')), false);
    const push = await forte(['push', '--yes']);
    assert.equal(push.code, 0, push.stderr + push.stdout);
    configureAmplifyFrom(project.root);
    await signUpAs('eve@other.example');
  });
});
