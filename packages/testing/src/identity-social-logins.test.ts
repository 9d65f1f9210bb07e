import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import {
  CognitoIdentityClient,
  DescribeIdentityCommand,
  DescribeIdentityPoolCommand,
  GetCredentialsForIdentityCommand,
  GetIdCommand,
} from '@aws-sdk/client-cognito-identity';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { AUTH_RESOURCE_TYPES } from '@forte/protocol';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { callFailure, handlerOf, identityPoolTrust, resourceContext, startTestCloud, type TestCloud } from './index.js';

const GOOGLE_CLIENT = 'google-web.apps.googleusercontent.com';
const FACEBOOK_APP = '1234567890';
const AMAZON_APP = 'amzn1.application.abc';
const BUCKET = 'social-files';

/**
 * Google's token keys and Facebook's and Amazon's token checks, answering as those providers do: Google's ID
 * tokens are signed here; Facebook and Amazon know the access tokens in `facebookTokens` / `amazonTokens`.
 */
async function startProviders(): Promise<{
  url: string;
  server: Server;
  googleToken(claims: Record<string, unknown>, options?: { foreignKey?: boolean; expiresIn?: number }): Promise<string>;
  facebookTokens: Map<string, { appId: string; userId: string }>;
  amazonTokens: Map<string, { appId: string; userId: string }>;
}> {
  const google = await generateKeyPair('RS256');
  const foreign = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(google.publicKey)), kid: 'g1', alg: 'RS256', use: 'sig' };
  const facebookTokens = new Map<string, { appId: string; userId: string }>();
  const amazonTokens = new Map<string, { appId: string; userId: string }>();
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const token = url.searchParams.get('access_token') ?? '';
    const json = (status: number, body: unknown): void => void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (url.pathname === '/google/certs') return json(200, { keys: [jwk] });
    if (url.pathname === '/facebook/app' || url.pathname === '/facebook/me') {
      const known = facebookTokens.get(token);
      if (!known) return json(400, { error: { message: 'Invalid OAuth access token.', type: 'OAuthException', code: 190 } });
      return json(200, url.pathname === '/facebook/app' ? { id: known.appId, name: 'app' } : { id: known.userId });
    }
    if (url.pathname === '/amazon/tokeninfo') {
      const known = amazonTokens.get(token);
      if (!known) return json(400, { error: 'invalid_token', error_description: 'The request has an invalid parameter : access_token' });
      return json(200, { iss: 'https://www.amazon.com', user_id: known.userId, aud: 'amzn1.application-oa2-client.x', app_id: known.appId, exp: 3500, iat: 1 });
    }
    return void res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const googleToken = (claims: Record<string, unknown>, options: { foreignKey?: boolean; expiresIn?: number } = {}) =>
    new SignJWT({ email: 'gail@example.com', ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: 'g1' })
      .setIssuer('https://accounts.google.com')
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + (options.expiresIn ?? 3600))
      .sign((options.foreignKey ? foreign.privateKey : google.privateKey) as CryptoKey);
  return { url, server, googleToken, facebookTokens, amazonTokens };
}

void describe('identity pools federated with Google, Facebook and Login with Amazon (SupportedLoginProviders)', () => {
  let cloud: TestCloud;
  let providers: Awaited<ReturnType<typeof startProviders>>;
  let identity: CognitoIdentityClient;
  let poolId = '';

  before(async () => {
    providers = await startProviders();
    cloud = await startTestCloud({
      identityProviderEndpoints: {
        Google: { jwks_uri: `${providers.url}/google/certs` },
        Facebook: { graph_url: `${providers.url}/facebook` },
        LoginWithAmazon: { tokeninfo_url: `${providers.url}/amazon/tokeninfo` },
      },
    });
    const ctx = (logicalId: string) => resourceContext(cloud, logicalId, 'amplify-app1-dev-auth');
    const role = async (name: string, statements: unknown[]): Promise<string> =>
      String(
        (
          await handlerOf(cloud, 'Forte::IAM::Role').create(
            {
              RoleName: name,
              AssumeRolePolicyDocument: identityPoolTrust(),
              Policies: [{ PolicyName: 'p', PolicyDocument: { Version: '2012-10-17', Statement: statements } }],
            },
            ctx(name),
          )
        ).attributes.Arn,
      );
    // Each signed-in identity reads and writes its own prefix only (Amplify's private storage policy).
    const authRole = await role('authRole', [
      {
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:PutObject'],
        Resource: `arn:aws:s3:::${BUCKET}/private/\${cognito-identity.amazonaws.com:sub}/*`,
      },
    ]);
    const pool = await handlerOf(cloud, AUTH_RESOURCE_TYPES.identityPool).create(
      {
        IdentityPoolName: 'social',
        AllowUnauthenticatedIdentities: false,
        SupportedLoginProviders: { 'accounts.google.com': GOOGLE_CLIENT, 'graph.facebook.com': FACEBOOK_APP, 'www.amazon.com': AMAZON_APP },
        Roles: { authenticated: authRole },
      },
      ctx('IdentityPool'),
    );
    poolId = String(pool.attributes.IdentityPoolId);
    // GetId and GetCredentialsForIdentity need no keys (an app has none yet); DescribeIdentity does.
    identity = new CognitoIdentityClient({ endpoint: `${cloud.url}/cognito-identity/`, region: 'us-east-1', credentials: cloud.credentials, maxAttempts: 1 });
    await new S3Client({ endpoint: `${cloud.url}/s3`, forcePathStyle: true, region: 'us-east-1', credentials: cloud.credentials }).send(
      new CreateBucketCommand({ Bucket: BUCKET }),
    );
  });
  after(async () => {
    identity?.destroy();
    await cloud?.close();
    await new Promise((resolve) => providers?.server.close(resolve));
  });

  it('signs in with a Google ID token (GetId, GetCredentialsForIdentity): one identity per Google user, credentials for its own files', async () => {
    const logins = { 'accounts.google.com': await providers.googleToken({ sub: 'g-111', aud: GOOGLE_CLIENT }) };
    const identityId = (await identity.send(new GetIdCommand({ IdentityPoolId: poolId, Logins: logins }))).IdentityId ?? '';
    assert.match(identityId, /^us-east-1:/);
    const { Credentials: c } = await identity.send(new GetCredentialsForIdentityCommand({ IdentityId: identityId, Logins: logins }));
    const issued = { accessKeyId: c?.AccessKeyId ?? '', secretAccessKey: c?.SecretKey ?? '', sessionToken: c?.SessionToken ?? '' };
    assert.ok(issued.accessKeyId && issued.sessionToken);
    const s3 = new S3Client({ endpoint: `${cloud.url}/s3`, forcePathStyle: true, region: 'us-east-1', credentials: issued, maxAttempts: 1 });
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `private/${identityId}/notes.txt`, Body: 'mine' }));
    assert.equal(await (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: `private/${identityId}/notes.txt` }))).Body?.transformToString(), 'mine');
    const other = await callFailure(s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'private/us-east-1:someone-else/x.txt', Body: 'x' })));
    assert.equal(other.name, 'AccessDenied');

    // The same Google user again (a new token): the same identity. Another Google user: another.
    const again = await identity.send(
      new GetIdCommand({ IdentityPoolId: poolId, Logins: { 'accounts.google.com': await providers.googleToken({ sub: 'g-111', aud: GOOGLE_CLIENT }) } }),
    );
    assert.equal(again.IdentityId, identityId);
    const second = await identity.send(
      new GetIdCommand({ IdentityPoolId: poolId, Logins: { 'accounts.google.com': await providers.googleToken({ sub: 'g-222', aud: GOOGLE_CLIENT }) } }),
    );
    assert.notEqual(second.IdentityId, identityId);
    assert.deepEqual((await identity.send(new DescribeIdentityCommand({ IdentityId: identityId }))).Logins, ['accounts.google.com']);
  });

  it('refuses Google ID tokens of another app, signed by another key, expired, and without a login the pool knows', async () => {
    const refused = async (logins: Record<string, string>, pattern: RegExp): Promise<void> => {
      const failure = await callFailure(identity.send(new GetIdCommand({ IdentityPoolId: poolId, Logins: logins })));
      assert.equal(failure.name, 'NotAuthorizedException');
      assert.match(failure.message, pattern);
    };
    await refused(
      { 'accounts.google.com': await providers.googleToken({ sub: 'g-1', aud: 'another-app' }) },
      /^Invalid login token\. The accounts\.google\.com ID token was refused \(ERR_JWT_CLAIM_VALIDATION_FAILED\)\.$/,
    );
    await refused(
      { 'accounts.google.com': await providers.googleToken({ sub: 'g-1', aud: GOOGLE_CLIENT }, { foreignKey: true }) },
      /refused \(ERR_JWKS_NO_MATCHING_KEY|refused \(ERR_JWS_SIGNATURE_VERIFICATION_FAILED/,
    );
    await refused(
      { 'accounts.google.com': await providers.googleToken({ sub: 'g-1', aud: GOOGLE_CLIENT }, { expiresIn: -3600 }) },
      /refused \(ERR_JWT_EXPIRED\)/,
    );
    await refused({ 'appleid.apple.com': 'whatever' }, /appleid\.apple\.com is not configured .*SupportedLoginProviders/);
    await refused({ 'accounts.google.com': 'not-a-jwt' }, /refused \(ERR_JWS_INVALID|refused \(ERR_JWT_INVALID/);
  });

  it("checks Facebook's and Amazon's access tokens with the provider: the pool's app only, one identity per provider user", async () => {
    providers.facebookTokens.set('fb-token-1', { appId: FACEBOOK_APP, userId: 'fb-9' });
    providers.facebookTokens.set('fb-token-other-app', { appId: '999', userId: 'fb-9' });
    providers.amazonTokens.set('amz-token-1', { appId: AMAZON_APP, userId: 'amzn1.account.77' });
    const fb = await identity.send(new GetIdCommand({ IdentityPoolId: poolId, Logins: { 'graph.facebook.com': 'fb-token-1' } }));
    const creds = await identity.send(new GetCredentialsForIdentityCommand({ IdentityId: fb.IdentityId, Logins: { 'graph.facebook.com': 'fb-token-1' } }));
    assert.ok(creds.Credentials?.AccessKeyId);
    const amazon = await identity.send(new GetIdCommand({ IdentityPoolId: poolId, Logins: { 'www.amazon.com': 'amz-token-1' } }));
    assert.notEqual(amazon.IdentityId, fb.IdentityId);
    for (const [logins, pattern] of [
      [{ 'graph.facebook.com': 'fb-token-other-app' }, /issued to another app/],
      [{ 'graph.facebook.com': 'unknown' }, /Facebook refused the token/],
      [{ 'www.amazon.com': 'unknown' }, /Login with Amazon refused the token/],
    ] as const) {
      const failure = await callFailure(identity.send(new GetIdCommand({ IdentityPoolId: poolId, Logins: logins })));
      assert.equal(failure.name, 'NotAuthorizedException');
      assert.match(failure.message, pattern);
    }
    // An identity of a Facebook user gets no credentials without its login.
    const bare = await callFailure(identity.send(new GetCredentialsForIdentityCommand({ IdentityId: fb.IdentityId })));
    assert.equal(bare.name, 'NotAuthorizedException');
  });

  it('DescribeIdentityPool answers the SupportedLoginProviders; an unknown provider key is refused at deploy', async () => {
    const admin = new CognitoIdentityClient({
      endpoint: `${cloud.url}/cognito-identity/`,
      region: 'us-east-1',
      credentials: cloud.credentials,
      maxAttempts: 1,
    });
    const described = await admin.send(new DescribeIdentityPoolCommand({ IdentityPoolId: poolId }));
    assert.deepEqual(described.SupportedLoginProviders, {
      'accounts.google.com': GOOGLE_CLIENT,
      'graph.facebook.com': FACEBOOK_APP,
      'www.amazon.com': AMAZON_APP,
    });
    admin.destroy();
    await assert.rejects(
      handlerOf(cloud, AUTH_RESOURCE_TYPES.identityPool).create(
        {
          IdentityPoolName: 'bad',
          AllowUnauthenticatedIdentities: false,
          SupportedLoginProviders: { 'login.example.com': 'x' },
          Roles: { authenticated: 'arn:aws:iam::123456789012:role/x' },
        },
        resourceContext(cloud, 'Bad', 'amplify-app1-dev-auth'),
      ),
      /SupportedLoginProviders/,
    );
  });
});
