import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { isUserError, AUTH_RESOURCE_TYPES, templateSchema, type CategoryPlugin, type PluginContext, type ResourceRef } from '@forte/protocol';
import { createFakePluginContext } from '@forte/testing';
import * as plugin from './index.js';

const categoryPlugin: CategoryPlugin = plugin;
const readJson = (path: string): any => JSON.parse(readFileSync(path, 'utf8'));

interface Fake {
  ctx: PluginContext;
  printed: string[];
  asked: string[];
}

/** A project folder and a PluginContext whose prompter answers from `answers` (by question) or the default. */
function fakeContext(root: string, options: { command?: string; yes?: boolean; headless?: boolean; answers?: Record<string, string | boolean> } = {}): Fake {
  const { ctx, printed, asked } = createFakePluginContext(root, { plugin: 'auth', ...options });
  return { ctx, printed, asked };
}

const addRequest = {
  version: 2,
  resourceName: 'myappauth',
  serviceConfiguration: {
    serviceName: 'Cognito',
    includeIdentityPool: true,
    identityPoolConfiguration: { identityPoolName: 'myapp_idp', unauthenticatedLogin: true },
    userPoolConfiguration: {
      signinMethod: 'USERNAME',
      requiredSignupAttributes: ['EMAIL', 'ZONE_INFO'],
      aliasAttributes: ['PREFERRED_USERNAME'],
      userPoolName: 'myapp_userpool',
      userPoolGroups: [{ groupName: 'Admin' }, { groupName: 'Editors' }],
      mfa: { mode: 'OPTIONAL', mfaTypes: ['TOTP'] },
      passwordPolicy: { minimumLength: 10, additionalConstraints: ['REQUIRE_DIGIT', 'REQUIRE_SYMBOL'] },
      refreshTokenPeriod: 60,
      readAttributes: ['EMAIL', 'EMAIL_VERIFIED', 'ZONE_INFO'],
      writeAttributes: ['EMAIL', 'ZONE_INFO'],
      autoVerifiedAttributes: [{ type: 'EMAIL', verificationSubject: 'Your code', verificationMessage: 'Code: {####}' }],
    },
  },
};

void describe('category-auth', () => {
  let root: string;
  const authDir = (name: string): string => join(root, 'amplify/backend/auth', name);
  const backendAuth = (): Record<string, any> => readJson(join(root, 'amplify/backend/backend-config.json')).auth;
  const onlyResource = (): string => {
    // The Cognito resource (a project with groups also has Amplify's userPoolGroups resource).
    const names = Object.keys(backendAuth()).filter((n) => backendAuth()[n].service === 'Cognito');
    assert.equal(names.length, 1);
    return names[0]!;
  };
  const ref = (name: string): ResourceRef => ({ category: 'auth', resourceName: name, service: 'Cognito', dir: authDir(name) });

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'forte-auth-cat-'));
  });
  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  void it('ships a manifest named auth owning the Cognito service and its user pool groups', () => {
    const manifest = readJson(new URL('../forte-plugin.json', import.meta.url).pathname);
    assert.equal(manifest.name, 'auth');
    assert.equal(manifest.type, 'category');
    assert.deepEqual(manifest.services, ['Cognito', 'Cognito-UserPool-Groups']);
    assert.ok(manifest.commands.includes('add') && manifest.commands.includes('update') && manifest.commands.includes('remove'));
  });

  void it('adds the default configuration with --yes and refuses a second auth resource', async () => {
    const f = fakeContext(root, { command: 'add', yes: true });
    await categoryPlugin.executeCommand(f.ctx);
    const name = onlyResource();
    assert.match(name, /^myapp[0-9a-f]{8}$/);
    const inputs = readJson(join(authDir(name), 'cli-inputs.json'));
    assert.equal(inputs.version, '1');
    const c = inputs.cognitoConfig;
    assert.equal(c.useDefault, 'default');
    assert.equal(c.authSelections, 'identityPoolAndUserPool');
    assert.equal(c.allowUnauthenticatedIdentities, false);
    assert.deepEqual(c.usernameAttributes, ['email']);
    assert.deepEqual(c.requiredAttributes, ['email']);
    assert.deepEqual(c.autoVerifiedAttributes, ['email']);
    assert.equal(c.mfaConfiguration, 'OFF');
    assert.equal(c.passwordPolicyMinLength, 8);
    const entry = backendAuth()[name];
    assert.deepEqual(
      { service: entry.service, providerPlugin: entry.providerPlugin, dependsOn: entry.dependsOn, customAuth: entry.customAuth },
      { service: 'Cognito', providerPlugin: 'awscloudformation', dependsOn: [], customAuth: false },
    );
    assert.deepEqual(entry.frontendAuthConfig, {
      socialProviders: [],
      usernameAttributes: ['EMAIL'],
      signupAttributes: ['EMAIL'],
      passwordProtectionSettings: { passwordPolicyMinLength: 8, passwordPolicyCharacters: [] },
      mfaConfiguration: 'OFF',
      mfaTypes: ['SMS'],
      verificationMechanisms: ['EMAIL'],
      allowUnauthenticatedIdentities: false,
      userPoolGroups: [],
    });
    assert.deepEqual(readJson(join(root, 'amplify/backend/amplify-meta.json')).auth[name], entry);
    assert.ok(f.asked.includes('Do you want to use the default authentication and security configuration?'));
    assert.ok(f.asked.includes('How do you want users to be able to sign in?'));
    const { template } = await categoryPlugin.build!(f.ctx, ref(name));
    assert.deepEqual(
      template.Resources['UserPool']!.Properties!['UserAttributeUpdateSettings'],
      { AttributesRequireVerificationBeforeUpdate: ['email'] },
      'a new sign-in email waits for its code',
    );
    const defaultClient = template.Resources['UserPoolClientWeb']!.Properties!;
    assert.equal(c.userpoolClientSetAttributes, false);
    assert.deepEqual(
      [defaultClient['ReadAttributes'], defaultClient['WriteAttributes']],
      [undefined, undefined],
      'as Amplify: every attribute unless userpoolClientSetAttributes',
    );
    assert.equal(template.Resources['IdentityPool']!.Properties!['RoleMappings'], undefined, 'no groups, no role mapping');

    await assert.rejects(
      categoryPlugin.executeCommand(fakeContext(root, { command: 'add', yes: true }).ctx),
      (e: unknown) => isUserError(e) && e.message.includes(name) && /forte update auth/.test(e.resolution),
    );
  });

  void it('asks the manual questions', async () => {
    const f = fakeContext(root, {
      command: 'add',
      answers: {
        'default authentication': 'manual',
        'authentication/authorization services': 'userPoolOnly',
        'add User Pool Groups': true,
        'names of your user pool groups': 'Admin, Staff',
        'sign in?': 'username',
        'aliases can users also sign in with': 'email, preferred_username',
        'MFA) user login options': 'ON',
        'select the MFA types': 'both',
        'Email based user registration': 'on',
        'override the default password policy': true,
        'minimum password length': '12',
        'Requires Uppercase': true,
        'required for signing up': 'email, given_name',
        'refresh token expiration': '7',
      },
    });
    await categoryPlugin.executeCommand(f.ctx);
    const name = onlyResource();
    const c = readJson(join(authDir(name), 'cli-inputs.json')).cognitoConfig;
    assert.equal(c.authSelections, 'userPoolOnly');
    assert.deepEqual(c.userPoolGroupList, ['Admin', 'Staff']);
    assert.deepEqual(c.usernameAttributes, []);
    assert.deepEqual(c.aliasAttributes, ['email', 'preferred_username']);
    assert.equal(c.mfaConfiguration, 'ON');
    assert.deepEqual(c.mfaTypes, ['SMS Text Message', 'TOTP']);
    assert.equal(c.passwordPolicyMinLength, 12);
    assert.deepEqual(c.passwordPolicyCharacters, ['Requires Uppercase']);
    assert.deepEqual(c.requiredAttributes, ['email', 'given_name']);
    assert.equal(c.userpoolClientRefreshTokenValidity, 7);

    const built = await categoryPlugin.build!(f.ctx, ref(name));
    assert.equal(built.template.Resources['IdentityPool'], undefined);
    assert.equal(built.template.Parameters?.['AuthRoleArn'], undefined, 'no identity pool, so no role parameters');
    assert.deepEqual(built.template.Resources['UserPool']?.Properties?.['EnabledMfas'], ['SMS_MFA', 'SOFTWARE_TOKEN_MFA']);
    assert.deepEqual(built.template.Resources['UserPool']?.Properties?.['AliasAttributes'], ['email', 'preferred_username']);
  });

  void it('adds from a headless AddAuthRequest v2 and builds its nested template', async () => {
    const f = fakeContext(root, { command: 'add', headless: true });
    await categoryPlugin.executeHeadlessCommand!(f.ctx, addRequest);
    const c = readJson(join(authDir('myappauth'), 'cli-inputs.json')).cognitoConfig;
    assert.equal(c.identityPoolName, 'myapp_idp');
    assert.equal(c.allowUnauthenticatedIdentities, true);
    assert.deepEqual(c.requiredAttributes, ['email', 'zoneinfo']);
    assert.deepEqual(c.aliasAttributes, ['preferred_username']);
    assert.deepEqual(c.userPoolGroupList, ['Admin', 'Editors']);
    assert.deepEqual(c.mfaTypes, ['TOTP']);
    assert.deepEqual(c.passwordPolicyCharacters, ['Requires Numbers', 'Requires Symbols']);
    assert.equal(c.emailVerificationMessage, 'Code: {####}');
    assert.equal(backendAuth().myappauth.frontendAuthConfig.mfaConfiguration, 'OPTIONAL');
    assert.deepEqual(backendAuth().myappauth.frontendAuthConfig.passwordProtectionSettings, {
      passwordPolicyMinLength: 10,
      passwordPolicyCharacters: ['REQUIRES_NUMBERS', 'REQUIRES_SYMBOLS'],
    });

    const { template } = await categoryPlugin.build!(f.ctx, ref('myappauth'));
    assert.ok(templateSchema.safeParse(template).success);
    assert.deepEqual(Object.keys(template.Parameters ?? {}), ['env', 'AppId', 'AuthRoleArn', 'UnauthRoleArn']);
    const types = Object.fromEntries(Object.entries(template.Resources).map(([id, r]) => [id, r.Type]));
    assert.deepEqual(
      types,
      {
        UserPool: AUTH_RESOURCE_TYPES.userPool,
        UserPoolClientWeb: AUTH_RESOURCE_TYPES.userPoolClient,
        UserPoolClient: AUTH_RESOURCE_TYPES.userPoolClient,
        IdentityPool: AUTH_RESOURCE_TYPES.identityPool,
      },
      "the groups are in Amplify's separate auth/userPoolGroups resource",
    );
    const pool = template.Resources['UserPool']!.Properties!;
    assert.deepEqual(pool['PoolName'], { 'Fn::Join': ['-', ['myapp_userpool', { Ref: 'env' }]] });
    assert.deepEqual(pool['PasswordPolicy'], {
      MinimumLength: 10,
      RequireLowercase: false,
      RequireUppercase: false,
      RequireNumbers: true,
      RequireSymbols: true,
    });
    assert.deepEqual(pool['RequiredAttributes'], ['email', 'zoneinfo']);
    assert.equal(pool['UsernameAttributes'], undefined);
    assert.equal(pool['UserAttributeUpdateSettings'], undefined, 'email is not a sign-in attribute here');
    assert.equal(template.Resources['UserPoolClientWeb']!.Properties!['GenerateSecret'], false);
    assert.equal(template.Resources['UserPoolClient']!.Properties!['RefreshTokenValidityDays'], 60);
    const idp = template.Resources['IdentityPool']!.Properties!;
    assert.equal(idp['AllowUnauthenticatedIdentities'], true);
    assert.deepEqual(idp['Roles'], { authenticated: { Ref: 'AuthRoleArn' }, unauthenticated: { Ref: 'UnauthRoleArn' } });
    // Groups: each app client's users get their group's role through a Token mapping, as Amplify's user pool groups.
    const providerOf = (client: string) => ({ 'Fn::Join': [':', [{ 'Fn::GetAtt': ['UserPool', 'ProviderName'] }, { 'Fn::GetAtt': [client, 'ClientId'] }]] });
    assert.deepEqual(idp['RoleMappings'], {
      UserPoolClient: { Type: 'Token', AmbiguousRoleResolution: 'AuthenticatedRole', IdentityProvider: providerOf('UserPoolClient') },
      UserPoolClientWeb: { Type: 'Token', AmbiguousRoleResolution: 'AuthenticatedRole', IdentityProvider: providerOf('UserPoolClientWeb') },
    });
    // readAttributes / writeAttributes given: the clients get them (userpoolClientSetAttributes), not ExplicitAuthFlows.
    assert.equal(c.userpoolClientSetAttributes, true);
    assert.deepEqual(template.Resources['UserPoolClientWeb']!.Properties!['ReadAttributes'], ['email', 'email_verified', 'zoneinfo']);
    assert.deepEqual(template.Resources['UserPoolClient']!.Properties!['WriteAttributes'], ['email', 'zoneinfo']);
    assert.equal(template.Resources['UserPoolClientWeb']!.Properties!['ExplicitAuthFlows'], undefined, "Cognito's default flows, as Amplify");
    assert.deepEqual(Object.keys(template.Outputs ?? {}), [
      'UserPoolId',
      'UserPoolArn',
      'UserPoolName',
      'AppClientIDWeb',
      'AppClientID',
      'ProviderURL',
      'IdentityPoolId',
      'IdentityPoolName',
    ]);
    assert.deepEqual(template.Outputs!['AppClientIDWeb']!.Value, { 'Fn::GetAtt': ['UserPoolClientWeb', 'ClientId'] });
  });

  void it('refuses invalid headless payloads, naming the field', async () => {
    const bad = async (payload: unknown, pattern: RegExp): Promise<void> => {
      await assert.rejects(
        categoryPlugin.executeHeadlessCommand!(fakeContext(root, { command: 'add', headless: true }).ctx, payload),
        (e: unknown) => isUserError(e) && pattern.test(e.message),
      );
    };
    await bad({ ...addRequest, version: 1 }, /version/);
    const withPool = (pool: Record<string, unknown>): unknown => ({
      ...addRequest,
      serviceConfiguration: {
        ...addRequest.serviceConfiguration,
        userPoolConfiguration: { ...addRequest.serviceConfiguration.userPoolConfiguration, ...pool },
      },
    });
    await bad(withPool({ signinMethod: 'FACE' }), /serviceConfiguration\.userPoolConfiguration\.signinMethod/);
    await bad(withPool({ requiredSignupAttributes: ['EMAIL', 'SHOE_SIZE'] }), /requiredSignupAttributes\.1/);
    await bad(withPool({ mfa: { mode: 'ON', mfaTypes: [] } }), /mfa/);
    await bad(withPool({ passwordPolicy: { minimumLength: 3 } }), /passwordPolicy\.minimumLength/);
    await bad(withPool({ oAuth: { domainPrefix: 'x' } }), /oAuth.redirectSigninURIs is required/);
    await bad(withPool({ signinMethod: 'EMAIL', aliasAttributes: ['PREFERRED_USERNAME'] }), /aliasAttributes/);
    await bad(withPool({ unknownField: 1 }), /unknownField|Unrecognized key/);
    await bad(withPool({ adminQueries: { permissions: { restrictAccess: true } } }), /groupName is required when permissions\.restrictAccess is true/);
    await bad(
      withPool({ adminQueries: { permissions: { restrictAccess: true, groupName: 'Ops' } } }),
      /restricted to group Ops, which the user pool does not have \(groups: Admin, Editors\)/,
    );
    assert.equal(existsSync(join(root, 'amplify/backend/backend-config.json')), false, 'nothing is written for a bad payload');
  });

  void it('updates headless (MFA to required, a new required attribute, sign-in by email) and says what happens to existing users', async () => {
    await categoryPlugin.executeHeadlessCommand!(fakeContext(root, { command: 'add', headless: true }).ctx, addRequest);
    const f = fakeContext(root, { command: 'update', headless: true });
    await categoryPlugin.executeHeadlessCommand!(f.ctx, {
      version: 2,
      serviceModification: {
        serviceName: 'Cognito',
        userPoolModification: {
          mfa: { mode: 'ON', mfaTypes: ['TOTP'] },
          requiredSignupAttributes: ['EMAIL', 'GIVEN_NAME'],
          signinMethod: 'EMAIL',
          aliasAttributes: [],
          userPoolGroups: [{ groupName: 'Admin' }],
        },
        identityPoolModification: { unauthenticatedLogin: false },
      },
    });
    const c = readJson(join(authDir('myappauth'), 'cli-inputs.json')).cognitoConfig;
    assert.equal(c.mfaConfiguration, 'ON');
    assert.deepEqual(c.requiredAttributes, ['email', 'given_name']);
    assert.deepEqual(c.usernameAttributes, ['email']);
    assert.deepEqual(c.userPoolGroupList, ['Admin']);
    assert.equal(c.allowUnauthenticatedIdentities, false);
    assert.equal(c.passwordPolicyMinLength, 10, 'fields the request omits stay as they were');
    assert.equal(c.identityPoolName, 'myapp_idp');
    const text = f.printed.join('\n');
    assert.match(text, /Newly required attribute: given_name/);
    assert.match(text, /MFA becomes required/);
    assert.match(text, /sign in with email/);
    assert.match(text, /Removed group Editors/);
    assert.equal(backendAuth().myappauth.frontendAuthConfig.mfaConfiguration, 'ON');
    assert.deepEqual(backendAuth().myappauth.frontendAuthConfig.usernameAttributes, ['EMAIL']);

    await assert.rejects(
      categoryPlugin.executeHeadlessCommand!(fakeContext(root, { command: 'update', headless: true }).ctx, {
        version: 2,
        serviceModification: { serviceName: 'Cognito', userPoolModification: { refreshTokenPeriod: 'long' } },
      }),
      /serviceModification\.userPoolModification\.refreshTokenPeriod/,
    );
  });

  void it('updates interactively with the current settings as defaults', async () => {
    await categoryPlugin.executeHeadlessCommand!(fakeContext(root, { command: 'add', headless: true }).ctx, addRequest);
    const before = readJson(join(authDir('myappauth'), 'cli-inputs.json')).cognitoConfig;
    await categoryPlugin.executeCommand(fakeContext(root, { command: 'update', answers: { 'MFA) user login options': 'OFF' } }).ctx);
    const after = readJson(join(authDir('myappauth'), 'cli-inputs.json')).cognitoConfig;
    assert.equal(after.mfaConfiguration, 'OFF');
    assert.deepEqual({ ...after, mfaConfiguration: before.mfaConfiguration }, before);
  });

  void it("federates the identity pool with public providers: headless identitySocialFederation, Amplify's questions, and turned off", async () => {
    const request = structuredClone(addRequest) as typeof addRequest & {
      serviceConfiguration: { identityPoolConfiguration: { identitySocialFederation?: unknown } };
    };
    request.serviceConfiguration.identityPoolConfiguration.identitySocialFederation = [
      { provider: 'GOOGLE', clientId: 'web.apps.googleusercontent.com' },
      { provider: 'FACEBOOK', clientId: '1234567890' },
    ];
    await categoryPlugin.executeHeadlessCommand!(fakeContext(root, { command: 'add', headless: true }).ctx, request);
    let c = readJson(join(authDir('myappauth'), 'cli-inputs.json')).cognitoConfig;
    assert.equal(c.thirdPartyAuth, true);
    assert.deepEqual(c.authProviders, ['accounts.google.com', 'graph.facebook.com']);
    assert.equal(c.googleClientId, 'web.apps.googleusercontent.com');
    assert.equal(c.facebookAppId, '1234567890');
    const built = await categoryPlugin.build!(fakeContext(root).ctx, ref('myappauth'));
    assert.deepEqual(built.template.Resources['IdentityPool']!.Properties!['SupportedLoginProviders'], {
      'accounts.google.com': 'web.apps.googleusercontent.com',
      'graph.facebook.com': '1234567890',
    });

    // Amplify's questions: Amazon added, Google's id kept as the default.
    await categoryPlugin.executeCommand(
      fakeContext(root, {
        command: 'update',
        answers: {
          '3rd party authentication providers in your identity pool': true,
          'third party identity providers you want to configure for your identity pool': 'Google, Amazon',
          'Amazon App ID for your identity pool': 'amzn1.application.abc',
        },
      }).ctx,
    );
    c = readJson(join(authDir('myappauth'), 'cli-inputs.json')).cognitoConfig;
    assert.deepEqual(c.authProviders, ['accounts.google.com', 'www.amazon.com']);
    assert.equal(c.googleClientId, 'web.apps.googleusercontent.com');
    assert.equal(c.amazonAppId, 'amzn1.application.abc');
    assert.equal(c.facebookAppId, undefined);

    // Turned off headless: no providers left in the file or the template.
    await categoryPlugin.executeHeadlessCommand!(fakeContext(root, { command: 'update', headless: true }).ctx, {
      version: 2,
      serviceModification: { serviceName: 'Cognito', identityPoolModification: { identitySocialFederation: [] } },
    });
    c = readJson(join(authDir('myappauth'), 'cli-inputs.json')).cognitoConfig;
    assert.equal(c.thirdPartyAuth, false);
    assert.equal(c.authProviders, undefined);
    const plain = await categoryPlugin.build!(fakeContext(root).ctx, ref('myappauth'));
    assert.equal(plain.template.Resources['IdentityPool']!.Properties!['SupportedLoginProviders'], undefined);
    await assert.rejects(
      categoryPlugin.executeHeadlessCommand!(fakeContext(root, { command: 'update', headless: true }).ctx, {
        version: 2,
        serviceModification: { serviceName: 'Cognito', identityPoolModification: { identitySocialFederation: [{ provider: 'TWITTER', clientId: 'x' }] } },
      }),
      /identitySocialFederation\.0\.provider/,
    );
  });

  void it('refuses update --yes, which would change nothing', async () => {
    await categoryPlugin.executeCommand(fakeContext(root, { command: 'add', yes: true }).ctx);
    await assert.rejects(
      categoryPlugin.executeCommand(fakeContext(root, { command: 'update', yes: true }).ctx),
      (e: unknown) => isUserError(e) && /--headless/.test(e.resolution),
    );
  });

  void it('refuses update and remove without an auth resource', async () => {
    await assert.rejects(categoryPlugin.executeCommand(fakeContext(root, { command: 'update' }).ctx), /no auth resource to update/);
    await assert.rejects(categoryPlugin.executeCommand(fakeContext(root, { command: 'remove', yes: true }).ctx), /no auth resource to remove/);
  });

  void it('removes only when confirmed', async () => {
    await categoryPlugin.executeCommand(fakeContext(root, { command: 'add', yes: true }).ctx);
    const name = onlyResource();
    await categoryPlugin.executeCommand(fakeContext(root, { command: 'remove' }).ctx);
    assert.ok(existsSync(authDir(name)), 'the default answer is no');
    await categoryPlugin.executeCommand(fakeContext(root, { command: 'remove', yes: true }).ctx);
    assert.equal(existsSync(authDir(name)), false);
    assert.equal(readJson(join(root, 'amplify/backend/backend-config.json')).auth, undefined);
    assert.equal(readJson(join(root, 'amplify/backend/amplify-meta.json')).auth, undefined);
  });

  void it('refuses a cli-inputs.json with bad fields at build time, naming them', async () => {
    await categoryPlugin.executeCommand(fakeContext(root, { command: 'add', yes: true }).ctx);
    const name = onlyResource();
    const file = join(authDir(name), 'cli-inputs.json');
    const inputs = readJson(file);
    inputs.cognitoConfig.mfaConfiguration = 'SOMETIMES';
    writeFileSync(file, JSON.stringify(inputs));
    await assert.rejects(
      categoryPlugin.build!(fakeContext(root).ctx, ref(name)),
      (e: unknown) => isUserError(e) && /cognitoConfig\.mfaConfiguration/.test(e.message),
    );
  });
  void it('builds a cli-inputs.json-only resource as Amplify wrote it: refresh validity "120", usernameAttributes ["email, phone_number"]', async () => {
    // No template in the folder: a cloned Gen 1 project has only cli-inputs.json; push generates the template.
    const name = 'cloned1f08412d';
    const dir = authDir(name);
    mkdirSync(dir, { recursive: true });
    const cognitoConfig = {
      resourceName: name,
      authSelections: 'identityPoolAndUserPool',
      userPoolName: 'cloned_userpool',
      identityPoolName: 'cloned_identitypool',
      usernameAttributes: ['email, phone_number'],
      requiredAttributes: ['email'],
      userpoolClientRefreshTokenValidity: '120',
      hostedUI: false,
      triggers: {},
    };
    writeFileSync(join(dir, 'cli-inputs.json'), JSON.stringify({ version: '1', cognitoConfig }));
    const { template } = await categoryPlugin.build!(fakeContext(root).ctx, ref(name));
    assert.deepEqual(template.Resources['UserPool']!.Properties!['UsernameAttributes'], ['email', 'phone_number']);
    assert.equal(template.Resources['UserPoolClient']!.Properties!['RefreshTokenValidityDays'], 120);
    // Social providers: without their credentials in the deployment secrets, refused naming how to give them.
    const social = {
      ...cognitoConfig,
      hostedUI: true,
      hostedUIDomainName: 'cloned-1f08412d',
      oAuthMetadata: JSON.stringify({
        AllowedOAuthFlows: ['code'],
        AllowedOAuthScopes: ['openid'],
        CallbackURLs: ['https://a.example/'],
        LogoutURLs: ['https://a.example/'],
      }),
      authProvidersUserPool: ['Facebook', 'Google'],
      hostedUIProviderMeta: JSON.stringify([
        { ProviderName: 'Facebook', authorize_scopes: 'email,public_profile', AttributeMapping: { email: 'email', username: 'id' } },
        { ProviderName: 'Google', authorize_scopes: 'openid email profile', AttributeMapping: { email: 'email', username: 'sub' } },
      ]),
    };
    writeFileSync(join(dir, 'cli-inputs.json'), JSON.stringify({ version: '1', cognitoConfig: social }));
    await assert.rejects(
      categoryPlugin.build!(fakeContext(root).ctx, ref(name)),
      (e: unknown) => isUserError(e) && /signs in with Facebook, Google, and this environment's deployment secrets hold no credentials/.test(e.message),
    );
    // With them: a provider resource each, its secret a NoEcho parameter whose value only the build's parameters carry.
    const withCreds = createFakePluginContext(root, { plugin: 'auth' });
    withCreds.secrets['auth'] = {
      [name]: {
        hostedUIProviderCreds: JSON.stringify([
          { ProviderName: 'Facebook', client_id: 'fb-id', client_secret: 'fb-very-secret' },
          { ProviderName: 'Google', client_id: 'g-id', client_secret: 'g-very-secret' },
        ]),
      },
    };
    const federated = await categoryPlugin.build!(withCreds.ctx, ref(name));
    assert.doesNotMatch(JSON.stringify(federated.template), /very-secret/);
    assert.deepEqual(federated.template.Parameters!['hostedUIFacebookClientSecret'], { Type: 'String', NoEcho: true });
    assert.deepEqual(federated.template.Parameters!['hostedUIGoogleClientId'], { Type: 'String' });
    assert.deepEqual(federated.parameters, {
      hostedUIFacebookClientId: 'fb-id',
      hostedUIFacebookClientSecret: 'fb-very-secret',
      hostedUIGoogleClientId: 'g-id',
      hostedUIGoogleClientSecret: 'g-very-secret',
    });
    assert.deepEqual(federated.template.Resources['HostedUIGoogleProvider']!.Properties, {
      UserPoolId: { 'Fn::GetAtt': ['UserPool', 'UserPoolId'] },
      ProviderName: 'Google',
      ProviderType: 'Google',
      ProviderDetails: {
        authorize_scopes: 'openid email profile',
        client_id: { Ref: 'hostedUIGoogleClientId' },
        client_secret: { Ref: 'hostedUIGoogleClientSecret' },
      },
      AttributeMapping: { email: 'email', username: 'sub' },
    });
    for (const client of ['UserPoolClientWeb', 'UserPoolClient']) {
      assert.deepEqual(federated.template.Resources[client]!.Properties!['SupportedIdentityProviders'], ['COGNITO', 'Facebook', 'Google']);
      assert.deepEqual(federated.template.Resources[client]!.DependsOn, ['HostedUIFacebookProvider', 'HostedUIGoogleProvider']);
    }
    // Federation through the identity pool (thirdPartyAuth): its SupportedLoginProviders, Google's clients as one list.
    const thirdParty = {
      ...social,
      thirdPartyAuth: true,
      authProviders: ['graph.facebook.com', 'accounts.google.com', 'www.amazon.com'],
      facebookAppId: '1234567890',
      googleClientId: 'web.apps.googleusercontent.com',
      googleIos: 'ios.apps.googleusercontent.com',
      amazonAppId: 'amzn1.application.abc',
    };
    writeFileSync(join(dir, 'cli-inputs.json'), JSON.stringify({ version: '1', cognitoConfig: thirdParty }));
    const withLogins = await categoryPlugin.build!(withCreds.ctx, ref(name));
    assert.deepEqual(withLogins.template.Resources['IdentityPool']!.Properties!['SupportedLoginProviders'], {
      'graph.facebook.com': '1234567890',
      'accounts.google.com': 'web.apps.googleusercontent.com,ios.apps.googleusercontent.com',
      'www.amazon.com': 'amzn1.application.abc',
    });
    // A listed provider without its app id, or one identity pools do not know, is refused naming the field.
    writeFileSync(join(dir, 'cli-inputs.json'), JSON.stringify({ version: '1', cognitoConfig: { ...thirdParty, authProviders: ['appleid.apple.com'] } }));
    await assert.rejects(
      categoryPlugin.build!(withCreds.ctx, ref(name)),
      (e: unknown) => isUserError(e) && /federates with appleid\.apple\.com \(authProviders\) but has no appleAppId/.test(e.message),
    );
    writeFileSync(join(dir, 'cli-inputs.json'), JSON.stringify({ version: '1', cognitoConfig: { ...thirdParty, authProviders: ['api.twitter.com'] } }));
    await assert.rejects(
      categoryPlugin.build!(withCreds.ctx, ref(name)),
      (e: unknown) => isUserError(e) && /authProviders names api\.twitter\.com, which identity pools do not federate with/.test(e.message),
    );
    // Providers of other kinds in the user pool are still refused, naming the fix.
    writeFileSync(join(dir, 'cli-inputs.json'), JSON.stringify({ version: '1', cognitoConfig: { ...social, authProvidersUserPool: ['Google', 'MyOIDC'] } }));
    await assert.rejects(
      categoryPlugin.build!(withCreds.ctx, ref(name)),
      (e: unknown) => isUserError(e) && /names identity providers Forte does not deploy from a project yet: MyOIDC/.test(e.message),
    );
    // The hosted UI for the pool's own users is: the domain (env appended, as Amplify), both clients' OAuth settings, Amplify's outputs.
    const oAuthMetadata = {
      AllowedOAuthFlows: ['code'],
      AllowedOAuthScopes: ['phone', 'email', 'openid', 'profile', 'aws.cognito.signin.user.admin'],
      CallbackURLs: ['https://main.example.com/'],
      LogoutURLs: ['https://main.example.com/'],
    };
    writeFileSync(
      join(dir, 'cli-inputs.json'),
      JSON.stringify({
        version: '1',
        cognitoConfig: {
          ...cognitoConfig,
          hostedUI: true,
          hostedUIDomainName: 'cloned-1f08412d',
          authProvidersUserPool: [],
          oAuthMetadata: JSON.stringify(oAuthMetadata),
        },
      }),
    );
    const hosted = (await categoryPlugin.build!(fakeContext(root).ctx, ref(name))).template;
    assert.deepEqual(hosted.Resources['UserPoolDomain'], {
      Type: 'Forte::Cognito::UserPoolDomain',
      Properties: { UserPoolId: { 'Fn::GetAtt': ['UserPool', 'UserPoolId'] }, Domain: { 'Fn::Join': ['-', ['cloned-1f08412d', { Ref: 'env' }]] } },
    });
    for (const client of ['UserPoolClient', 'UserPoolClientWeb']) {
      const props = hosted.Resources[client]!.Properties!;
      assert.equal(props['AllowedOAuthFlowsUserPoolClient'], true);
      assert.deepEqual(props['AllowedOAuthScopes'], oAuthMetadata.AllowedOAuthScopes);
      assert.deepEqual(props['CallbackURLs'], oAuthMetadata.CallbackURLs);
      assert.deepEqual(props['SupportedIdentityProviders'], ['COGNITO']);
    }
    assert.deepEqual(hosted.Outputs?.['HostedUIDomain'], { Value: { Ref: 'UserPoolDomain' } });
    assert.deepEqual(JSON.parse(String(hosted.Outputs?.['OAuthMetadata']?.Value)), oAuthMetadata);
    assert.deepEqual(hosted.Outputs?.['HostedUIAddress'], { Value: { 'Fn::GetAtt': ['UserPoolDomain', 'Address'] } });
    writeFileSync(join(dir, 'cli-inputs.json'), JSON.stringify({ version: '1', cognitoConfig: { ...cognitoConfig, hostedUI: true, hostedUIDomainName: 'x' } }));
    await assert.rejects(categoryPlugin.build!(fakeContext(root).ctx, ref(name)), (e: unknown) => isUserError(e) && /oAuthMetadata/.test(e.message));
    writeFileSync(join(dir, 'cli-inputs.json'), JSON.stringify({ version: '1', cognitoConfig: { ...cognitoConfig, usernameAttributes: ['email, fax'] } }));
    await assert.rejects(
      categoryPlugin.build!(fakeContext(root).ctx, ref(name)),
      (e: unknown) => isUserError(e) && /cognitoConfig\.usernameAttributes\.1/.test(e.message),
    );
  });
});
