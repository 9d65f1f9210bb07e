import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CognitoIdentityClient,
  DescribeIdentityCommand,
  DescribeIdentityPoolCommand,
  GetCredentialsForIdentityCommand,
  GetIdCommand,
  GetIdentityPoolRolesCommand,
  ListIdentitiesCommand,
  type Credentials,
} from '@aws-sdk/client-cognito-identity';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { IDENTITY_TOKEN_VERIFIERS, provide, type ResourceContext } from '@forte/cloud';
import { AUTH_RESOURCE_TYPES } from '@forte/protocol';
import { callFailure, identityPoolTrust, startTestCloud, type TestCloud } from './index.js';

const userPool = 'us-east-1_TestPool1';
const provider = `cognito-idp.us-east-1.amazonaws.com/${userPool}`;
const clientId = 'testclient0000000000000001';
const bucket = 'identity-test';

let cloud: TestCloud;
let admin: S3Client;
let identity: CognitoIdentityClient;
let guestPool: string;
let closedPool: string;
const roles: Record<'auth' | 'unauth' | 'admins', string> = { auth: '', unauth: '', admins: '' };
/** ID tokens the test verifier accepts (stands in for the user pool service), by token value. */
const tokens = new Map<string, Record<string, unknown>>();

const ctx = (logicalId: string): ResourceContext => ({
  appId: 'app1',
  appSlug: 'app1',
  envName: 'dev',
  stackName: 'amplify-app1-dev-auth',
  logicalId,
  region: 'us-east-1',
  accountId: cloud.kernel.config.accountId,
  log: cloud.kernel.log,
});

function idToken(sub: string, extra: Record<string, unknown> = {}): string {
  const token = `token-${sub}-${tokens.size}`;
  tokens.set(token, { sub, aud: clientId, token_use: 'id', iss: `${cloud.url}/${userPool}`, 'cognito:username': sub, ...extra });
  return token;
}

async function createRole(name: string, statements: unknown[]): Promise<string> {
  const result = await cloud.kernel.resourceHandler('Forte::IAM::Role')!.create(
    {
      RoleName: name,
      AssumeRolePolicyDocument: identityPoolTrust(),
      Policies: [{ PolicyName: 'p', PolicyDocument: { Version: '2012-10-17', Statement: statements } }],
    },
    ctx(name),
  );
  return String(result.attributes.Arn);
}

async function createPool(logicalId: string, allowGuests: boolean): Promise<string> {
  const result = await cloud.kernel.resourceHandler(AUTH_RESOURCE_TYPES.identityPool)!.create(
    {
      IdentityPoolName: `pool_${logicalId}`,
      AllowUnauthenticatedIdentities: allowGuests,
      CognitoIdentityProviders: [{ ProviderName: provider, ClientId: clientId }],
      Roles: { authenticated: roles.auth, unauthenticated: roles.unauth },
      // Group roles reach users through a Token mapping, as Amplify's user pool groups set it up.
      RoleMappings: { web: { Type: 'Token', AmbiguousRoleResolution: 'AuthenticatedRole', IdentityProvider: `${provider}:${clientId}` } },
    },
    ctx(logicalId),
  );
  return String(result.attributes.IdentityPoolId);
}

const s3With = (credentials: Credentials): S3Client =>
  new S3Client({
    endpoint: `${cloud.url}/s3`,
    forcePathStyle: true,
    region: 'us-east-1',
    maxAttempts: 1,
    credentials: { accessKeyId: credentials.AccessKeyId!, secretAccessKey: credentials.SecretKey!, sessionToken: credentials.SessionToken! },
  });

const read = async (client: S3Client, key: string): Promise<string> =>
  (await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToString();

before(async () => {
  cloud = await startTestCloud();
  cloud.kernel.addService({
    name: 'test-tokens',
    routes: [],
    provides: [
      provide(IDENTITY_TOKEN_VERIFIERS, {
        verify: async (name, token) => {
          const claims = name === provider ? tokens.get(token) : undefined;
          return claims ? { sub: String(claims.sub), username: String(claims['cognito:username']), groups: [], claims } : undefined;
        },
      }),
    ],
  });
  const objects = `arn:aws:s3:::${bucket}`;
  roles.auth = await createRole('app1-authRole', [
    {
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:PutObject'],
      Resource: [`${objects}/public/*`, `${objects}/private/\${cognito-identity.amazonaws.com:sub}/*`],
    },
  ]);
  roles.unauth = await createRole('app1-unauthRole', [{ Effect: 'Allow', Action: 's3:GetObject', Resource: `${objects}/public/*` }]);
  roles.admins = await createRole('app1-adminsRole', [{ Effect: 'Allow', Action: 's3:GetObject', Resource: `${objects}/*` }]);
  guestPool = await createPool('IdentityPool', true);
  closedPool = await createPool('ClosedPool', false);
  admin = new S3Client({ endpoint: `${cloud.url}/s3`, forcePathStyle: true, region: 'us-east-1', credentials: cloud.credentials, maxAttempts: 1 });
  await admin.send(new CreateBucketCommand({ Bucket: bucket }));
  await admin.send(new PutObjectCommand({ Bucket: bucket, Key: 'public/hello.txt', Body: 'hello' }));
  await admin.send(new PutObjectCommand({ Bucket: bucket, Key: 'admin/report.txt', Body: 'report' }));
  // The SDK sends GetId and GetCredentialsForIdentity unsigned; the admin keys sign the admin reads.
  identity = new CognitoIdentityClient({ endpoint: `${cloud.url}/cognito-identity/`, region: 'us-east-1', credentials: cloud.credentials, maxAttempts: 1 });
});
after(() => cloud.close());

void describe('identity pools through @aws-sdk/client-cognito-identity', () => {
  void it('gives a guest an identity and hour-long credentials for the unauthenticated role', async () => {
    const { IdentityId } = await identity.send(new GetIdCommand({ IdentityPoolId: guestPool }));
    assert.match(IdentityId!, /^us-east-1:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const answer = await identity.send(new GetCredentialsForIdentityCommand({ IdentityId }));
    assert.equal(answer.IdentityId, IdentityId);
    const credentials = answer.Credentials!;
    assert.match(credentials.AccessKeyId!, /^ASIA[A-Z0-9]{16}$/);
    assert.equal(credentials.SecretKey!.length, 40);
    assert.ok(credentials.SessionToken!.length > 100);
    assert.ok(credentials.Expiration!.getTime() >= Date.now() + 59 * 60 * 1000, 'credentials outlive the 50 minutes aws-amplify caches them');

    const guest = s3With(credentials);
    assert.equal(await read(guest, 'public/hello.txt'), 'hello');
    assert.equal((await callFailure(guest.send(new PutObjectCommand({ Bucket: bucket, Key: 'public/x', Body: 'x' })))).name, 'AccessDenied');
    assert.equal((await callFailure(read(guest, 'admin/report.txt'))).name, 'AccessDenied');
    const calls = cloud
      .logs()
      .map((line) => JSON.parse(line) as { msg?: string; route?: string; principal?: string })
      .filter((l) => l.route === 'cognito-identity');
    assert.ok(calls.length >= 2 && calls.every((l) => l.principal === 'anonymous'), 'the SDK sends both calls unsigned, as to AWS');
  });

  void it('refuses guests when the pool does not allow them, unknown pools and malformed ids', async () => {
    assert.deepEqual(await callFailure(identity.send(new GetIdCommand({ IdentityPoolId: closedPool }))), {
      name: 'NotAuthorizedException',
      message: 'Unauthenticated access is not supported for this identity pool.',
      status: 400,
    });
    const unknown = await callFailure(identity.send(new GetIdCommand({ IdentityPoolId: 'us-east-1:00000000-0000-4000-8000-000000000000' })));
    assert.equal(unknown.name, 'ResourceNotFoundException');
    assert.equal((await callFailure(identity.send(new GetIdCommand({ IdentityPoolId: 'nonsense' })))).name, 'InvalidParameterException');
    assert.equal(
      (await callFailure(identity.send(new GetCredentialsForIdentityCommand({ IdentityId: 'us-east-1:00000000-0000-4000-8000-000000000000' })))).name,
      'ResourceNotFoundException',
    );
  });

  void it('gives a signed-in user one stable identity whose credentials reach only its own private prefix', async () => {
    const logins = { [provider]: idToken('alice') };
    const first = await identity.send(new GetIdCommand({ IdentityPoolId: closedPool, Logins: logins }));
    const second = await identity.send(new GetIdCommand({ IdentityPoolId: closedPool, Logins: { [provider]: idToken('alice') } }));
    assert.equal(second.IdentityId, first.IdentityId, 'login → identity is stable');
    const bob = await identity.send(new GetIdCommand({ IdentityPoolId: closedPool, Logins: { [provider]: idToken('bob') } }));
    assert.notEqual(bob.IdentityId, first.IdentityId);

    const answer = await identity.send(new GetCredentialsForIdentityCommand({ IdentityId: first.IdentityId, Logins: logins }));
    assert.equal(answer.IdentityId, first.IdentityId);
    const alice = s3With(answer.Credentials!);
    await alice.send(new PutObjectCommand({ Bucket: bucket, Key: `private/${first.IdentityId}/notes.txt`, Body: 'alice notes' }));
    assert.equal(await read(alice, `private/${first.IdentityId}/notes.txt`), 'alice notes');
    await admin.send(new PutObjectCommand({ Bucket: bucket, Key: `private/${bob.IdentityId}/notes.txt`, Body: 'bob notes' }));
    assert.deepEqual(await callFailure(read(alice, `private/${bob.IdentityId}/notes.txt`)), {
      name: 'AccessDenied',
      message: `${roles.auth} is not authorized to perform s3:GetObject on arn:aws:s3:::${bucket}/private/${bob.IdentityId}/notes.txt.`,
      status: 403,
    });

    // Without its login the identity is nobody's to use.
    assert.equal((await callFailure(identity.send(new GetCredentialsForIdentityCommand({ IdentityId: first.IdentityId })))).name, 'NotAuthorizedException');
    // Another user's login on it yields that user's own identity, never this one.
    const asBob = await identity.send(new GetCredentialsForIdentityCommand({ IdentityId: first.IdentityId, Logins: { [provider]: idToken('bob') } }));
    assert.equal(asBob.IdentityId, bob.IdentityId);
  });

  void it('makes one identity for a user whose first sign-ins arrive at once', async () => {
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => identity.send(new GetIdCommand({ IdentityPoolId: guestPool, Logins: { [provider]: idToken('gina') } }))),
    );
    assert.equal(new Set(answers.map((a) => a.IdentityId)).size, 1);
  });

  void it('describes pools and their roles to admin callers', async () => {
    const roleAnswer = await identity.send(new GetIdentityPoolRolesCommand({ IdentityPoolId: guestPool }));
    assert.deepEqual(roleAnswer.Roles, { authenticated: roles.auth, unauthenticated: roles.unauth });
    const pool = await identity.send(new DescribeIdentityPoolCommand({ IdentityPoolId: closedPool }));
    assert.equal(pool.AllowUnauthenticatedIdentities, false);
    assert.deepEqual(pool.CognitoIdentityProviders, [{ ProviderName: provider, ClientId: clientId, ServerSideTokenCheck: false }]);
    for (let i = 0; i < 3; i++) await identity.send(new GetIdCommand({ IdentityPoolId: guestPool }));
    const all = (await identity.send(new ListIdentitiesCommand({ IdentityPoolId: guestPool, MaxResults: 60 }))).Identities!.map((i) => i.IdentityId);
    const paged: (string | undefined)[] = [];
    let NextToken: string | undefined;
    do {
      const page = await identity.send(new ListIdentitiesCommand({ IdentityPoolId: guestPool, MaxResults: 2, NextToken }));
      assert.ok(page.Identities!.length <= 2);
      paged.push(...page.Identities!.map((i) => i.IdentityId));
      NextToken = page.NextToken;
    } while (NextToken);
    assert.ok(all.length > 2);
    assert.deepEqual(paged, all);
  });

  void it('refuses forged tokens, tokens for another client and providers the pool does not accept', async () => {
    const refused = async (logins: Record<string, string>, pattern: RegExp): Promise<void> => {
      const error = await callFailure(identity.send(new GetIdCommand({ IdentityPoolId: guestPool, Logins: logins })));
      assert.equal(error.name, 'NotAuthorizedException');
      assert.match(error.message, pattern);
    };
    const list = async (): Promise<string> =>
      JSON.stringify((await identity.send(new ListIdentitiesCommand({ IdentityPoolId: guestPool, MaxResults: 60 }))).Identities);
    const before = await list();
    await refused({ [provider]: 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJhbGljZSJ9.' }, /Invalid login token/);
    await refused({ [provider]: idToken('carol', { aud: 'someotherclient' }) }, /audience/);
    await refused({ 'cognito-idp.us-east-1.amazonaws.com/us-east-1_Elsewhere': idToken('carol') }, /not configured/);
    assert.equal(await list(), before, 'no identity was made or linked');
  });

  void it('links a guest identity to the user who signs in on it, keeping its id (aws-amplify sends the issuer as the key)', async () => {
    const { IdentityId: guestId } = await identity.send(new GetIdCommand({ IdentityPoolId: guestPool }));
    const guest = s3With((await identity.send(new GetCredentialsForIdentityCommand({ IdentityId: guestId }))).Credentials!);
    assert.equal((await callFailure(read(guest, `private/${guestId}/x`))).name, 'AccessDenied');

    const issuerKey = `${cloud.url.replace(/^http:\/\//, '')}/${userPool}`;
    const logins = { [issuerKey]: idToken('dave') };
    const signedIn = await identity.send(new GetCredentialsForIdentityCommand({ IdentityId: guestId, Logins: logins }));
    assert.equal(signedIn.IdentityId, guestId, "the guest identity becomes the user's");
    const dave = s3With(signedIn.Credentials!);
    await dave.send(new PutObjectCommand({ Bucket: bucket, Key: `private/${guestId}/kept.txt`, Body: 'kept' }));
    assert.equal(
      (await identity.send(new GetIdCommand({ IdentityPoolId: guestPool, Logins: { [provider]: idToken('dave') } }))).IdentityId,
      guestId,
      'a later GetId finds it',
    );
    const described = await identity.send(new DescribeIdentityCommand({ IdentityId: guestId }));
    assert.deepEqual(described.Logins, [provider]);
    assert.equal(
      (await callFailure(identity.send(new GetCredentialsForIdentityCommand({ IdentityId: guestId })))).name,
      'NotAuthorizedException',
      'no more guest credentials for it',
    );

    // A second guest signing in as the same user is told the user's identity, which clients adopt.
    const { IdentityId: otherGuest } = await identity.send(new GetIdCommand({ IdentityPoolId: guestPool }));
    const adopted = await identity.send(new GetCredentialsForIdentityCommand({ IdentityId: otherGuest, Logins: { [provider]: idToken('dave') } }));
    assert.equal(adopted.IdentityId, guestId);
  });

  void it("issues the role of the user's group when the ID token names it as preferred", async () => {
    const logins = { [provider]: idToken('erin', { 'cognito:groups': ['admins'], 'cognito:roles': [roles.admins], 'cognito:preferred_role': roles.admins }) };
    const { IdentityId } = await identity.send(new GetIdCommand({ IdentityPoolId: guestPool, Logins: logins }));
    const erin = s3With((await identity.send(new GetCredentialsForIdentityCommand({ IdentityId, Logins: logins }))).Credentials!);
    assert.equal(await read(erin, 'admin/report.txt'), 'report');
    const plain = { [provider]: idToken('frank') };
    const { IdentityId: frankId } = await identity.send(new GetIdCommand({ IdentityPoolId: guestPool, Logins: plain }));
    const frank = s3With((await identity.send(new GetCredentialsForIdentityCommand({ IdentityId: frankId, Logins: plain }))).Credentials!);
    assert.equal((await callFailure(read(frank, 'admin/report.txt'))).name, 'AccessDenied');
    const custom = await callFailure(identity.send(new GetCredentialsForIdentityCommand({ IdentityId: frankId, Logins: plain, CustomRoleArn: roles.admins })));
    assert.equal(custom.name, 'NotAuthorizedException');
  });

  void it('refuses credentials with a wrong session token, and expired ones', async () => {
    const { IdentityId } = await identity.send(new GetIdCommand({ IdentityPoolId: guestPool }));
    const credentials = (await identity.send(new GetCredentialsForIdentityCommand({ IdentityId }))).Credentials!;
    assert.equal(await read(s3With(credentials), 'public/hello.txt'), 'hello');
    assert.deepEqual(await callFailure(read(s3With({ ...credentials, SessionToken: `${credentials.SessionToken!.slice(0, -4)}AAAA` }), 'public/hello.txt')), {
      name: 'InvalidAccessKeyId',
      message: 'The AWS Access Key Id you provided does not exist in our records.',
      status: 403,
    });
    assert.equal((await callFailure(read(s3With({ ...credentials, SessionToken: undefined }), 'public/hello.txt'))).name, 'InvalidAccessKeyId');
    await cloud.kernel.sql.run('UPDATE cognito_identity_credentials SET expires_at = ? WHERE access_key_id = ?', [Date.now() - 1000, credentials.AccessKeyId]);
    const expired = await callFailure(read(s3With(credentials), 'public/hello.txt'));
    assert.equal(expired.name, 'ExpiredToken');
    assert.equal(expired.status, 400);
  });

  void it('refuses the admin reads to unsigned callers and to identity credentials', async () => {
    const unsigned = await fetch(`${cloud.url}/cognito-identity/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSCognitoIdentityService.ListIdentities' },
      body: JSON.stringify({ IdentityPoolId: guestPool, MaxResults: 10 }),
    });
    assert.equal(unsigned.status, 403);
    assert.equal(((await unsigned.json()) as { __type: string }).__type, 'MissingAuthenticationTokenException');
    const { IdentityId } = await identity.send(new GetIdCommand({ IdentityPoolId: guestPool }));
    const c = (await identity.send(new GetCredentialsForIdentityCommand({ IdentityId }))).Credentials!;
    const asGuest = new CognitoIdentityClient({
      endpoint: `${cloud.url}/cognito-identity/`,
      region: 'us-east-1',
      maxAttempts: 1,
      credentials: { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretKey!, sessionToken: c.SessionToken! },
    });
    assert.equal((await callFailure(asGuest.send(new DescribeIdentityCommand({ IdentityId })))).name, 'AccessDeniedException');
    const unknownOp = await fetch(`${cloud.url}/cognito-identity/`, {
      method: 'POST',
      headers: { 'x-amz-target': 'AWSCognitoIdentityService.MergeDeveloperIdentities' },
      body: '{}',
    });
    assert.equal(((await unknownOp.json()) as { __type: string }).__type, 'UnknownOperationException');
  });
});

void describe('Forte::Cognito::IdentityPool resource type', () => {
  void it('creates idempotently, updates in place keeping identities, validates, and deletes with its credentials', async () => {
    const handler = cloud.kernel.resourceHandler(AUTH_RESOURCE_TYPES.identityPool)!;
    const props = { IdentityPoolName: 'lifecycle', AllowUnauthenticatedIdentities: true, Roles: { authenticated: roles.auth, unauthenticated: roles.unauth } };
    const created = await handler.create(props, ctx('Lifecycle'));
    assert.deepEqual(await handler.create(props, ctx('Lifecycle')), created, 'a repeated create adopts the pool');
    assert.match(created.physicalId, /^us-east-1:[0-9a-f-]{36}$/);
    assert.deepEqual(created.attributes, { IdentityPoolId: created.physicalId, IdentityPoolName: 'lifecycle' });

    const { IdentityId } = await identity.send(new GetIdCommand({ IdentityPoolId: created.physicalId }));
    const credentials = (await identity.send(new GetCredentialsForIdentityCommand({ IdentityId }))).Credentials!;
    const updated = await handler.update(created.physicalId, { ...props, AllowUnauthenticatedIdentities: false }, props, ctx('Lifecycle'));
    assert.notEqual(updated, 'replace');
    assert.equal(
      (await callFailure(identity.send(new GetCredentialsForIdentityCommand({ IdentityId })))).name,
      'NotAuthorizedException',
      'guests are now refused',
    );
    assert.equal((await identity.send(new DescribeIdentityCommand({ IdentityId }))).IdentityId, IdentityId, 'the identity survived the update');

    await assert.rejects(handler.create({ ...props, Roles: { authenticated: 'not-an-arn' } }, ctx('Bad')), /Roles\.authenticated: must be a role ARN/);
    await assert.rejects(handler.create({ ...props, Roles: { authenticated: roles.auth } }, ctx('Bad')), /Roles\.unauthenticated/);
    await assert.rejects(handler.create({ ...props, CognitoIdentityProviders: [{ ProviderName: 'nope', ClientId: 'x' }] }, ctx('Bad')), /ProviderName/);

    await handler.delete(created.physicalId, props, ctx('Lifecycle'));
    await handler.delete(created.physicalId, props, ctx('Lifecycle'));
    assert.equal((await callFailure(identity.send(new GetIdCommand({ IdentityPoolId: created.physicalId })))).name, 'ResourceNotFoundException');
    assert.equal((await callFailure(read(s3With(credentials), 'public/hello.txt'))).name, 'InvalidAccessKeyId', 'credentials of a deleted pool stop working');
  });
});
