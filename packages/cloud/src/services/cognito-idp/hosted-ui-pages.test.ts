import assert from 'node:assert/strict';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  AdminUserGlobalSignOutCommand,
  CognitoIdentityProviderClient,
  GetUICustomizationCommand,
  InitiateAuthCommand,
  SetUICustomizationCommand,
  RespondToAuthChallengeCommand,
  SetUserMFAPreferenceCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { AUTH_RESOURCE_TYPES, MAILBOX_API_PATH, SIGNING_SERVICE, type MailboxMessage } from '@forte/protocol';
import { decodeJwt } from 'jose';
import type { ResourceContext } from '../../kernel/types.js';
import { createCloud, type Cloud } from '../../server.js';
import { totpCode } from './totp.js';

const PASSWORD = 'Passw0rd!';
const CALLBACK = 'http://localhost:3000/';

/** A browser: its cookies, and the hidden fields of the last page it was shown. */
class Browser {
  readonly cookies = new Map<string, string>();
  html = '';
  status = 0;
  location: URL | undefined;
  constructor(private readonly base: string) {}

  private async take(response: Response): Promise<Response> {
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const at = pair.indexOf('=');
      if (/Max-Age=0/.test(line)) this.cookies.delete(pair.slice(0, at));
      else this.cookies.set(pair.slice(0, at), pair.slice(at + 1));
    }
    this.status = response.status;
    this.html = await response.text();
    const location = response.headers.get('location');
    this.location = location ? new URL(location, this.base) : undefined;
    if (response.headers.get('content-type')?.startsWith('text/html')) {
      assert.match(response.headers.get('content-security-policy') ?? '', /default-src 'none'/);
      assert.doesNotMatch(this.html, /<script|style=/, 'no inline script or style');
    }
    return response;
  }
  private header(): Record<string, string> {
    return this.cookies.size > 0 ? { cookie: [...this.cookies].map(([n, v]) => `${n}=${v}`).join('; ') } : {};
  }
  async get(path: string, method = 'GET'): Promise<Response> {
    return this.take(await fetch(path.startsWith('http') ? path : `${this.base}${path}`, { method, redirect: 'manual', headers: this.header() }));
  }
  /** The hidden fields of the page shown (the authorize request, the CSRF token, the step's session). */
  hidden(): Record<string, string> {
    const fields: Record<string, string> = {};
    const form = this.html.slice(0, this.html.indexOf('</form>') + 1 || undefined);
    for (const m of form.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g))
      fields[m[1]!] = m[2]!
        .replace(/&#43;/g, '+')
        .replace(/&quot;/g, '"')
        .replace(/&amp;/g, '&');
    return fields;
  }
  /** Submits the page's form with these fields, as a browser does. */
  async submit(endpoint: string, fields: Record<string, string>, hidden = this.hidden()): Promise<Response> {
    return this.take(
      await fetch(`${this.base}/${endpoint}`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...this.header() },
        body: new URLSearchParams({ ...hidden, ...fields }),
      }),
    );
  }
}

describe('hosted UI: sign-up, forgot password and MFA pages', () => {
  let dir = '';
  let cloud: Cloud;
  let admin: CognitoIdentityProviderClient;
  let anonymous: CognitoIdentityProviderClient;

  const context = (logicalId: string): ResourceContext => ({
    appId: 'pages',
    appSlug: 'pages',
    envName: 'dev',
    stackName: 's',
    logicalId,
    region: 'us-east-1',
    accountId: cloud.kernel.config.accountId,
    log: cloud.kernel.log,
  });
  const handler = (type: string) => cloud.kernel.resourceHandler(type)!;
  const oauthClient = {
    AllowedOAuthFlowsUserPoolClient: true,
    AllowedOAuthFlows: ['code'] as Array<'code'>,
    AllowedOAuthScopes: ['openid', 'email', 'profile'],
    CallbackURLs: [CALLBACK],
    LogoutURLs: [CALLBACK],
    SupportedIdentityProviders: ['COGNITO'],
    ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
  };
  /** A pool with a domain and an OAuth client: its id, the client's, and the domain's base URL. */
  const poolWithDomain = async (name: string, domain: string, props: Record<string, unknown>): Promise<{ poolId: string; clientId: string; base: string }> => {
    const poolId = (await handler(AUTH_RESOURCE_TYPES.userPool).create({ PoolName: name, ...props }, context(`${name}Pool`))).physicalId;
    const clientId = (
      await handler(AUTH_RESOURCE_TYPES.userPoolClient).create({ UserPoolId: poolId, ClientName: 'web', ...oauthClient }, context(`${name}Web`))
    ).physicalId;
    await handler(AUTH_RESOURCE_TYPES.userPoolDomain).create({ UserPoolId: poolId, Domain: domain }, context(`${name}Domain`));
    return { poolId, clientId, base: `${cloud.url}/hosted-ui/${domain}` };
  };
  const query = (clientId: string, extra: Record<string, string> = {}): string =>
    new URLSearchParams({ client_id: clientId, redirect_uri: CALLBACK, response_type: 'code', scope: 'openid email', ...extra }).toString();
  const mailbox = async (to: string): Promise<MailboxMessage[]> => {
    const url = new URL(MAILBOX_API_PATH, cloud.url);
    const body = JSON.stringify({ to });
    const signer = new SignatureV4({ service: SIGNING_SERVICE, region: 'us-east-1', credentials: cloud.adminCredentials, sha256: Hash.bind(null, 'sha256') });
    const signed = await signer.sign({
      method: 'POST',
      protocol: 'http:',
      hostname: url.hostname,
      port: Number(url.port),
      path: url.pathname,
      headers: { host: url.host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'ForteMailbox.ListMessages' },
      body,
    });
    return ((await (await fetch(url, { method: 'POST', headers: signed.headers, body })).json()) as { messages: MailboxMessage[] }).messages;
  };
  const redeem = async (base: string, clientId: string, code: string): Promise<Record<string, string>> => {
    const response = await fetch(`${base}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', client_id: clientId, code, redirect_uri: CALLBACK }),
    });
    return (await response.json()) as Record<string, string>;
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'forte-hosted-pages-'));
    cloud = await createCloud({ dataDir: dir, port: 0, logLevel: 'warn', logStream: { write: () => undefined } });
    const common = { region: 'us-east-1', endpoint: `${cloud.url}/cognito-idp/`, maxAttempts: 1 };
    admin = new CognitoIdentityProviderClient({ ...common, credentials: cloud.adminCredentials });
    anonymous = new CognitoIdentityProviderClient({ ...common, credentials: { accessKeyId: 'unused', secretAccessKey: 'unused' } });
  });
  after(async () => {
    admin.destroy();
    anonymous.destroy();
    await cloud.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('signs up with the pool’s required attributes and password policy, confirms the emailed code, and lands back in the app signed in', async () => {
    const { clientId, base } = await poolWithDomain('Signup', 'signup-dev', {
      UsernameAttributes: ['email'],
      AutoVerifiedAttributes: ['email'],
      RequiredAttributes: ['email', 'name'],
      UsernameCaseSensitive: false,
    });
    const browser = new Browser(base);
    await browser.get(`/login?${query(clientId, { state: 'su' })}`);
    assert.match(browser.html, /href="[^"]*\/signup\?[^"]*state=su/, 'the login page links to sign-up, carrying the request');
    await browser.get(`/signup?${query(clientId, { state: 'su' })}`);
    assert.equal(browser.status, 200);
    assert.match(browser.html, /<label class="label-customizable" for="username">Email<\/label>/);
    assert.match(browser.html, /name="attribute_name"/, 'the pool requires name');
    assert.doesNotMatch(browser.html, /name="attribute_email"/, 'email is the username');
    const form = browser.hidden();

    await browser.submit('signup', { username: 'ivy@example.com', attribute_name: 'Ivy', password: PASSWORD }, { ...form, _csrf: 'x'.repeat(43) });
    assert.equal(browser.status, 403, 'a forged form');
    await browser.get(`/signup?${query(clientId, { state: 'su' })}`);
    await browser.submit('signup', { username: 'ivy@example.com', attribute_name: 'Ivy', password: 'short' });
    assert.equal(browser.status, 400);
    assert.match(browser.html, /Password did not conform with policy/);
    assert.match(browser.html, /value="ivy@example.com"/, 'what was typed stays');
    await browser.submit('signup', { username: 'ivy@example.com', attribute_name: '', password: PASSWORD });
    assert.equal(browser.status, 400);
    assert.match(browser.html, /The attribute name is required/);
    assert.deepEqual(await mailbox('ivy@example.com'), [], 'no refused sign-up created a user or sent a code');

    await browser.submit('signup', { username: 'ivy@example.com', attribute_name: 'Ivy', password: PASSWORD });
    assert.equal(browser.status, 200, browser.html);
    assert.match(browser.html, /Confirm your account/);
    assert.match(browser.html, /We sent a code to i\*+@example\.com/);
    const [message] = await mailbox('ivy@example.com');
    assert.equal(message?.purpose, 'SignUp');
    const confirmForm = browser.hidden();
    await browser.submit('confirmUser', { code: message!.code === '000000' ? '111111' : '000000' });
    assert.equal(browser.status, 400);
    assert.match(browser.html, /Invalid verification code provided/);
    await browser.submit('confirmUser', { code: message!.code! });
    assert.equal(browser.status, 302, browser.html);
    assert.equal(`${browser.location!.origin}${browser.location!.pathname}`, CALLBACK);
    assert.equal(browser.location!.searchParams.get('state'), 'su');
    const tokens = await redeem(base, clientId, browser.location!.searchParams.get('code')!);
    const id = decodeJwt(tokens.id_token!);
    assert.equal(id.email, 'ivy@example.com');
    assert.equal(id.email_verified, true);
    assert.ok(browser.cookies.has('cognito'), 'the hosted-UI session started');

    const other = new Browser(base);
    await other.get(`/signup?${query(clientId)}`);
    await other.submit('confirmUser', { username: 'ivy@example.com', code: message!.code! }, { ...confirmForm, _csrf: other.hidden()._csrf! });
    assert.equal(other.status, 400, 'a used code');
    assert.match(other.html, /cannot be confirmed/);
    assert.ok(!other.cookies.has('cognito'));
    await other.get(`/signup?${query(clientId)}`);
    await other.submit('signup', { username: 'IVY@example.com', attribute_name: 'Ivy 2', password: PASSWORD });
    assert.equal(other.status, 400);
    assert.match(other.html, /An account with the given email already exists/);
  });

  it('a confirmation without the signing-up browser’s proof confirms the account and asks for the password', async () => {
    const { clientId, base } = await poolWithDomain('Later', 'later-dev', { AutoVerifiedAttributes: ['email'], RequiredAttributes: ['email'] });
    const browser = new Browser(base);
    await browser.get(`/signup?${query(clientId)}`);
    assert.match(browser.html, /<label class="label-customizable" for="username">Username<\/label>/);
    assert.match(browser.html, /name="attribute_email"/);
    await browser.submit('signup', { username: 'jon', attribute_email: 'jon@example.com', password: PASSWORD });
    assert.equal(browser.status, 200);
    assert.equal((await mailbox('jon@example.com')).length, 1);
    const later = new Browser(base);
    await later.get(`/confirmUser?${query(clientId, { username: 'jon' })}`);
    assert.equal(later.status, 200);
    const resendForm = /<form method="post" action="[^"]*" class="secondary">([\s\S]*?)<\/form>/.exec(later.html)![1]!;
    const resendFields = Object.fromEntries(
      [...resendForm.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1]!, m[2]!.replace(/&amp;/g, '&')]),
    );
    await later.submit('confirmUser', {}, resendFields);
    assert.equal(later.status, 200);
    assert.match(later.html, /We sent a new code to j\*+@example\.com/);
    const [resent] = await mailbox('jon@example.com');
    assert.equal(resent?.purpose, 'ResendCode');
    const code = resent!.code!;
    await later.submit('confirmUser', { code });
    assert.equal(later.status, 200);
    assert.match(later.html, /Your account is confirmed: sign in\./);
    assert.ok(!later.cookies.has('cognito'), 'not signed in without the password');
    await later.submit('login', { username: 'jon', password: PASSWORD });
    assert.equal(later.status, 302);
    assert.ok(later.location!.searchParams.get('code'));

    // An unconfirmed user who signs in is asked for the code, and the proven password then signs them in.
    await browser.get(`/signup?${query(clientId)}`);
    await browser.submit('signup', { username: 'kay', attribute_email: 'kay@example.com', password: PASSWORD });
    const unconfirmed = new Browser(base);
    await unconfirmed.get(`/login?${query(clientId, { state: 'late' })}`);
    await unconfirmed.submit('login', { username: 'kay', password: 'Wrong-Passw0rd' });
    assert.match(unconfirmed.html, /Incorrect username or password/, 'nothing said before the password is right');
    await unconfirmed.submit('login', { username: 'kay', password: PASSWORD });
    assert.equal(unconfirmed.status, 200);
    assert.match(unconfirmed.html, /Your account is not confirmed yet/);
    await unconfirmed.submit('confirmUser', { code: (await mailbox('kay@example.com'))[0]!.code! });
    assert.equal(unconfirmed.status, 302, unconfirmed.html);
    assert.equal(unconfirmed.location!.searchParams.get('state'), 'late');
  });

  it('forgot password: a code, then a new password under the policy; an unknown user hears the same as a known one', async () => {
    const { poolId, clientId, base } = await poolWithDomain('Forgot', 'forgot-dev', { AutoVerifiedAttributes: ['email'] });
    await admin.send(
      new AdminCreateUserCommand({
        UserPoolId: poolId,
        Username: 'kim',
        MessageAction: 'SUPPRESS',
        UserAttributes: [
          { Name: 'email', Value: 'kim@example.com' },
          { Name: 'email_verified', Value: 'true' },
        ],
      }),
    );
    await admin.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: 'kim', Password: PASSWORD, Permanent: true }));
    const ask = async (username: string): Promise<Browser> => {
      const browser = new Browser(base);
      await browser.get(`/login?${query(clientId, { state: 'fp' })}`);
      await browser.get(
        /href="([^"]*\/forgotPassword\?[^"]*)"/
          .exec(browser.html)![1]!
          .replace(/&amp;/g, '&')
          .replace(/^\/hosted-ui\/forgot-dev/, ''),
      );
      assert.equal(browser.status, 200);
      await browser.submit('forgotPassword', { username });
      return browser;
    };
    const known = await ask('kim');
    const unknown = await ask('nobody');
    assert.equal(known.status, 200);
    assert.equal(unknown.status, 200, 'an unknown user is not told so');
    for (const page of [known, unknown]) {
      assert.match(page.html, /We sent a password reset code to [a-z]\*+@[a-z]+\.[a-z]+\. Enter it below\./);
      assert.match(page.html, /name="code"/);
    }
    await unknown.submit('confirmForgotPassword', { code: '123456', password: 'New-Passw0rd!', confirm_password: 'New-Passw0rd!' });
    assert.equal(unknown.status, 400);
    assert.match(unknown.html, /Invalid verification code provided/, 'the same answer as a wrong code');

    const code = (await mailbox('kim@example.com'))[0]!.code!;
    await known.submit('confirmForgotPassword', { code, password: 'New-Passw0rd!', confirm_password: 'Other-Passw0rd!' });
    assert.match(known.html, /The two passwords differ/);
    await known.submit('confirmForgotPassword', { code, password: 'weak', confirm_password: 'weak' });
    assert.equal(known.status, 400);
    assert.match(known.html, /Password did not conform with policy/);
    await known.submit('confirmForgotPassword', {
      code: code === '000000' ? '111111' : '000000',
      password: 'New-Passw0rd!',
      confirm_password: 'New-Passw0rd!',
    });
    assert.match(known.html, /Invalid verification code provided/);
    const form = known.hidden();
    await known.submit('confirmForgotPassword', { code, password: 'New-Passw0rd!', confirm_password: 'New-Passw0rd!' });
    assert.equal(known.status, 200);
    assert.match(known.html, /Your password was changed: sign in with it\./);
    await known.submit(
      'confirmForgotPassword',
      { code, password: 'Third-Passw0rd!', confirm_password: 'Third-Passw0rd!' },
      { ...form, _csrf: known.hidden()._csrf! },
    );
    assert.equal(known.status, 400, 'a used code');
    await known.get(`/login?${query(clientId, { state: 'fp' })}`);
    await known.submit('login', { username: 'kim', password: PASSWORD });
    assert.match(known.html, /Incorrect username or password/, 'the old password is gone');
    await known.submit('login', { username: 'kim', password: 'New-Passw0rd!' });
    assert.equal(known.status, 302);
    assert.equal(known.location!.searchParams.get('state'), 'fp');
  });

  it('MFA: a pool that requires it sets up a TOTP app, then asks for its code at each sign-in, each code good once', async () => {
    const { poolId, clientId, base } = await poolWithDomain('Totp', 'totp-dev', { MfaConfiguration: 'ON', EnabledMfas: ['SOFTWARE_TOKEN_MFA'] });
    await admin.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'gus', MessageAction: 'SUPPRESS' }));
    await admin.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: 'gus', Password: PASSWORD, Permanent: true }));
    const signIn = async (): Promise<Browser> => {
      const browser = new Browser(base);
      await browser.get(`/login?${query(clientId, { state: 'mfa' })}`);
      await browser.submit('login', { username: 'gus', password: PASSWORD });
      assert.equal(browser.status, 200, browser.html);
      return browser;
    };
    const setup = await signIn();
    assert.match(setup.html, /Set up two-step sign-in/);
    const secret = /<p class="secret"[^>]*>([A-Z2-7]+)<\/p>/.exec(setup.html)![1]!;
    assert.match(setup.html, /otpauth:\/\/totp\//);
    await setup.submit('login', { code: 'abc' });
    assert.match(setup.html, /Enter the 6-digit code/);
    const wrong = totpCode(secret, Date.now() - 10 * 60_000);
    await setup.submit('login', { code: wrong });
    assert.equal(setup.status, 400);
    assert.match(setup.html, /That code is not right/);
    assert.equal(/<p class="secret"[^>]*>([A-Z2-7]+)<\/p>/.exec(setup.html)![1], secret, 'the same key until it answers');
    const forged = setup.hidden();
    await setup.submit('login', { code: totpCode(secret, Date.now()) }, { ...forged, _csrf: 'y'.repeat(43) });
    assert.equal(setup.status, 403, 'a forged MFA form');
    await setup.submit('login', { code: totpCode(secret, Date.now()) }, forged);
    assert.equal(setup.status, 302, setup.html);
    assert.ok(setup.location!.searchParams.get('code'));

    const next = await signIn();
    assert.match(next.html, /Enter the 6-digit code from your authenticator app/);
    assert.doesNotMatch(next.html, /class="secret"/);
    await next.submit('login', { code: wrong });
    assert.match(next.html, /That code is not right/);
    const code = totpCode(secret, Date.now() + 30_000);
    await next.submit('login', { code });
    assert.equal(next.status, 302);
    const tokens = await redeem(base, clientId, next.location!.searchParams.get('code')!);
    assert.equal(decodeJwt(tokens.id_token!)['cognito:username'], 'gus');
    const replay = await signIn();
    await replay.submit('login', { code });
    assert.equal(replay.status, 400);
    assert.match(replay.html, /already used/);
    // The MFA step's session is the hosted UI's own: the API's RespondToAuthChallenge does not take it.
    const session = replay.hidden().session!;
    await assert.rejects(
      anonymous.send(
        new RespondToAuthChallengeCommand({
          ClientId: clientId,
          ChallengeName: 'SOFTWARE_TOKEN_MFA',
          Session: session,
          ChallengeResponses: { USERNAME: 'gus', SOFTWARE_TOKEN_MFA_CODE: totpCode(secret, Date.now()) },
        }),
      ),
      /not SOFTWARE_TOKEN_MFA/,
    );
  });

  it('MFA: a user with SMS MFA gets a code by text message on the hosted UI', async () => {
    const { poolId, clientId, base } = await poolWithDomain('Sms', 'sms-dev', { MfaConfiguration: 'OPTIONAL', EnabledMfas: ['SMS_MFA', 'SOFTWARE_TOKEN_MFA'] });
    await admin.send(
      new AdminCreateUserCommand({
        UserPoolId: poolId,
        Username: 'lou',
        MessageAction: 'SUPPRESS',
        UserAttributes: [
          { Name: 'phone_number', Value: '+15550002222' },
          { Name: 'phone_number_verified', Value: 'true' },
        ],
      }),
    );
    await admin.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: 'lou', Password: PASSWORD, Permanent: true }));
    const signedIn = await anonymous.send(
      new InitiateAuthCommand({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: clientId, AuthParameters: { USERNAME: 'lou', PASSWORD } }),
    );
    await anonymous.send(
      new SetUserMFAPreferenceCommand({ AccessToken: signedIn.AuthenticationResult!.AccessToken, SMSMfaSettings: { Enabled: true, PreferredMfa: true } }),
    );
    const browser = new Browser(base);
    await browser.get(`/login?${query(clientId)}`);
    await browser.submit('login', { username: 'lou', password: PASSWORD });
    assert.equal(browser.status, 200);
    assert.match(browser.html, /We sent a code by text message to \+/);
    const [message] = await mailbox('+15550002222');
    assert.equal(message?.purpose, 'Mfa');
    await browser.submit('login', { code: message!.code === '000000' ? '111111' : '000000' });
    assert.equal(browser.status, 400);
    await browser.submit('login', { code: message!.code! });
    assert.equal(browser.status, 302, browser.html);
    assert.ok(browser.location!.searchParams.get('code'));
  });

  it('UI customization: CSS of the allowed classes and a logo, per pool and per client, served as the pages’ stylesheet', async () => {
    const bare = (await handler(AUTH_RESOURCE_TYPES.userPool).create({ PoolName: 'Bare' }, context('BarePool'))).physicalId;
    await assert.rejects(admin.send(new SetUICustomizationCommand({ UserPoolId: bare, CSS: '.label-customizable{font-weight:700}' })), /existing domain/);
    const { poolId, clientId, base } = await poolWithDomain('Styled', 'styled-dev', {});
    const other = (await handler(AUTH_RESOURCE_TYPES.userPoolClient).create({ UserPoolId: poolId, ClientName: 'other', ...oauthClient }, context('Other')))
      .physicalId;
    const refused = async (css: string, pattern: RegExp): Promise<void> => {
      await assert.rejects(admin.send(new SetUICustomizationCommand({ UserPoolId: poolId, CSS: css })), pattern);
    };
    await refused('.secret-class{color:red}', /\.secret-class cannot be customized/);
    await refused('.label-customizable{color:red}', /property color of \.label-customizable cannot be customized; it allows font-weight/);
    await refused('.background-customizable{background-color:url(https://evil.example/x)}', /is not allowed/);
    await refused('.background-customizable{background-color:red}} body{display:none}', /cannot read/);
    await refused('@import "https://evil.example/x.css";', /cannot read/);
    // Comments left open, as many as the CSS can hold: read once (a lazy regular expression took 1.25 s here).
    const started = performance.now();
    await refused('/* '.repeat(43_000), /cannot read/);
    assert.ok(performance.now() - started < 250, `${(performance.now() - started).toFixed(0)} ms for 43,000 comments left open`);
    await assert.rejects(
      admin.send(
        new SetUICustomizationCommand({ UserPoolId: poolId, CSS: '.label-customizable{font-weight:700}', ImageFile: Buffer.from('GIF89a not a png') }),
      ),
      /PNG or JPEG/,
    );
    await assert.rejects(
      anonymous.send(new SetUICustomizationCommand({ UserPoolId: poolId, CSS: '.label-customizable{font-weight:700}' })),
      (error: Error) => error.name !== 'InvalidParameterException',
      'unsigned callers may not customize',
    );

    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');
    const set = await admin.send(
      new SetUICustomizationCommand({ UserPoolId: poolId, CSS: '/* brand */ .submitButton-customizable { background-color: #b91c1c; }', ImageFile: png }),
    );
    assert.equal(set.UICustomization?.ClientId, 'ALL');
    assert.equal(set.UICustomization?.CSS, '.submitButton-customizable{background-color:#b91c1c}');
    assert.match(set.UICustomization?.ImageUrl ?? '', /\/hosted-ui\/styled-dev\/logo\?client_id=ALL/);
    await admin.send(new SetUICustomizationCommand({ UserPoolId: poolId, ClientId: other, CSS: '.background-customizable{background-color:#fef3c7}' }));
    assert.equal((await admin.send(new GetUICustomizationCommand({ UserPoolId: poolId, ClientId: clientId }))).UICustomization?.ClientId, 'ALL', 'falls back');
    assert.equal((await admin.send(new GetUICustomizationCommand({ UserPoolId: poolId, ClientId: other }))).UICustomization?.ClientId, other);

    const stylesheet = async (id: string): Promise<string> => {
      const browser = new Browser(base);
      await browser.get(`/login?${query(id)}`);
      assert.match(browser.html, /<button class="submitButton-customizable"/);
      const href = /<link rel="stylesheet" href="([^"]+)">/.exec(browser.html)![1]!.replace(/&amp;/g, '&');
      assert.ok(href.includes(`client_id=${id}`));
      const response = await fetch(`${cloud.url}${href}`);
      assert.equal(response.headers.get('content-type'), 'text/css; charset=utf-8');
      return response.text();
    };
    const pooled = await stylesheet(clientId);
    assert.match(pooled, /\.submitButton-customizable\{background-color:#b91c1c\}/);
    const logo = /url\("([^"]+)"\)/.exec(pooled)![1]!;
    const image = await fetch(`${base}/${logo}`);
    assert.equal(image.headers.get('content-type'), 'image/png');
    assert.deepEqual(Buffer.from(await image.arrayBuffer()), png);
    const own = await stylesheet(other);
    assert.match(own, /\.background-customizable\{background-color:#fef3c7\}/);
    assert.doesNotMatch(own, /#b91c1c|logo\?/, 'a client with its own settings does not fall back');
    await admin.send(new SetUICustomizationCommand({ UserPoolId: poolId, ClientId: other }));
    assert.match(await stylesheet(other), /#b91c1c/, 'removed: back to the pool’s');

    // CloudFormation's AWS::Cognito::UserPoolUICustomizationAttachment: the same checks; its CSS replaces the pool's, a logo stays; delete removes both.
    const attachment = handler('AWS::Cognito::UserPoolUICustomizationAttachment');
    await assert.rejects(attachment.create({ UserPoolId: poolId, ClientId: 'ALL', CSS: '.nope{color:red}' }, context('Ui')), /CSS: CSS class \.nope/);
    await assert.rejects(attachment.create({ UserPoolId: bare, ClientId: 'ALL', CSS: '' }, context('Ui')), /has no domain/);
    const made = await attachment.create({ UserPoolId: poolId, ClientId: 'ALL', CSS: '.label-customizable{font-weight:300}' }, context('Ui'));
    assert.equal(made.physicalId, `${poolId}:ALL`);
    const attached = await stylesheet(clientId);
    assert.match(attached, /\.label-customizable\{font-weight:300\}/);
    assert.doesNotMatch(attached, /#b91c1c/, 'the resource’s CSS replaced the pool’s');
    assert.match(attached, /logo\?client_id=ALL/, 'the logo stays');
    await attachment.delete(made.physicalId, {}, context('Ui'));
    assert.doesNotMatch(await stylesheet(clientId), /font-weight:300|logo\?/);
  });

  it('HEAD /oauth2/authorize issues no code; a global sign-out ends the hosted-UI session; token errors carry a readable message', async () => {
    const { poolId, clientId, base } = await poolWithDomain('Session', 'session-dev', {});
    await admin.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'max', MessageAction: 'SUPPRESS' }));
    await admin.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: 'max', Password: PASSWORD, Permanent: true }));
    const browser = new Browser(base);
    await browser.get(`/login?${query(clientId)}`);
    await browser.submit('login', { username: 'max', password: PASSWORD });
    assert.equal(browser.status, 302);
    await browser.get(`/oauth2/authorize?${query(clientId)}`, 'HEAD');
    assert.equal(browser.status, 302);
    assert.equal(browser.location!.searchParams.get('code'), null, 'HEAD issues no code');
    assert.match(browser.location!.pathname, /\/login$/);
    await browser.get(`/oauth2/authorize?${query(clientId)}`);
    assert.ok(browser.location!.searchParams.get('code'), 'the session signs in on GET');
    await admin.send(new AdminUserGlobalSignOutCommand({ UserPoolId: poolId, Username: 'max' }));
    await browser.get(`/oauth2/authorize?${query(clientId)}`);
    assert.equal(browser.location!.searchParams.get('code'), null, 'signed out everywhere: the hosted UI asks again');
    assert.match(browser.location!.pathname, /\/login$/);

    const failed = await redeem(base, clientId, 'no-such-code');
    assert.equal(failed.error, 'invalid_grant');
    assert.ok(failed.error_message && failed.error_message.length > 10, 'aws-amplify shows error_message');
    assert.equal(failed.error_message, failed.error_description);
  });
});
