import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { confirmSignUp, fetchAuthSession, signIn, signOut, signUp } from 'aws-amplify/auth';
import { configureAmplifyFrom } from './amplify-app.js';
import { initProject, removeProject, runForte, runForteInTerminal } from './forte-runner.js';

void describe('forte add auth with Lambda triggers → push → the triggers run (built binary, local cloud, aws-amplify)', () => {
  let project: { work: string; home: string; root: string };
  const readJson = (...path: string[]): any => JSON.parse(readFileSync(join(project.root, ...path), 'utf8'));

  before(async () => {
    project = await initProject('forte-auth-triggers-', 'trigapp');
  });
  after(() => removeProject(project));

  void it("asks Amplify's trigger questions, writes the trigger functions through the function category, and the pool runs them", async () => {
    const { root, home } = project;
    const { code, screen } = await runForteInTerminal(['add', 'auth'], { cwd: root, home }, [
      [/Do you want to use the default authentication and security configuration/, '\r'],
      [/How do you want users to be able to sign in/, '\r'],
      [/Do you want to configure advanced settings/, 'y\r'],
      [/What attributes are required for signing up/, '\r'],
      [/Do you want to add User Pool Groups/, '\r'],
      [/Do you want to configure Lambda Triggers for Cognito/, 'y\r'],
      [/Which triggers do you want to enable for Cognito/, 'PreSignup, PostConfirmation\r'],
      [/What functionality do you want to use for Pre Sign-up/, 'email-filter-denylist\r'],
      [/disallowed email domains/, 'blocked.example\r'],
      [/What functionality do you want to use for Post Confirmation/, 'add-to-group, custom\r'],
      [/name of the group to which users will be added/, 'members\r'],
    ]);
    assert.equal(code, 0, screen);

    const backend = readJson('amplify', 'backend', 'backend-config.json');
    const auth = Object.keys(backend.auth)[0]!;
    const preSignup = `${auth}PreSignup`;
    const postConfirmation = `${auth}PostConfirmation`;
    assert.deepEqual(backend.auth[auth].dependsOn, [
      { category: 'function', resourceName: preSignup, triggerProvider: 'Cognito', attributes: ['Arn', 'Name'] },
      { category: 'function', resourceName: postConfirmation, triggerProvider: 'Cognito', attributes: ['Arn', 'Name'] },
    ]);
    assert.deepEqual(backend.function[preSignup], { build: true, providerPlugin: 'awscloudformation', service: 'Lambda' });
    const inputs = readJson('amplify', 'backend', 'auth', auth, 'cli-inputs.json').cognitoConfig;
    assert.deepEqual(inputs.triggers, { PreSignup: ['email-filter-denylist'], PostConfirmation: ['add-to-group', 'custom'] });
    const fp = readJson('amplify', 'backend', 'function', postConfirmation, 'function-parameters.json');
    assert.equal(fp.trigger, true);
    assert.equal(fp.parentResource, auth);
    assert.equal(fp.parentStack, 'auth');
    assert.deepEqual(fp.modules, ['add-to-group', 'custom']);
    assert.deepEqual(readJson('amplify', 'backend', 'function', postConfirmation, 'parameters.json'), {
      modules: 'add-to-group,custom',
      resourceName: postConfirmation,
      GROUP: 'members',
    });
    for (const file of ['index.js', 'add-to-group.js', 'custom.js', 'package.json'])
      assert.ok(existsSync(join(root, 'amplify', 'backend', 'function', postConfirmation, 'src', file)), file);
    const template = readJson('amplify', 'backend', 'function', preSignup, `${preSignup}-cloudformation-template.json`);
    assert.deepEqual(template.Resources.LambdaFunction.Properties.Environment.Variables.MODULES, { Ref: 'modules' });
    assert.deepEqual(template.Resources.LambdaFunction.Properties.Environment.Variables.DOMAINDENYLIST, { Ref: 'DOMAINDENYLIST' });

    const push = await runForte(['push', '--yes'], { cwd: root, home });
    assert.equal(push.code, 0, push.stderr + push.stdout);

    configureAmplifyFrom(root);
    await assert.rejects(
      signUp({ username: 'eve@blocked.example', password: 'Passw0rd!', options: { userAttributes: { email: 'eve@blocked.example' } } }),
      (error: Error) =>
        error.name === 'UserLambdaValidationException' && error.message === 'PreSignUp failed with error Invalid email domain: blocked.example.',
    );
    const email = 'ann@example.com';
    await signUp({ username: email, password: 'Passw0rd!', options: { userAttributes: { email } } });
    const mailbox = await runForte(['mailbox', '--json'], { cwd: root, home });
    const code6 = (JSON.parse(mailbox.stdout) as { to: string; code?: string }[]).find((m) => m.to === email)?.code;
    assert.ok(code6, mailbox.stdout);
    assert.equal((await confirmSignUp({ username: email, confirmationCode: code6 })).isSignUpComplete, true);
    await signIn({ username: email, password: 'Passw0rd!' });
    assert.deepEqual((await fetchAuthSession()).tokens?.idToken?.payload['cognito:groups'], ['members'], 'add-to-group ran with its policy on the pool');
    await signOut();

    // A second push of the unchanged project changes nothing.
    const again = await runForte(['push', '--yes'], { cwd: root, home });
    assert.equal(again.code, 0, again.stderr + again.stdout);
    assert.match(again.stdout + again.stderr, /No changes|up to date|nothing to (push|deploy)/i);
  });
});
