import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  AdminSetUserPasswordCommand,
  AdminUserGlobalSignOutCommand,
  CognitoIdentityProviderClient,
  DeleteUserCommand,
  GetUserCommand,
  GlobalSignOutCommand,
  InitiateAuthCommand,
  RevokeTokenCommand,
  UpdateUserAttributesCommand,
  type AuthenticationResultType,
} from '@aws-sdk/client-cognito-identity-provider';
import { AUTH_RESOURCE_TYPES } from '@forte/protocol';
import { SignJWT, decodeJwt, decodeProtectedHeader, generateKeyPair, importJWK, type JWK, type JWTPayload } from 'jose';
import type { ResourceContext } from '../../kernel/types.js';
import { createCloud, type Cloud } from '../../server.js';

const PASSWORD = 'Passw0rd!';

async function rejects(promise: Promise<unknown>, name: string, message?: RegExp, why?: string): Promise<void> {
  await assert.rejects(promise, (error: Error) => {
    assert.equal(error.name, name, `${why ?? ''} ${error.message}`);
    if (message) assert.match(error.message, message, why);
    return true;
  });
}

/**
 * GetUser and the other calls that take an access token: the token's own checks are remembered until it
 * expires, so these tests use each token once before it is forged, revoked or its user changed, and
 * check that the change still counts on the very next call.
 */
describe('access token checks', () => {
  let dir = '';
  let cloud: Cloud;
  let admin: CognitoIdentityProviderClient;
  let anonymous: CognitoIdentityProviderClient;
  let poolId = '';
  let otherPoolId = '';
  let clientId = '';
  let otherClientId = '';

  const context = (logicalId: string): ResourceContext => ({
    appId: 'tokens',
    appSlug: 'tokens',
    envName: 'dev',
    stackName: 's',
    logicalId,
    region: 'us-east-1',
    accountId: cloud.kernel.config.accountId,
    log: cloud.kernel.log,
  });
  const makePool = async (logicalId: string): Promise<string> =>
    (await cloud.kernel.resourceHandler(AUTH_RESOURCE_TYPES.userPool)!.create({ PoolName: logicalId }, context(logicalId))).physicalId;
  const makeClient = async (pool: string, logicalId: string): Promise<string> =>
    (
      await cloud.kernel
        .resourceHandler(AUTH_RESOURCE_TYPES.userPoolClient)!
        .create(
          { UserPoolId: pool, ClientName: logicalId, ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] },
          context(logicalId),
        )
    ).physicalId;

  /** A confirmed user of `pool`, signed in through `client`: its tokens. */
  const signedIn = async (username: string, pool = poolId, client = clientId): Promise<AuthenticationResultType> => {
    await admin.send(new AdminCreateUserCommand({ UserPoolId: pool, Username: username, MessageAction: 'SUPPRESS' }));
    await admin.send(new AdminSetUserPasswordCommand({ UserPoolId: pool, Username: username, Password: PASSWORD, Permanent: true }));
    return signIn(username, client);
  };
  const signIn = async (username: string, client = clientId): Promise<AuthenticationResultType> =>
    (await anonymous.send(new InitiateAuthCommand({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: client, AuthParameters: { USERNAME: username, PASSWORD } })))
      .AuthenticationResult!;
  const getUser = (token: string | undefined) => anonymous.send(new GetUserCommand({ AccessToken: token }));

  /** A token signed with the cloud's own active signing key: only its claims can make it fail. */
  const mint = async (claims: JWTPayload): Promise<string> => {
    const row = await cloud.kernel.sql.get<{ kid: string; private_jwk: string }>('SELECT kid, private_jwk FROM cognito_signing_keys WHERE active = 1');
    const key = await importJWK(JSON.parse(cloud.kernel.secrets.open(row!.private_jwk, `cognito_signing_keys.private_jwk:${row!.kid}`)) as JWK, 'RS256');
    return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: row!.kid }).sign(key);
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'forte-access-token-'));
    cloud = await createCloud({ dataDir: dir, port: 0, logLevel: 'warn', logStream: { write: () => undefined } });
    poolId = await makePool('Pool');
    otherPoolId = await makePool('OtherPool');
    clientId = await makeClient(poolId, 'Web');
    otherClientId = await makeClient(poolId, 'Mobile');
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

  it('a token works on every call; forged, altered, expired and misdirected tokens never do', async () => {
    const ann = await signedIn('ann');
    await signedIn('bob');
    for (let i = 0; i < 3; i++) assert.equal((await getUser(ann.AccessToken)).Username, 'ann');
    const claims = decodeJwt(ann.AccessToken!);
    // The minting key is the cloud's: a token with ann's claims verifies, so each refusal below is its claims' doing.
    assert.equal((await getUser(await mint({ ...claims, jti: 'another' }))).Username, 'ann');

    const [header, payload, signature] = ann.AccessToken!.split('.') as [string, string, string];
    const swapped = Buffer.from(JSON.stringify({ ...claims, username: 'bob' })).toString('base64url');
    await rejects(getUser(`${header}.${swapped}.${signature}`), 'NotAuthorizedException', /Invalid Access Token/);
    const none = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    await rejects(getUser(`${none}.${payload}.`), 'NotAuthorizedException', /Invalid Access Token/);
    const { kid } = decodeProtectedHeader(ann.AccessToken!);
    const { privateKey } = await generateKeyPair('RS256');
    await rejects(
      getUser(await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: kid! }).sign(privateKey)),
      'NotAuthorizedException',
      /Invalid Access Token/,
    );
    await rejects(
      getUser(await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'unknown' }).sign(privateKey)),
      'NotAuthorizedException',
      /Invalid Access Token/,
    );
    const hs = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: kid! }).sign(new TextEncoder().encode('secret-secret-secret-secret-32by'));
    await rejects(getUser(hs), 'NotAuthorizedException', /Invalid Access Token/);

    const now = Math.floor(Date.now() / 1000);
    await rejects(getUser(await mint({ ...claims, iat: now - 100, exp: now - 10 })), 'NotAuthorizedException', /Invalid Access Token/);
    const { exp: _exp, ...withoutExp } = claims;
    await rejects(getUser(await mint(withoutExp)), 'NotAuthorizedException', /Invalid Access Token/);
    await rejects(getUser(await mint({ ...claims, iat: now + 3600 })), 'NotAuthorizedException', /Invalid Access Token/);
    await rejects(getUser(await mint({ ...claims, token_use: 'id' })), 'NotAuthorizedException', /Invalid Access Token/);
    await rejects(getUser(ann.IdToken), 'NotAuthorizedException', /Invalid Access Token/);
    await rejects(getUser(await mint({ ...claims, iss: 'http://elsewhere.example/' + poolId })), 'NotAuthorizedException', /Invalid Access Token/);

    // Signed by the cloud, but naming another pool or client than the sign-in it came from.
    await signedIn('ann', otherPoolId, await makeClient(otherPoolId, 'OtherWeb'));
    await rejects(getUser(await mint({ ...claims, iss: `${cloud.url}/${otherPoolId}` })), 'NotAuthorizedException', /revoked/);
    await rejects(getUser(await mint({ ...claims, client_id: otherClientId })), 'NotAuthorizedException', /revoked/);
    await rejects(getUser(await mint({ ...claims, username: 'bob' })), 'NotAuthorizedException', /revoked/);
    await rejects(getUser('not a token'), 'NotAuthorizedException', /Invalid Access Token/);
    assert.equal((await getUser(ann.AccessToken)).Username, 'ann', 'the real token still works');
  });

  it('sign-outs, revoked refresh tokens, disabled and deleted users take effect on the next call', async () => {
    const revocations: Record<string, (tokens: AuthenticationResultType, username: string) => Promise<unknown>> = {
      GlobalSignOut: (tokens) => anonymous.send(new GlobalSignOutCommand({ AccessToken: tokens.AccessToken })),
      AdminUserGlobalSignOut: (_tokens, username) => admin.send(new AdminUserGlobalSignOutCommand({ UserPoolId: poolId, Username: username })),
      RevokeToken: (tokens) => anonymous.send(new RevokeTokenCommand({ ClientId: clientId, Token: tokens.RefreshToken })),
      AdminDisableUser: (_tokens, username) => admin.send(new AdminDisableUserCommand({ UserPoolId: poolId, Username: username })),
      AdminDeleteUser: (_tokens, username) => admin.send(new AdminDeleteUserCommand({ UserPoolId: poolId, Username: username })),
      DeleteUser: (tokens) => anonymous.send(new DeleteUserCommand({ AccessToken: tokens.AccessToken })),
    };
    const ended: Record<string, AuthenticationResultType> = {};
    for (const [name, revoke] of Object.entries(revocations)) {
      const username = `user-${name.toLowerCase()}`;
      const tokens = await signedIn(username);
      ended[name] = tokens;
      const other = await signIn(username);
      assert.equal((await getUser(tokens.AccessToken)).Username, username, name);
      assert.equal((await getUser(other.AccessToken)).Username, username, name);
      await revoke(tokens, username);
      await rejects(getUser(tokens.AccessToken), 'NotAuthorizedException', /revoked|disabled/);
      await rejects(
        anonymous.send(new UpdateUserAttributesCommand({ AccessToken: tokens.AccessToken, UserAttributes: [{ Name: 'name', Value: 'x' }] })),
        'NotAuthorizedException',
      );
      // RevokeToken ends one sign-in; the others end every sign-in of the user.
      if (name === 'RevokeToken') assert.equal((await getUser(other.AccessToken)).Username, username, name);
      else await rejects(getUser(other.AccessToken), 'NotAuthorizedException', /revoked|disabled/);
    }
    await admin.send(new AdminEnableUserCommand({ UserPoolId: poolId, Username: 'user-admindisableuser' }));
    await rejects(getUser(ended.AdminDisableUser!.AccessToken), 'NotAuthorizedException', /revoked/, 'enabling a user does not bring back its sign-ins');
    assert.equal((await getUser((await signIn('user-admindisableuser')).AccessToken)).Username, 'user-admindisableuser', 'enabled again: a new sign-in works');
  });

  it('removing the app client or the pool ends its tokens at once', async () => {
    const pool = await makePool('Doomed');
    const web = await makeClient(pool, 'DoomedWeb');
    const mobile = await makeClient(pool, 'DoomedMobile');
    const viaWeb = await signedIn('carol', pool, web);
    const viaMobile = await signIn('carol', mobile);
    assert.equal((await getUser(viaWeb.AccessToken)).Username, 'carol');
    assert.equal((await getUser(viaMobile.AccessToken)).Username, 'carol');
    await cloud.kernel.resourceHandler(AUTH_RESOURCE_TYPES.userPoolClient)!.delete(web, {}, context('DoomedWeb'));
    await rejects(getUser(viaWeb.AccessToken), 'NotAuthorizedException', /revoked/);
    assert.equal((await getUser(viaMobile.AccessToken)).Username, 'carol', 'the other client keeps its sign-ins');
    await cloud.kernel.resourceHandler(AUTH_RESOURCE_TYPES.userPool)!.delete(pool, {}, context('Doomed'));
    await rejects(getUser(viaMobile.AccessToken), 'NotAuthorizedException', /Invalid Access Token/);
  });
});
