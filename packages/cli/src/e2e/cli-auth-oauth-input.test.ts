import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runForteInTerminal, useProject } from './forte-runner.js';

const GOOGLE_SECRET = 'GOCSPX-e2e-google-secret';
const FB_SECRET = 'fb-e2e-secret-0123456789';

/** Every file of the project (not its node_modules) with its text. */
function projectFiles(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      if (name === 'node_modules') continue;
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else out.set(path, readFileSync(path, 'utf8'));
    }
  };
  walk(root);
  return out;
}

void describe("auth OAuth input: headless oAuth and the social default's questions → cli-inputs.json, credentials in $FORTE_HOME (built binary)", () => {
  const project = useProject('forte-auth-oauth-input-', 'oauthapp');
  const { forte, readJson } = project;
  const secretsOf = (resource: string): Record<string, string> | undefined => {
    const stackId = String(readJson('amplify/backend/amplify-meta.json').providers.awscloudformation.StackId);
    const file = JSON.parse(readFileSync(join(project.home, 'deployment-secrets.json'), 'utf8'));
    const app = file.appSecrets.find((a: { rootStackId: string }) => a.rootStackId === stackId.slice(stackId.lastIndexOf('/') + 1));
    return app?.environments.dev?.auth?.[resource];
  };

  void it('add auth --headless with oAuth writes Amplify’s keys and keeps the secret outside the project and the output; oAuth {} removes both', async () => {
    const request = {
      version: 2,
      resourceName: 'oauthauth',
      serviceConfiguration: {
        serviceName: 'Cognito',
        includeIdentityPool: false,
        userPoolConfiguration: {
          signinMethod: 'EMAIL',
          requiredSignupAttributes: ['EMAIL'],
          oAuth: {
            domainPrefix: 'oauthapp-login',
            redirectSigninURIs: ['http://localhost:3000/'],
            redirectSignoutURIs: ['http://localhost:3000/'],
            oAuthGrantType: 'CODE',
            oAuthScopes: ['EMAIL', 'OPENID', 'PROFILE'],
            socialProviderConfigurations: [{ provider: 'GOOGLE', clientId: 'e2e.apps.googleusercontent.com', clientSecret: GOOGLE_SECRET }],
          },
        },
      },
    };
    const add = await forte(['add', 'auth', '--headless'], JSON.stringify(request));
    assert.equal(add.code, 0, add.stderr + add.stdout);
    const config = readJson('amplify/backend/auth/oauthauth/cli-inputs.json').cognitoConfig;
    assert.equal(config.hostedUI, true);
    assert.equal(config.hostedUIDomainName, 'oauthapp-login');
    assert.deepEqual(config.authProvidersUserPool, ['Google']);
    assert.deepEqual(JSON.parse(config.oAuthMetadata), {
      AllowedOAuthFlows: ['code'],
      AllowedOAuthScopes: ['email', 'openid', 'profile'],
      CallbackURLs: ['http://localhost:3000/'],
      LogoutURLs: ['http://localhost:3000/'],
    });
    assert.deepEqual(JSON.parse(secretsOf('oauthauth')!['hostedUIProviderCreds']!), [
      { ProviderName: 'Google', client_id: 'e2e.apps.googleusercontent.com', client_secret: GOOGLE_SECRET },
    ]);
    assert.equal(statSync(join(project.home, 'deployment-secrets.json')).mode & 0o777, 0o600);
    assert.ok(!(add.stdout + add.stderr).includes(GOOGLE_SECRET));
    for (const [path, text] of projectFiles(project.root)) assert.ok(!text.includes(GOOGLE_SECRET), `${path} holds the secret`);

    // A bad redirect URI changes nothing and says what is wrong.
    const before = projectFiles(project.root);
    const bad = await forte(
      ['update', 'auth', '--headless'],
      JSON.stringify({
        version: 2,
        serviceModification: { serviceName: 'Cognito', userPoolModification: { oAuth: { redirectSigninURIs: ['http://app.example.com/'] } } },
      }),
    );
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr + bad.stdout, /uses HTTP for a host other than localhost/);
    assert.deepEqual(projectFiles(project.root), before);

    const off = await forte(
      ['update', 'auth', '--headless'],
      JSON.stringify({ version: 2, serviceModification: { serviceName: 'Cognito', userPoolModification: { oAuth: {} } } }),
    );
    assert.equal(off.code, 0, off.stderr + off.stdout);
    assert.equal(readJson('amplify/backend/auth/oauthauth/cli-inputs.json').cognitoConfig.hostedUI, false);
    assert.equal(secretsOf('oauthauth'), undefined);
    const removed = await forte(['remove', 'auth', '--yes']);
    assert.equal(removed.code, 0, removed.stderr + removed.stdout);
  });

  void it('add auth in a terminal: "Default configuration with Social Provider (Federation)" asks Amplify’s questions', async () => {
    const { code, screen } = await runForteInTerminal(['add', 'auth'], { cwd: project.root, home: project.home, columns: 300 }, [
      [/Do you want to use the default authentication and security configuration/, '\x1b[B\r'], // one down: the social default
      [/How do you want users to be able to sign in/, '\r'],
      [/Do you want to configure advanced settings/, '\r'],
      [/What domain name prefix do you want to use\?/, '\r'],
      [/Enter your redirect signin URI:/, 'http://localhost:3000/\r'],
      [/Do you want to add another redirect signin URI/, '\r'],
      [/Enter your redirect signout URI:/, 'http://localhost:3000/\r'],
      [/Do you want to add another redirect signout URI/, '\r'],
      [/Select the social providers you want to configure for your user pool:/, 'Facebook\r'],
      [/Enter your Facebook App ID for your OAuth flow:/, 'fb-e2e-id\r'],
      [/Enter your Facebook App Secret for your OAuth flow:/, `${FB_SECRET}\r`],
    ]);
    assert.equal(code, 0, screen);
    assert.ok(!screen.includes(FB_SECRET), 'the secret is typed into a masked prompt');
    const resource = Object.keys(readJson('amplify/backend/backend-config.json').auth)[0]!;
    const config = readJson(`amplify/backend/auth/${resource}/cli-inputs.json`).cognitoConfig;
    assert.equal(config.useDefault, 'defaultSocial');
    assert.equal(config.hostedUIDomainName, `${resource.toLowerCase()}-${resource.slice(-8)}`, "Amplify's default prefix");
    assert.deepEqual(JSON.parse(config.hostedUIProviderMeta), [
      { ProviderName: 'Facebook', authorize_scopes: 'email,public_profile', AttributeMapping: { email: 'email', username: 'id' } },
    ]);
    assert.deepEqual(JSON.parse(secretsOf(resource)!['hostedUIProviderCreds']!), [
      { ProviderName: 'Facebook', client_id: 'fb-e2e-id', client_secret: FB_SECRET },
    ]);
    for (const [path, text] of projectFiles(project.root)) assert.ok(!text.includes(FB_SECRET), `${path} holds the secret`);

    // env add --yes: the new environment (its own root stack) takes dev's credentials.
    const envAdd = await forte(['env', 'add', 'prod', '--yes']);
    assert.equal(envAdd.code, 0, envAdd.stderr + envAdd.stdout);
    assert.ok(!(envAdd.stdout + envAdd.stderr).includes(FB_SECRET));
    const file = JSON.parse(readFileSync(join(project.home, 'deployment-secrets.json'), 'utf8'));
    const prodStack = String(readJson('amplify/backend/amplify-meta.json').providers.awscloudformation.StackId);
    const prod = file.appSecrets.find((a: { rootStackId: string }) => a.rootStackId === prodStack.slice(prodStack.lastIndexOf('/') + 1));
    assert.deepEqual(JSON.parse(prod.environments.prod.auth[resource].hostedUIProviderCreds), [
      { ProviderName: 'Facebook', client_id: 'fb-e2e-id', client_secret: FB_SECRET },
    ]);
  });
});
