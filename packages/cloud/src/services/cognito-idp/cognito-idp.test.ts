import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDisableUserCommand,
  AdminGetUserCommand,
  AssociateSoftwareTokenCommand,
  CognitoIdentityProviderClient,
  ConfirmSignUpCommand,
  GetTokensFromRefreshTokenCommand,
  GetUserCommand,
  GlobalSignOutCommand,
  InitiateAuthCommand,
  ListUsersCommand,
  RespondToAuthChallengeCommand,
  RevokeTokenCommand,
  SetUserMFAPreferenceCommand,
  SignUpCommand,
  VerifySoftwareTokenCommand,
  CreateGroupCommand,
  ListDevicesCommand,
  UpdateUserAttributesCommand,
  AdminUpdateUserAttributesCommand,
  AdminConfirmSignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { AUTH_RESOURCE_TYPES, MAILBOX_API_PATH, SIGNING_SERVICE, type MailboxMessage } from '@forte/protocol';
import { SignJWT, createRemoteJWKSet, decodeJwt, generateKeyPair, jwtVerify } from 'jose';
import { verifyIdentityToken } from '../../kernel/identity-tokens.js';
import type { ResourceContext } from '../../kernel/types.js';
import { createCloud, type Cloud } from '../../server.js';
import { totpCode } from './totp.js';

const PASSWORD = 'Passw0rd!';
let dir = '';
let cloud: Cloud;
let client: CognitoIdentityProviderClient;
let anonymous: CognitoIdentityProviderClient;
let poolId = '';
let clientId = '';
const logs: string[] = [];

async function mailbox(to: string): Promise<MailboxMessage[]> {
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
  const response = await fetch(url, { method: 'POST', headers: signed.headers, body });
  assert.equal(response.status, 200);
  return ((await response.json()) as { messages: MailboxMessage[] }).messages;
}

async function rejects(promise: Promise<unknown>, name: string, message?: RegExp): Promise<void> {
  await assert.rejects(promise, (error: Error) => {
    assert.equal(error.name, name, error.message);
    if (message) assert.match(error.message, message);
    return true;
  });
}

const signIn = (username: string, password = PASSWORD) =>
  anonymous.send(new InitiateAuthCommand({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: clientId, AuthParameters: { USERNAME: username, PASSWORD: password } }));

describe('cognito-idp through the AWS SDK', () => {
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'forte-cognito-idp-'));
    cloud = await createCloud({ dataDir: dir, port: 0, logLevel: 'warn', logStream: { write: (line) => void logs.push(line) } });
    const ctx: ResourceContext = {
      appId: 'app1',
      appSlug: 'app1',
      envName: 'dev',
      stackName: 's',
      logicalId: 'UserPool',
      region: 'us-east-1',
      accountId: cloud.kernel.config.accountId,
      log: cloud.kernel.log,
    };
    const pool = await cloud.kernel.resourceHandler(AUTH_RESOURCE_TYPES.userPool)!.create(
      {
        PoolName: 'Test',
        UsernameAttributes: ['email'],
        AutoVerifiedAttributes: ['email'],
        RequiredAttributes: ['email'],
        MfaConfiguration: 'OPTIONAL',
        EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
      },
      ctx,
    );
    poolId = pool.physicalId;
    assert.match(poolId, /^us-east-1_[A-Za-z0-9]{9}$/);
    const again = await cloud.kernel.resourceHandler(AUTH_RESOURCE_TYPES.userPool)!.create({ PoolName: 'Test', UsernameAttributes: ['email'] }, ctx);
    assert.equal(again.physicalId, poolId, 'create is idempotent');
    const appClient = await cloud.kernel
      .resourceHandler(AUTH_RESOURCE_TYPES.userPoolClient)!
      .create(
        { UserPoolId: poolId, ClientName: 'web', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] },
        { ...ctx, logicalId: 'Client' },
      );
    clientId = appClient.physicalId;
    assert.match(clientId, /^[a-z0-9]{26}$/);
    await cloud.kernel.resourceHandler(AUTH_RESOURCE_TYPES.userPool)!.update(
      poolId,
      {
        PoolName: 'Test',
        UsernameAttributes: ['email'],
        AutoVerifiedAttributes: ['email'],
        RequiredAttributes: ['email'],
        MfaConfiguration: 'OPTIONAL',
        EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
      },
      {},
      ctx,
    );
    const common = { region: 'us-east-1', endpoint: `${cloud.url}/cognito-idp/`, maxAttempts: 1 };
    client = new CognitoIdentityProviderClient({ ...common, credentials: cloud.adminCredentials });
    anonymous = new CognitoIdentityProviderClient({ ...common, credentials: { accessKeyId: 'unused', secretAccessKey: 'unused' } });
  });
  after(async () => {
    client.destroy();
    anonymous.destroy();
    await cloud.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('signs up, confirms with the mailed code once, and signs in', async () => {
    await rejects(anonymous.send(new SignUpCommand({ ClientId: clientId, Username: 'alice@example.com', Password: 'short' })), 'InvalidPasswordException');
    const up = await anonymous.send(
      new SignUpCommand({
        ClientId: clientId,
        Username: 'alice@example.com',
        Password: PASSWORD,
        UserAttributes: [{ Name: 'email', Value: 'alice@example.com' }],
      }),
    );
    assert.equal(up.UserConfirmed, false);
    assert.equal(up.CodeDeliveryDetails?.DeliveryMedium, 'EMAIL');
    await rejects(anonymous.send(new SignUpCommand({ ClientId: clientId, Username: 'alice@example.com', Password: PASSWORD })), 'UsernameExistsException');
    await rejects(signIn('alice@example.com'), 'UserNotConfirmedException');
    const [message] = await mailbox('alice@example.com');
    assert.equal(message?.purpose, 'SignUp');
    const code = message!.code!;
    await rejects(
      anonymous.send(
        new ConfirmSignUpCommand({ ClientId: clientId, Username: 'alice@example.com', ConfirmationCode: code === '000000' ? '111111' : '000000' }),
      ),
      'CodeMismatchException',
    );
    await anonymous.send(new ConfirmSignUpCommand({ ClientId: clientId, Username: 'alice@example.com', ConfirmationCode: code }));
    await rejects(
      anonymous.send(new ConfirmSignUpCommand({ ClientId: clientId, Username: 'alice@example.com', ConfirmationCode: code })),
      'NotAuthorizedException',
    );

    const result = (await signIn('alice@example.com')).AuthenticationResult!;
    const access = decodeJwt(result.AccessToken!);
    assert.equal(access.sub, up.UserSub);
    assert.equal(access.username, up.UserSub, 'email sign-in keeps the sub as the username');
    assert.equal(access.token_use, 'access');
    assert.equal(typeof access.iat, 'number');
    const me = await anonymous.send(new GetUserCommand({ AccessToken: result.AccessToken }));
    assert.equal(me.UserAttributes?.find((a) => a.Name === 'email_verified')?.Value, 'true');

    // The ID token verifies with a standard library from iss + /.well-known/jwks.json.
    const id = decodeJwt(result.IdToken!);
    assert.equal(id.iss, `${cloud.url}/${poolId}`);
    const jwks = createRemoteJWKSet(new URL(`${String(id.iss)}/.well-known/jwks.json`));
    const verified = await jwtVerify(result.IdToken!, jwks, { issuer: String(id.iss), audience: clientId });
    assert.equal(verified.payload.email, 'alice@example.com');
    assert.equal(verified.payload['cognito:username'], up.UserSub);
    const discovery = (await (await fetch(`${String(id.iss)}/.well-known/openid-configuration`)).json()) as { issuer: string };
    assert.equal(discovery.issuer, id.iss);
    assert.ok(await verifyIdentityToken(cloud.kernel, `cognito-idp.us-east-1.amazonaws.com/${poolId}`, result.IdToken!));
  });

  it('concurrent sign-ups with the same email: exactly one account', async () => {
    const attempts = await Promise.allSettled(
      Array.from({ length: 6 }, () => anonymous.send(new SignUpCommand({ ClientId: clientId, Username: 'race@example.com', Password: PASSWORD }))),
    );
    assert.equal(attempts.filter((a) => a.status === 'fulfilled').length, 1);
    for (const a of attempts) if (a.status === 'rejected') assert.equal((a.reason as Error).name, 'UsernameExistsException');
    const listed = await client.send(new ListUsersCommand({ UserPoolId: poolId, Filter: 'email = "race@example.com"' }));
    assert.equal(listed.Users?.length, 1);
  });

  it('does not tell unknown users from wrong passwords, and locks out after repeated failures', async () => {
    await rejects(signIn('nobody@example.com'), 'NotAuthorizedException', /Incorrect username or password/);
    await rejects(signIn('alice@example.com', 'Wrong0000!'), 'NotAuthorizedException', /Incorrect username or password/);
    await anonymous.send(new SignUpCommand({ ClientId: clientId, Username: 'mallory@example.com', Password: PASSWORD }));
    for (let i = 0; i < 5; i++) await rejects(signIn('mallory@example.com', 'Wrong0000!'), 'NotAuthorizedException', /Incorrect/);
    await rejects(signIn('mallory@example.com'), 'NotAuthorizedException', /Password attempts exceeded/);
  });

  it('refreshes, revokes, and rejects forged or revoked tokens', async () => {
    const first = (await signIn('alice@example.com')).AuthenticationResult!;
    const refreshed = await anonymous.send(new GetTokensFromRefreshTokenCommand({ ClientId: clientId, RefreshToken: first.RefreshToken }));
    assert.equal(decodeJwt(refreshed.AuthenticationResult!.AccessToken!).origin_jti, decodeJwt(first.AccessToken!).origin_jti);
    const legacy = await anonymous.send(
      new InitiateAuthCommand({ AuthFlow: 'REFRESH_TOKEN_AUTH', ClientId: clientId, AuthParameters: { REFRESH_TOKEN: first.RefreshToken! } }),
    );
    assert.ok(legacy.AuthenticationResult?.IdToken);

    const provider = `cognito-idp.us-east-1.amazonaws.com/${poolId}`;
    const [header, payload, signature] = first.IdToken!.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const altered = Buffer.from(JSON.stringify({ ...claims, 'cognito:groups': ['admin'] })).toString('base64url');
    assert.equal(await verifyIdentityToken(cloud.kernel, provider, `${header}.${altered}.${signature}`), undefined, 'altered claims');
    const none = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    assert.equal(await verifyIdentityToken(cloud.kernel, provider, `${none}.${payload}.`), undefined, 'alg none');
    const { privateKey } = await generateKeyPair('RS256');
    const foreign = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: JSON.parse(Buffer.from(header, 'base64url').toString()).kid as string })
      .sign(privateKey);
    assert.equal(await verifyIdentityToken(cloud.kernel, provider, foreign), undefined, 'wrong key');
    const expired = await new SignJWT({ ...claims, exp: Math.floor(Date.now() / 1000) - 10 }).setProtectedHeader({ alg: 'RS256' }).sign(privateKey);
    assert.equal(await verifyIdentityToken(cloud.kernel, provider, expired), undefined, 'expired');
    assert.equal(await verifyIdentityToken(cloud.kernel, `cognito-idp.us-east-1.amazonaws.com/us-east-1_Other0000`, first.IdToken!), undefined, 'other pool');

    await anonymous.send(new RevokeTokenCommand({ ClientId: clientId, Token: first.RefreshToken }));
    await rejects(anonymous.send(new GetTokensFromRefreshTokenCommand({ ClientId: clientId, RefreshToken: first.RefreshToken })), 'NotAuthorizedException');
    await rejects(anonymous.send(new GetUserCommand({ AccessToken: refreshed.AuthenticationResult!.AccessToken })), 'NotAuthorizedException');
    assert.equal(await verifyIdentityToken(cloud.kernel, provider, first.IdToken!), undefined, 'revoked origin');

    const second = (await signIn('alice@example.com')).AuthenticationResult!;
    await anonymous.send(new GlobalSignOutCommand({ AccessToken: second.AccessToken }));
    await rejects(anonymous.send(new GetUserCommand({ AccessToken: second.AccessToken })), 'NotAuthorizedException');
  });

  it('admin operations need a signature; AdminCreateUser leads to NEW_PASSWORD_REQUIRED', async () => {
    await rejects(anonymous.send(new ListUsersCommand({ UserPoolId: poolId })), 'UnrecognizedClientException');
    await client.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'bob@example.com', TemporaryPassword: 'Temp0rary!' }));
    const mail = await mailbox('bob@example.com');
    assert.equal(mail[0]?.purpose, 'AdminCreateUser');
    const challenge = await signIn('bob@example.com', 'Temp0rary!');
    assert.equal(challenge.ChallengeName, 'NEW_PASSWORD_REQUIRED');
    assert.ok(challenge.Session);
    const done = await anonymous.send(
      new RespondToAuthChallengeCommand({
        ClientId: clientId,
        ChallengeName: 'NEW_PASSWORD_REQUIRED',
        Session: challenge.Session,
        ChallengeResponses: { USERNAME: challenge.ChallengeParameters!.USER_ID_FOR_SRP!, NEW_PASSWORD: 'N3wPassword!' },
      }),
    );
    assert.ok(done.AuthenticationResult?.AccessToken);
    const bob = await client.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'bob@example.com' }));
    assert.equal(bob.UserStatus, 'CONFIRMED');

    await client.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName: 'editors', Precedence: 1 }));
    await client.send(new AdminAddUserToGroupCommand({ UserPoolId: poolId, Username: 'bob@example.com', GroupName: 'editors' }));
    const tokens = (await signIn('bob@example.com', 'N3wPassword!')).AuthenticationResult!;
    assert.deepEqual(decodeJwt(tokens.IdToken!)['cognito:groups'], ['editors']);
    const verified = await verifyIdentityToken(cloud.kernel, `cognito-idp.us-east-1.amazonaws.com/${poolId}`, tokens.IdToken!);
    assert.deepEqual(verified?.groups, ['editors']);

    const listed = await client.send(new ListUsersCommand({ UserPoolId: poolId, Filter: 'email ^= "bob"' }));
    assert.deepEqual(
      listed.Users?.map((u) => u.Attributes?.find((a) => a.Name === 'email')?.Value),
      ['bob@example.com'],
    );
    const paged = await client.send(new ListUsersCommand({ UserPoolId: poolId, Limit: 1 }));
    assert.equal(paged.Users?.length, 1);
    assert.ok(paged.PaginationToken);
    // Walking every page answers each user exactly once, in a stable order, the last page without a token.
    const all = await client.send(new ListUsersCommand({ UserPoolId: poolId }));
    const walked: string[] = [];
    let token: string | undefined;
    do {
      const pageOf2 = await client.send(new ListUsersCommand({ UserPoolId: poolId, Limit: 2, ...(token ? { PaginationToken: token } : {}) }));
      walked.push(...(pageOf2.Users ?? []).map((u) => u.Username!));
      token = pageOf2.PaginationToken;
    } while (token);
    assert.deepEqual(
      walked,
      all.Users?.map((u) => u.Username),
    );
    assert.ok(walked.length >= 3);
    await client.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'pending@example.com', MessageAction: 'SUPPRESS' }));
    const forcing = await client.send(new ListUsersCommand({ UserPoolId: poolId, Filter: 'cognito:user_status = "FORCE_CHANGE_PASSWORD"' }));
    assert.deepEqual(
      forcing.Users?.map((u) => u.UserStatus),
      forcing.Users?.map(() => 'FORCE_CHANGE_PASSWORD'),
    );
    assert.deepEqual(
      forcing.Users?.map((u) => u.Attributes?.find((a) => a.Name === 'email')?.Value),
      ['pending@example.com'],
    );
    assert.equal((await client.send(new ListUsersCommand({ UserPoolId: poolId, Filter: 'status = "Disabled"' }))).Users?.length, 0);
    // As Cognito: a custom attribute, or any other, is not searchable.
    await rejects(
      client.send(new ListUsersCommand({ UserPoolId: poolId, Filter: 'custom:team = "x"' })),
      'InvalidParameterException',
      /custom:team is not a searchable attribute/,
    );
    await rejects(client.send(new ListUsersCommand({ UserPoolId: poolId, Filter: 'locale ^= "en"' })), 'InvalidParameterException', /not a searchable/);

    await client.send(new AdminDisableUserCommand({ UserPoolId: poolId, Username: 'bob@example.com' }));
    assert.equal(await verifyIdentityToken(cloud.kernel, `cognito-idp.us-east-1.amazonaws.com/${poolId}`, tokens.IdToken!), undefined, 'disabled user');
    await rejects(signIn('bob@example.com', 'N3wPassword!'), 'NotAuthorizedException', /disabled/);
  });

  it('sets up TOTP and answers the SOFTWARE_TOKEN_MFA challenge; devices fail cleanly', async () => {
    const tokens = (await signIn('alice@example.com')).AuthenticationResult!;
    const { SecretCode } = await anonymous.send(new AssociateSoftwareTokenCommand({ AccessToken: tokens.AccessToken }));
    await rejects(
      anonymous.send(new SetUserMFAPreferenceCommand({ AccessToken: tokens.AccessToken, SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true } })),
      'InvalidParameterException',
    );
    await anonymous.send(new VerifySoftwareTokenCommand({ AccessToken: tokens.AccessToken, UserCode: totpCode(SecretCode!, Date.now()) }));
    await anonymous.send(new SetUserMFAPreferenceCommand({ AccessToken: tokens.AccessToken, SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true } }));
    const challenge = await signIn('alice@example.com');
    assert.equal(challenge.ChallengeName, 'SOFTWARE_TOKEN_MFA');
    const wrong = totpCode(SecretCode!, Date.now() + 10 * 60_000);
    await rejects(
      anonymous.send(
        new RespondToAuthChallengeCommand({
          ClientId: clientId,
          ChallengeName: 'SOFTWARE_TOKEN_MFA',
          Session: challenge.Session,
          ChallengeResponses: { USERNAME: 'x', SOFTWARE_TOKEN_MFA_CODE: wrong },
        }),
      ),
      'CodeMismatchException',
    );
    const again = await signIn('alice@example.com');
    const good = totpCode(SecretCode!, Date.now());
    const done = await anonymous.send(
      new RespondToAuthChallengeCommand({
        ClientId: clientId,
        ChallengeName: 'SOFTWARE_TOKEN_MFA',
        Session: again.Session,
        ChallengeResponses: { USERNAME: 'x', SOFTWARE_TOKEN_MFA_CODE: good },
      }),
    );
    assert.ok(done.AuthenticationResult?.IdToken);
    const replay = await signIn('alice@example.com');
    await rejects(
      anonymous.send(
        new RespondToAuthChallengeCommand({
          ClientId: clientId,
          ChallengeName: 'SOFTWARE_TOKEN_MFA',
          Session: replay.Session,
          ChallengeResponses: { USERNAME: 'x', SOFTWARE_TOKEN_MFA_CODE: good },
        }),
      ),
      'ExpiredCodeException',
      /already been used/,
    );
    await rejects(
      anonymous.send(new ListDevicesCommand({ AccessToken: done.AuthenticationResult.AccessToken })),
      'InvalidParameterException',
      /not supported by Forte/,
    );
  });

  it('refuses unsigned admin calls and taken sign-in aliases', async () => {
    const response = await fetch(`${cloud.url}/cognito-idp/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSCognitoIdentityProviderService.ListUsers' },
      body: JSON.stringify({ UserPoolId: poolId }),
    });
    assert.equal(response.status, 403);
    assert.equal(((await response.json()) as { __type: string }).__type, 'MissingAuthenticationTokenException');
    const unknown = await fetch(`${cloud.url}/cognito-idp/`, {
      method: 'POST',
      headers: { 'x-amz-target': 'AWSCognitoIdentityProviderService.Nope' },
      body: '{}',
    });
    assert.equal(((await unknown.json()) as { __type: string }).__type, 'UnknownOperationException');
    await client.send(
      new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'frank@example.com', MessageAction: 'SUPPRESS', TemporaryPassword: 'Temp0rary!' }),
    );
    await rejects(
      client.send(
        new AdminUpdateUserAttributesCommand({
          UserPoolId: poolId,
          Username: 'frank@example.com',
          UserAttributes: [{ Name: 'email', Value: 'alice@example.com' }],
        }),
      ),
      'AliasExistsException',
    );
    assert.deepEqual(await mailbox('frank@example.com'), [], 'MessageAction SUPPRESS sends nothing');
  });

  it('MFA_SETUP when the pool requires MFA, and SMS_MFA codes through the mailbox', async () => {
    const ctx: ResourceContext = {
      appId: 'app2',
      appSlug: 'app2',
      envName: 'dev',
      stackName: 's',
      logicalId: 'UserPool',
      region: 'us-east-1',
      accountId: cloud.kernel.config.accountId,
      log: cloud.kernel.log,
    };
    const pools = cloud.kernel.resourceHandler(AUTH_RESOURCE_TYPES.userPool)!;
    const props = { PoolName: 'Strict', PasswordPolicy: { MinimumLength: 8, RequireSymbols: false } };
    const strict = (await pools.create(props, ctx)).physicalId;
    const strictClient = (
      await cloud.kernel
        .resourceHandler(AUTH_RESOURCE_TYPES.userPoolClient)!
        .create(
          { UserPoolId: strict, ClientName: 'c', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] },
          { ...ctx, logicalId: 'Client' },
        )
    ).physicalId;
    for (const name of ['gina', 'hank']) {
      await anonymous.send(new SignUpCommand({ ClientId: strictClient, Username: name, Password: 'Passw0rdX' }));
      await client.send(new AdminConfirmSignUpCommand({ UserPoolId: strict, Username: name }));
    }
    // Turning MFA on and adding a required attribute on a live pool keeps its users and names who lacks it.
    await pools.update(
      strict,
      { ...props, MfaConfiguration: 'ON', EnabledMfas: ['SOFTWARE_TOKEN_MFA', 'SMS_MFA'], RequiredAttributes: ['phone_number'] },
      props,
      ctx,
    );
    assert.ok(logs.some((line) => line.includes('users lack newly required attributes') && line.includes('gina')));
    const start = (name: string) =>
      anonymous.send(
        new InitiateAuthCommand({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: strictClient, AuthParameters: { USERNAME: name, PASSWORD: 'Passw0rdX' } }),
      );

    const setup = await start('gina');
    assert.equal(setup.ChallengeName, 'MFA_SETUP');
    assert.deepEqual(JSON.parse(setup.ChallengeParameters!.MFAS_CAN_SETUP!), ['SOFTWARE_TOKEN_MFA']);
    const associated = await anonymous.send(new AssociateSoftwareTokenCommand({ Session: setup.Session }));
    assert.ok(associated.Session && associated.SecretCode);
    const verified = await anonymous.send(
      new VerifySoftwareTokenCommand({ Session: associated.Session, UserCode: totpCode(associated.SecretCode, Date.now()) }),
    );
    assert.equal(verified.Status, 'SUCCESS');
    const done = await anonymous.send(
      new RespondToAuthChallengeCommand({
        ClientId: strictClient,
        ChallengeName: 'MFA_SETUP',
        Session: verified.Session,
        ChallengeResponses: { USERNAME: 'gina' },
      }),
    );
    assert.ok(done.AuthenticationResult?.AccessToken);
    assert.equal((await start('gina')).ChallengeName, 'SOFTWARE_TOKEN_MFA', 'the next sign-in asks for the code');

    await client.send(
      new AdminUpdateUserAttributesCommand({ UserPoolId: strict, Username: 'hank', UserAttributes: [{ Name: 'phone_number', Value: '+15550001111' }] }),
    );
    const hankSetup = await start('hank');
    const a2 = await anonymous.send(new AssociateSoftwareTokenCommand({ Session: hankSetup.Session }));
    const v2 = await anonymous.send(new VerifySoftwareTokenCommand({ Session: a2.Session, UserCode: totpCode(a2.SecretCode!, Date.now()) }));
    const hankTokens = (
      await anonymous.send(
        new RespondToAuthChallengeCommand({
          ClientId: strictClient,
          ChallengeName: 'MFA_SETUP',
          Session: v2.Session,
          ChallengeResponses: { USERNAME: 'hank' },
        }),
      )
    ).AuthenticationResult!;
    await anonymous.send(new SetUserMFAPreferenceCommand({ AccessToken: hankTokens.AccessToken, SMSMfaSettings: { Enabled: true, PreferredMfa: true } }));
    const sms = await start('hank');
    assert.equal(sms.ChallengeName, 'SMS_MFA');
    const [message] = await mailbox('+15550001111');
    assert.equal(message?.medium, 'SMS');
    const smsDone = await anonymous.send(
      new RespondToAuthChallengeCommand({
        ClientId: strictClient,
        ChallengeName: 'SMS_MFA',
        Session: sms.Session,
        ChallengeResponses: { USERNAME: 'hank', SMS_MFA_CODE: message!.code! },
      }),
    );
    assert.ok(smsDone.AuthenticationResult?.IdToken);
    await rejects(
      anonymous.send(new UpdateUserAttributesCommand({ AccessToken: smsDone.AuthenticationResult.AccessToken, UserAttributes: [{ Name: 'sub', Value: 'x' }] })),
      'InvalidParameterException',
    );

    await pools.delete(strict, props, ctx);
    await rejects(start('gina'), 'ResourceNotFoundException');
    await rejects(client.send(new AdminGetUserCommand({ UserPoolId: strict, Username: 'gina' })), 'ResourceNotFoundException');
  });

  it('clients with a secret need SECRET_HASH', async () => {
    const ctx: ResourceContext = {
      appId: 'app1',
      appSlug: 'app1',
      envName: 'dev',
      stackName: 's',
      logicalId: 'SecretClient',
      region: 'us-east-1',
      accountId: cloud.kernel.config.accountId,
      log: cloud.kernel.log,
    };
    const created = await cloud.kernel.resourceHandler(AUTH_RESOURCE_TYPES.userPoolClient)!.create(
      {
        UserPoolId: poolId,
        ClientName: 'server',
        GenerateSecret: true,
        ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      },
      ctx,
    );
    const secret = String(created.attributes.ClientSecret);
    const id = created.physicalId;
    const auth = (hash?: string) =>
      anonymous.send(
        new InitiateAuthCommand({
          AuthFlow: 'USER_PASSWORD_AUTH',
          ClientId: id,
          AuthParameters: { USERNAME: 'alice@example.com', PASSWORD: PASSWORD, ...(hash ? { SECRET_HASH: hash } : {}) },
        }),
      );
    await rejects(auth(), 'NotAuthorizedException', /SECRET_HASH was not received/);
    await rejects(auth(createHmac('sha256', 'wrong').update(`alice@example.com${id}`).digest('base64')), 'NotAuthorizedException', /secret hash/);
    const ok = await auth(createHmac('sha256', secret).update(`alice@example.com${id}`).digest('base64'));
    assert.equal(ok.ChallengeName, 'SOFTWARE_TOKEN_MFA', 'the password and secret were accepted (alice has TOTP on)');
  });

  it('a code survives only a few wrong guesses, then even the right one is refused for a while', async () => {
    await anonymous.send(new SignUpCommand({ ClientId: clientId, Username: 'ivan@example.com', Password: PASSWORD }));
    const code = (await mailbox('ivan@example.com'))[0]!.code!;
    const wrong = (n: number): string => String((Number(code) + n) % 1_000_000).padStart(6, '0');
    const confirm = (c: string) => anonymous.send(new ConfirmSignUpCommand({ ClientId: clientId, Username: 'ivan@example.com', ConfirmationCode: c }));
    for (let i = 1; i <= 4; i++) await rejects(confirm(wrong(i)), 'CodeMismatchException');
    await rejects(confirm(wrong(5)), 'LimitExceededException', /Attempt limit exceeded, please try after some time/);
    await rejects(confirm(code), 'LimitExceededException');
  });

  it('wrong MFA codes count as failed sign-ins', async () => {
    await anonymous.send(new SignUpCommand({ ClientId: clientId, Username: 'judy@example.com', Password: PASSWORD }));
    await client.send(new AdminConfirmSignUpCommand({ UserPoolId: poolId, Username: 'judy@example.com' }));
    const tokens = (await signIn('judy@example.com')).AuthenticationResult!;
    const { SecretCode } = await anonymous.send(new AssociateSoftwareTokenCommand({ AccessToken: tokens.AccessToken }));
    await anonymous.send(new VerifySoftwareTokenCommand({ AccessToken: tokens.AccessToken, UserCode: totpCode(SecretCode!, Date.now()) }));
    await anonymous.send(new SetUserMFAPreferenceCommand({ AccessToken: tokens.AccessToken, SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true } }));
    const wrong = totpCode(SecretCode!, Date.now() + 10 * 60_000);
    for (let i = 0; i < 5; i++) {
      const challenge = await signIn('judy@example.com');
      await rejects(
        anonymous.send(
          new RespondToAuthChallengeCommand({
            ClientId: clientId,
            ChallengeName: 'SOFTWARE_TOKEN_MFA',
            Session: challenge.Session,
            ChallengeResponses: { USERNAME: 'j', SOFTWARE_TOKEN_MFA_CODE: wrong },
          }),
        ),
        'CodeMismatchException',
      );
    }
    await rejects(signIn('judy@example.com'), 'NotAuthorizedException', /Password attempts exceeded/);
  });
});
