import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { isUserError, type CategoryPlugin } from '@forte/protocol';
import { sharedReference } from '@forte/protocol/shared-reference';
import { createFakePluginContext, type FakePluginContext } from '@forte/testing';
import * as plugin from './index.js';
import { checkDomainPrefix, checkRedirectUri, providerMeta } from './oauth-config.js';

const categoryPlugin: CategoryPlugin = plugin;
const readJson = (path: string): any => JSON.parse(readFileSync(path, 'utf8'));
const shared = sharedReference('the Gen 1 project corpus (media-vault)', ['corpus/gen1-projects/media-vault']);
const MEDIA_VAULT = shared.dir
  ? join(shared.dir, 'corpus/gen1-projects/media-vault/_snapshot.pre.generate/amplify/backend/auth/mediavault1f08412d/cli-inputs.json')
  : '';
const OAUTH_KEYS = ['hostedUI', 'hostedUIDomainName', 'authProvidersUserPool', 'hostedUIProviderMeta', 'oAuthMetadata'] as const;
const pick = (config: Record<string, unknown>): Record<string, unknown> => Object.fromEntries(OAUTH_KEYS.map((k) => [k, config[k]]));

const FB_SECRET = 'fb-secret-0123456789abcdef';
const GOOGLE_SECRET = 'GOCSPX-google-secret-value';
const AMAZON_SECRET = 'amzn-secret-value-xyz';
const APPLE_KEY_BODY = 'MIGTAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBHkwdwIBAQQgSecretKeyBody0123456789';
const APPLE_KEY = `-----BEGIN PRIVATE KEY-----\n${APPLE_KEY_BODY.slice(0, 30)}\n${APPLE_KEY_BODY.slice(30)}\n-----END PRIVATE KEY-----`;
const SECRETS = [FB_SECRET, GOOGLE_SECRET, AMAZON_SECRET, APPLE_KEY_BODY.slice(40)];

/** media-vault's answers as a headless AddAuthRequest (Facebook and Google through the hosted UI). */
const mediaVaultRequest = (oAuth: Record<string, unknown>): unknown => ({
  version: 2,
  resourceName: 'mediavault1f08412d',
  serviceConfiguration: {
    serviceName: 'Cognito',
    includeIdentityPool: true,
    identityPoolConfiguration: { unauthenticatedLogin: true },
    userPoolConfiguration: { signinMethod: 'EMAIL', requiredSignupAttributes: ['EMAIL'], oAuth },
  },
});
const MEDIA_VAULT_OAUTH = {
  domainPrefix: 'mediavault1f08412d-1f08412d',
  redirectSigninURIs: ['https://main.mediavault.amplifyapp.com/'],
  redirectSignoutURIs: ['https://main.mediavault.amplifyapp.com/'],
  oAuthGrantType: 'CODE',
  oAuthScopes: ['PHONE', 'EMAIL', 'OPENID', 'PROFILE', 'AWS.COGNITO.SIGNIN.USER.ADMIN'],
  socialProviderConfigurations: [
    { provider: 'FACEBOOK', clientId: 'fb-app-id', clientSecret: FB_SECRET },
    { provider: 'GOOGLE', clientId: 'google-client.apps.googleusercontent.com', clientSecret: GOOGLE_SECRET },
  ],
};

/** Every file under a folder with its text. */
function filesUnder(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(p, readFileSync(p, 'utf8'));
    }
  };
  walk(dir);
  return out;
}

void describe('auth OAuth: hosted UI and social providers (questions, headless, deployment secrets)', () => {
  let root: string;
  const authResource = (): string => Object.keys(readJson(join(root, 'amplify/backend/backend-config.json')).auth).find((n) => n !== 'userPoolGroups')!;
  const cognitoConfig = (): Record<string, any> => readJson(join(root, 'amplify/backend/auth', authResource(), 'cli-inputs.json')).cognitoConfig;
  const creds = (f: FakePluginContext): any[] => JSON.parse(f.secrets['auth']![authResource()]!['hostedUIProviderCreds']!);
  /** No secret in any project file or anything printed. */
  const assertNoSecretLeaked = (f: FakePluginContext): void => {
    for (const [path, text] of filesUnder(root)) for (const s of SECRETS) assert.ok(!text.includes(s), `${path} holds a secret`);
    for (const line of f.printed) for (const s of SECRETS) assert.ok(!line.includes(s), `printed a secret: ${line}`);
  };
  const headless = (command: 'add' | 'update', payload: unknown): Promise<void> => {
    const f = createFakePluginContext(root, { plugin: 'auth', command, headless: true });
    return categoryPlugin.executeHeadlessCommand!(f.ctx, payload);
  };

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'forte-auth-oauth-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  void it('headless add: cli-inputs.json as Amplify wrote media-vault’s, the credentials in the deployment secrets only', { skip: shared.skip }, async () => {
    const f = createFakePluginContext(root, { plugin: 'auth', command: 'add', headless: true });
    await categoryPlugin.executeHeadlessCommand!(f.ctx, mediaVaultRequest(MEDIA_VAULT_OAUTH));
    const amplify = readJson(MEDIA_VAULT).cognitoConfig;
    assert.deepEqual(pick(cognitoConfig()), pick(amplify));
    for (const key of ['newCallbackURLs', 'newLogoutURLs', 'AllowedOAuthFlows', 'AllowedOAuthScopes', 'hostedUIProviderCreds', 'facebookAppIdUserPool'])
      assert.equal(cognitoConfig()[key], undefined, `${key} is not in cli-inputs.json (Amplify keeps it out)`);
    assert.deepEqual(creds(f), [
      { ProviderName: 'Facebook', client_id: 'fb-app-id', client_secret: FB_SECRET },
      { ProviderName: 'Google', client_id: 'google-client.apps.googleusercontent.com', client_secret: GOOGLE_SECRET },
    ]);
    assertNoSecretLeaked(f);
  });

  void it('add with "Default configuration with Social Provider (Federation)": Amplify’s questions, media-vault’s files', { skip: shared.skip }, async () => {
    const f = createFakePluginContext(root, {
      plugin: 'auth',
      command: 'add',
      answers: {
        'default authentication and security configuration': 'defaultSocial',
        'How do you want users to be able to sign in': 'email',
        'What domain name prefix do you want to use?': 'mediavault1f08412d-1f08412d',
        'Enter your redirect signin URI:': 'https://main.mediavault.amplifyapp.com/',
        'Enter your redirect signout URI:': 'https://main.mediavault.amplifyapp.com/',
        'Select the social providers you want to configure for your user pool:': 'Facebook, Google',
        'Enter your Facebook App ID for your OAuth flow': 'fb-app-id',
        'Enter your Facebook App Secret for your OAuth flow': FB_SECRET,
        'Enter your Google Web Client ID for your OAuth flow': 'google-client.apps.googleusercontent.com',
        'Enter your Google Web Client Secret for your OAuth flow': GOOGLE_SECRET,
      },
    });
    await categoryPlugin.executeCommand(f.ctx);
    const config = cognitoConfig();
    assert.equal(config.useDefault, 'defaultSocial');
    assert.deepEqual(pick(config), pick(readJson(MEDIA_VAULT).cognitoConfig));
    assert.ok(f.asked.includes('Do you want to add another redirect signin URI'));
    assert.ok(!f.asked.some((q) => /OAuth flows|OAuth scopes|Do you want to use an OAuth flow/.test(q)), 'the social default takes the flow and the scopes');
    assert.equal(creds(f).length, 2);
    assertNoSecretLeaked(f);
  });

  void it('manual add: implicit flow, chosen scopes, Login with Amazon and Sign in with Apple (key kept as Amplify extracts it)', async () => {
    const f = createFakePluginContext(root, {
      plugin: 'auth',
      command: 'add',
      answers: {
        'default authentication and security configuration': 'manual',
        'What attributes are required for signing up': 'email, name',
        'Do you want to use an OAuth flow?': true,
        'What domain name prefix do you want to use?': 'shop-login',
        'Enter your redirect signin URI:': ['http://localhost:3000/', 'myapp://'],
        'Do you want to add another redirect signin URI': [true, false],
        'Enter your redirect signout URI:': 'http://localhost:3000/signout/',
        'Select the OAuth flows enabled for this project.': 'implicit',
        'Select the OAuth scopes enabled for this project.': 'email, openid',
        'Select the social providers you want to configure for your user pool:': 'LoginWithAmazon, SignInWithApple',
        'Enter your Amazon App ID for your OAuth flow': 'amzn1.application-oa2-client.1',
        'Enter your Amazon App Secret for your OAuth flow': AMAZON_SECRET,
        'Enter your Services ID for your OAuth flow': 'com.example.shop.signin',
        'Enter your Team ID for your OAuth flow': 'TEAM123456',
        'Enter your Key ID for your OAuth flow': 'KEY1234567',
        'Enter your Private Key for your OAuth flow': APPLE_KEY,
      },
    });
    await categoryPlugin.executeCommand(f.ctx);
    const config = cognitoConfig();
    assert.equal(config.hostedUI, true);
    assert.equal(config.hostedUIDomainName, 'shop-login');
    assert.deepEqual(config.authProvidersUserPool, ['LoginWithAmazon', 'SignInWithApple']);
    assert.deepEqual(JSON.parse(config.oAuthMetadata), {
      AllowedOAuthFlows: ['implicit'],
      AllowedOAuthScopes: ['email', 'openid'],
      CallbackURLs: ['http://localhost:3000/', 'myapp://'],
      LogoutURLs: ['http://localhost:3000/signout/'],
    });
    // Amplify's attribute map for email, name and the username.
    assert.deepEqual(JSON.parse(config.hostedUIProviderMeta), [
      { ProviderName: 'LoginWithAmazon', authorize_scopes: 'profile profile:user_id', AttributeMapping: { email: 'email', name: 'name', username: 'user_id' } },
      { ProviderName: 'SignInWithApple', authorize_scopes: 'email name', AttributeMapping: { email: 'email', name: 'name' } },
    ]);
    assert.deepEqual(creds(f), [
      { ProviderName: 'LoginWithAmazon', client_id: 'amzn1.application-oa2-client.1', client_secret: AMAZON_SECRET },
      { ProviderName: 'SignInWithApple', client_id: 'com.example.shop.signin', team_id: 'TEAM123456', key_id: 'KEY1234567', private_key: APPLE_KEY_BODY },
    ]);
    assertNoSecretLeaked(f);
  });

  void it('manual add answering no to OAuth writes no hosted UI and no secret', async () => {
    const f = createFakePluginContext(root, { plugin: 'auth', command: 'add', answers: { 'default authentication and security configuration': 'manual' } });
    await categoryPlugin.executeCommand(f.ctx);
    assert.ok(f.asked.includes('Do you want to use an OAuth flow?'));
    assert.deepEqual(pick(cognitoConfig()), pick({}));
    assert.deepEqual(f.secrets, {});
  });

  void it('update: redirect URIs edited, removed and added; providers changed keeping a stored secret; OAuth off removes the keys and the secret', async () => {
    const f = createFakePluginContext(root, { plugin: 'auth', command: 'add', headless: true });
    await categoryPlugin.executeHeadlessCommand!(
      f.ctx,
      mediaVaultRequest({
        ...MEDIA_VAULT_OAUTH,
        redirectSigninURIs: ['https://a.example/', 'https://b.example/'],
        socialProviderConfigurations: [MEDIA_VAULT_OAUTH.socialProviderConfigurations[0]],
      }),
    );
    // One store across the commands, as one machine's deployment-secrets.json.
    const update = (answers: Record<string, string | boolean | (string | boolean)[]>): FakePluginContext => {
      const u = createFakePluginContext(root, { plugin: 'auth', command: 'update', answers });
      u.ctx.deploymentSecrets = f.ctx.deploymentSecrets;
      return u;
    };
    const before = cognitoConfig();
    await categoryPlugin.executeCommand(
      update({
        'What do you want to do?': 'callbacks',
        'Which redirect signin URIs do you want to edit?': 'https://a.example/',
        'Update https://a.example/': 'https://a2.example/',
        'Which redirect signin URIs do you want to remove?': 'https://b.example/',
        'Do you want to add redirect signin URIs?': true,
        'Enter your new redirect signin URI:': 'https://c.example/app/',
      }).ctx,
    );
    const meta = JSON.parse(cognitoConfig().oAuthMetadata);
    assert.deepEqual(meta.CallbackURLs, ['https://a2.example/', 'https://c.example/app/']);
    assert.deepEqual(meta.LogoutURLs, ['https://main.mediavault.amplifyapp.com/']);
    assert.equal(cognitoConfig().hostedUIProviderMeta, before.hostedUIProviderMeta);

    const providers = update({
      'What do you want to do?': 'providers',
      'Select the identity providers you want to configure for your user pool:': 'Facebook, Google',
      'Enter your Google Web Client ID for your OAuth flow': 'g-id',
      'Enter your Google Web Client Secret for your OAuth flow': GOOGLE_SECRET,
    });
    await categoryPlugin.executeCommand(providers.ctx);
    assert.deepEqual(cognitoConfig().authProvidersUserPool, ['Facebook', 'Google']);
    assert.deepEqual(
      creds(f).map((c) => [c.ProviderName, c.client_id, c.client_secret]),
      [
        ['Facebook', 'fb-app-id', FB_SECRET],
        ['Google', 'g-id', GOOGLE_SECRET],
      ],
      'the Facebook secret left empty keeps the stored one',
    );
    assert.ok(providers.asked.some((q) => q.startsWith('Enter your Facebook App Secret') && q.includes('leave empty to keep the current one')));
    assertNoSecretLeaked(providers);

    const off = update({ 'What do you want to do?': 'manual', 'Do you want to use an OAuth flow?': false });
    await categoryPlugin.executeCommand(off.ctx);
    const config = cognitoConfig();
    assert.equal(config.hostedUI, false);
    for (const key of ['hostedUIDomainName', 'authProvidersUserPool', 'hostedUIProviderMeta', 'oAuthMetadata']) assert.equal(config[key], undefined, key);
    assert.equal(f.secrets['auth']?.[authResource()], undefined, 'the credentials are removed');
  });

  void it('headless update: a new oAuth replaces the previous one (domain kept when left out, Apple key kept); oAuth {} turns it off', async () => {
    const f = createFakePluginContext(root, { plugin: 'auth', command: 'add', headless: true });
    const apple = { provider: 'SIGN_IN_WITH_APPLE', clientId: 'com.example.id', teamId: 'T1', keyId: 'K1', privateKey: APPLE_KEY };
    await categoryPlugin.executeHeadlessCommand!(f.ctx, mediaVaultRequest({ ...MEDIA_VAULT_OAUTH, socialProviderConfigurations: [apple] }));
    const u = createFakePluginContext(root, { plugin: 'auth', command: 'update', headless: true });
    u.ctx.deploymentSecrets = f.ctx.deploymentSecrets;
    const modification = (userPoolModification: Record<string, unknown>): unknown => ({
      version: 2,
      serviceModification: { serviceName: 'Cognito', userPoolModification },
    });
    await categoryPlugin.executeHeadlessCommand!(
      u.ctx,
      modification({
        oAuth: {
          redirectSigninURIs: ['https://new.example/'],
          redirectSignoutURIs: ['https://new.example/bye/'],
          oAuthGrantType: 'IMPLICIT',
          oAuthScopes: ['OPENID', 'EMAIL'],
          socialProviderConfigurations: [{ ...apple, keyId: 'K2', privateKey: undefined }],
        },
      }),
    );
    const config = cognitoConfig();
    assert.equal(config.hostedUIDomainName, 'mediavault1f08412d-1f08412d');
    assert.deepEqual(JSON.parse(config.oAuthMetadata), {
      AllowedOAuthFlows: ['implicit'],
      AllowedOAuthScopes: ['openid', 'email'],
      CallbackURLs: ['https://new.example/'],
      LogoutURLs: ['https://new.example/bye/'],
    });
    assert.deepEqual(config.authProvidersUserPool, ['SignInWithApple']);
    assert.deepEqual(creds(f), [{ ProviderName: 'SignInWithApple', client_id: 'com.example.id', team_id: 'T1', key_id: 'K2', private_key: APPLE_KEY_BODY }]);

    // A new required attribute with OAuth left out: the mappings follow it.
    await categoryPlugin.executeHeadlessCommand!(u.ctx, modification({ requiredSignupAttributes: ['EMAIL', 'GIVEN_NAME'] }));
    assert.deepEqual(JSON.parse(cognitoConfig().hostedUIProviderMeta), [
      { ProviderName: 'SignInWithApple', authorize_scopes: 'email name', AttributeMapping: { email: 'email', given_name: 'firstName' } },
    ]);

    const off = createFakePluginContext(root, { plugin: 'auth', command: 'update', headless: true });
    off.ctx.deploymentSecrets = f.ctx.deploymentSecrets;
    await categoryPlugin.executeHeadlessCommand!(off.ctx, modification({ oAuth: {} }));
    assert.ok(
      off.printed.includes(
        'OAuth is turned off: the hosted UI at mediavault1f08412d-1f08412d goes away, and users who signed in with SignInWithApple can no longer sign in (their accounts stay in the pool).',
      ),
      off.printed.join('\n'),
    );
    assert.equal(cognitoConfig().hostedUI, false);
    assert.equal(cognitoConfig().oAuthMetadata, undefined);
    assert.equal(f.secrets['auth']?.[authResource()], undefined);
  });

  void it('remove auth removes the credentials with the resource', async () => {
    const f = createFakePluginContext(root, { plugin: 'auth', command: 'add', headless: true });
    await categoryPlugin.executeHeadlessCommand!(f.ctx, mediaVaultRequest(MEDIA_VAULT_OAUTH));
    assert.ok(f.secrets['auth']?.['mediavault1f08412d']);
    const r = createFakePluginContext(root, { plugin: 'auth', command: 'remove', yes: true });
    r.ctx.deploymentSecrets = f.ctx.deploymentSecrets;
    await categoryPlugin.executeCommand(r.ctx);
    assert.deepEqual(f.secrets, { auth: {} });
  });

  void it('refuses bad OAuth input with the field and the fix, and changes nothing', async () => {
    const f = createFakePluginContext(root, { plugin: 'auth', command: 'add', headless: true });
    await categoryPlugin.executeHeadlessCommand!(f.ctx, mediaVaultRequest(MEDIA_VAULT_OAUTH));
    const files = filesUnder(root);
    const secrets = JSON.stringify(f.secrets);
    const update = async (oAuth: Record<string, unknown>, pattern: RegExp): Promise<void> => {
      const u = createFakePluginContext(root, { plugin: 'auth', command: 'update', headless: true });
      u.ctx.deploymentSecrets = f.ctx.deploymentSecrets;
      await assert.rejects(
        categoryPlugin.executeHeadlessCommand!(u.ctx, { version: 2, serviceModification: { serviceName: 'Cognito', userPoolModification: { oAuth } } }),
        (e: unknown) => isUserError(e) && pattern.test(e.message),
      );
    };
    const uris = { redirectSigninURIs: ['https://ok.example/'], redirectSignoutURIs: ['https://ok.example/'] };
    await update(
      { ...uris, redirectSigninURIs: ['http://app.example.com/'] },
      /oAuth: bad sign-in redirect URI: "http:\/\/app\.example\.com\/" uses HTTP for a host other than localhost/,
    );
    await update({ ...uris, redirectSignoutURIs: ['https://app.example.com'] }, /bad sign-out redirect URI: .* does not end with a forward slash/);
    await update({ ...uris, redirectSigninURIs: ['not a uri'] }, /is not a URI/);
    await update({ ...uris, redirectSigninURIs: [] }, /at least one sign-in redirect URI/);
    await update({ ...uris, oAuthScopes: ['OPENID', 'WRITE_EVERYTHING'] }, /oAuth\.oAuthScopes\.1/);
    await update({ ...uris, oAuthGrantType: 'PASSWORD' }, /oAuth\.oAuthGrantType/);
    await update({ ...uris, domainPrefix: 'my-aws-login' }, /reserved word "aws"/);
    await update({ ...uris, domainPrefix: 'amazonshop' }, /reserved word "amazon"/);
    await update({ ...uris, domainPrefix: 'MyApp' }, /lowercase letters, numbers and hyphens.*"M", "A"/);
    await update({ ...uris, domainPrefix: '-login' }, /starts or ends with a hyphen/);
    await update({ ...uris, socialProviderConfigurations: [{ provider: 'MYSPACE', clientId: 'x', clientSecret: 'y' }] }, /socialProviderConfigurations\.0/);
    await update({ ...uris, socialProviderConfigurations: [{ provider: 'GOOGLE', clientId: 'x' }] }, /clientSecret/);
    const google = { provider: 'GOOGLE', clientId: 'x', clientSecret: 'y' };
    await update({ ...uris, socialProviderConfigurations: [google, google] }, /listed twice/);
    await update(
      { ...uris, socialProviderConfigurations: [{ provider: 'SIGN_IN_WITH_APPLE', clientId: 'a', teamId: 't', keyId: 'k' }] },
      /SIGN_IN_WITH_APPLE has no privateKey, and none is stored/,
    );
    await update(
      { ...uris, socialProviderConfigurations: [{ provider: 'SIGN_IN_WITH_APPLE', clientId: 'a', teamId: 't', keyId: 'k', privateKey: 'not a key!' }] },
      /privateKey is not a private key/,
    );
    assert.deepEqual(filesUnder(root), files, 'no file changed');
    assert.equal(JSON.stringify(f.secrets), secrets, 'no secret changed');
    // An add without redirect URIs names them.
    rmSync(join(root, 'amplify'), { recursive: true });
    await assert.rejects(headless('add', mediaVaultRequest({ domainPrefix: 'shop' })), /oAuth\.redirectSigninURIs is required to turn OAuth on/);
  });

  void it('the walkthrough asks again for a bad domain prefix or redirect URI (Amplify’s validation)', async () => {
    for (const [question, answer] of [
      ['What domain name prefix do you want to use?', 'cognito-login'],
      ['Enter your redirect signin URI:', 'http://example.com/'],
      ['Enter your redirect signout URI:', 'https://example.com'],
    ] as const) {
      const f = createFakePluginContext(root, {
        plugin: 'auth',
        command: 'add',
        answers: {
          'default authentication and security configuration': 'defaultSocial',
          'What domain name prefix do you want to use?': 'shop-login',
          'Enter your redirect signin URI:': 'https://shop.example/',
          'Enter your redirect signout URI:': 'https://shop.example/',
          [question]: answer,
        },
      });
      await assert.rejects(categoryPlugin.executeCommand(f.ctx), new RegExp(`invalid answer to ${question.replace(/[?]/g, '\\?')}`));
      assert.deepEqual(f.secrets, {});
    }
  });

  void it('env add: the new environment takes the credentials of the one it was added from (asked; --yes takes them), else asks for them', async () => {
    const f = createFakePluginContext(root, { plugin: 'auth', command: 'add', headless: true });
    await categoryPlugin.executeHeadlessCommand!(f.ctx, mediaVaultRequest(MEDIA_VAULT_OAUTH));
    const dev = f.secrets['auth']![authResource()]!;
    /** One machine's secrets of two environments; the context's environment is prod, added from dev. */
    const envs = (): { store: Record<string, Record<string, string>>; attach: (c: FakePluginContext) => FakePluginContext } => {
      const store: Record<string, Record<string, string>> = { dev: { ...dev } };
      const attach = (c: FakePluginContext): FakePluginContext => {
        c.ctx.deploymentSecrets = {
          read: (_category, _resource, envName) => ({ ...(store[envName ?? 'prod'] ?? {}) }),
          write: (_category, _resource, values) => {
            const entry = (store['prod'] ??= {});
            for (const [k, v] of Object.entries(values))
              if (v === undefined) delete entry[k];
              else entry[k] = v;
          },
        };
        return c;
      };
      return { store, attach };
    };
    const fromDev = { sourceEnv: 'dev', envName: 'prod' };

    const taken = envs();
    const yes = taken.attach(createFakePluginContext(root, { plugin: 'auth', yes: true }));
    await categoryPlugin.handlePostEnvAdd!(yes.ctx, fromDev);
    assert.equal(taken.store['prod']?.['hostedUIProviderCreds'], dev['hostedUIProviderCreds']);
    assertNoSecretLeaked(yes);

    const declined = envs();
    const asked = declined.attach(
      createFakePluginContext(root, {
        plugin: 'auth',
        answers: {
          'Do you want to use the Facebook, Google credentials of dev in prod?': false,
          'Enter your Facebook App ID for your OAuth flow': 'fb-prod',
          'Enter your Facebook App Secret for your OAuth flow': 'fb-prod-secret',
          'Enter your Google Web Client ID for your OAuth flow': 'g-prod',
          'Enter your Google Web Client Secret for your OAuth flow': 'g-prod-secret',
        },
      }),
    );
    await categoryPlugin.handlePostEnvAdd!(asked.ctx, fromDev);
    assert.deepEqual(JSON.parse(declined.store['prod']!['hostedUIProviderCreds']!), [
      { ProviderName: 'Facebook', client_id: 'fb-prod', client_secret: 'fb-prod-secret' },
      { ProviderName: 'Google', client_id: 'g-prod', client_secret: 'g-prod-secret' },
    ]);
    assert.equal(declined.store['dev']!['hostedUIProviderCreds'], dev['hostedUIProviderCreds'], 'dev keeps its own');

    // Nothing to take from (another machine's environment) with --yes: it says how to set them.
    const none = envs();
    delete none.store['dev'];
    const warned = none.attach(createFakePluginContext(root, { plugin: 'auth', yes: true }));
    await categoryPlugin.handlePostEnvAdd!(warned.ctx, fromDev);
    assert.equal(none.store['prod'], undefined);
    assert.ok(warned.printed.some((l) => /\(Facebook, Google\) have no credentials in prod: set them with `forte update auth`/.test(l)));
  });

  void it('checks domain prefixes, redirect URIs and attribute mappings as Amplify does', () => {
    for (const ok of ['myapp', 'my-app-2', 'a', 'x'.repeat(63)]) assert.equal(checkDomainPrefix(ok), true, ok);
    for (const bad of ['', 'My-app', 'my_app', 'app-', 'x'.repeat(64), 'mycognitoapp', 'awsome']) assert.notEqual(checkDomainPrefix(bad), true, bad);
    for (const ok of ['https://example.com/', 'http://localhost:3000/', 'https://example.com/a/b/?x=1/', 'myapp://', 'myapp://callback/', 'com.example.app://'])
      assert.equal(checkRedirectUri(ok), true, ok);
    for (const bad of ['https://example.com', 'http://example.com/', 'example.com/', 'https://', 'https://exa mple.com/', 'myapp://x'])
      assert.notEqual(checkRedirectUri(bad), true, bad);
    // Google's scopes start with openid; Facebook's are comma-separated; unmapped attributes are left out.
    assert.deepEqual(JSON.parse(providerMeta(['Google', 'Facebook'], ['address', 'birthdate', 'phone_number', 'email'])), [
      {
        ProviderName: 'Google',
        authorize_scopes: 'openid profile email',
        AttributeMapping: { birthdate: 'birthdays', phone_number: 'phoneNumbers', email: 'email', username: 'sub' },
      },
      { ProviderName: 'Facebook', authorize_scopes: 'public_profile,email', AttributeMapping: { birthdate: 'birthday', email: 'email', username: 'id' } },
    ]);
  });
});
