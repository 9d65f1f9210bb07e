import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  AssociateSoftwareTokenCommand,
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
  SetUserMFAPreferenceCommand,
  VerifySoftwareTokenCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { AUTH_RESOURCE_TYPES } from '@forte/protocol';
import { mailboxMessages, handlerOf, resourceContext, startTestCloud, totpCode, type TestCloud } from '@forte/testing';
import { chromium, type Browser, type Page } from 'playwright-core';
import { buildApp, CHROMIUM, CHROMIUM_ARGS, serveApp, type ServedApp } from './browser-app.test-helper.js';
import { forteAmplifyConfig, type AmplifyOutputs } from './forte-amplify-config.js';

const PASSWORD = 'Passw0rd!';
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

const skip = existsSync(CHROMIUM) ? undefined : `no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set FORTE_CHROMIUM)`;
if (skip) console.log(`# skipped: the hosted UI pages browser test: ${skip}`);

/** An app as a developer writes one: aws-amplify v6, unmodified, configured from the served config. */
const APP_SOURCE = `
import { Amplify } from 'aws-amplify';
import { fetchAuthSession, signInWithRedirect } from 'aws-amplify/auth';
import { Hub } from 'aws-amplify/utils';
window.authEvents = JSON.parse(sessionStorage.getItem('authEvents') || '[]');
Hub.listen('auth', ({ payload }) => {
  window.authEvents.push(payload.event);
  sessionStorage.setItem('authEvents', JSON.stringify(window.authEvents));
});
Amplify.configure(await (await fetch('/config.json')).json());
window.auth = { fetchAuthSession, signInWithRedirect };
document.body.dataset.ready = 'true';
`;

// The page's globals, for the functions that run in it (this package is typed without the DOM library).
declare const document: { documentElement: { scrollWidth: number } };
declare const window: {
  authEvents: string[];
  auth: {
    fetchAuthSession(): Promise<{ tokens?: { idToken?: { payload: Record<string, unknown> } } }>;
    signInWithRedirect(): Promise<void>;
  };
};

/** axe-core's serious and critical violations, and whether the page fits a 390 px phone without horizontal scrolling. */
async function checkPage(page: Page, name: string): Promise<void> {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.evaluate(AXE_SOURCE);
  const problems = await page.evaluate(async () => {
    const result = await (globalThis as unknown as { axe: { run(): Promise<{ violations: { id: string; impact: string; help: string }[] }> } }).axe.run();
    return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.help}`);
  });
  assert.deepEqual(problems, [], `${name}: accessibility`);
  assert.ok((await page.evaluate(() => document.documentElement.scrollWidth)) <= 390, `${name}: no horizontal scrolling at 390 px`);
}

void describe('hosted UI sign-up, forgot-password and MFA pages in Chromium', { skip }, () => {
  let cloud: TestCloud;
  let admin: CognitoIdentityProviderClient;
  let anonymous: CognitoIdentityProviderClient;
  let app: ServedApp;
  let browser: Browser;
  let clientId = '';
  let strictClientId = '';
  let strictPoolId = '';
  let strictBase = '';
  let poolId = '';
  const pageErrors: string[] = [];

  before(async () => {
    cloud = await startTestCloud({ httpsPort: 0 });
    app = await serveApp(await buildApp(APP_SOURCE));
    const ctx = (logicalId: string) => resourceContext(cloud, logicalId, 'amplify-pages-dev-auth');
    const handler = (type: string) => handlerOf(cloud, type);
    const oauth = {
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthScopes: ['openid', 'email', 'profile', 'aws.cognito.signin.user.admin'],
      CallbackURLs: [app.url],
      LogoutURLs: [app.url],
      SupportedIdentityProviders: ['COGNITO'],
      ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    };
    poolId = (
      await handler(AUTH_RESOURCE_TYPES.userPool).create(
        {
          PoolName: 'pages',
          UsernameAttributes: ['email'],
          AutoVerifiedAttributes: ['email'],
          RequiredAttributes: ['email', 'name'],
          UsernameCaseSensitive: false,
          MfaConfiguration: 'OPTIONAL',
          EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
        },
        ctx('UserPool'),
      )
    ).physicalId;
    clientId = (await handler(AUTH_RESOURCE_TYPES.userPoolClient).create({ UserPoolId: poolId, ClientName: 'web', ...oauth }, ctx('Web'))).physicalId;
    const domain = await handler(AUTH_RESOURCE_TYPES.userPoolDomain).create({ UserPoolId: poolId, Domain: 'pages-dev' }, ctx('Domain'));
    strictPoolId = (
      await handler(AUTH_RESOURCE_TYPES.userPool).create({ PoolName: 'strict', MfaConfiguration: 'ON', EnabledMfas: ['SOFTWARE_TOKEN_MFA'] }, ctx('Strict'))
    ).physicalId;
    strictClientId = (await handler(AUTH_RESOURCE_TYPES.userPoolClient).create({ UserPoolId: strictPoolId, ClientName: 'web', ...oauth }, ctx('StrictWeb')))
      .physicalId;
    const strictDomain = await handler(AUTH_RESOURCE_TYPES.userPoolDomain).create({ UserPoolId: strictPoolId, Domain: 'strict-dev' }, ctx('StrictDomain'));
    strictBase = `https://${String(strictDomain.attributes.Address)}`;
    const outputs = {
      version: '1.4',
      auth: {
        aws_region: 'us-east-1',
        user_pool_id: poolId,
        user_pool_client_id: clientId,
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
    const common = { region: 'us-east-1', endpoint: `${cloud.url}/cognito-idp/`, maxAttempts: 1 };
    admin = new CognitoIdentityProviderClient({ ...common, credentials: cloud.credentials });
    anonymous = new CognitoIdentityProviderClient({ ...common, credentials: { accessKeyId: 'unused', secretAccessKey: 'unused' } });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });

  after(async () => {
    await browser?.close();
    await app?.close();
    admin?.destroy();
    anonymous?.destroy();
    await cloud?.close();
  });

  async function newPage(): Promise<Page> {
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    return page;
  }

  /** Starts signInWithRedirect on the app and waits for the hosted UI's login page. */
  async function toLoginPage(page: Page): Promise<void> {
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(app.url);
    await page.waitForSelector('body[data-ready="true"]', { state: 'attached' });
    void page.evaluate(() => window.auth.signInWithRedirect()).catch(() => undefined);
    await page.waitForURL(/\/hosted-ui\/pages-dev\/login\?/);
  }

  /** Back on the app: aws-amplify finished the redirect sign-in; the ID token's claims. */
  async function signedInClaims(page: Page): Promise<Record<string, unknown>> {
    await page.waitForURL((url) => url.origin === new URL(app.url).origin);
    await page.waitForFunction(() => window.authEvents.includes('signInWithRedirect') || window.authEvents.includes('signInWithRedirect_failure'));
    const events = await page.evaluate(() => window.authEvents);
    assert.ok(events.includes('signedIn'), `auth events: ${events.join(', ')}`);
    return (await page.evaluate(async () => (await window.auth.fetchAuthSession()).tokens?.idToken?.payload)) ?? {};
  }

  it('signs up from signInWithRedirect, confirms with the mailed code, and lands back in the app signed in', async () => {
    const page = await newPage();
    await toLoginPage(page);
    await page.click('text=Need an account? Sign up');
    await page.waitForURL(/\/signup\?/);
    await checkPage(page, 'sign-up');
    await page.fill('#username', 'nina@example.com');
    await page.fill('[id="attribute_name"]', 'Nina');
    await page.fill('#password', 'short');
    await page.click('button[type="submit"]');
    await page.waitForSelector('.error');
    assert.match((await page.textContent('.error')) ?? '', /Password did not conform with policy/);
    await checkPage(page, 'sign-up with an error');
    await page.fill('#password', PASSWORD);
    await page.click('button[type="submit"]');
    await page.waitForSelector('text=Confirm your account');
    await checkPage(page, 'confirm');
    const [message] = await mailboxMessages(cloud, 'nina@example.com');
    assert.equal(message?.purpose, 'SignUp');
    await page.fill('#code', message!.code!);
    await page.click('button[type="submit"]');
    const claims = await signedInClaims(page);
    assert.equal(claims.email, 'nina@example.com');
    assert.equal(claims.name, 'Nina');
    assert.deepEqual(pageErrors, []);
    await page.context().close();
  });

  it('forgot password pages: a code, a new password, then sign-in with it', async () => {
    await admin.send(
      new AdminCreateUserCommand({
        UserPoolId: poolId,
        Username: 'omar@example.com',
        MessageAction: 'SUPPRESS',
        UserAttributes: [
          { Name: 'email', Value: 'omar@example.com' },
          { Name: 'email_verified', Value: 'true' },
          { Name: 'name', Value: 'Omar' },
        ],
      }),
    );
    await admin.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: 'omar@example.com', Password: PASSWORD, Permanent: true }));
    const page = await newPage();
    await toLoginPage(page);
    await page.click('text=Forgot your password?');
    await page.waitForURL(/\/forgotPassword\?/);
    await checkPage(page, 'forgot password');
    await page.fill('#username', 'omar@example.com');
    await page.click('button[type="submit"]');
    await page.waitForSelector('text=Reset your password');
    await checkPage(page, 'confirm forgot password');
    const code = (await mailboxMessages(cloud, 'omar@example.com'))[0]!.code!;
    await page.fill('#code', code);
    await page.fill('#password', 'New-Passw0rd!');
    await page.fill('#confirm_password', 'New-Passw0rd!');
    await page.click('button[type="submit"]');
    await page.waitForSelector('.notice');
    assert.match((await page.textContent('.notice')) ?? '', /Your password was changed/);
    await page.fill('#password', 'New-Passw0rd!');
    await page.click('button[type="submit"]');
    assert.equal((await signedInClaims(page)).email, 'omar@example.com');
    await page.context().close();
  });

  it('a TOTP user signs in with a code from their app', async () => {
    await admin.send(
      new AdminCreateUserCommand({
        UserPoolId: poolId,
        Username: 'pia@example.com',
        MessageAction: 'SUPPRESS',
        UserAttributes: [
          { Name: 'email', Value: 'pia@example.com' },
          { Name: 'email_verified', Value: 'true' },
          { Name: 'name', Value: 'Pia' },
        ],
      }),
    );
    await admin.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: 'pia@example.com', Password: PASSWORD, Permanent: true }));
    const signedIn = await anonymous.send(
      new InitiateAuthCommand({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: clientId, AuthParameters: { USERNAME: 'pia@example.com', PASSWORD } }),
    );
    const accessToken = signedIn.AuthenticationResult!.AccessToken!;
    const { SecretCode: secret } = await anonymous.send(new AssociateSoftwareTokenCommand({ AccessToken: accessToken }));
    // An earlier step's code sets the app up, so the sign-in's current code is unused.
    await anonymous.send(new VerifySoftwareTokenCommand({ AccessToken: accessToken, UserCode: totpCode(secret!, Date.now() - 30_000) }));
    await anonymous.send(new SetUserMFAPreferenceCommand({ AccessToken: accessToken, SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true } }));

    const page = await newPage();
    await toLoginPage(page);
    await page.fill('#username', 'pia@example.com');
    await page.fill('#password', PASSWORD);
    await page.click('button[type="submit"]');
    await page.waitForSelector('text=Enter the 6-digit code from your authenticator app.');
    await checkPage(page, 'MFA code');
    await page.fill('#code', totpCode(secret!, Date.now()));
    await page.click('button[type="submit"]');
    assert.equal((await signedInClaims(page)).email, 'pia@example.com');
    await page.context().close();
  });

  it('a pool that requires MFA sets up an authenticator app on the hosted UI', async () => {
    await admin.send(new AdminCreateUserCommand({ UserPoolId: strictPoolId, Username: 'quinn', MessageAction: 'SUPPRESS' }));
    await admin.send(new AdminSetUserPasswordCommand({ UserPoolId: strictPoolId, Username: 'quinn', Password: PASSWORD, Permanent: true }));
    const page = await newPage();
    await page.goto(`${strictBase}/login?${new URLSearchParams({ client_id: strictClientId, redirect_uri: app.url, response_type: 'code' }).toString()}`);
    await page.fill('#username', 'quinn');
    await page.fill('#password', PASSWORD);
    await page.click('button[type="submit"]');
    await page.waitForSelector('text=Set up two-step sign-in');
    await checkPage(page, 'MFA setup');
    const secret = ((await page.textContent('#secret')) ?? '').trim();
    await page.fill('#code', totpCode(secret, Date.now()));
    await page.click('button[type="submit"]');
    await page.waitForURL((url) => url.origin === new URL(app.url).origin && url.searchParams.has('code'));
    assert.deepEqual(pageErrors, []);
    await page.context().close();
  });
});
