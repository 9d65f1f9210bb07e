import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import { AdminCreateUserCommand, AdminSetUserPasswordCommand, CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { AUTH_RESOURCE_TYPES } from '@forte/protocol';
import { handlerOf, resourceContext, startTestCloud, type TestCloud } from '@forte/testing';
import { chromium, type Browser, type Page } from 'playwright-core';
import { buildApp, CHROMIUM, CHROMIUM_ARGS, serveApp, type ServedApp } from './browser-app.test-helper.js';
import { forteAmplifyConfig, type AmplifyOutputs } from './forte-amplify-config.js';

const PASSWORD = 'Passw0rd!';
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's serious and critical violations on the page (evaluated by the harness: the page's CSP stays on). */
async function accessibilityProblems(page: Page): Promise<string[]> {
  await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    const result = await (globalThis as unknown as { axe: { run(): Promise<{ violations: { id: string; impact: string; help: string }[] }> } }).axe.run();
    return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.help}`);
  });
}

const skip = existsSync(CHROMIUM) ? undefined : `no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set FORTE_CHROMIUM)`;
if (skip) console.log(`# skipped: the hosted UI browser test: ${skip}`);

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
declare const document: { querySelector(selector: string): object | null; documentElement: { scrollWidth: number } };
declare function getComputedStyle(element: object): { backgroundColor: string };
declare const window: {
  authEvents: string[];
  auth: {
    fetchAuthSession(options?: {
      forceRefresh?: boolean;
    }): Promise<{ tokens?: { idToken?: { payload: Record<string, unknown> }; accessToken: { payload: Record<string, unknown> } } }>;
    getCurrentUser(): Promise<{ username: string }>;
    signInWithRedirect(): Promise<void>;
    signOut(): Promise<void>;
  };
};

void describe('signInWithRedirect through the hosted UI in Chromium', { skip }, () => {
  let cloud: TestCloud;
  let admin: CognitoIdentityProviderClient;
  let app: ServedApp;
  let browser: Browser;
  const pageErrors: string[] = [];

  before(async () => {
    cloud = await startTestCloud({ httpsPort: 0 });
    app = await serveApp(await buildApp(APP_SOURCE));
    const ctx = (logicalId: string) => resourceContext(cloud, logicalId, 'amplify-shop-dev-auth');
    const handler = (type: string) => handlerOf(cloud, type);
    const pool = await handler(AUTH_RESOURCE_TYPES.userPool).create(
      { PoolName: 'shop', UsernameAttributes: ['email'], UsernameCaseSensitive: false },
      ctx('UserPool'),
    );
    const client = await handler(AUTH_RESOURCE_TYPES.userPoolClient).create(
      {
        UserPoolId: pool.physicalId,
        ClientName: 'web',
        AllowedOAuthFlowsUserPoolClient: true,
        AllowedOAuthFlows: ['code'],
        AllowedOAuthScopes: ['openid', 'email', 'profile', 'aws.cognito.signin.user.admin'],
        CallbackURLs: [app.url],
        LogoutURLs: [app.url],
        SupportedIdentityProviders: ['COGNITO'],
      },
      ctx('UserPoolClientWeb'),
    );
    const domain = await handler(AUTH_RESOURCE_TYPES.userPoolDomain).create({ UserPoolId: pool.physicalId, Domain: 'shop-dev' }, ctx('UserPoolDomain'));
    // What `forte push` writes into amplify_outputs.json for such a pool (frontend-javascript's amplifyOutputs).
    const outputs = {
      version: '1.4',
      auth: {
        aws_region: 'us-east-1',
        user_pool_id: pool.physicalId,
        user_pool_client_id: client.physicalId,
        username_attributes: ['email'],
        oauth: {
          identity_providers: [],
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
    admin = new CognitoIdentityProviderClient({ region: 'us-east-1', endpoint: `${cloud.url}/cognito-idp/`, credentials: cloud.credentials, maxAttempts: 1 });
    await admin.send(
      new AdminCreateUserCommand({
        UserPoolId: pool.physicalId,
        Username: 'ann@example.com',
        MessageAction: 'SUPPRESS',
        UserAttributes: [
          { Name: 'email', Value: 'ann@example.com' },
          { Name: 'email_verified', Value: 'true' },
        ],
      }),
    );
    await admin.send(new AdminSetUserPasswordCommand({ UserPoolId: pool.physicalId, Username: 'ann@example.com', Password: PASSWORD, Permanent: true }));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });

  after(async () => {
    await browser?.close();
    await app?.close();
    admin?.destroy();
    await cloud?.close();
  });

  /** Starts signInWithRedirect on the app and waits for the hosted UI's login page. */
  async function toLoginPage(page: Page): Promise<void> {
    await page.goto(app.url);
    await page.waitForSelector('body[data-ready="true"]', { state: 'attached' });
    const started = Date.now();
    // The call navigates away: its promise is not awaited.
    void page.evaluate(() => window.auth.signInWithRedirect()).catch(() => undefined);
    await page.waitForURL(/\/hosted-ui\/shop-dev\/login\?/);
    console.log(`app to the hosted UI's login page: ${Date.now() - started} ms`);
  }

  it('signs in on the hosted UI, returns to the app with tokens, and signs out through /logout', async () => {
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await toLoginPage(page);
    assert.equal(await page.title(), 'Sign in');
    assert.equal(await page.textContent('label[for="username"]'), 'Email');
    assert.deepEqual(await accessibilityProblems(page), []);
    // Styled by its own stylesheet under the CSP (no inline style), and it fits a phone.
    assert.equal(await page.evaluate(() => getComputedStyle(document.querySelector('button')!).backgroundColor), 'rgb(29, 78, 216)');
    await page.setViewportSize({ width: 390, height: 844 });
    assert.ok((await page.evaluate(() => document.documentElement.scrollWidth)) <= 390, 'no horizontal scrolling at 390 px');
    await page.fill('#username', 'ann@example.com');
    await page.fill('#password', 'not-the-password');
    await page.click('button[type="submit"]');
    await page.waitForSelector('.error');
    assert.match((await page.textContent('.error')) ?? '', /Incorrect username or password\./);
    await page.fill('#password', PASSWORD);
    await page.click('button[type="submit"]');
    await page.waitForURL((url) => url.origin === new URL(app.url).origin);
    await page.waitForFunction(() => window.authEvents.includes('signInWithRedirect') || window.authEvents.includes('signInWithRedirect_failure'));
    const events = await page.evaluate(() => window.authEvents);
    assert.ok(events.includes('signedIn'), `auth events: ${events.join(', ')}`);
    const session = await page.evaluate(async () => {
      const { tokens } = await window.auth.fetchAuthSession();
      return { id: tokens?.idToken?.payload, access: tokens?.accessToken.payload, user: (await window.auth.getCurrentUser()).username };
    });
    assert.equal(session.id?.email, 'ann@example.com');
    assert.equal(session.access?.scope, 'openid email profile aws.cognito.signin.user.admin');
    assert.equal(session.user, session.access?.username);
    // A refresh (InitiateAuth REFRESH_TOKEN_AUTH on the cloud's Cognito endpoint) keeps the scopes of the sign-in.
    const refreshed = await page.evaluate(async () => {
      const { tokens } = await window.auth.fetchAuthSession({ forceRefresh: true });
      return { scope: tokens?.accessToken.payload.scope, jti: tokens?.accessToken.payload.jti };
    });
    assert.equal(refreshed.scope, session.access?.scope);
    assert.notEqual(refreshed.jti, session.access?.jti, 'a new access token');

    const logout = page.waitForRequest((request) => /\/hosted-ui\/shop-dev\/logout\?/.test(request.url()));
    void page.evaluate(() => window.auth.signOut()).catch(() => undefined);
    const request = await logout;
    assert.equal(new URL(request.url()).searchParams.get('logout_uri'), app.url);
    await page.waitForURL(app.url);
    await page.waitForSelector('body[data-ready="true"]', { state: 'attached' });
    assert.equal(await page.evaluate(async () => (await window.auth.fetchAuthSession()).tokens), undefined);
    // The hosted UI's session ended with it: the next sign-in asks for the password again.
    await toLoginPage(page);
    assert.deepEqual(pageErrors, []);
    await context.close();
  });
});
