import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  AdminCreateUserCommand,
  AdminDisableUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  CreateUserPoolClientCommand,
  CreateUserPoolDomainCommand,
  DeleteUserPoolDomainCommand,
  DescribeUserPoolClientCommand,
  DescribeUserPoolCommand,
  DescribeUserPoolDomainCommand,
  GetUserCommand,
  SignUpCommand,
  UpdateUserPoolClientCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { AUTH_RESOURCE_TYPES } from '@forte/protocol';
import { decodeJwt } from 'jose';
import type { ResourceContext } from '../../kernel/types.js';
import { createCloud, type Cloud } from '../../server.js';

const PASSWORD = 'Passw0rd!';
const CALLBACK = 'http://localhost:3000/';
const SIGNED_OUT = 'http://localhost:3000/signed-out';

/** A browser's cookie jar for one path, enough for the hosted UI's two cookies. */
class Jar {
  readonly cookies = new Map<string, string>();
  take(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const at = pair.indexOf('=');
      const name = pair.slice(0, at);
      const value = pair.slice(at + 1);
      if (/Max-Age=0/.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
  header(): string {
    return [...this.cookies].map(([n, v]) => `${n}=${v}`).join('; ');
  }
}

const pkce = (): { verifier: string; challenge: string } => {
  const verifier = randomBytes(48).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
};

describe('hosted UI and OAuth 2.0 endpoints', () => {
  let dir = '';
  let cloud: Cloud;
  let admin: CognitoIdentityProviderClient;
  let anonymous: CognitoIdentityProviderClient;
  let poolId = '';
  let clientId = '';
  let secretClientId = '';
  let secret = '';
  let base = '';
  const logs: string[] = [];

  const context = (logicalId: string): ResourceContext => ({
    appId: 'oauth',
    appSlug: 'oauth',
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
    AllowedOAuthFlows: ['code', 'implicit'] as Array<'code' | 'implicit'>,
    AllowedOAuthScopes: ['openid', 'email', 'profile', 'aws.cognito.signin.user.admin'],
    CallbackURLs: [CALLBACK],
    LogoutURLs: [SIGNED_OUT],
    SupportedIdentityProviders: ['COGNITO'],
  };
  const addUser = async (username: string, options: { permanent?: boolean } = {}): Promise<void> => {
    await admin.send(
      new AdminCreateUserCommand({
        UserPoolId: poolId,
        Username: username,
        MessageAction: 'SUPPRESS',
        UserAttributes: [
          { Name: 'email', Value: `${username}@example.com` },
          { Name: 'email_verified', Value: 'true' },
          { Name: 'name', Value: `${username} Smith` },
        ],
        ...(options.permanent === false ? { TemporaryPassword: PASSWORD } : {}),
      }),
    );
    if (options.permanent !== false)
      await admin.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: username, Password: PASSWORD, Permanent: true }));
  };
  const authorizeUrl = (params: Record<string, string>): string =>
    `${base}/oauth2/authorize?${new URLSearchParams({ client_id: clientId, redirect_uri: CALLBACK, response_type: 'code', ...params }).toString()}`;
  const get = (url: string, jar?: Jar): Promise<Response> =>
    fetch(url, { redirect: 'manual', headers: jar && jar.cookies.size > 0 ? { cookie: jar.header() } : {} });
  const post = (url: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> =>
    fetch(url, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(form),
    });

  /** The login page for an authorize request: its hidden fields, the CSRF token among them. */
  const loginForm = async (params: Record<string, string>, jar: Jar): Promise<Record<string, string>> => {
    const authorize = await get(authorizeUrl(params), jar);
    assert.equal(authorize.status, 302);
    const login = await get(authorize.headers.get('location')!, jar);
    assert.equal(login.status, 200);
    assert.match(login.headers.get('content-security-policy') ?? '', /default-src 'none'/);
    jar.take(login);
    const html = await login.text();
    assert.doesNotMatch(html, /<script|style=/, 'no inline script or style');
    const fields: Record<string, string> = {};
    for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g))
      fields[m[1]!] = m[2]!
        .replace(/&amp;/g, '&')
        .replace(/&quot;/g, '"')
        .replace(/&#39;/g, "'")
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>');
    return fields;
  };
  const submit = async (fields: Record<string, string>, username: string, password: string, jar: Jar): Promise<Response> => {
    const response = await fetch(`${base}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: jar.header() },
      body: new URLSearchParams({ ...fields, username, password }),
    });
    jar.take(response);
    return response;
  };
  /** Signs in on the hosted UI and answers where the browser is sent back to. */
  const signInForCode = async (username: string, params: Record<string, string> = {}, jar = new Jar()): Promise<URL> => {
    const fields = await loginForm(params, jar);
    const response = await submit(fields, username, PASSWORD, jar);
    assert.equal(response.status, 302, await response.clone().text());
    return new URL(response.headers.get('location')!);
  };
  const redeem = (code: string, extra: Record<string, string> = {}): Promise<Response> =>
    post(`${base}/oauth2/token`, { grant_type: 'authorization_code', client_id: clientId, code, redirect_uri: CALLBACK, ...extra });

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'forte-hosted-ui-'));
    cloud = await createCloud({ dataDir: dir, port: 0, logLevel: 'warn', logStream: { write: (line) => void logs.push(line) } });
    poolId = (await handler(AUTH_RESOURCE_TYPES.userPool).create({ PoolName: 'Shop', UsernameCaseSensitive: false }, context('UserPool'))).physicalId;
    clientId = (await handler(AUTH_RESOURCE_TYPES.userPoolClient).create({ UserPoolId: poolId, ClientName: 'web', ...oauthClient }, context('Web'))).physicalId;
    const withSecret = await handler(AUTH_RESOURCE_TYPES.userPoolClient).create(
      { UserPoolId: poolId, ClientName: 'server', GenerateSecret: true, ...oauthClient },
      context('Server'),
    );
    secretClientId = withSecret.physicalId;
    secret = String(withSecret.attributes.ClientSecret);
    const domain = await handler(AUTH_RESOURCE_TYPES.userPoolDomain).create({ UserPoolId: poolId, Domain: 'shop-dev' }, context('UserPoolDomain'));
    assert.equal(domain.physicalId, 'shop-dev');
    assert.equal(domain.attributes.Address, `${cloud.url.replace('http://', '')}/hosted-ui/shop-dev`);
    base = `${cloud.url}/hosted-ui/shop-dev`;
    // This cloud has no HTTPS listener: the operator hears that aws-amplify cannot use the domain.
    assert.ok(logs.some((line) => line.includes('no HTTPS origin') && line.includes('shop-dev')));
    const common = { region: 'us-east-1', endpoint: `${cloud.url}/cognito-idp/`, maxAttempts: 1 };
    admin = new CognitoIdentityProviderClient({ ...common, credentials: cloud.adminCredentials });
    anonymous = new CognitoIdentityProviderClient({ ...common, credentials: { accessKeyId: 'unused', secretAccessKey: 'unused' } });
    await addUser('ann');
  });
  after(async () => {
    admin.destroy();
    anonymous.destroy();
    await cloud.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('signs in with the code flow and PKCE: tokens as the pool issues them, the nonce and scopes in them, a code used once', async () => {
    const { verifier, challenge } = pkce();
    const back = await signInForCode('ann', {
      state: 'st-1',
      nonce: 'n-1',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      scope: 'openid email aws.cognito.signin.user.admin',
    });
    assert.equal(`${back.origin}${back.pathname}`, CALLBACK);
    assert.equal(back.searchParams.get('state'), 'st-1');
    const code = back.searchParams.get('code')!;
    const response = await redeem(code, { code_verifier: verifier });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('cache-control'), 'no-store');
    const tokens = (await response.json()) as Record<string, string | number>;
    assert.equal(tokens.token_type, 'Bearer');
    assert.equal(tokens.expires_in, 3600);
    const id = decodeJwt(String(tokens.id_token));
    assert.equal(id.aud, clientId);
    assert.equal(id.nonce, 'n-1');
    assert.equal(id.iss, `${cloud.url}/${poolId}`);
    assert.equal(id.email, 'ann@example.com');
    assert.equal(id['cognito:username'], 'ann');
    const access = decodeJwt(String(tokens.access_token));
    assert.equal(access.scope, 'openid email aws.cognito.signin.user.admin');
    assert.equal((await anonymous.send(new GetUserCommand({ AccessToken: String(tokens.access_token) }))).Username, 'ann');

    const again = await redeem(code, { code_verifier: verifier });
    assert.equal(again.status, 400);
    assert.equal(((await again.json()) as { error: string }).error, 'invalid_grant');

    const info = await fetch(`${base}/oauth2/userInfo`, { headers: { authorization: `Bearer ${String(tokens.access_token)}` } });
    assert.equal(info.status, 200);
    assert.deepEqual(await info.json(), { sub: id.sub, email: 'ann@example.com', email_verified: 'true', username: 'ann' });

    const refreshed = await post(`${base}/oauth2/token`, { grant_type: 'refresh_token', client_id: clientId, refresh_token: String(tokens.refresh_token) });
    assert.equal(refreshed.status, 200);
    const next = (await refreshed.json()) as Record<string, string>;
    assert.equal(next.refresh_token, undefined);
    assert.equal(decodeJwt(next.access_token!).scope, 'openid email aws.cognito.signin.user.admin');
    assert.equal((await post(`${base}/oauth2/revoke`, { client_id: clientId, token: String(tokens.refresh_token) })).status, 200);
    const revoked = await post(`${base}/oauth2/token`, { grant_type: 'refresh_token', client_id: clientId, refresh_token: String(tokens.refresh_token) });
    assert.equal(((await revoked.json()) as { error: string }).error, 'invalid_grant');
    const dead = await fetch(`${base}/oauth2/userInfo`, { headers: { authorization: `Bearer ${String(tokens.access_token)}` } });
    assert.equal(dead.status, 401);
  });

  it('refuses a wrong or missing code verifier, another redirect URI, another client, and spends the code on the first try', async () => {
    const { verifier, challenge } = pkce();
    const params = { code_challenge: challenge, code_challenge_method: 'S256' };
    const errorOf = async (response: Response): Promise<string> => ((await response.json()) as { error: string }).error;
    let code = (await signInForCode('ann', params)).searchParams.get('code')!;
    assert.equal(await errorOf(await redeem(code, { code_verifier: pkce().verifier })), 'invalid_grant');
    assert.equal(await errorOf(await redeem(code, { code_verifier: verifier })), 'invalid_grant', 'the failed try spent the code');
    code = (await signInForCode('ann', params)).searchParams.get('code')!;
    assert.equal(await errorOf(await redeem(code)), 'invalid_grant', 'no verifier');
    code = (await signInForCode('ann', params)).searchParams.get('code')!;
    assert.equal(await errorOf(await redeem(code, { code_verifier: verifier, redirect_uri: 'http://localhost:3000/other' })), 'invalid_grant');
    code = (await signInForCode('ann')).searchParams.get('code')!;
    const basic = `Basic ${Buffer.from(`${secretClientId}:${secret}`).toString('base64')}`;
    const stolen = await post(`${base}/oauth2/token`, { grant_type: 'authorization_code', code, redirect_uri: CALLBACK }, { authorization: basic });
    assert.equal(await errorOf(stolen), 'invalid_grant', 'a code of another client');
    assert.equal(await errorOf(await post(`${base}/oauth2/token`, { grant_type: 'password', client_id: clientId })), 'unsupported_grant_type');
    assert.equal(await errorOf(await post(`${base}/oauth2/token`, { grant_type: 'authorization_code', client_id: 'nobody', code })), 'invalid_client');
  });

  it('a client with a secret must prove it at the token endpoint', async () => {
    const jar = new Jar();
    const fields = await loginForm({ client_id: secretClientId }, jar);
    const back = new URL((await submit(fields, 'ann', PASSWORD, jar)).headers.get('location')!);
    const code = back.searchParams.get('code')!;
    const without = await post(`${base}/oauth2/token`, { grant_type: 'authorization_code', client_id: secretClientId, code, redirect_uri: CALLBACK });
    assert.equal(without.status, 400);
    assert.equal(((await without.json()) as { error: string }).error, 'invalid_client');
    const wrong = await post(
      `${base}/oauth2/token`,
      { grant_type: 'authorization_code', code, redirect_uri: CALLBACK },
      { authorization: `Basic ${Buffer.from(`${secretClientId}:nope`).toString('base64')}` },
    );
    assert.equal(wrong.status, 401);
    // The code was not reached by the refused calls: the client is checked first.
    const right = await post(
      `${base}/oauth2/token`,
      { grant_type: 'authorization_code', code, redirect_uri: CALLBACK },
      { authorization: `Basic ${Buffer.from(`${secretClientId}:${secret}`).toString('base64')}` },
    );
    assert.equal(right.status, 200);
  });

  it('refuses bad authorize requests: on its own page without a trusted redirect URI, else back to the app with the state', async () => {
    const page = async (params: Record<string, string>, error: RegExp): Promise<void> => {
      const response = await get(authorizeUrl(params));
      assert.equal(response.status, 400);
      assert.equal(response.headers.get('location'), null);
      assert.match(await response.text(), error);
    };
    await page({ redirect_uri: 'https://evil.example.com/' }, /redirect_mismatch/);
    await page({ redirect_uri: 'http://localhost:3000' }, /redirect_mismatch/);
    await page({ client_id: 'nobody' }, /invalid_client/);
    await page({ redirect_uri: '' }, /redirect_uri is missing/);
    const back = async (params: Record<string, string>, error: string): Promise<void> => {
      const response = await get(authorizeUrl({ state: 's', ...params }));
      assert.equal(response.status, 302);
      const location = new URL(response.headers.get('location')!);
      assert.equal(`${location.origin}${location.pathname}`, CALLBACK);
      assert.equal(location.searchParams.get('error'), error);
      assert.equal(location.searchParams.get('state'), 's');
    };
    await back({ scope: 'openid phone' }, 'invalid_scope');
    await back({ response_type: 'id_token' }, 'unsupported_response_type');
    await back({ code_challenge: pkce().challenge, code_challenge_method: 'plain' }, 'invalid_request');
    await back({ identity_provider: 'Google' }, 'invalid_request');
    await back({ prompt: 'none' }, 'login_required');
    const plain = await handler(AUTH_RESOURCE_TYPES.userPoolClient).create({ UserPoolId: poolId, ClientName: 'plain' }, context('Plain'));
    await page({ client_id: plain.physicalId }, /unauthorized_client/);
    const unknown = await get(`${cloud.url}/hosted-ui/nobody-here/oauth2/authorize?client_id=${clientId}`);
    assert.equal(unknown.status, 404);
  });

  it('the login form: CSRF-protected, the pool’s password rules and limits, and a clear word for users who cannot finish here', async () => {
    const jar = new Jar();
    const fields = await loginForm({}, jar);
    const forged = await fetch(`${base}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...fields, username: 'ann', password: PASSWORD }),
    });
    assert.equal(forged.status, 403, 'no CSRF cookie');
    const wrongToken = await submit({ ...fields, _csrf: 'x'.repeat(43) }, 'ann', PASSWORD, jar);
    assert.equal(wrongToken.status, 403);
    const message = async (username: string, password: string): Promise<string> => {
      const form = await loginForm({}, jar);
      const response = await submit(form, username, password, jar);
      assert.equal(response.status, 400);
      return response.text();
    };
    assert.match(await message('ann', 'Wrong-passw0rd'), /Incorrect username or password\./);
    assert.match(await message('nobody', PASSWORD), /Incorrect username or password\./);
    await addUser('dora');
    await admin.send(new AdminDisableUserCommand({ UserPoolId: poolId, Username: 'dora' }));
    assert.match(await message('dora', PASSWORD), /User is disabled\./);
    await anonymous.send(
      new SignUpCommand({ ClientId: clientId, Username: 'fay', Password: PASSWORD, UserAttributes: [{ Name: 'email', Value: 'fay@example.com' }] }),
    );
    const unconfirmed = await submit(await loginForm({}, jar), 'fay', PASSWORD, jar);
    assert.match(await unconfirmed.text(), /not confirmed yet: enter the code you were sent/, 'the confirm page');
    await addUser('eve');
    for (let i = 0; i < 5; i++) await message('eve', `Wrong-${i}-Passw0rd`);
    assert.match(await message('eve', PASSWORD), /Password attempts exceeded/, 'locked after five failures, the right password too');
    assert.match(await message('ANN', 'nope'), /Incorrect/);
    const html = await message('ann', 'x"><script>');
    assert.doesNotMatch(html, /<script>/);
  });

  it('a user with a temporary password chooses a new one on the next page, under the pool’s policy, then is signed in', async () => {
    await addUser('carl', { permanent: false });
    const jar = new Jar();
    const fields = await loginForm({ state: 'np' }, jar);
    const first = await submit(fields, 'carl', PASSWORD, jar);
    assert.equal(first.status, 200);
    const hiddenOf = (html: string): Record<string, string> =>
      Object.fromEntries(
        [...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1]!, m[2]!.replace(/&#43;/g, '+').replace(/&amp;/g, '&')]),
      );
    let html = await first.text();
    assert.match(html, /Choose a new password/);
    const step = async (form: Record<string, string>, password: string, again = password): Promise<Response> => {
      const response = await fetch(`${base}/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: jar.header() },
        body: new URLSearchParams({ ...form, new_password: password, confirm_password: again }),
      });
      jar.take(response);
      return response;
    };
    let response = await step(hiddenOf(html), 'New-Passw0rd!', 'Other-Passw0rd!');
    assert.equal(response.status, 400);
    html = await response.text();
    assert.match(html, /The two passwords differ/);
    response = await step(hiddenOf(html), 'short');
    assert.equal(response.status, 400);
    html = await response.text();
    assert.match(html, /Password did not conform with policy/);
    const replayed = hiddenOf(html);
    response = await step(replayed, 'New-Passw0rd!');
    assert.equal(response.status, 302);
    const back = new URL(response.headers.get('location')!);
    assert.equal(back.searchParams.get('state'), 'np');
    assert.equal((await redeem(back.searchParams.get('code')!)).status, 200);
    jar.cookies.set('XSRF-TOKEN', replayed._csrf!);
    const again = await step(replayed, 'Third-Passw0rd!');
    assert.match(await again.text(), /That step expired/, 'the step answers once');
    const fresh = new Jar();
    const later = await submit(await loginForm({}, fresh), 'carl', 'New-Passw0rd!', fresh);
    assert.equal(later.status, 302, 'the new password signs carl in');
  });

  it('keeps the hosted-UI session until /logout, which only sends the browser to a registered sign-out URL', async () => {
    const jar = new Jar();
    await signInForCode('ann', {}, jar);
    assert.ok(jar.cookies.has('cognito'));
    const again = await get(authorizeUrl({ state: 'two' }), jar);
    const location = new URL(again.headers.get('location')!);
    assert.ok(location.searchParams.get('code'), 'signed in by the session');
    const bad = await get(`${base}/logout?client_id=${clientId}&logout_uri=${encodeURIComponent('https://evil.example.com/')}`, jar);
    assert.equal(bad.status, 400);
    assert.equal(bad.headers.get('location'), null);
    const out = await get(`${base}/logout?client_id=${clientId}&logout_uri=${encodeURIComponent(SIGNED_OUT)}`, jar);
    assert.equal(out.status, 302);
    assert.equal(out.headers.get('location'), SIGNED_OUT);
    const stale = jar.header();
    jar.take(out);
    assert.ok(!jar.cookies.has('cognito'));
    const after = await fetch(authorizeUrl({}), { redirect: 'manual', headers: { cookie: stale } });
    assert.match(after.headers.get('location')!, /\/login\?/, 'the old cookie signs nobody in');
  });

  it('the implicit flow answers tokens in the fragment; a token without aws.cognito.signin.user.admin cannot call user operations', async () => {
    const back = await signInForCode('ann', { response_type: 'token', scope: 'openid profile', state: 'i' });
    const fragment = new URLSearchParams(back.hash.slice(1));
    assert.equal(fragment.get('state'), 'i');
    assert.equal(fragment.get('refresh_token'), null);
    const access = fragment.get('access_token')!;
    assert.equal(decodeJwt(access).scope, 'openid profile');
    await assert.rejects(anonymous.send(new GetUserCommand({ AccessToken: access })), /does not have required scopes/);
    const info = await fetch(`${base}/oauth2/userInfo`, { headers: { authorization: `Bearer ${access}` } });
    assert.deepEqual(await info.json(), { sub: decodeJwt(fragment.get('id_token')!).sub, name: 'ann Smith', username: 'ann' });
  });

  it('checks OAuth settings and domains as Cognito does; the admin operations describe and change them, signed only', async () => {
    const created = await admin.send(
      new CreateUserPoolClientCommand({
        UserPoolId: poolId,
        ClientName: 'made-by-api',
        AllowedOAuthFlowsUserPoolClient: true,
        AllowedOAuthFlows: ['code'],
        AllowedOAuthScopes: ['openid'],
        CallbackURLs: ['https://app.example.com/'],
      }),
    );
    assert.deepEqual(created.UserPoolClient?.CallbackURLs, ['https://app.example.com/']);
    const made = await get(authorizeUrl({ client_id: created.UserPoolClient!.ClientId!, redirect_uri: 'https://app.example.com/' }));
    assert.match(made.headers.get('location') ?? '', /\/login\?/);
    await assert.rejects(anonymous.send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'anonymous' })));
    const refused = async (type: string, props: Record<string, unknown>, message: RegExp): Promise<void> => {
      await assert.rejects(handler(type).create(props, context(`X${Math.random()}`)), message);
    };
    const client = (extra: Record<string, unknown>) => ({ UserPoolId: poolId, ClientName: 'x', ...oauthClient, ...extra });
    await refused(AUTH_RESOURCE_TYPES.userPoolClient, client({ CallbackURLs: ['http://example.com/'] }), /only http:\/\/localhost/);
    await refused(AUTH_RESOURCE_TYPES.userPoolClient, client({ AllowedOAuthScopes: ['email'] }), /need openid/);
    await refused(AUTH_RESOURCE_TYPES.userPoolClient, client({ DefaultRedirectURI: 'http://localhost:9/' }), /must be one of the CallbackURLs/);
    await refused(AUTH_RESOURCE_TYPES.userPoolClient, client({ SupportedIdentityProviders: ['Google'] }), /provider Google does not exist for user pool/);
    await refused(AUTH_RESOURCE_TYPES.userPoolClient, client({ CallbackURLs: [] }), /at least one callback URL/);
    await refused(AUTH_RESOURCE_TYPES.userPoolDomain, { UserPoolId: poolId, Domain: 'my-aws-login' }, /aws, amazon or cognito/);
    await refused(AUTH_RESOURCE_TYPES.userPoolDomain, { UserPoolId: poolId, Domain: 'Upper' }, /lowercase/);
    await refused(AUTH_RESOURCE_TYPES.userPoolDomain, { UserPoolId: poolId, Domain: 'second' }, /already has a domain/);
    // A new prefix in the template renames the domain in place (and back, as a rollback does).
    const renamed = await handler(AUTH_RESOURCE_TYPES.userPoolDomain).update(
      'shop-dev',
      { UserPoolId: poolId, Domain: 'shop-new' },
      { UserPoolId: poolId, Domain: 'shop-dev' },
      context('UserPoolDomain'),
    );
    assert.notEqual(renamed, 'replace');
    assert.equal(renamed !== 'replace' && renamed.physicalId, 'shop-new');
    assert.equal((await get(authorizeUrl({}).replace('/shop-dev/', '/shop-new/'))).status, 302);
    assert.equal((await get(authorizeUrl({}))).status, 404);
    await handler(AUTH_RESOURCE_TYPES.userPoolDomain).update(
      'shop-new',
      { UserPoolId: poolId, Domain: 'shop-dev' },
      { UserPoolId: poolId, Domain: 'shop-new' },
      context('UserPoolDomain'),
    );
    const other = (await handler(AUTH_RESOURCE_TYPES.userPool).create({ PoolName: 'Other' }, context('Other'))).physicalId;
    await refused(AUTH_RESOURCE_TYPES.userPoolDomain, { UserPoolId: other, Domain: 'shop-dev' }, /another user pool/);

    await admin.send(new CreateUserPoolDomainCommand({ UserPoolId: other, Domain: 'other-login' }));
    const described = await admin.send(new DescribeUserPoolDomainCommand({ Domain: 'other-login' }));
    assert.equal(described.DomainDescription?.UserPoolId, other);
    assert.equal(described.DomainDescription?.Status, 'ACTIVE');
    await assert.rejects(anonymous.send(new DescribeUserPoolDomainCommand({ Domain: 'other-login' })));
    await admin.send(new DeleteUserPoolDomainCommand({ UserPoolId: other, Domain: 'other-login' }));
    assert.deepEqual((await admin.send(new DescribeUserPoolDomainCommand({ Domain: 'other-login' }))).DomainDescription, {});

    assert.equal((await admin.send(new DescribeUserPoolCommand({ UserPoolId: poolId }))).UserPool?.Domain, 'shop-dev');
    const discovery = (await (await fetch(`${cloud.url}/${poolId}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    assert.equal(discovery.authorization_endpoint, `${base}/oauth2/authorize`);
    assert.equal(discovery.token_endpoint, `${base}/oauth2/token`);
    assert.deepEqual(discovery.code_challenge_methods_supported, ['S256']);
    const before = (await admin.send(new DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: clientId }))).UserPoolClient!;
    assert.deepEqual(before.CallbackURLs, [CALLBACK]);
    assert.equal(before.AllowedOAuthFlowsUserPoolClient, true);
    await admin.send(
      new UpdateUserPoolClientCommand({
        UserPoolId: poolId,
        ClientId: clientId,
        ...oauthClient,
        AllowedOAuthFlows: ['code'],
        CallbackURLs: [CALLBACK, 'myapp://callback'],
      }),
    );
    const afterUpdate = (await admin.send(new DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: clientId }))).UserPoolClient!;
    assert.deepEqual(afterUpdate.CallbackURLs, [CALLBACK, 'myapp://callback']);
    assert.deepEqual(afterUpdate.AllowedOAuthFlows, ['code']);
    await assert.rejects(
      admin.send(new UpdateUserPoolClientCommand({ UserPoolId: poolId, ClientId: clientId, ...oauthClient, CallbackURLs: ['http://example.com/'] })),
      /only http:\/\/localhost/,
    );
    const response = await get(authorizeUrl({ response_type: 'token', state: 's' }));
    // An implicit-flow request hears back in the fragment, as its tokens would have.
    assert.equal(new URLSearchParams(new URL(response.headers.get('location')!).hash.slice(1)).get('error'), 'unauthorized_client', 'implicit was removed');
    await admin.send(new UpdateUserPoolClientCommand({ UserPoolId: poolId, ClientId: clientId, ...oauthClient }));
  });
});
