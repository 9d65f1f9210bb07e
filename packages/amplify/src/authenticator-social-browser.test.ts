import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { AdminAddUserToGroupCommand, CognitoIdentityProviderClient, CreateGroupCommand } from '@aws-sdk/client-cognito-identity-provider';
import { AUTH_RESOURCE_TYPES } from '@forte/protocol';
import { createTestIdentityPool, handlerOf, resourceContext, startTestCloud, type TestCloud } from '@forte/testing';
import Provider from 'oidc-provider';
import { chromium, type Browser, type Page } from 'playwright-core';
import { buildApp, CHROMIUM, CHROMIUM_ARGS, serveApp, type ServedApp } from './browser-app.test-helper.js';
import { forteAmplifyConfig, type AmplifyOutputs } from './forte-amplify-config.js';

const skip = existsSync(CHROMIUM) ? undefined : `no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set FORTE_CHROMIUM)`;
if (skip) console.log(`# skipped: the Authenticator social sign-in browser test: ${skip}`);

/** An app as the Amplify docs show one: the Authenticator with its social buttons, aws-amplify v6 unmodified. */
const APP_SOURCE = `
import { Amplify } from 'aws-amplify';
import { fetchAuthSession } from 'aws-amplify/auth';
import { Authenticator } from '@aws-amplify/ui-react';
import '@aws-amplify/ui-react/styles.css';
import { createRoot } from 'react-dom/client';
const config = await (await fetch('/config.json')).json();
Amplify.configure(config);
window.fetchAuthSession = fetchAuthSession;
createRoot(document.getElementById('root')).render(
  <Authenticator socialProviders={['google']}>
    {({ user, signOut }) => (
      <main>
        <h1 data-testid="hello">Hello {user.username}</h1>
        <button onClick={signOut}>Sign out</button>
      </main>
    )}
  </Authenticator>,
);
`;

// The page's globals, for the functions that run in it (this package is typed without the DOM library).
declare const window: {
  fetchAuthSession(options?: { forceRefresh?: boolean }): Promise<{
    tokens?: { idToken?: { payload: Record<string, unknown> } };
    credentials?: { accessKeyId: string };
  }>;
};

interface Google {
  issuer: string;
  server: Server;
}

/**
 * Google played by oidc-provider (a certified OpenID Connect provider library) with its development login and
 * consent pages: any login signs in as the account of that name, whose email is `<login>@example.com`.
 */
async function startGoogle(redirectUri: string): Promise<Google> {
  // The issuer names the port: the server listens first, the provider is made for its address.
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: 'google-web',
        client_secret: 'google-web-secret',
        redirect_uris: [redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    // Google's ID tokens carry the scopes' claims; Cognito reads them there and not from user info.
    conformIdTokenClaims: false,
    cookies: { keys: ['a test cookie signing key'] },
    findAccount: (_ctx, id) => ({
      accountId: id,
      claims: () => ({ sub: id, email: `${id}@example.com`, email_verified: true, name: id }),
    }),
  });
  server.on('request', provider.callback());
  return { issuer, server };
}

/** Through the provider's pages as a person would: its login form, then its consent, until back at the app. */
async function throughGoogle(page: Page, login: string, appOrigin: string): Promise<void> {
  for (let step = 0; step < 4; step++) {
    await page.waitForURL((url) => url.origin === appOrigin || url.pathname.startsWith('/interaction/'), { waitUntil: 'commit' });
    if (new URL(page.url()).origin === appOrigin) return;
    const before = page.url();
    const form = page.locator('input[name="login"]');
    // At the URL's commit the page may not be parsed yet: wait for its login form or its consent button.
    await form
      .or(page.getByRole('button', { name: 'Continue' }))
      .first()
      .waitFor();
    if (await form.count()) {
      await form.fill(login);
      await page.locator('input[name="password"]').fill('any password');
      await Promise.all([page.waitForURL((url) => url.toString() !== before, { waitUntil: 'commit' }), page.getByRole('button', { name: 'Sign-in' }).click()]);
    } else {
      await Promise.all([page.waitForURL((url) => url.toString() !== before, { waitUntil: 'commit' }), page.getByRole('button', { name: 'Continue' }).click()]);
    }
  }
  throw new Error(`still at ${page.url()} after the provider's pages`);
}

void describe("the Authenticator's social button: sign in with Google (oidc-provider) through the hosted UI, in Chromium", { skip }, () => {
  let cloud: TestCloud;
  let google: Google;
  let app: ServedApp;
  let browser: Browser;
  let userPoolId = '';
  const pageErrors: string[] = [];

  before(async () => {
    cloud = await startTestCloud({ httpsPort: 0 });
    app = await serveApp(await buildApp(APP_SOURCE));
    const ctx = (logicalId: string) => resourceContext(cloud, logicalId, 'amplify-app1-dev-auth');
    const handler = (type: string) => handlerOf(cloud, type);
    const pool = await handler(AUTH_RESOURCE_TYPES.userPool).create({ PoolName: 'social', UsernameCaseSensitive: false }, ctx('UserPool'));
    userPoolId = pool.physicalId;
    const domain = await handler(AUTH_RESOURCE_TYPES.userPoolDomain).create({ UserPoolId: userPoolId, Domain: 'social-dev' }, ctx('UserPoolDomain'));
    const base = String(domain.attributes.Address);
    google = await startGoogle(`https://${base}/oauth2/idpresponse`);
    await handler(AUTH_RESOURCE_TYPES.userPoolIdentityProvider).create(
      {
        UserPoolId: userPoolId,
        ProviderName: 'Google',
        ProviderType: 'Google',
        ProviderDetails: {
          client_id: 'google-web',
          client_secret: 'google-web-secret',
          authorize_scopes: 'openid email profile',
          authorize_url: `${google.issuer}/auth`,
          token_url: `${google.issuer}/token`,
          oidc_issuer: google.issuer,
          jwks_uri: `${google.issuer}/jwks`,
        },
        AttributeMapping: { email: 'email', name: 'name', username: 'sub' },
      },
      ctx('GoogleProvider'),
    );
    const client = await handler(AUTH_RESOURCE_TYPES.userPoolClient).create(
      {
        UserPoolId: userPoolId,
        ClientName: 'web',
        AllowedOAuthFlowsUserPoolClient: true,
        AllowedOAuthFlows: ['code'],
        AllowedOAuthScopes: ['openid', 'email', 'profile', 'aws.cognito.signin.user.admin'],
        CallbackURLs: [app.url],
        LogoutURLs: [app.url],
        SupportedIdentityProviders: ['COGNITO', 'Google'],
      },
      ctx('UserPoolClientWeb'),
    );
    const identityPoolId = await createTestIdentityPool(
      cloud,
      { clientId: client.physicalId, providerName: String(pool.attributes.ProviderName) },
      { authenticated: { policy: { Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] } }, unauthenticated: {} },
    );
    // What `forte push` writes into amplify_outputs.json for media-vault's auth (Google through the hosted UI).
    const outputs = {
      version: '1.4',
      auth: {
        aws_region: cloud.kernel.config.region,
        user_pool_id: userPoolId,
        user_pool_client_id: client.physicalId,
        identity_pool_id: identityPoolId,
        oauth: {
          identity_providers: ['GOOGLE'],
          domain: base,
          scopes: ['openid', 'email', 'profile', 'aws.cognito.signin.user.admin'],
          redirect_sign_in_uri: [app.url],
          redirect_sign_out_uri: [app.url],
          response_type: 'code',
        },
      },
      custom: { forte: { endpoint: cloud.url } },
    };
    app.setConfig(forteAmplifyConfig(outputs as unknown as AmplifyOutputs));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });

  after(async () => {
    await browser?.close();
    await app?.close();
    if (google) await new Promise((resolve) => google.server.close(resolve));
    await cloud?.close();
  });

  it('signs in with the button, the federated user in its tokens; a group it is added to is in its next sign-in; signs out', async () => {
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    const appOrigin = new URL(app.url).origin;
    await page.goto(app.url);
    const button = page.getByRole('button', { name: 'Sign In with Google' });
    await button.click();
    await throughGoogle(page, 'gail', appOrigin);
    await page.getByTestId('hello').waitFor();
    assert.equal(await page.getByTestId('hello').textContent(), 'Hello Google_gail');
    const first = await page.evaluate(async () => {
      const { tokens, credentials } = await window.fetchAuthSession();
      return { id: tokens?.idToken?.payload, key: credentials?.accessKeyId };
    });
    assert.equal(first.id?.email, 'gail@example.com');
    assert.equal(first.id?.name, 'gail');
    assert.deepEqual(
      (first.id?.identities as Array<Record<string, unknown>>).map((i) => [i.providerName, i.userId]),
      [['Google', 'gail']],
    );
    assert.deepEqual(first.id?.['cognito:groups'], [`${userPoolId}_Google`]);
    assert.ok(first.key, 'the identity pool gave the federated user credentials');

    // An administrator adds the federated user to a group: its next sign-in's tokens name it.
    const admin = new CognitoIdentityProviderClient({ endpoint: cloud.url, region: cloud.credentials.region, credentials: cloud.credentials });
    await admin.send(new CreateGroupCommand({ UserPoolId: userPoolId, GroupName: 'Editors', Precedence: 1 }));
    await admin.send(new AdminAddUserToGroupCommand({ UserPoolId: userPoolId, Username: 'Google_gail', GroupName: 'Editors' }));
    admin.destroy();

    await page.getByRole('button', { name: 'Sign out' }).click();
    await button.waitFor();
    assert.equal(await page.getByTestId('hello').count(), 0);
    await button.click();
    await throughGoogle(page, 'gail', appOrigin);
    await page.getByTestId('hello').waitFor();
    const second = await page.evaluate(async () => (await window.fetchAuthSession()).tokens?.idToken?.payload);
    assert.deepEqual(second?.['cognito:groups'], ['Editors', `${userPoolId}_Google`]);
    assert.deepEqual(pageErrors, []);
    await context.close();
  });
});
