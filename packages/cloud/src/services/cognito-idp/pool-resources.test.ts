import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AUTH_RESOURCE_TYPES } from '@forte/protocol';
import type { ResourceContext } from '../../kernel/types.js';
import { createCloud, type Cloud } from '../../server.js';

let dir: string;
let cloud: Cloud;
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
const create = (type: string, props: Record<string, unknown>, logicalId: string) => cloud.kernel.resourceHandler(type)!.create(props, ctx(logicalId));

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'forte-pool-resources-'));
  cloud = await createCloud({ dataDir: dir, port: 0, logLevel: 'warn', logStream: { write: () => undefined } });
});
after(async () => {
  await cloud.close();
  await rm(dir, { recursive: true, force: true });
});

void describe('user pool and client settings that guard attributes and sign-in', () => {
  void it("accepts a Schema of custom attributes, and client attribute lists that name only the pool's attributes", async () => {
    const pool = await create(
      AUTH_RESOURCE_TYPES.userPool,
      { PoolName: 'p', Schema: [{ Name: 'tier', AttributeDataType: 'String', Mutable: true, StringAttributeConstraints: { MaxLength: '8' } }] },
      'Pool',
    );
    const UserPoolId = String(pool.attributes.UserPoolId);
    await create(
      AUTH_RESOURCE_TYPES.userPoolClient,
      { UserPoolId, ClientName: 'ok', ReadAttributes: ['email', 'email_verified', 'custom:tier'], WriteAttributes: ['email', 'custom:tier'] },
      'Ok',
    );
    await assert.rejects(
      create(AUTH_RESOURCE_TYPES.userPoolClient, { UserPoolId, ClientName: 'bad', WriteAttributes: ['email', 'cognito:preferred_role'] }, 'Bad'),
      /WriteAttributes: cognito:preferred_role is not an attribute of the user pool/,
    );
    await assert.rejects(
      create(AUTH_RESOURCE_TYPES.userPoolClient, { UserPoolId, ClientName: 'bad', WriteAttributes: ['email_verified'] }, 'Bad'),
      /WriteAttributes: email_verified/,
    );
    await assert.rejects(
      create(AUTH_RESOURCE_TYPES.userPoolClient, { UserPoolId, ClientName: 'bad', ReadAttributes: ['custom:other'] }, 'Bad'),
      /ReadAttributes: custom:other/,
    );
    await assert.rejects(
      create(AUTH_RESOURCE_TYPES.userPoolClient, { UserPoolId, ClientName: 'bad', ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'USER_PASSWORD_AUTH'] }, 'Bad'),
      /cannot be mixed/,
    );
    await assert.rejects(
      create(AUTH_RESOURCE_TYPES.userPoolClient, { UserPoolId, ClientName: 'bad', ExplicitAuthFlows: ['ALLOW_EVERYTHING'] }, 'Bad'),
      /ExplicitAuthFlows/,
    );
    await assert.rejects(create(AUTH_RESOURCE_TYPES.userPool, { PoolName: 'q', Schema: [{ Name: 'has space' }] }, 'Pool2'), /Schema\.0\.Name/);
  });
});
