import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  DeleteParameterCommand,
  GetParameterCommand,
  GetParametersByPathCommand,
  GetParametersCommand,
  PutParameterCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import type { ResourceContext } from '@forte/cloud';
import { AUTH_RESOURCE_TYPES, RESOURCE_TYPES } from '@forte/protocol';
import { callFailure, guestCredentials, identityPoolTrust, startTestCloud, type TestCloud } from './index.js';
import { resourceContext } from './lambda-fixture.js';

// A function's role as Amplify grants it its secrets: ssm:GetParameter(s) on /amplify/<appId>/<env>/AMPLIFY_<fn>_*.
let cloud: TestCloud;
let admin: SSMClient;
let role: SSMClient;
const FN_SECRET = '/amplify/app1/dev/AMPLIFY_fn_TOKEN';
const OTHER_SECRET = '/amplify/app1/dev/AMPLIFY_other_TOKEN';

const ctx = (logicalId: string): ResourceContext => resourceContext(cloud, logicalId);

before(async () => {
  cloud = await startTestCloud();
  const arn = (path: string): string => `arn:aws:ssm:us-east-1:${cloud.kernel.config.accountId}:parameter/${path}`;
  const roles = cloud.kernel.resourceHandler(RESOURCE_TYPES.role)!;
  const roleArn = String((await roles.create({ RoleName: 'fn-role', AssumeRolePolicyDocument: identityPoolTrust() }, ctx('Role'))).attributes.Arn);
  await cloud.kernel.resourceHandler(RESOURCE_TYPES.policy)!.create(
    {
      PolicyName: 'amplify-function-secrets-policy',
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: ['ssm:GetParameter', 'ssm:GetParameters'], Resource: [arn('amplify/app1/dev/AMPLIFY_fn_*')] },
          { Effect: 'Allow', Action: ['ssm:GetParametersByPath'], Resource: [arn('amplify/app1/dev'), arn('amplify/app1/dev/AMPLIFY_fn_*')] },
        ],
      },
      Roles: ['fn-role'],
    },
    ctx('Policy'),
  );
  const pool = await cloud.kernel
    .resourceHandler(AUTH_RESOURCE_TYPES.identityPool)!
    .create({ IdentityPoolName: 'pool', AllowUnauthenticatedIdentities: true, Roles: { authenticated: roleArn, unauthenticated: roleArn } }, ctx('Pool'));
  const client = (credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }): SSMClient =>
    new SSMClient({ endpoint: cloud.url, region: 'us-east-1', credentials, maxAttempts: 1 });
  admin = client(cloud.credentials);
  role = client((await guestCredentials(cloud, String(pool.attributes.IdentityPoolId))).credentials);
  for (const Name of [FN_SECRET, '/amplify/app1/dev/AMPLIFY_fn_OTHER', OTHER_SECRET])
    await admin.send(new PutParameterCommand({ Name, Value: `value of ${Name}`, Type: 'SecureString' }));
});
after(() => cloud.close());

void describe('SSM access: a role only by its policies', () => {
  void it('reads the parameters its policy names, decrypted', async () => {
    assert.equal((await role.send(new GetParameterCommand({ Name: FN_SECRET, WithDecryption: true }))).Parameter?.Value, `value of ${FN_SECRET}`);
    const both = await role.send(new GetParametersCommand({ Names: [FN_SECRET, '/amplify/app1/dev/AMPLIFY_fn_OTHER'], WithDecryption: true }));
    assert.equal(both.Parameters?.length, 2);
  });

  void it('is refused the parameters, actions and paths it was not granted', async () => {
    const refused = [
      role.send(new GetParameterCommand({ Name: OTHER_SECRET, WithDecryption: true })),
      role.send(new GetParametersCommand({ Names: [FN_SECRET, OTHER_SECRET], WithDecryption: true })),
      role.send(new PutParameterCommand({ Name: FN_SECRET, Value: 'changed', Overwrite: true })),
      role.send(new DeleteParameterCommand({ Name: FN_SECRET })),
      role.send(new GetParametersByPathCommand({ Path: '/amplify/app1', Recursive: true, WithDecryption: true })),
    ];
    // The calls run at once and answer in any order: each failure is taken as it comes, never left unhandled.
    for (const failing of refused.map(callFailure)) {
      const failure = await failing;
      assert.equal(failure.name, 'AccessDeniedException', failure.message);
      assert.equal(failure.status, 403);
      assert.ok(!failure.message.includes('value of'), 'a refusal shows no value');
    }
    assert.equal((await admin.send(new GetParameterCommand({ Name: FN_SECRET, WithDecryption: true }))).Parameter?.Value, `value of ${FN_SECRET}`);
  });

  void it('GetParametersByPath leaves out the parameters under the path that the role may not read', async () => {
    // With or without the trailing slash, the path's ARN is the one the policy names.
    for (const Path of ['/amplify/app1/dev', '/amplify/app1/dev/']) {
      const page = await role.send(new GetParametersByPathCommand({ Path, WithDecryption: true }));
      assert.deepEqual(
        page.Parameters?.map((p) => p.Name),
        ['/amplify/app1/dev/AMPLIFY_fn_OTHER', FN_SECRET],
        Path,
      );
    }
    const all = await admin.send(new GetParametersByPathCommand({ Path: '/amplify/app1/dev' }));
    assert.equal(all.Parameters?.length, 3, 'the admin sees every parameter');
  });
});
