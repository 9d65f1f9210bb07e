import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type ForteRun, removeProject, runForte } from './forte-runner.js';

/** A GET over HTTPS trusting only the local cloud's certificate: its status and Location. */
function getTrusting(url: string, ca: string): Promise<{ status: number; location: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca }, (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, location: res.headers.location });
    });
    req.on('error', reject);
    req.end();
  });
}

void describe('forte auth with the hosted UI: cli-inputs.json → push → the domain, its address in the frontend configs (built binary, local cloud)', () => {
  let work: string;
  let home: string;
  let root: string;
  const forte = (args: string[]): Promise<ForteRun> => runForte(args, { cwd: root, home });
  const readJson = (...path: string[]): any => JSON.parse(readFileSync(join(root, ...path), 'utf8'));

  before(() => {
    work = mkdtempSync(join(tmpdir(), 'forte-hosted-ui-'));
    home = join(work, 'home');
    root = join(work, 'app');
    mkdirSync(root);
  });
  after(() => removeProject({ work, home }));

  void it('pushes the pool with its domain and OAuth clients; aws-exports.js and amplify_outputs.json name the domain at the cloud’s HTTPS address', async () => {
    const init = await forte([
      'init',
      '--amplify',
      '{"projectName":"oauthapp","envName":"dev"}',
      '--frontend',
      '{"frontend":"javascript","framework":"react"}',
      '--yes',
    ]);
    assert.equal(init.code, 0, init.stderr);
    const add = await forte(['add', 'auth', '--yes']);
    assert.equal(add.code, 0, add.stderr);
    const authDir = join(root, 'amplify', 'backend', 'auth');
    const resource = readdirSync(authDir).find((name) => name !== 'userPoolGroups')!;
    const file = join(authDir, resource, 'cli-inputs.json');
    const inputs = JSON.parse(readFileSync(file, 'utf8')) as { cognitoConfig: Record<string, unknown> };
    const metadata = {
      AllowedOAuthFlows: ['code'],
      AllowedOAuthScopes: ['phone', 'email', 'openid', 'profile', 'aws.cognito.signin.user.admin'],
      CallbackURLs: ['http://localhost:3000/'],
      LogoutURLs: ['http://localhost:3000/'],
    };
    // What Amplify's "Default configuration with Social Provider" writes, without the providers.
    Object.assign(inputs.cognitoConfig, {
      hostedUI: true,
      hostedUIDomainName: 'oauthapp-login',
      authProvidersUserPool: [],
      oAuthMetadata: JSON.stringify(metadata),
    });
    writeFileSync(file, JSON.stringify(inputs, null, 2));
    const push = await forte(['push', '--yes']);
    assert.equal(push.code, 0, push.stderr + push.stdout);
    assert.match(push.stdout, /CREATE_COMPLETE\s+Forte::Cognito::UserPoolDomain\b/);

    const output = readJson('amplify', 'backend', 'amplify-meta.json').auth[resource].output as Record<string, string>;
    assert.equal(output.HostedUIDomain, 'oauthapp-login-dev');
    assert.deepEqual(JSON.parse(output.OAuthMetadata!), metadata);
    const cloud = JSON.parse(readFileSync(join(home, 'cloud', 'cloud.json'), 'utf8')) as { httpsUrl: string };
    const address = `${cloud.httpsUrl.slice('https://'.length)}/hosted-ui/oauthapp-login-dev`;
    const exportsText = readFileSync(join(root, 'src', 'aws-exports.js'), 'utf8');
    const exported = JSON.parse(exportsText.slice(exportsText.indexOf('{'), exportsText.lastIndexOf('}') + 1));
    assert.deepEqual(exported.oauth, {
      domain: address,
      scope: metadata.AllowedOAuthScopes,
      redirectSignIn: 'http://localhost:3000/',
      redirectSignOut: 'http://localhost:3000/',
      responseType: 'code',
    });
    assert.equal(readJson('amplify_outputs.json').auth.oauth.domain, address);

    // The address answers as aws-amplify will call it: https://<domain>/oauth2/authorize, on to the login page.
    const ca = readFileSync(join(home, 'cloud', 'tls', 'cert.pem'), 'utf8');
    const query = new URLSearchParams({ client_id: output.AppClientIDWeb!, redirect_uri: 'http://localhost:3000/', response_type: 'code', state: 's' });
    const authorize = await getTrusting(`https://${address}/oauth2/authorize?${query.toString()}`, ca);
    assert.equal(authorize.status, 302);
    assert.match(authorize.location ?? '', /\/hosted-ui\/oauthapp-login-dev\/login\?/);
    const other = await getTrusting(
      `https://${address}/oauth2/authorize?${new URLSearchParams({ ...Object.fromEntries(query), client_id: output.AppClientID! }).toString()}`,
      ca,
    );
    assert.equal(other.status, 302, 'both app clients have the OAuth settings, as Amplify gives them');
  });
});
