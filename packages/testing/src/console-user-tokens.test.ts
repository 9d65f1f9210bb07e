import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  AdminCreateUserCommand,
  AdminDisableUserCommand,
  AdminUserGlobalSignOutCommand,
  CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { CognitoIdentityClient, GetCredentialsForIdentityCommand, GetIdCommand } from '@aws-sdk/client-cognito-identity';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { CONSOLE_CSRF_HEADER, CONSOLE_PIPE_PATH, CONSOLE_SESSION_PATH, CONSOLE_USER_TOKENS_PATH } from '@forte/protocol';
import { deployTestApi, type DeployedTestApi } from './appsync-deploy.js';
import { startTestCloud, type TestCloud } from './start-test-cloud.js';
import { createTestIdentityPool, createTestUsers } from './test-identity-pool.js';

const SCHEMA = /* GraphQL */ `
  type Note @model @auth(rules: [{ allow: owner }, { allow: public, provider: apiKey, operations: [read] }]) {
    id: ID!
    text: String
  }
`;

interface Tokens {
  idToken: string;
  accessToken: string;
  expiresIn: number;
  clientId: string;
  username: string;
}

const claimsOf = (token: string): Record<string, unknown> =>
  JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;

// The console's "as user" tokens: a signed-in admin gets a user's tokens without the user's password, as a
// sign-in issues them; the GraphQL API then treats the caller as that user. Also the GraphQL page's other two
// modes: the API's keys (ListApiKeys) and the admin's own rights (IAM through the pipe).
void describe('the web console: user tokens, API keys and IAM GraphQL calls', () => {
  let cloud: TestCloud;
  let api: DeployedTestApi;
  let users: { userPoolId: string; clientId: string; providerName: string };
  let cookie: string;
  let csrf: string;
  const url = (path: string): string => new URL(path, cloud.url).toString();

  before(async () => {
    cloud = await startTestCloud();
    users = await createTestUsers(cloud, { alice: ['editors'], bob: [], carol: [] });
    const idp = new CognitoIdentityProviderClient({
      endpoint: `${cloud.url}/cognito-idp/`,
      region: 'us-east-1',
      credentials: cloud.credentials,
      maxAttempts: 1,
    });
    await idp.send(new AdminDisableUserCommand({ UserPoolId: users.userPoolId, Username: 'carol' }));
    // Created by an admin without a permanent password: a sign-in would answer NEW_PASSWORD_REQUIRED.
    await idp.send(
      new AdminCreateUserCommand({ UserPoolId: users.userPoolId, Username: 'dave', MessageAction: 'SUPPRESS', TemporaryPassword: 'Temporary-Horse-9' }),
    );
    api = await deployTestApi(cloud, {
      schema: SCHEMA,
      userPoolId: users.userPoolId,
      authConfig: {
        defaultAuthentication: { authenticationType: 'AMAZON_COGNITO_USER_POOLS' },
        additionalAuthenticationProviders: [{ authenticationType: 'API_KEY' }, { authenticationType: 'AWS_IAM' }],
      },
    });
    const response = await fetch(url(CONSOLE_SESSION_PATH), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ accessKeyId: cloud.credentials.accessKeyId, secretAccessKey: cloud.credentials.secretAccessKey }),
    });
    assert.equal(response.status, 200);
    cookie = (response.headers.get('set-cookie') ?? '').split(';')[0]!;
    csrf = ((await response.json()) as { csrfToken: string }).csrfToken;
  });
  after(() => cloud.close());

  const ask = (input: unknown, headers: Record<string, string> = { cookie, [CONSOLE_CSRF_HEADER]: csrf }): Promise<Response> =>
    fetch(url(CONSOLE_USER_TOKENS_PATH), { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(input) });
  const tokensOf = async (username: string): Promise<Tokens> => {
    const response = await ask({ userPoolId: users.userPoolId, username });
    assert.equal(response.status, 200, await response.clone().text());
    return (await response.json()) as Tokens;
  };
  const graphql = async (headers: Record<string, string>, query: string, variables: Record<string, unknown> = {}): Promise<{ status: number; json: any }> => {
    const response = await fetch(api.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query, variables }),
    });
    return { status: response.status, json: await response.json() };
  };
  const viaPipe = async (query: string, headers: Record<string, string> = { cookie, [CONSOLE_CSRF_HEADER]: csrf }): Promise<{ status: number; json: any }> => {
    const response = await fetch(url(`${CONSOLE_PIPE_PATH}graphql/${api.apiId}`), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query }),
    });
    return { status: response.status, json: await response.json() };
  };
  const failure = async (response: Response): Promise<{ status: number; code: string; message: string }> => {
    const body = (await response.json()) as { __type: string; message: string };
    return { status: response.status, code: body.__type, message: body.message };
  };

  void it("issues a user's ID and access tokens as a sign-in would, short-lived and without a refresh token", async () => {
    const tokens = await tokensOf('alice');
    assert.deepEqual(Object.keys(tokens).sort(), ['accessToken', 'clientId', 'expiresIn', 'idToken', 'username']);
    assert.equal(tokens.clientId, users.clientId);
    assert.equal(tokens.username, 'alice');
    assert.ok(tokens.expiresIn > 0 && tokens.expiresIn <= 900, `expires in ${tokens.expiresIn} s`);
    const id = claimsOf(tokens.idToken);
    const access = claimsOf(tokens.accessToken);
    assert.equal(id.token_use, 'id');
    assert.equal(id['cognito:username'], 'alice');
    assert.deepEqual(id['cognito:groups'], ['editors']);
    assert.equal(id.aud, users.clientId);
    assert.equal(id.iss, `${cloud.url}/${users.userPoolId}`);
    assert.equal(access.token_use, 'access');
    assert.equal(access.username, 'alice');
    assert.deepEqual(access['cognito:groups'], ['editors']);
    assert.equal(access.sub, id.sub);
    assert.ok(Number(access.exp) - Number(access.iat) <= 900);
    const logged = cloud.logs().filter((line) => line.includes('console issued user tokens'));
    assert.equal(logged.length, 1);
    assert.match(logged[0]!, /"username":"alice"/);
    assert.ok(!cloud.logs().some((line) => line.includes(tokens.accessToken) || line.includes(tokens.idToken)), 'no token is logged');
  });

  void it("makes GraphQL calls as that user: owner rules see the user's items and not another's", async () => {
    const alice = await tokensOf('alice');
    const created = await graphql({ authorization: alice.accessToken }, 'mutation { createNote(input: { text: "from alice" }) { id text owner } }');
    assert.equal(created.status, 200, JSON.stringify(created.json));
    assert.equal(created.json.errors, undefined, JSON.stringify(created.json));
    const note = created.json.data.createNote as { id: string; owner: string };
    // The owner field holds the user's identity claim (`<sub>::<username>` or the username, as the schema's rule says).
    assert.match(note.owner, /^([0-9a-f-]{36}::)?alice$/);

    const bob = await tokensOf('bob');
    const asBob = await graphql({ authorization: bob.idToken }, 'query { listNotes { items { id } } }');
    assert.deepEqual(asBob.json.data.listNotes.items, []);
    const asAlice = await graphql({ authorization: alice.idToken }, 'query { listNotes { items { id } } }');
    assert.deepEqual(asAlice.json.data.listNotes.items, [{ id: note.id }]);

    // The admin through the pipe (IAM) reads every item; an API key reads them as the schema lets it.
    const asAdmin = await viaPipe('query { listNotes { items { id owner } } }');
    assert.equal(asAdmin.status, 200, JSON.stringify(asAdmin.json));
    assert.deepEqual(asAdmin.json.data.listNotes.items, [{ id: note.id, owner: note.owner }]);
    const withKey = await graphql({ 'x-api-key': api.apiKey }, 'query { listNotes { items { id } } }');
    assert.deepEqual(withKey.json.data.listNotes.items, [{ id: note.id }]);
  });

  void it("the tokens are one sign-in session of the user's: signing the user out everywhere revokes them", async () => {
    const tokens = await tokensOf('bob');
    assert.equal((await graphql({ authorization: tokens.accessToken }, 'query { listNotes { items { id } } }')).status, 200);
    const idp = new CognitoIdentityProviderClient({
      endpoint: `${cloud.url}/cognito-idp/`,
      region: 'us-east-1',
      credentials: cloud.credentials,
      maxAttempts: 1,
    });
    await idp.send(new AdminUserGlobalSignOutCommand({ UserPoolId: users.userPoolId, Username: 'bob' }));
    assert.equal((await graphql({ authorization: tokens.accessToken }, 'query { listNotes { items { id } } }')).status, 401);
  });

  void it('refuses the IAM call through the pipe for an API without the AWS_IAM auth mode, as AppSync refuses IAM there', async () => {
    const keyOnly = await deployTestApi(cloud, {
      schema: 'type Memo @model @auth(rules: [{ allow: public }]) { id: ID! text: String }',
      name: 'keyonly',
      authConfig: { defaultAuthentication: { authenticationType: 'API_KEY' } },
    });
    const response = await fetch(url(`${CONSOLE_PIPE_PATH}graphql/${keyOnly.apiId}`), {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie, [CONSOLE_CSRF_HEADER]: csrf },
      body: JSON.stringify({ query: 'query { listMemos { items { id } } }' }),
    });
    assert.equal(response.status, 401);
    assert.match(JSON.stringify(await response.json()), /no AWS_IAM auth mode/);
  });

  void it('refuses without a session, with a forged cookie, without or with a wrong CSRF header, and with another method', async () => {
    const input = { userPoolId: users.userPoolId, username: 'alice' };
    assert.deepEqual(await failure(await ask(input, {})), {
      status: 401,
      code: 'NotSignedIn',
      message: 'Sign in to the console: the session is missing, expired or signed out.',
    });
    const forged = await failure(await ask(input, { cookie: 'forte_console=forged-session-id', [CONSOLE_CSRF_HEADER]: csrf }));
    assert.equal(forged.code, 'NotSignedIn');
    assert.equal((await failure(await ask(input, { cookie }))).code, 'InvalidCsrfToken');
    assert.equal((await failure(await ask(input, { cookie, [CONSOLE_CSRF_HEADER]: 'wrong' }))).code, 'InvalidCsrfToken');
    assert.equal((await failure(await ask(input, { cookie, [CONSOLE_CSRF_HEADER]: csrf, origin: 'http://evil.example' }))).code, 'InvalidCsrfToken');
    const get = await fetch(url(CONSOLE_USER_TOKENS_PATH), { headers: { cookie, [CONSOLE_CSRF_HEADER]: csrf } });
    assert.equal(get.status, 405);
    // The pipe's IAM calls want the session too.
    assert.equal((await viaPipe('query { listNotes { items { id } } }', {})).status, 401);
  });

  void it('refuses unknown, disabled and unconfirmed users and bad input, naming the problem', async () => {
    const unknown = await failure(await ask({ userPoolId: users.userPoolId, username: 'nobody' }));
    assert.equal(unknown.code, 'UserNotFoundException');
    assert.match(unknown.message, /nobody does not exist/);
    const disabled = await failure(await ask({ userPoolId: users.userPoolId, username: 'carol' }));
    assert.equal(disabled.code, 'NotAuthorizedException');
    assert.match(disabled.message, /carol is disabled/);
    const unconfirmed = await failure(await ask({ userPoolId: users.userPoolId, username: 'dave' }));
    assert.equal(unconfirmed.code, 'UserNotConfirmedException');
    assert.match(unconfirmed.message, /new password/);
    const noPool = await failure(await ask({ userPoolId: 'us-east-1_Missing1', username: 'alice' }));
    assert.equal(noPool.code, 'ResourceNotFoundException');
    const bad = await failure(await ask({ userPoolId: users.userPoolId }));
    assert.deepEqual([bad.status, bad.code], [400, 'ValidationException']);
    assert.match(bad.message, /"username"/);
    const notJson = await fetch(url(CONSOLE_USER_TOKENS_PATH), { method: 'POST', headers: { cookie, [CONSOLE_CSRF_HEADER]: csrf }, body: '{' });
    assert.equal((await failure(notJson)).code, 'ValidationException');
    assert.ok(cloud.logs().some((line) => line.includes('console user tokens refused') && line.includes('carol')));
  });

  void it("lists the API's keys for a signed-in admin (ListApiKeys) and refuses an unsigned call", async () => {
    const response = await fetch(url(`${CONSOLE_PIPE_PATH}v1/apis/${api.apiId}/apikeys`), { headers: { cookie, [CONSOLE_CSRF_HEADER]: csrf } });
    assert.equal(response.status, 200);
    const { apiKeys } = (await response.json()) as { apiKeys: Array<{ id: string; expires: number; deletes: number }> };
    assert.equal(apiKeys.length, 1);
    assert.equal(apiKeys[0]!.id, api.apiKey);
    assert.ok(apiKeys[0]!.expires * 1000 > Date.now());
    assert.equal(apiKeys[0]!.deletes - apiKeys[0]!.expires, 60 * 24 * 3600);
    const unsigned = await fetch(url(`/v1/apis/${api.apiId}/apikeys`));
    assert.equal(unsigned.status, 403);
    const missing = await fetch(url(`${CONSOLE_PIPE_PATH}v1/apis/${'x'.repeat(26)}/apikeys`), { headers: { cookie, [CONSOLE_CSRF_HEADER]: csrf } });
    assert.equal(missing.status, 404);
  });

  void it('ListApiKeys signed by a role: allowed with appsync:ListApiKeys on the API, refused without', async () => {
    const identityPoolId = await createTestIdentityPool(
      cloud,
      users,
      {
        authenticated: { policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'appsync:GraphQL', Resource: `${api.arn}/*` }] } },
        unauthenticated: { policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'appsync:ListApiKeys', Resource: api.arn }] } },
      },
      { name: 'keys' },
    );
    const identity = new CognitoIdentityClient({
      endpoint: `${cloud.url}/cognito-identity/`,
      region: 'us-east-1',
      credentials: cloud.credentials,
      maxAttempts: 1,
    });
    const listAs = async (logins?: Record<string, string>): Promise<{ status: number; type: string | null }> => {
      const { IdentityId } = await identity.send(new GetIdCommand({ IdentityPoolId: identityPoolId, ...(logins ? { Logins: logins } : {}) }));
      const { Credentials } = await identity.send(new GetCredentialsForIdentityCommand({ IdentityId, ...(logins ? { Logins: logins } : {}) }));
      const credentials = { accessKeyId: Credentials!.AccessKeyId!, secretAccessKey: Credentials!.SecretKey!, sessionToken: Credentials!.SessionToken! };
      const where = new URL(cloud.url);
      const path = `/v1/apis/${api.apiId}/apikeys`;
      const signer = new SignatureV4({ service: 'appsync', region: 'us-east-1', credentials, sha256: Hash.bind(null, 'sha256') });
      const signed = await signer.sign({
        method: 'GET',
        protocol: 'http:',
        hostname: where.hostname,
        port: Number(where.port),
        path,
        headers: { host: where.host },
      });
      const response = await fetch(url(path), { headers: signed.headers as Record<string, string> });
      await response.text();
      return { status: response.status, type: response.headers.get('x-amzn-errortype') };
    };
    assert.deepEqual(await listAs(), { status: 200, type: null });
    const alice = await tokensOf('alice');
    const denied = await listAs({ [users.providerName]: alice.idToken });
    assert.equal(denied.status, 403);
    assert.match(denied.type ?? '', /^AccessDeniedException/);
    identity.destroy();
  });
});
