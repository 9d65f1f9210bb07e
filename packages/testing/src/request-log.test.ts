import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CognitoIdentityProviderClient, GetUserCommand, InitiateAuthCommand } from '@aws-sdk/client-cognito-identity-provider';
import { DescribeTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { BUILT_IN_SERVICES, CREDENTIAL_PROVIDERS, POLICY_SOURCES, provide, type Kernel, type Service } from '@forte/cloud';
import type { RequestLogEntry } from '@forte/protocol';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { deployTestApi } from './appsync-deploy.js';
import { ControlCallError, createTestControlClient, type TestControlClient } from './control-client.js';
import { startTestCloud, type TestCloud } from './start-test-cloud.js';
import { createTestUsers } from './test-identity-pool.js';

/** Keys of a role that policies allow everything: a signed caller that is not the admin. */
const ROLE_KEYS = { accessKeyId: 'ASIAREQUESTLOGROLE', secretAccessKey: 'role-secret-for-the-request-log-test' };
/** The identity pool identity the role's keys were issued to: the request log names it as the user. */
const IDENTITY_ID = 'us-east-1:0b3c5a4e-1111-4222-8333-944455556666';
function roleKeysService(): Service {
  return {
    name: 'test-role-keys',
    routes: [],
    provides: [
      provide(CREDENTIAL_PROVIDERS, {
        lookup: (accessKeyId) =>
          Promise.resolve(
            accessKeyId === ROLE_KEYS.accessKeyId
              ? {
                  secretAccessKey: ROLE_KEYS.secretAccessKey,
                  principal: {
                    kind: 'role' as const,
                    accessKeyId,
                    roleArn: 'arn:aws:iam::123456789012:role/everything',
                    identityId: IDENTITY_ID,
                    identityAuthType: 'authenticated' as const,
                  },
                }
              : undefined,
          ),
      }),
      provide(POLICY_SOURCES, (principal) =>
        Promise.resolve(principal.kind === 'role' ? [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow' as const, Action: '*', Resource: '*' }] }] : []),
      ),
    ],
  };
}

// The request log through a real cloud: what real clients' calls leave in it, what the admin reads back, and
// what it never keeps.
void describe('the request log', () => {
  let cloud: TestCloud;
  let control: TestControlClient;
  let dynamodb: DynamoDBClient;
  let s3: S3Client;

  before(async () => {
    cloud = await startTestCloud({ services: [...BUILT_IN_SERVICES, (_kernel: Kernel) => roleKeysService()] });
    control = createTestControlClient(cloud);
    const common = { region: 'us-east-1', credentials: cloud.credentials, maxAttempts: 1 };
    dynamodb = new DynamoDBClient({ ...common, endpoint: `${cloud.url}/dynamodb/` });
    s3 = new S3Client({ ...common, endpoint: `${cloud.url}/s3`, forcePathStyle: true });
  });
  after(async () => {
    dynamodb.destroy();
    s3.destroy();
    await cloud.close();
  });

  const list = async (filters: Parameters<TestControlClient['call']>[1] & object = {}): Promise<RequestLogEntry[]> =>
    (await control.call('ListRequestLog', { limit: 500, ...filters })).requests;

  void it('keeps each request with its status, service and caller; filters by status class, service, principal and time; pages newest first', async () => {
    const from = new Date().toISOString();
    await dynamodb.send(new ListTablesCommand({}));
    await assert.rejects(dynamodb.send(new DescribeTableCommand({ TableName: 'no-such-table' })), { name: 'ResourceNotFoundException' });
    const failed = await list({ status: '4xx', service: 'dynamodb', from });
    assert.equal(failed.length, 1, JSON.stringify(failed));
    assert.deepEqual(
      { ...failed[0], at: undefined, ms: undefined, requestId: undefined },
      {
        at: undefined,
        ms: undefined,
        requestId: undefined,
        method: 'POST',
        path: '/dynamodb/',
        status: 400,
        service: 'dynamodb',
        client: '127.0.0.1',
        principal: 'admin',
        accessKeyId: cloud.credentials.accessKeyId,
      },
    );
    assert.equal((await list({ status: '400', service: 'dynamodb', from })).length, 1);
    const ok = await list({ status: '2xx', service: 'dynamodb', from });
    assert.equal(ok.length, 1, 'ListTables');
    assert.equal((await list({ service: 'dynamodb', from, principal: 'anonymous' })).length, 0);
    assert.equal((await list({ service: 'dynamodb', from: new Date(Date.now() + 60_000).toISOString() })).length, 0, 'a time range after them');

    const first = await control.call('ListRequestLog', { service: 'dynamodb', from, limit: 1 });
    assert.equal(first.requests[0]?.status, 400, 'newest first');
    assert.ok(first.nextToken);
    const second = await control.call('ListRequestLog', { service: 'dynamodb', from, limit: 1, nextToken: first.nextToken });
    assert.equal(second.requests[0]?.status, 200);
    assert.equal(second.nextToken, undefined);
    await assert.rejects(control.call('ListRequestLog', { nextToken: 'forged' }), (error: ControlCallError) => error.code === 'ValidationException');
    await assert.rejects(control.call('ListRequestLog', { status: '4x' }), (error: ControlCallError) => error.code === 'ValidationException');
  });

  void it('never keeps a query string: a presigned URL signature is in no row and no log line', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'request-log-bucket' }));
    await s3.send(new PutObjectCommand({ Bucket: 'request-log-bucket', Key: 'photo.jpg', Body: 'bytes' }));
    const base = new URL(cloud.url);
    const signer = new SignatureV4({
      service: 's3',
      region: 'us-east-1',
      credentials: cloud.credentials,
      sha256: Hash.bind(null, 'sha256'),
      uriEscapePath: false,
    });
    const presigned = await signer.presign(
      {
        method: 'GET',
        protocol: 'http:',
        hostname: base.hostname,
        port: Number(base.port),
        path: '/s3/request-log-bucket/photo.jpg',
        headers: { host: base.host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
        query: {},
      },
      { expiresIn: 300 },
    );
    const signature = String(presigned.query!['X-Amz-Signature']);
    assert.match(signature, /^[0-9a-f]{64}$/);
    const query = new URLSearchParams(presigned.query as Record<string, string>).toString();
    const got = await fetch(`${cloud.url}/s3/request-log-bucket/photo.jpg?${query}`);
    assert.equal(got.status, 200);
    assert.equal(await got.text(), 'bytes');

    const rows = await list({ service: 's3', status: '200' });
    const download = rows.find((r) => r.method === 'GET');
    assert.equal(download?.path, '/s3/request-log-bucket/photo.jpg', 'the path without its query');
    assert.equal(download?.accessKeyId, cloud.credentials.accessKeyId);
    const stored = JSON.stringify(await cloud.kernel.sql.all('SELECT * FROM request_log'));
    assert.ok(stored.includes('/s3/request-log-bucket/photo.jpg'));
    for (const secret of [signature, 'X-Amz-Signature', 'X-Amz-Credential', cloud.credentials.secretAccessKey])
      assert.ok(!stored.includes(secret), `the table holds ${secret}`);
    assert.ok(!cloud.logs().join('\n').includes(signature), 'the access log line holds no signature');
  });

  void it("names the user of a user pool's token: Cognito's token calls and AppSync's user pool mode", async () => {
    const users = await createTestUsers(cloud, { alice: [] });
    const idp = new CognitoIdentityProviderClient({
      endpoint: `${cloud.url}/cognito-idp/`,
      region: 'us-east-1',
      credentials: cloud.credentials,
      maxAttempts: 1,
    });
    const signedIn = await idp.send(
      new InitiateAuthCommand({ ClientId: users.clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'alice', PASSWORD: 'Correct-Horse-9' } }),
    );
    const accessToken = signedIn.AuthenticationResult!.AccessToken!;
    assert.equal((await idp.send(new GetUserCommand({ AccessToken: accessToken }))).Username, 'alice');
    idp.destroy();
    const byAlice = await list({ service: 'cognito-idp', user: 'alice' });
    assert.equal(byAlice.length, 1, JSON.stringify(byAlice));
    assert.equal(byAlice[0]?.principal, 'user-pool');

    const api = await deployTestApi(cloud, {
      schema: 'type Note @model @auth(rules: [{ allow: owner }, { allow: public, operations: [read] }]) { id: ID! title: String }',
      userPoolId: users.userPoolId,
      authConfig: {
        defaultAuthentication: { authenticationType: 'AMAZON_COGNITO_USER_POOLS' },
        additionalAuthenticationProviders: [{ authenticationType: 'API_KEY' }],
      },
    });
    const graphql = (headers: Record<string, string>) =>
      fetch(api.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query: '{ listNotes { items { id } } }' }),
      });
    assert.equal((await graphql({ authorization: accessToken })).status, 200);
    assert.equal((await graphql({ 'x-api-key': api.apiKey })).status, 200);
    const calls = await list({ service: 'appsync' });
    assert.deepEqual(
      calls.map((r) => [r.principal, r.user]),
      [
        ['api-key', undefined],
        ['user-pool', 'alice'],
      ],
    );
    const stored = JSON.stringify(await cloud.kernel.sql.all('SELECT * FROM request_log'));
    for (const secret of [accessToken, api.apiKey]) assert.ok(!stored.includes(secret), 'no token or API key is kept');
  });

  void it("leaves out health probes and the console's own files, and keeps the console's API calls under console", async () => {
    assert.equal((await fetch(`${cloud.url}/_forte/health`)).status, 200);
    assert.equal((await fetch(`${cloud.url}/_forte/ready`)).status, 200);
    await (await fetch(`${cloud.url}/_forte/console/`)).text();
    await (await fetch(`${cloud.url}/_forte/console/assets/none.js`)).text();
    assert.equal((await fetch(`${cloud.url}/_forte/console/api/session`)).status, 200);
    const paths = (await list()).map((r) => r.path);
    for (const path of ['/_forte/health', '/_forte/ready', '/_forte/console/', '/_forte/console/assets/none.js'])
      assert.ok(!paths.includes(path), `${path} is not kept`);
    const session = await list({ service: 'console' });
    assert.deepEqual(
      session.map((r) => [r.method, r.path, r.principal]),
      [['GET', '/_forte/console/api/session', 'anonymous']],
    );
  });

  void it('is read by the admin keys only: a role allowed everything is refused (and named by its identity)', async () => {
    const asRole = createTestControlClient({ url: cloud.url, credentials: { ...ROLE_KEYS, region: 'us-east-1' } });
    await assert.rejects(asRole.call('ListRequestLog', {}), (error: ControlCallError) => {
      assert.equal(error.code, 'AccessDeniedException');
      assert.equal(error.status, 403);
      assert.match(error.message, /Only the admin keys/);
      return true;
    });
    // The same role reaches the control API (its policy allows it), so the refusal is the request log's own.
    assert.ok((await asRole.call('ListApps', {})).apps);
    const refused = await list({ principal: 'role', service: 'control', status: '403' });
    assert.equal(refused.length, 1);
    assert.equal(refused[0]?.accessKeyId, ROLE_KEYS.accessKeyId);
    assert.equal(refused[0]?.user, IDENTITY_ID, "an identity pool caller's identity is its user");
    assert.equal((await list({ user: IDENTITY_ID })).length, 2, 'the refused call and ListApps');
    assert.ok((await control.call('ListRequestLog', { limit: 1 })).requests.length === 1, 'the admin is answered');
  });
});
