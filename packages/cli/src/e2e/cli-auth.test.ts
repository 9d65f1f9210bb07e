import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type ForteRun, removeProject, runForte, runForteInTerminal } from './forte-runner.js';

interface AuthOutput {
  UserPoolId: string;
  UserPoolArn: string;
  UserPoolName: string;
  AppClientIDWeb: string;
  AppClientID: string;
  IdentityPoolId: string;
  IdentityPoolName: string;
}

void describe('forte auth: add auth → push → sign-up → mailbox → update (built binary, local cloud)', () => {
  let work: string;
  let home: string;
  let root: string;
  const forte = (args: string[], stdin?: string): Promise<ForteRun> => runForte(args, { cwd: root, home, ...(stdin === undefined ? {} : { stdin }) });
  const readJson = (...path: string[]): any => JSON.parse(readFileSync(join(root, ...path), 'utf8'));

  before(() => {
    work = mkdtempSync(join(tmpdir(), 'forte-auth-'));
    home = join(work, 'home');
    root = join(work, 'app');
    mkdirSync(root);
  });
  after(() => removeProject({ work, home }));

  void it('creates the pools on push, writes the frontend configs, lists sign-up codes, and turns MFA on for a pool with users', async () => {
    const init = await forte([
      'init',
      '--amplify',
      '{"projectName":"authapp","envName":"dev"}',
      '--frontend',
      '{"frontend":"javascript","framework":"react"}',
      '--yes',
    ]);
    assert.equal(init.code, 0, init.stderr);
    const add = await forte(['add', 'auth', '--yes']);
    assert.equal(add.code, 0, add.stderr);
    // The file `amplify override auth` writes: an empty override function changes nothing, and nothing is said of it.
    const authDir = join(root, 'amplify', 'backend', 'auth', readdirSync(join(root, 'amplify', 'backend', 'auth'))[0]!);
    writeFileSync(
      join(authDir, 'override.ts'),
      "import { AmplifyAuthCognitoStackTemplate, AmplifyProjectInfo } from '@aws-amplify/cli-extensibility-helper';\n\n" +
        'export function override(resources: AmplifyAuthCognitoStackTemplate, amplifyProjectInfo: AmplifyProjectInfo) {\n\n}\n',
    );
    const push = await forte(['push', '--yes']);
    assert.equal(push.code, 0, push.stderr + push.stdout);
    assert.doesNotMatch(push.stdout + push.stderr, /override/i);
    assert.match(push.stdout, /CREATE_COMPLETE\s+Forte::Cognito::UserPool\b/);

    const meta = readJson('amplify', 'backend', 'amplify-meta.json') as { auth: Record<string, { output: AuthOutput }> };
    const output = Object.values(meta.auth)[0]!.output;
    assert.match(output.UserPoolId, /^us-east-1_\w+$/);
    assert.match(output.IdentityPoolId, /^us-east-1:[0-9a-f-]{36}$/);
    assert.ok(output.AppClientIDWeb && output.AppClientID && output.AppClientIDWeb !== output.AppClientID);
    assert.match(output.UserPoolName, /^authapp_userpool-dev$/);

    const exportsText = readFileSync(join(root, 'src', 'aws-exports.js'), 'utf8');
    const exported = JSON.parse(exportsText.slice(exportsText.indexOf('{'), exportsText.lastIndexOf('}') + 1));
    assert.equal(exported.aws_user_pools_id, output.UserPoolId);
    assert.equal(exported.aws_user_pools_web_client_id, output.AppClientIDWeb);
    assert.equal(exported.aws_cognito_identity_pool_id, output.IdentityPoolId);
    assert.deepEqual(exported.aws_cognito_username_attributes, ['EMAIL']);
    assert.deepEqual(exported.aws_cognito_verification_mechanisms, ['EMAIL']);
    const outputs = readJson('amplify_outputs.json');
    assert.equal(outputs.auth.user_pool_id, output.UserPoolId);
    assert.equal(outputs.auth.unauthenticated_identities_enabled, false);
    const cloud = JSON.parse(readFileSync(join(home, 'cloud', 'cloud.json'), 'utf8')) as { url: string };
    assert.equal(outputs.custom.forte.endpoint, cloud.url);

    const email = 'bob@example.com';
    const signUp = await fetch(`${cloud.url}/cognito-idp/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSCognitoIdentityProviderService.SignUp' },
      body: JSON.stringify({ ClientId: output.AppClientIDWeb, Username: email, Password: 'Password-123', UserAttributes: [{ Name: 'email', Value: email }] }),
    });
    assert.equal(signUp.status, 200, await signUp.clone().text());

    const mailbox = await forte(['mailbox', '--json']);
    assert.equal(mailbox.code, 0, mailbox.stderr);
    const messages = JSON.parse(mailbox.stdout) as { to: string; code?: string; purpose: string }[];
    assert.equal(messages[0]?.to, email);
    assert.match(messages[0]?.code ?? '', /^\d{6}$/);
    const table = await forte(['mailbox', '--to', email]);
    assert.match(table.stdout, new RegExp(messages[0]!.code!));
    const none = await forte(['mailbox', '--to', 'nobody@example.com']);
    assert.match(none.stdout, /No messages to nobody@example.com/);

    const update = await forte(
      ['update', 'auth', '--headless'],
      JSON.stringify({
        version: 2,
        serviceModification: {
          serviceName: 'Cognito',
          userPoolModification: { mfa: { mode: 'ON', mfaTypes: ['TOTP'] }, requiredSignupAttributes: ['EMAIL', 'GIVEN_NAME'] },
        },
      }),
    );
    assert.equal(update.code, 0, update.stderr);
    assert.match(update.stdout + update.stderr, /MFA becomes required/);
    assert.match(update.stdout + update.stderr, /Newly required attribute: given_name/);
    // An override that changes something is not run by Forte: the push says so, naming the file, and goes on.
    writeFileSync(
      join(authDir, 'override.ts'),
      "import { AmplifyAuthCognitoStackTemplate } from '@aws-amplify/cli-extensibility-helper';\n" +
        'export function override(resources: AmplifyAuthCognitoStackTemplate) {\n  resources.userPool.policies = { passwordPolicy: { minimumLength: 12 } };\n}\n',
    );
    const repush = await forte(['push', '--yes']);
    assert.equal(repush.code, 0, repush.stderr + repush.stdout);
    assert.match(repush.stdout + repush.stderr, /Forte does not run Amplify overrides[^\n]*\n\s+amplify\/backend\/auth\/\w+\/override\.ts\n/);
    const after = (readJson('amplify', 'backend', 'amplify-meta.json') as { auth: Record<string, { output: AuthOutput }> }).auth;
    assert.equal(Object.values(after)[0]!.output.UserPoolId, output.UserPoolId, 'the pool is updated in place');
    const exportsAfter = readFileSync(join(root, 'src', 'aws-exports.js'), 'utf8');
    assert.match(exportsAfter, /"aws_cognito_mfa_configuration": "ON"/);
    const users = await fetch(`${cloud.url}/cognito-idp/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSCognitoIdentityProviderService.ResendConfirmationCode' },
      body: JSON.stringify({ ClientId: output.AppClientIDWeb, Username: email }),
    });
    assert.equal(users.status, 200, 'the user signed up before the update is still there');
  });

  void it('add auth in a terminal: arrow keys pick Username sign-in, and the answers are written', async () => {
    const tty = join(work, 'tty');
    mkdirSync(tty);
    const init = await runForte(['init', '--amplify', '{"projectName":"ttyauth","envName":"dev"}', '--yes'], { cwd: tty, home });
    assert.equal(init.code, 0, init.stderr);
    const { code, screen } = await runForteInTerminal(['add', 'auth'], { cwd: tty, home }, [
      [/Do you want to use the default authentication and security configuration/, '\r'],
      [/How do you want users to be able to sign in/, '\x1b[A\r'], // Email is the default; one up is Username
      [/Do you want to configure advanced settings/, '\r'],
    ]);
    assert.equal(code, 0, screen);
    const resource = Object.keys(JSON.parse(readFileSync(join(tty, 'amplify', 'backend', 'backend-config.json'), 'utf8')).auth)[0]!;
    const inputs = JSON.parse(readFileSync(join(tty, 'amplify', 'backend', 'auth', resource, 'cli-inputs.json'), 'utf8'));
    assert.deepEqual(inputs.cognitoConfig.usernameAttributes, []);
    assert.equal(inputs.cognitoConfig.useDefault, 'default');
  });
});
