import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
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

  void it('a project Amplify wrote with a PreSignup trigger (its template, function-parameters.json, team-provider-info values) pushes unchanged', async () => {
    const other = await initProject('forte-amplify-trigger-', 'amptrig');
    try {
      const { root, home } = other;
      const add = await runForte(['add', 'auth', '--yes'], { cwd: root, home });
      assert.equal(add.code, 0, add.stderr);
      const backendFile = join(root, 'amplify', 'backend', 'backend-config.json');
      const backend = JSON.parse(readFileSync(backendFile, 'utf8'));
      const auth = Object.keys(backend.auth)[0]!;
      const fn = `${auth}PreSignup`;
      // What Amplify writes for `add auth` with the allowlist module, after its first push.
      const inputsFile = join(root, 'amplify', 'backend', 'auth', auth, 'cli-inputs.json');
      const inputs = JSON.parse(readFileSync(inputsFile, 'utf8'));
      inputs.cognitoConfig.triggers = { PreSignup: ['email-filter-allowlist'] };
      inputs.cognitoConfig.dependsOn = [{ category: 'function', resourceName: fn, triggerProvider: 'Cognito', attributes: ['Arn', 'Name'] }];
      writeFileSync(inputsFile, JSON.stringify(inputs, null, 2));
      backend.auth[auth].dependsOn = inputs.cognitoConfig.dependsOn;
      backend.function = { [fn]: { build: true, providerPlugin: 'awscloudformation', service: 'Lambda' } };
      const usedBy = { usedBy: [{ category: 'function', resourceName: fn }] };
      backend.parameters = { [`AMPLIFY_function_${fn}_deploymentBucketName`]: usedBy, [`AMPLIFY_function_${fn}_s3Key`]: usedBy };
      writeFileSync(backendFile, JSON.stringify(backend, null, 2));
      const dir = join(root, 'amplify', 'backend', 'function', fn);
      mkdirSync(join(dir, 'src'), { recursive: true });
      const perEnv = (name: string) => ({ 'Fn::If': ['ShouldNotCreateEnvResources', name, { 'Fn::Join': ['', [name, '-', { Ref: 'env' }]] }] });
      const text = (Default = '') => ({ Type: 'String', Default });
      writeFileSync(
        join(dir, `${fn}-cloudformation-template.json`),
        JSON.stringify({
          AWSTemplateFormatVersion: '2010-09-09',
          Description: 'Lambda resource stack creation using Amplify CLI',
          Parameters: {
            DOMAINBLACKLIST: text(),
            DOMAINALLOWLIST: text(),
            modules: text(),
            resourceName: text(),
            trigger: text('true'),
            functionName: text(),
            roleName: text(),
            parentResource: text(),
            parentStack: text(),
            env: { Type: 'String' },
            deploymentBucketName: { Type: 'String' },
            s3Key: { Type: 'String' },
          },
          Conditions: { ShouldNotCreateEnvResources: { 'Fn::Equals': [{ Ref: 'env' }, 'NONE'] } },
          Resources: {
            LambdaFunction: {
              Type: 'AWS::Lambda::Function',
              Metadata: { 'aws:asset:path': './src', 'aws:asset:property': 'Code' },
              Properties: {
                Handler: 'index.handler',
                FunctionName: perEnv(fn),
                Environment: {
                  Variables: {
                    ENV: { Ref: 'env' },
                    MODULES: { Ref: 'modules' },
                    REGION: { Ref: 'AWS::Region' },
                    DOMAINALLOWLIST: { Ref: 'DOMAINALLOWLIST' },
                    DOMAINBLACKLIST: { Ref: 'DOMAINBLACKLIST' },
                  },
                },
                Role: { 'Fn::GetAtt': ['LambdaExecutionRole', 'Arn'] },
                Runtime: 'nodejs22.x',
                Timeout: 25,
                Code: { S3Bucket: { Ref: 'deploymentBucketName' }, S3Key: { Ref: 's3Key' } },
              },
            },
            LambdaExecutionRole: {
              Type: 'AWS::IAM::Role',
              Properties: {
                RoleName: perEnv(fn),
                AssumeRolePolicyDocument: {
                  Version: '2012-10-17',
                  Statement: [{ Effect: 'Allow', Principal: { Service: ['lambda.amazonaws.com'] }, Action: ['sts:AssumeRole'] }],
                },
              },
            },
          },
          Outputs: {
            Name: { Value: { Ref: 'LambdaFunction' } },
            Arn: { Value: { 'Fn::GetAtt': ['LambdaFunction', 'Arn'] } },
            LambdaExecutionRole: { Value: { Ref: 'LambdaExecutionRole' } },
            Region: { Value: { Ref: 'AWS::Region' } },
          },
        }),
      );
      writeFileSync(join(dir, 'parameters.json'), JSON.stringify({ modules: 'email-filter-allowlist', resourceName: fn }));
      writeFileSync(
        join(dir, 'function-parameters.json'),
        JSON.stringify({
          trigger: true,
          modules: ['email-filter-allowlist'],
          parentResource: auth,
          functionName: fn,
          resourceName: fn,
          parentStack: 'auth',
          triggerEnvs: '[]',
          triggerDir:
            '/Users/someone/.nvm/versions/node/v18.0.0/lib/node_modules/@aws-amplify/cli/node_modules/@aws-amplify/amplify-category-auth/provider-utils/awscloudformation/triggers/PreSignup',
          triggerTemplate: 'PreSignup.json.ejs',
          triggerEventPath: 'PreSignup.event.json',
          roleName: fn,
          skipEdit: true,
        }),
      );
      const modules = new URL('../../../category-auth/triggers/', import.meta.url);
      writeFileSync(join(dir, 'src', 'index.js'), readFileSync(new URL('trigger-index.js', modules)));
      writeFileSync(join(dir, 'src', 'email-filter-allowlist.js'), readFileSync(new URL('email-filter-allowlist.js', modules)));
      // The allow list's value is the environment's, in team-provider-info.json (as Amplify keeps trigger settings).
      const tpiFile = join(root, 'amplify', 'team-provider-info.json');
      const tpi = JSON.parse(readFileSync(tpiFile, 'utf8'));
      tpi.dev.categories = { ...tpi.dev.categories, function: { [fn]: { DOMAINALLOWLIST: 'example.com' } } };
      writeFileSync(tpiFile, JSON.stringify(tpi, null, 2));

      const push = await runForte(['push', '--yes'], { cwd: root, home });
      assert.equal(push.code, 0, push.stderr + push.stdout);
      configureAmplifyFrom(root);
      await assert.rejects(
        signUp({ username: 'mallory@elsewhere.example', password: 'Passw0rd!', options: { userAttributes: { email: 'mallory@elsewhere.example' } } }),
        (error: Error) => error.name === 'UserLambdaValidationException' && /Invalid email domain: elsewhere\.example/.test(error.message),
      );
      const ok = await signUp({ username: 'zoe@example.com', password: 'Passw0rd!', options: { userAttributes: { email: 'zoe@example.com' } } });
      assert.equal(ok.nextStep.signUpStep, 'CONFIRM_SIGN_UP');
    } finally {
      await removeProject(other);
    }
  });
});
