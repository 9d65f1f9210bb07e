import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  AdminAddUserToGroupCommand,
  AdminConfirmSignUpCommand,
  AdminGetUserCommand,
  CognitoIdentityProviderClient,
  CreateGroupCommand,
  InitiateAuthCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { AUTH_RESOURCE_TYPES } from '@forte/protocol';
import { decodeJwt } from 'jose';
import type { ResourceContext, ResourceHandler } from '../../kernel/types.js';
import { createCloud, type Cloud } from '../../server.js';

const PASSWORD = 'Passw0rd!';
const POOL = { PoolName: 'Shop', UsernameAttributes: ['email'] };
let dir: string;
let cloud: Cloud;
let admin: CognitoIdentityProviderClient;
let pools: ResourceHandler;
const ctx = (logicalId: string): ResourceContext => ({
  appId: 'app1',
  appSlug: 'app1',
  envName: 'dev',
  stackName: 's',
  logicalId,
  region: 'us-east-1',
  accountId: cloud.kernel.config.accountId,
  log: cloud.kernel.log,
});

/** The pool (same logical id: same pool id) and a password client. */
async function deployPool(): Promise<{ poolId: string; clientId: string }> {
  const poolId = (await pools.create(POOL, ctx('UserPool'))).physicalId;
  const client = await cloud.kernel
    .resourceHandler(AUTH_RESOURCE_TYPES.userPoolClient)!
    .create({ UserPoolId: poolId, ClientName: 'web', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] }, ctx('Client'));
  return { poolId, clientId: client.physicalId };
}

const signIn = (clientId: string, username: string) =>
  admin.send(new InitiateAuthCommand({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: clientId, AuthParameters: { USERNAME: username, PASSWORD } }));

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'forte-pool-data-'));
  cloud = await createCloud({ dataDir: dir, port: 0, logLevel: 'warn', logStream: { write: () => undefined } });
  pools = cloud.kernel.resourceHandler(AUTH_RESOURCE_TYPES.userPool)!;
  admin = new CognitoIdentityProviderClient({
    region: 'us-east-1',
    endpoint: `${cloud.url}/cognito-idp/`,
    credentials: cloud.adminCredentials,
    maxAttempts: 1,
  });
});
after(async () => {
  admin.destroy();
  await cloud.close();
  await rm(dir, { recursive: true, force: true });
});

void describe("a user pool's stored data hooks", () => {
  void it('count its users, copy them with attributes, password and groups, and put them back into the pool added again', async () => {
    const hooks = pools.storedData!;
    const { poolId, clientId } = await deployPool();
    for (const email of ['ann@example.com', 'bob@example.com']) {
      await admin.send(
        new SignUpCommand({
          ClientId: clientId,
          Username: email,
          Password: PASSWORD,
          UserAttributes: [
            { Name: 'email', Value: email },
            { Name: 'name', Value: email.slice(0, 3) },
          ],
        }),
      );
      await admin.send(new AdminConfirmSignUpCommand({ UserPoolId: poolId, Username: email }));
    }
    await admin.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName: 'admins', Precedence: 1 }));
    await admin.send(new AdminAddUserToGroupCommand({ UserPoolId: poolId, GroupName: 'admins', Username: 'ann@example.com' }));
    const before = await admin.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'ann@example.com' }));

    assert.equal(hooks.kind, 'users');
    assert.equal(await hooks.count(poolId, POOL), 2);
    const snapshot = JSON.parse(JSON.stringify(await hooks.snapshot!(poolId, POOL))) as Awaited<ReturnType<NonNullable<typeof hooks.snapshot>>>;
    assert.equal(snapshot.count, 2);
    await pools.delete(poolId, POOL, ctx('UserPool'));
    assert.equal(await hooks.count(poolId, POOL), 0);

    const again = await deployPool();
    assert.equal(again.poolId, poolId);
    await admin.send(
      new SignUpCommand({
        ClientId: again.clientId,
        Username: 'bob@example.com',
        Password: 'An0ther!pass',
        UserAttributes: [{ Name: 'email', Value: 'bob@example.com' }],
      }),
    );
    const outcome = await hooks.restore!(poolId, POOL, snapshot);
    assert.deepEqual([outcome.restored, outcome.skipped], [1, 1]);
    assert.match(outcome.example ?? '', /another user of the pool has the email of user/);

    const after = await admin.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'ann@example.com' }));
    assert.deepEqual(after.UserAttributes, before.UserAttributes);
    assert.equal(after.UserStatus, 'CONFIRMED');
    const tokens = (await signIn(again.clientId, 'ann@example.com')).AuthenticationResult!;
    assert.deepEqual(decodeJwt(tokens.IdToken!)['cognito:groups'], ['admins'], 'the password and the group membership came back');
    await assert.rejects(
      signIn(again.clientId, 'bob@example.com'),
      { name: 'NotAuthorizedException' },
      'the user signed up since (another password) wins over the copy',
    );
  });

  void it('refuse a pool that does not exist', async () => {
    await assert.rejects(
      pools.storedData!.restore!('us-east-1_missing00', POOL, { version: 1, count: 0, data: { users: [], groups: [], memberships: [] } }),
      /does not exist/,
    );
  });
});
