import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CREDENTIAL_PROVIDERS, provide, type ResourceContext } from '@forte/cloud';
import { APPSYNC_RESOURCE_TYPES } from '@forte/protocol';
import { deployTestApi, type DeployedTestApi } from './appsync-deploy.js';
import { signedPost, startTestCloud, type TestCloud } from './index.js';

/**
 * Amplify's admin roles: IAM callers whose role the API names in `AdminRoleNames` (the execution roles of functions
 * with access to the API, custom-roles.json) pass every `@auth` rule, as the auth transformer's resolvers let them;
 * their IAM policy still decides which fields they may call, and identity pool credentials never count as one.
 */
const SCHEMA = /* GraphQL */ `
  type Secret @model @auth(rules: [{ allow: private, provider: iam }]) {
    id: ID!
    note: String
  }
  type Notice @model @auth(rules: [{ allow: public, provider: iam, operations: [read] }]) {
    id: ID!
    text: String
  }
`;
const LAMBDA_TRUST = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: ['lambda.amazonaws.com'] }, Action: ['sts:AssumeRole'] }] };

void describe('AppSync admin roles (AdminRoleNames)', () => {
  let cloud: TestCloud;
  let api: DeployedTestApi;
  const keys: Record<string, { accessKeyId: string; secretAccessKey: string }> = {};
  const ctx = (logicalId: string): ResourceContext => ({
    appId: 'app1',
    appSlug: 'app1',
    envName: 'dev',
    stackName: 'amplify-app1-dev-function-roles',
    logicalId,
    region: 'us-east-1',
    accountId: cloud.kernel.config.accountId,
    log: cloud.kernel.log,
  });

  before(async () => {
    cloud = await startTestCloud();
    const roles = cloud.kernel.resourceHandler('AWS::IAM::Role')!;
    const graphql = {
      PolicyName: 'graphql',
      PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['appsync:GraphQL'], Resource: '*' }] },
    };
    const principals: Record<string, Record<string, unknown>> = {};
    for (const [name, withPolicy] of [
      ['listerLambdaRole-dev', true],
      ['otherLambdaRole-dev', true],
      ['barefnLambdaRole-dev', false],
      ['guestRole-dev', true],
    ] as const) {
      const role = await roles.create(
        { RoleName: name, AssumeRolePolicyDocument: LAMBDA_TRUST, ...(withPolicy ? { Policies: [graphql] } : {}) },
        ctx(name.replace(/\W/g, '')),
      );
      const accessKeyId = `ASIATEST${name.replace(/\W/g, '').toUpperCase().slice(0, 12)}`;
      keys[name] = { accessKeyId, secretAccessKey: `secret-${name}` };
      principals[accessKeyId] = {
        kind: 'role',
        accessKeyId,
        roleArn: String(role.attributes.Arn),
        // The guest's credentials come from an identity pool, whatever their role is named.
        ...(name === 'guestRole-dev' ? { identityId: 'us-east-1:guest', identityAuthType: 'unauthenticated', identityPoolId: 'us-east-1:pool' } : {}),
      };
    }
    cloud.kernel.addService({
      name: 'test-role-keys',
      routes: [],
      provides: [
        provide(CREDENTIAL_PROVIDERS, {
          lookup: async (id: string) => {
            const principal = principals[id];
            const key = Object.values(keys).find((k) => k.accessKeyId === id);
            return principal && key ? { secretAccessKey: key.secretAccessKey, principal: principal as never } : undefined;
          },
        }),
      ],
    });
    api = await deployTestApi(cloud, {
      schema: SCHEMA,
      authConfig: { defaultAuthentication: { authenticationType: 'AWS_IAM' }, additionalAuthenticationProviders: [{ authenticationType: 'API_KEY' }] },
      adminRoleNames: ['listerLambdaRole-dev', 'barefnLambdaRole-dev', 'guestRole-dev'],
    });
  });
  after(() => cloud.close());

  /** A GraphQL request signed with the keys of `role` (SigV4, service appsync), as a function signs its own. */
  async function asRole(role: string, query: string): Promise<{ data?: Record<string, any> | null; errors?: { message: string; errorType?: string }[] }> {
    return (await (await signedPost(api.url, JSON.stringify({ query }), keys[role]!)).json()) as never;
  }

  void it("lets a function's role named an admin role do what no @auth rule gives it", async () => {
    const created = await asRole('listerLambdaRole-dev', 'mutation { createSecret(input: {id: "s1", note: "classified"}) { id note } }');
    assert.deepEqual(created, { data: { createSecret: { id: 's1', note: 'classified' } } });
    const listed = await asRole('listerLambdaRole-dev', '{ listSecrets { items { id note } } }');
    assert.deepEqual(listed.data?.listSecrets.items, [{ id: 's1', note: 'classified' }]);
    // A read-only public rule does not stop it either.
    const notice = await asRole('listerLambdaRole-dev', 'mutation { createNotice(input: {id: "n1", text: "hello"}) { id } }');
    assert.deepEqual(notice, { data: { createNotice: { id: 'n1' } } });
  });

  void it('refuses a role the API does not name, a named role without an IAM grant, and identity pool credentials of a named role', async () => {
    const other = await asRole('otherLambdaRole-dev', '{ listSecrets { items { id } } }');
    assert.equal(other.errors?.[0]?.errorType, 'Unauthorized', JSON.stringify(other));
    assert.equal(other.data?.listSecrets ?? null, null);
    const bare = await asRole('barefnLambdaRole-dev', '{ listSecrets { items { id } } }');
    assert.match(bare.errors?.[0]?.message ?? '', /Not Authorized to access listSecrets on type Query/);
    const guest = await asRole('guestRole-dev', 'mutation { createNotice(input: {id: "n2", text: "spam"}) { id } }');
    assert.equal(guest.errors?.[0]?.errorType, 'Unauthorized', JSON.stringify(guest));
    const guestRead = await asRole('guestRole-dev', '{ listNotices { items { id } } }');
    assert.deepEqual(guestRead.data?.listNotices.items, [{ id: 'n1' }], 'the guest keeps what its public rule gives');
  });

  void it('follows the API: a role taken out of AdminRoleNames is refused at once', async () => {
    const handler = cloud.kernel.resourceHandler(APPSYNC_RESOURCE_TYPES.graphQLApi)!;
    const props = { Name: 'api-dev', AuthenticationType: 'AWS_IAM', AdditionalAuthenticationProviders: [{ AuthenticationType: 'API_KEY' }] };
    await handler.update(api.apiId, { ...props, AdminRoleNames: ['barefnLambdaRole-dev'] }, props, ctx('GraphQLAPI'));
    const refused = await asRole('listerLambdaRole-dev', '{ listSecrets { items { id } } }');
    assert.equal(refused.errors?.[0]?.errorType, 'Unauthorized', JSON.stringify(refused));
    await assert.rejects(
      handler.update(api.apiId, { ...props, AdminRoleNames: ['arn:aws:iam::123456789012:role/x'] }, props, ctx('GraphQLAPI')),
      /admin role names are IAM role names/,
    );
  });
});
