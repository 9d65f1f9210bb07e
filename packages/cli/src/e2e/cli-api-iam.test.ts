import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CognitoIdentityClient, DescribeIdentityPoolCommand } from '@aws-sdk/client-cognito-identity';
import { generateClient } from 'aws-amplify/api';
import { fetchAuthSession, signOut } from 'aws-amplify/auth';
import { configureAmplifyFrom, graphqlRefusal, signUpAndIn as signUpAndInWith } from './amplify-app.js';
import { type ForteRun, initProject, removeProject, runForte } from './forte-runner.js';

const SCHEMA = `type Post @model @auth(rules: [
  { allow: public, provider: iam, operations: [read] },
  { allow: private, provider: iam, operations: [read] },
  { allow: owner }
]) {
  id: ID!
  title: String!
}
`;

/** Auth with an identity pool that lets guests in and federates with Google (Amplify's AddAuthRequest v2). */
const ADD_AUTH_REQUEST = {
  version: 2,
  serviceConfiguration: {
    serviceName: 'Cognito',
    includeIdentityPool: true,
    // The identity pool also takes Google's own ID tokens (Amplify's identity pool federation).
    identityPoolConfiguration: {
      unauthenticatedLogin: true,
      identitySocialFederation: [{ provider: 'GOOGLE', clientId: 'iamapp-web.apps.googleusercontent.com' }],
    },
    userPoolConfiguration: { signinMethod: 'EMAIL', requiredSignupAttributes: ['EMAIL'] },
  },
};

/** Owners write through the user pool; guests and signed-in users read through IAM (identity pool credentials). */
const ADD_API_REQUEST = {
  version: 1,
  serviceConfiguration: {
    serviceName: 'AppSync',
    apiName: 'posts',
    transformSchema: SCHEMA,
    defaultAuthType: { mode: 'AMAZON_COGNITO_USER_POOLS' },
    additionalAuthTypes: [{ mode: 'AWS_IAM' }],
  },
};

const LIST = 'query ListPosts { listPosts { items { id title } } }';
const GET = 'query GetPost($id: ID!) { getPost(id: $id) { id title } }';
const CREATE = 'mutation CreatePost($input: CreatePostInput!) { createPost(input: $input) { id title owner } }';

type PostRow = { id: string; title: string };
type PostsPage = { data: { listPosts: { items: PostRow[] } } };

interface Client {
  graphql(options: { query: string; variables?: Record<string, unknown>; authMode?: 'iam' | 'userPool' }): Promise<unknown>;
}
const client = (): Client => generateClient() as unknown as Client;

async function refusal(call: Promise<unknown>): Promise<string> {
  const error = await graphqlRefusal(call);
  return `${error.errorType ?? ''} ${error.message}`;
}

void describe('forte api with IAM rules: push attaches role policies; guests and signed-in users call through the identity pool (built binary)', () => {
  let work: string;
  let home: string;
  let root: string;
  let endpoint = '';
  let postId = '';
  const forte = (args: string[], stdin?: string): Promise<ForteRun> => runForte(args, { cwd: root, home, ...(stdin === undefined ? {} : { stdin }) });
  const readJson = (...path: string[]): any => JSON.parse(readFileSync(join(root, ...path), 'utf8'));
  const configureAmplify = (): void => void configureAmplifyFrom(root);
  const signUpAndIn = (email: string): Promise<void> => signUpAndInWith(email, { cwd: root, home });

  before(async () => {
    ({ work, home, root } = await initProject('forte-api-iam-', 'iamapp'));
    const auth = await forte(['add', 'auth', '--headless'], JSON.stringify(ADD_AUTH_REQUEST));
    assert.equal(auth.code, 0, auth.stderr + auth.stdout);
    const api = await forte(['add', 'api', '--headless'], JSON.stringify(ADD_API_REQUEST));
    assert.equal(api.code, 0, api.stderr + api.stdout);
  });
  after(async () => {
    await signOut().catch(() => undefined);
    await removeProject({ work, home });
  });

  void it("push attaches AuthRolePolicy01 and UnauthRolePolicy01 to the environment's roles, after the roles and the API", async () => {
    const push = await forte(['push', '--yes']);
    assert.equal(push.code, 0, push.stderr + push.stdout);
    assert.equal(push.stdout.match(/CREATE_COMPLETE\s+Forte::IAM::Policy\b/g)?.length, 2, push.stdout);
    assert.match(push.stdout, /AuthRolePolicy01/);
    assert.match(push.stdout, /UnauthRolePolicy01/);
    const apiDone = push.stdout.search(/CREATE_COMPLETE\s+Forte::AppSync::GraphQLApi\b/);
    const policyStarted = push.stdout.search(/CREATE_IN_PROGRESS\s+Forte::IAM::Policy\b/);
    assert.ok(apiDone >= 0 && policyStarted > apiDone, 'the policies name the API, so they come after it');
    const template = readJson('amplify', 'backend', 'api', 'posts', 'build', 'cloudformation-template.json');
    assert.deepEqual(
      Object.keys(template.Parameters)
        .filter((p) => p.endsWith('RoleName'))
        .sort(),
      ['authRoleName', 'unauthRoleName'],
    );
    const cloudUrl = (JSON.parse(readFileSync(join(home, 'cloud', 'cloud.json'), 'utf8')) as { url: string }).url;
    assert.equal(readJson('amplify_outputs.json').custom.forte.endpoint, cloudUrl, 'the outputs name the cloud that @forte/amplify configures aws-amplify for');
    endpoint = readJson('amplify', 'backend', 'amplify-meta.json').api.posts.output.GraphQLAPIEndpointOutput as string;
    assert.equal(readJson('amplify_outputs.json').auth.unauthenticated_identities_enabled, true);
    // The pushed identity pool federates with Google, as the project says.
    const keys = JSON.parse(readFileSync(join(home, 'cloud', 'admin-credentials.json'), 'utf8')) as { accessKeyId: string; secretAccessKey: string };
    const identity = new CognitoIdentityClient({ endpoint: `${cloudUrl}/cognito-identity/`, region: 'us-east-1', credentials: keys, maxAttempts: 1 });
    const pool = await identity.send(new DescribeIdentityPoolCommand({ IdentityPoolId: readJson('amplify_outputs.json').auth.identity_pool_id }));
    assert.deepEqual(pool.SupportedLoginProviders, { 'accounts.google.com': 'iamapp-web.apps.googleusercontent.com' });
    identity.destroy();
    assert.deepEqual(readJson('amplify_outputs.json').data.authorization_types, ['AWS_IAM']);
  });

  void it('an owner writes through the user pool; a guest (no sign-in) lists and gets with IAM but may not create', async () => {
    configureAmplify();
    const posts = client();
    await signUpAndIn('alice@example.com');
    const created = (await posts.graphql({ query: CREATE, variables: { input: { title: 'hello' } }, authMode: 'userPool' })) as {
      data: { createPost: PostRow };
    };
    postId = created.data.createPost.id;
    await signOut();

    const session = await fetchAuthSession();
    assert.equal(session.tokens, undefined, 'nobody is signed in');
    assert.ok(session.credentials?.accessKeyId, 'the guest has identity pool credentials');
    const listed = (await posts.graphql({ query: LIST, authMode: 'iam' })) as PostsPage;
    assert.deepEqual(
      listed.data.listPosts.items.map((p) => p.title),
      ['hello'],
    );
    const got = (await posts.graphql({ query: GET, variables: { id: postId }, authMode: 'iam' })) as { data: { getPost: PostRow } };
    assert.equal(got.data.getPost.title, 'hello');
    assert.match(
      await refusal(posts.graphql({ query: CREATE, variables: { input: { title: 'by a guest' } }, authMode: 'iam' })),
      /Unauthorized|Not Authorized/,
    );
    const unsigned = await fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: LIST }) });
    assert.equal(unsigned.status, 401, 'no credentials at all: refused');
  });

  void it('a signed-in user reads with IAM (the private rule, the authenticated role) and still may not create with IAM', async () => {
    const posts = client();
    await signUpAndIn('bob@example.com');
    const session = await fetchAuthSession();
    assert.ok(session.tokens?.idToken && session.credentials?.accessKeyId, 'signed in, with authenticated-role credentials');
    const listed = (await posts.graphql({ query: LIST, authMode: 'iam' })) as PostsPage;
    assert.deepEqual(
      listed.data.listPosts.items.map((p) => p.title),
      ['hello'],
    );
    assert.match(await refusal(posts.graphql({ query: CREATE, variables: { input: { title: 'by iam' } }, authMode: 'iam' })), /Unauthorized|Not Authorized/);
    await signOut();
    const check = (await posts.graphql({ query: LIST, authMode: 'iam' })) as PostsPage;
    assert.deepEqual(
      check.data.listPosts.items.map((p) => p.title),
      ['hello'],
      'nothing was written by the refused calls',
    );
  });

  void it('remove api + push deletes the role policies with the API', async () => {
    const remove = await forte(['remove', 'api', '--yes']);
    assert.equal(remove.code, 0, remove.stderr);
    const push = await forte(['push', '--yes', '--allow-data-loss']);
    assert.equal(push.code, 0, push.stderr + push.stdout);
    assert.equal(push.stdout.match(/DELETE_COMPLETE\s+Forte::IAM::Policy\b/g)?.length, 2, push.stdout);
    assert.match(push.stdout, /DELETE_COMPLETE\s+Forte::AppSync::GraphQLApi\b/);
    assert.equal(readJson('amplify', 'backend', 'amplify-meta.json').api, undefined);
    assert.ok(readJson('amplify', 'backend', 'amplify-meta.json').auth, 'auth and its roles stay');
  });
});
