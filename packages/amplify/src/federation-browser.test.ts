import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { AUTH_RESOURCE_TYPES } from '@forte/protocol';
import {
  createTestIdentityPool,
  startLocalOidcProvider,
  handlerOf,
  resourceContext,
  startTestCloud,
  type LocalOidcProvider,
  type TestCloud,
} from '@forte/testing';
import { chromium, type Browser } from 'playwright-core';
import { buildApp, CHROMIUM, CHROMIUM_ARGS, serveApp, type ServedApp } from './browser-app.test-helper.js';
import { forteAmplifyConfig, type AmplifyOutputs } from './forte-amplify-config.js';

const skip = existsSync(CHROMIUM) ? undefined : `no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set FORTE_CHROMIUM)`;
if (skip) console.log(`# skipped: the federation browser test: ${skip}`);

/** An app as a developer writes one: aws-amplify v6, unmodified, configured from the served config. */
const APP_SOURCE = `
import { Amplify } from 'aws-amplify';
import { fetchAuthSession, getCurrentUser, signInWithRedirect, signOut } from 'aws-amplify/auth';
import { Hub } from 'aws-amplify/utils';
window.authEvents = JSON.parse(sessionStorage.getItem('authEvents') || '[]');
Hub.listen('auth', ({ payload }) => {
  window.authEvents.push(payload.event);
  sessionStorage.setItem('authEvents', JSON.stringify(window.authEvents));
});
const config = await (await fetch('/config.json')).json();
Amplify.configure(config);
window.auth = { fetchAuthSession, getCurrentUser, signInWithRedirect, signOut };
document.body.dataset.ready = 'true';
`;

// The page's globals, for the functions that run in it (this package is typed without the DOM library).
declare const window: {
  authEvents: string[];
  auth: {
    fetchAuthSession(options?: { forceRefresh?: boolean }): Promise<{
      tokens?: { idToken?: { payload: Record<string, unknown> }; accessToken: { payload: Record<string, unknown> } };
      credentials?: { accessKeyId: string };
      identityId?: string;
    }>;
    getCurrentUser(): Promise<{ username: string }>;
    signInWithRedirect(input?: { provider: string }): Promise<void>;
    signOut(): Promise<void>;
  };
};

void describe('signInWithRedirect with Google (a local OIDC provider) in Chromium', { skip }, () => {
  let cloud: TestCloud;
  let google: LocalOidcProvider;
  let app: ServedApp;
  let browser: Browser;
  let userPoolId = '';
  const pageErrors: string[] = [];

  before(async () => {
    cloud = await startTestCloud({ httpsPort: 0 });
    google = await startLocalOidcProvider({ clientId: 'google-web' });
    app = await serveApp(await buildApp(APP_SOURCE));
    const ctx = (logicalId: string) => resourceContext(cloud, logicalId, 'amplify-social-dev-auth');
    const handler = (type: string) => handlerOf(cloud, type);
    const pool = await handler(AUTH_RESOURCE_TYPES.userPool).create({ PoolName: 'social', UsernameCaseSensitive: false }, ctx('UserPool'));
    userPoolId = pool.physicalId;
    // Google as media-vault's template declares it, with its endpoints pointed at the local provider.
    await handler(AUTH_RESOURCE_TYPES.userPoolIdentityProvider).create(
      {
        UserPoolId: userPoolId,
        ProviderName: 'Google',
        ProviderType: 'Google',
        ProviderDetails: {
          client_id: google.clientId,
          client_secret: google.clientSecret,
          authorize_scopes: 'openid email profile',
          authorize_url: `${google.issuer}/authorize`,
          token_url: `${google.issuer}/token`,
          oidc_issuer: google.issuer,
          jwks_uri: `${google.issuer}/jwks`,
        },
        AttributeMapping: { email: 'email', username: 'sub' },
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
    const domain = await handler(AUTH_RESOURCE_TYPES.userPoolDomain).create({ UserPoolId: userPoolId, Domain: 'social-dev' }, ctx('UserPoolDomain'));
    const identityPoolId = await createTestIdentityPool(
      cloud,
      { clientId: client.physicalId, providerName: String(pool.attributes.ProviderName) },
      { authenticated: { policy: { Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] } }, unauthenticated: {} },
    );
    const outputs = {
      version: '1.4',
      auth: {
        aws_region: 'us-east-1',
        user_pool_id: userPoolId,
        user_pool_client_id: client.physicalId,
        identity_pool_id: identityPoolId,
        oauth: {
          identity_providers: ['GOOGLE'],
          domain: String(domain.attributes.Address),
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
    await google?.close();
    await cloud?.close();
  });

  it('goes to the provider and back signed in: the federated user and its identities in the tokens, identity pool credentials', async () => {
    google.user = { sub: '424242', email: 'gail@example.com', email_verified: true };
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(app.url);
    await page.waitForSelector('body[data-ready="true"]', { state: 'attached' });
    const started = Date.now();
    const toProvider = page.waitForRequest((request) => request.url().startsWith(`${google.issuer}/authorize`));
    // The call navigates away: its promise is not awaited.
    void page.evaluate(() => window.auth.signInWithRedirect({ provider: 'Google' })).catch(() => undefined);
    const sent = new URL((await toProvider).url());
    assert.match(sent.searchParams.get('redirect_uri') ?? '', /\/hosted-ui\/social-dev\/oauth2\/idpresponse$/);
    await page.waitForURL((url) => url.origin === new URL(app.url).origin);
    await page.waitForFunction(() => window.authEvents.includes('signInWithRedirect') || window.authEvents.includes('signInWithRedirect_failure'));
    console.log(`app to the provider and back signed in: ${Date.now() - started} ms`);
    const events = await page.evaluate(() => window.authEvents);
    assert.ok(events.includes('signedIn'), `auth events: ${events.join(', ')}`);
    const session = await page.evaluate(async () => {
      const { tokens, credentials, identityId } = await window.auth.fetchAuthSession();
      return {
        id: tokens?.idToken?.payload,
        access: tokens?.accessToken.payload,
        user: (await window.auth.getCurrentUser()).username,
        key: credentials?.accessKeyId,
        identityId,
      };
    });
    assert.equal(session.id?.['cognito:username'], 'Google_424242');
    assert.equal(session.id?.email, 'gail@example.com');
    assert.deepEqual(
      (session.id?.identities as Array<Record<string, unknown>>).map((i) => [i.providerName, i.userId, i.providerType]),
      [['Google', '424242', 'Google']],
    );
    assert.deepEqual(session.id?.['cognito:groups'], [`${userPoolId}_Google`]);
    assert.equal(session.user, 'Google_424242');
    assert.ok(session.key, 'the identity pool gave the federated user credentials');
    assert.ok(session.identityId);
    assert.deepEqual(pageErrors, []);
    await context.close();
  });
});
