import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  AdminCreateUserCommand,
  AdminDisableProviderForUserCommand,
  AdminGetUserCommand,
  AdminLinkProviderForUserCommand,
  CognitoIdentityProviderClient,
  CreateIdentityProviderCommand,
  DeleteIdentityProviderCommand,
  DescribeIdentityProviderCommand,
  GetIdentityProviderByIdentifierCommand,
  ListIdentityProvidersCommand,
  ListUsersCommand,
  UpdateIdentityProviderCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { AUTH_RESOURCE_TYPES } from '@forte/protocol';
import { startLocalOidcProvider, type LocalOidcProvider } from './local-oidc-provider.js';
import { decodeJwt } from 'jose';
import { createCloud, type Cloud, type ResourceContext } from '@forte/cloud';

const CALLBACK = 'http://localhost:3000/';

const pkce = (): { verifier: string; challenge: string } => {
  const verifier = randomBytes(48).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
};

describe('hosted UI federation with identity providers', () => {
  let dir = '';
  let cloud: Cloud;
  let admin: CognitoIdentityProviderClient;
  let google: LocalOidcProvider;
  let corp: LocalOidcProvider;
  let facebook: LocalOidcProvider;
  let poolId = '';
  let clientId = '';
  let narrowClientId = '';
  let socialClientId = '';
  let webClient: Record<string, unknown> = {};
  let base = '';
  const logs: string[] = [];

  const context = (logicalId: string): ResourceContext => ({
    appId: 'fed',
    appSlug: 'fed',
    envName: 'dev',
    stackName: 's',
    logicalId,
    region: 'us-east-1',
    accountId: cloud.kernel.config.accountId,
    log: cloud.kernel.log,
  });
  const handler = (type: string) => cloud.kernel.resourceHandler(type)!;
  const get = (url: string): Promise<Response> => fetch(url, { redirect: 'manual' });
  const authorizeUrl = (params: Record<string, string>): string =>
    `${base}/oauth2/authorize?${new URLSearchParams({ client_id: clientId, redirect_uri: CALLBACK, response_type: 'code', scope: 'openid email profile', ...params }).toString()}`;

  /** Follows the browser from the authorize request through the provider and back: where it lands, and the idpresponse URL. */
  const federate = async (params: Record<string, string>): Promise<{ back: URL; idpResponse: string | undefined }> => {
    let url = authorizeUrl(params);
    let idpResponse: string | undefined;
    for (let hop = 0; hop < 5; hop++) {
      const response = await get(url);
      if (response.status !== 302) throw new Error(`${url} answered ${response.status}: ${await response.text()}`);
      url = new URL(response.headers.get('location')!, url).toString();
      if (url.startsWith(CALLBACK)) return { back: new URL(url), idpResponse };
      if (url.includes('/oauth2/idpresponse')) idpResponse = url;
    }
    throw new Error('too many redirects');
  };
  const tokensFor = async (back: URL, verifier: string): Promise<{ id: Record<string, unknown>; access: Record<string, unknown> }> => {
    const code = back.searchParams.get('code');
    assert.ok(code, `a code: ${back.toString()}`);
    const response = await fetch(`${base}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', client_id: clientId, code, redirect_uri: CALLBACK, code_verifier: verifier }),
    });
    assert.equal(response.status, 200);
    const tokens = (await response.json()) as { id_token: string; access_token: string };
    return { id: decodeJwt(tokens.id_token), access: decodeJwt(tokens.access_token) };
  };
  const usernames = async (): Promise<string[]> => ((await admin.send(new ListUsersCommand({ UserPoolId: poolId }))).Users ?? []).map((u) => u.Username!);

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'forte-federation-'));
    google = await startLocalOidcProvider({ clientId: 'google-client' });
    corp = await startLocalOidcProvider({ clientId: 'corp-client' });
    facebook = await startLocalOidcProvider({ clientId: 'fb-app' });
    cloud = await createCloud({
      dataDir: dir,
      port: 0,
      logLevel: 'info',
      logStream: { write: (line) => void logs.push(line) },
      // The cloud's own endpoints for Facebook (config.json's identityProviders): the provider names none.
      identityProviderEndpoints: {
        Facebook: {
          authorize_url: `${facebook.issuer}/authorize`,
          token_url: `${facebook.issuer}/token`,
          token_request_method: 'POST',
          attributes_url: `${facebook.issuer}/userinfo?fields=`,
        },
      },
    });
    admin = new CognitoIdentityProviderClient({
      region: 'us-east-1',
      endpoint: `${cloud.url}/cognito-idp/`,
      maxAttempts: 1,
      credentials: cloud.adminCredentials,
    });
    poolId = (await handler(AUTH_RESOURCE_TYPES.userPool).create({ PoolName: 'Fed', UsernameCaseSensitive: false }, context('UserPool'))).physicalId;
    // Google as the template declares it, its endpoints pointed at the local provider; Corp through the API with discovery.
    await handler(AUTH_RESOURCE_TYPES.userPoolIdentityProvider).create(
      {
        UserPoolId: poolId,
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
        AttributeMapping: { email: 'email', name: 'name', username: 'sub' },
      },
      context('GoogleProvider'),
    );
    await admin.send(
      new CreateIdentityProviderCommand({
        UserPoolId: poolId,
        ProviderName: 'Corp',
        ProviderType: 'OIDC',
        ProviderDetails: {
          client_id: corp.clientId,
          client_secret: corp.clientSecret,
          authorize_scopes: 'openid email',
          attributes_request_method: 'GET',
          oidc_issuer: corp.issuer,
        },
        AttributeMapping: { email: 'email', 'custom:dept': 'dept' },
        IdpIdentifiers: ['corp.example'],
      }),
    );
    await admin.send(
      new CreateIdentityProviderCommand({
        UserPoolId: poolId,
        ProviderName: 'Facebook',
        ProviderType: 'Facebook',
        ProviderDetails: { client_id: facebook.clientId, client_secret: facebook.clientSecret, authorize_scopes: 'public_profile,email' },
        AttributeMapping: { email: 'email', username: 'id' },
      }),
    );
    const client = {
      UserPoolId: poolId,
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthScopes: ['openid', 'email', 'profile'],
      CallbackURLs: [CALLBACK],
      LogoutURLs: [CALLBACK],
    };
    webClient = { ...client, ClientName: 'web', SupportedIdentityProviders: ['COGNITO', 'Google', 'Corp', 'Facebook'] };
    clientId = (await handler(AUTH_RESOURCE_TYPES.userPoolClient).create(webClient, context('Web'))).physicalId;
    narrowClientId = (
      await handler(AUTH_RESOURCE_TYPES.userPoolClient).create({ ...client, ClientName: 'narrow', SupportedIdentityProviders: ['COGNITO'] }, context('Narrow'))
    ).physicalId;
    socialClientId = (
      await handler(AUTH_RESOURCE_TYPES.userPoolClient).create({ ...client, ClientName: 'social', SupportedIdentityProviders: ['Google'] }, context('Social'))
    ).physicalId;
    await handler(AUTH_RESOURCE_TYPES.userPoolDomain).create({ UserPoolId: poolId, Domain: 'fed-dev' }, context('Domain'));
    base = `${cloud.url}/hosted-ui/fed-dev`;
  });
  after(async () => {
    admin.destroy();
    await cloud.close();
    await google.close();
    await corp.close();
    await facebook.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('manages identity providers as Cognito: defaults shown, secrets never answered, identifiers, duplicates, a SAML provider whose metadata cannot be read', async () => {
    const described = (await admin.send(new DescribeIdentityProviderCommand({ UserPoolId: poolId, ProviderName: 'Google' }))).IdentityProvider!;
    assert.equal(described.ProviderType, 'Google');
    assert.equal(described.ProviderDetails?.client_id, google.clientId);
    assert.equal(described.ProviderDetails?.client_secret, undefined, 'the secret is never answered');
    assert.equal(described.ProviderDetails?.attributes_url, 'https://people.googleapis.com/v1/people/me?personFields=', "Google's own default");
    assert.equal(described.AttributeMapping?.username, 'sub');
    const list = (await admin.send(new ListIdentityProvidersCommand({ UserPoolId: poolId }))).Providers ?? [];
    assert.deepEqual(
      list.map((p) => p.ProviderName),
      ['Corp', 'Facebook', 'Google'],
    );
    const fb = (await admin.send(new DescribeIdentityProviderCommand({ UserPoolId: poolId, ProviderName: 'Facebook' }))).IdentityProvider!;
    assert.equal(fb.ProviderDetails?.authorize_url, `${facebook.issuer}/authorize`, "the cloud's endpoint for Facebook");
    assert.equal(
      (await admin.send(new GetIdentityProviderByIdentifierCommand({ UserPoolId: poolId, IdpIdentifier: 'corp.example' }))).IdentityProvider?.ProviderName,
      'Corp',
    );
    await assert.rejects(
      admin.send(
        new CreateIdentityProviderCommand({
          UserPoolId: poolId,
          ProviderName: 'Corp',
          ProviderType: 'OIDC',
          ProviderDetails: { client_id: 'x', authorize_scopes: 'openid', attributes_request_method: 'GET', oidc_issuer: corp.issuer },
        }),
      ),
      { name: 'DuplicateProviderException' },
    );
    await assert.rejects(
      admin.send(
        new CreateIdentityProviderCommand({
          UserPoolId: poolId,
          ProviderName: 'Okta',
          ProviderType: 'SAML',
          ProviderDetails: { MetadataURL: 'https://x.invalid/metadata' },
        }),
      ),
      /ProviderDetails\.MetadataURL https:\/\/x\.invalid\/metadata: its MetadataURL did not answer/,
    );
    await assert.rejects(
      admin.send(
        new CreateIdentityProviderCommand({
          UserPoolId: poolId,
          ProviderName: 'Half',
          ProviderType: 'OIDC',
          ProviderDetails: { client_id: 'x', authorize_scopes: 'openid', attributes_request_method: 'GET' },
        }),
      ),
      /oidc_issuer/,
    );
    // An update without the secret keeps it: the sign-ins below still exchange codes with it.
    await admin.send(
      new UpdateIdentityProviderCommand({
        UserPoolId: poolId,
        ProviderName: 'Corp',
        ProviderDetails: { client_id: corp.clientId, authorize_scopes: 'openid email', attributes_request_method: 'GET', oidc_issuer: corp.issuer },
      }),
    );
    await admin.send(
      new CreateIdentityProviderCommand({
        UserPoolId: poolId,
        ProviderName: 'Gone',
        ProviderType: 'OIDC',
        ProviderDetails: { client_id: 'x', authorize_scopes: 'openid', attributes_request_method: 'GET', oidc_issuer: corp.issuer },
      }),
    );
    await admin.send(new DeleteIdentityProviderCommand({ UserPoolId: poolId, ProviderName: 'Gone' }));
    await assert.rejects(admin.send(new DescribeIdentityProviderCommand({ UserPoolId: poolId, ProviderName: 'Gone' })), { name: 'ResourceNotFoundException' });
    assert.ok(!logs.some((line) => line.includes(google.clientSecret) || line.includes(corp.clientSecret)), 'no secret in the logs');
  });

  it('signs in with Google: state, nonce and PKCE to the provider, the federated user, its identities and group in the tokens', async () => {
    google.user = { sub: '1001', email: 'gina@example.com', name: 'Gina', email_verified: true };
    const { verifier, challenge } = pkce();
    const { back, idpResponse } = await federate({
      identity_provider: 'Google',
      state: 'app-state',
      nonce: 'app-nonce',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    const sent = google.authorizeRequests.at(-1)!;
    assert.equal(sent.get('redirect_uri'), `${base}/oauth2/idpresponse`);
    assert.equal(sent.get('scope'), 'openid email profile');
    assert.equal(sent.get('code_challenge_method'), 'S256');
    assert.ok(sent.get('state') && sent.get('state') !== 'app-state', "the cloud's own state, not the app's");
    assert.ok(sent.get('nonce') && sent.get('nonce') !== 'app-nonce');
    assert.equal(back.searchParams.get('state'), 'app-state');
    const { id, access } = await tokensFor(back, verifier);
    assert.equal(id['cognito:username'], 'Google_1001');
    assert.equal(id.nonce, 'app-nonce');
    assert.equal(id.email, 'gina@example.com');
    assert.equal(id.name, 'Gina');
    assert.deepEqual(id['cognito:groups'], [`${poolId}_Google`]);
    const identities = id.identities as Array<Record<string, unknown>>;
    assert.equal(identities.length, 1);
    assert.deepEqual(
      { ...identities[0], dateCreated: 0 },
      { userId: '1001', providerName: 'Google', providerType: 'Google', issuer: null, primary: true, dateCreated: 0 },
    );
    assert.equal(access.username, 'Google_1001');
    const user = await admin.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'Google_1001' }));
    assert.equal(user.UserStatus, 'EXTERNAL_PROVIDER');

    // The state is used once: the provider's answer replayed signs nobody in.
    const replay = await get(idpResponse!);
    assert.equal(replay.status, 400);
    assert.match(await replay.text(), /expired or was already used/);

    // The next sign-in updates the mapped attributes of the same user.
    google.user = { sub: '1001', email: 'gina@new.example', name: 'Gina' };
    const again = pkce();
    const next = await federate({ identity_provider: 'Google', code_challenge: again.challenge, code_challenge_method: 'S256' });
    assert.equal((await tokensFor(next.back, again.verifier)).id.email, 'gina@new.example');
  });

  it('refuses a missing or unknown state, and every bad ID token: nonce, audience, expiry, signature, issuer', async () => {
    const missing = await get(`${base}/oauth2/idpresponse?code=abc`);
    assert.equal(missing.status, 400);
    const unknown = await get(`${base}/oauth2/idpresponse?code=abc&state=forged`);
    assert.equal(unknown.status, 400);
    const before = await usernames();
    const cases: Array<[string, LocalOidcProvider['tamper'], RegExp]> = [
      ['nonce', { nonce: 'someone-elses' }, /nonce/],
      ['audience', { audience: 'another-client' }, /ERR_JWT_CLAIM_VALIDATION_FAILED.*aud/],
      ['expiry', { expiresIn: -3600 }, /ERR_JWT_EXPIRED/],
      ['signature', { foreignKey: true }, /ERR_JWKS_NO_MATCHING_KEY|ERR_JWS_SIGNATURE_VERIFICATION_FAILED/],
      ['issuer', { issuer: 'https://evil.example' }, /iss/],
    ];
    for (const [label, tamper, description] of cases) {
      google.user = { sub: `bad-${label}`, email: 'x@example.com' };
      google.tamper = tamper;
      const { back } = await federate({ identity_provider: 'Google', state: label });
      google.tamper = undefined;
      assert.equal(back.searchParams.get('code'), null, label);
      assert.equal(back.searchParams.get('error'), 'invalid_request', label);
      assert.equal(back.searchParams.get('state'), label);
      assert.match(back.searchParams.get('error_description') ?? '', description, label);
    }
    assert.deepEqual(await usernames(), before, 'nobody was created');
  });

  it('refuses an unknown provider, one the client does not allow, and answers an error the provider sent', async () => {
    let { back } = await federate({ identity_provider: 'Nope', state: 's1' });
    assert.equal(back.searchParams.get('error'), 'invalid_request');
    assert.match(back.searchParams.get('error_description') ?? '', /Nope is not an identity provider/);
    ({ back } = await federate({ identity_provider: 'Google', client_id: narrowClientId }));
    assert.equal(back.searchParams.get('error'), 'unauthorized_client');
    // A provider whose token endpoint refuses the code (here: the cloud holds a wrong client secret).
    await admin.send(
      new CreateIdentityProviderCommand({
        UserPoolId: poolId,
        ProviderName: 'Stale',
        ProviderType: 'OIDC',
        ProviderDetails: {
          client_id: corp.clientId,
          client_secret: 'not-the-secret',
          authorize_scopes: 'openid',
          attributes_request_method: 'GET',
          oidc_issuer: corp.issuer,
        },
      }),
    );
    await handler(AUTH_RESOURCE_TYPES.userPoolClient).update!(
      clientId,
      { ...webClient, SupportedIdentityProviders: ['COGNITO', 'Google', 'Corp', 'Facebook', 'Stale'] },
      webClient,
      context('Web'),
    );
    ({ back } = await federate({ identity_provider: 'Stale', state: 'stale' }));
    assert.equal(back.searchParams.get('code'), null);
    assert.equal(back.searchParams.get('state'), 'stale');
    assert.match(back.searchParams.get('error_description') ?? '', /Stale refused the code \(invalid_client\)/);
    ({ back } = await federate({ idp_identifier: 'nobody.example' }));
    assert.match(back.searchParams.get('error_description') ?? '', /identifier nobody\.example/);
    // The user declines at the provider: it sends the browser back with an error and the cloud's state.
    const toProvider = await get(authorizeUrl({ identity_provider: 'Google', state: 'declined' }));
    const cloudState = new URL(toProvider.headers.get('location')!).searchParams.get('state')!;
    const declined = await get(`${base}/oauth2/idpresponse?${new URLSearchParams({ error: 'access_denied', state: cloudState }).toString()}`);
    const landed = new URL(declined.headers.get('location')!);
    assert.equal(landed.searchParams.get('error'), 'access_denied');
    assert.equal(landed.searchParams.get('state'), 'declined');
    assert.equal(landed.searchParams.get('code'), null);
  });

  it('signs in through an OIDC provider found by discovery and idp_identifier, its user info mapped; the login page shows the buttons', async () => {
    corp.user = { sub: 'c-77', email: 'carl@corp.example', dept: 'sales' };
    const { verifier, challenge } = pkce();
    const { back } = await federate({ idp_identifier: 'corp.example', code_challenge: challenge, code_challenge_method: 'S256' });
    const { id } = await tokensFor(back, verifier);
    assert.equal(id['cognito:username'], 'Corp_c-77');
    assert.equal(id.email, 'carl@corp.example');
    const user = await admin.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'Corp_c-77' }));
    assert.equal(
      user.UserAttributes?.find((a) => a.Name === 'custom:dept'),
      undefined,
      'custom:dept is not an attribute of the pool: not mapped',
    );
    assert.equal(user.UserAttributes?.find((a) => a.Name === 'email')?.Value, 'carl@corp.example');

    const login = await get(`${base}/login?${new URLSearchParams({ client_id: clientId, redirect_uri: CALLBACK, response_type: 'code' }).toString()}`);
    const html = await login.text();
    assert.match(html, /Continue with Google/);
    assert.match(html, /Continue with Corp/);
    assert.match(html, /identity_provider=Google/);
  });

  it('a client of providers only: its login page has their buttons and no password form; passwords, sign-up and resets refused', async () => {
    const query = new URLSearchParams({ client_id: socialClientId, redirect_uri: CALLBACK, response_type: 'code', scope: 'openid' }).toString();
    const login = await get(`${base}/login?${query}`);
    const html = await login.text();
    assert.equal(login.status, 200);
    assert.match(html, /Continue with Google/);
    assert.doesNotMatch(html, /type="password"|Sign up|Forgot your password/);
    const csrf = /XSRF-TOKEN=([^;]+)/.exec(login.headers.get('set-cookie') ?? '')?.[1] ?? '';
    assert.ok(csrf, 'the page sets its form token');
    const fields = Object.fromEntries(new URLSearchParams(query));
    const posted = await fetch(`${base}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `XSRF-TOKEN=${csrf}` },
      body: new URLSearchParams({ ...fields, _csrf: csrf, username: 'gail', password: 'Passw0rd!x' }).toString(),
    });
    assert.equal(posted.status, 400);
    assert.equal(posted.headers.get('location'), null, 'nobody signed in');
    assert.match(await posted.text(), /signs in with the providers above, not with a user name and password/);
    for (const page of ['signup', 'forgotPassword']) {
      const answer = await get(`${base}/${page}?${query}`);
      assert.equal(answer.status, 400, page);
      assert.match(await answer.text(), /signs in with the providers above/);
    }
    // The client that also takes passwords keeps its form.
    const web = await (
      await get(`${base}/login?${new URLSearchParams({ client_id: clientId, redirect_uri: CALLBACK, response_type: 'code' }).toString()}`)
    ).text();
    assert.match(web, /type="password"/);
  });

  it('links a provider user to a native user (AdminLinkProviderForUser), and unlinks it (AdminDisableProviderForUser)', async () => {
    await admin.send(
      new AdminCreateUserCommand({
        UserPoolId: poolId,
        Username: 'bob',
        MessageAction: 'SUPPRESS',
        UserAttributes: [{ Name: 'email', Value: 'bob@corp.example' }],
      }),
    );
    await admin.send(
      new AdminLinkProviderForUserCommand({
        UserPoolId: poolId,
        DestinationUser: { ProviderName: 'Cognito', ProviderAttributeValue: 'bob' },
        SourceUser: { ProviderName: 'Corp', ProviderAttributeName: 'Cognito_Subject', ProviderAttributeValue: 'c-bob' },
      }),
    );
    corp.user = { sub: 'c-bob', email: 'bob@corp.example' };
    let { verifier, challenge } = pkce();
    let { back } = await federate({ identity_provider: 'Corp', code_challenge: challenge, code_challenge_method: 'S256' });
    let { id } = await tokensFor(back, verifier);
    assert.equal(id['cognito:username'], 'bob');
    assert.deepEqual(
      (id.identities as Array<Record<string, unknown>>).map((i) => [i.providerName, i.userId, i.primary]),
      [['Corp', 'c-bob', false]],
    );
    await admin.send(
      new AdminDisableProviderForUserCommand({
        UserPoolId: poolId,
        User: { ProviderName: 'Corp', ProviderAttributeName: 'Cognito_Subject', ProviderAttributeValue: 'c-bob' },
      }),
    );
    ({ verifier, challenge } = pkce());
    ({ back } = await federate({ identity_provider: 'Corp', code_challenge: challenge, code_challenge_method: 'S256' }));
    ({ id } = await tokensFor(back, verifier));
    assert.equal(id['cognito:username'], 'Corp_c-bob', 'unlinked: the provider user is a federated user of its own');
    await assert.rejects(
      admin.send(
        new AdminLinkProviderForUserCommand({
          UserPoolId: poolId,
          DestinationUser: { ProviderName: 'Cognito', ProviderAttributeValue: 'bob' },
          SourceUser: { ProviderName: 'Corp', ProviderAttributeName: 'Cognito_Subject', ProviderAttributeValue: 'c-bob' },
        }),
      ),
      /already signed in as Corp_c-bob/,
    );
  });

  it("signs in with Facebook through the cloud's configured endpoints: no ID token, the user info's id and email", async () => {
    facebook.user = { id: 'fb-9', email: 'fay@example.com' };
    const { verifier, challenge } = pkce();
    const { back } = await federate({ identity_provider: 'Facebook', code_challenge: challenge, code_challenge_method: 'S256' });
    assert.equal(facebook.authorizeRequests.at(-1)?.get('scope'), 'public_profile,email');
    const { id } = await tokensFor(back, verifier);
    assert.equal(id['cognito:username'], 'Facebook_fb-9');
    assert.equal(id.email, 'fay@example.com');
  });
});
