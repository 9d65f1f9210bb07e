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
  dir = await mkdtemp(join(tmpdir(), 'forte-identity-pool-handler-'));
  cloud = await createCloud({ dataDir: dir, port: 0, logLevel: 'warn', logStream: { write: () => undefined } });
});
after(async () => {
  await cloud.close();
  await rm(dir, { recursive: true, force: true });
});

void describe('identity pool role mappings', () => {
  void it("validates identity pool role mappings against the pool's providers", async () => {
    const provider = 'cognito-idp.us-east-1.amazonaws.com/us-east-1_Abc123';
    const role = `arn:aws:iam::${cloud.kernel.config.accountId}:role/r`;
    const base = {
      IdentityPoolName: 'ip',
      AllowUnauthenticatedIdentities: false,
      CognitoIdentityProviders: [{ ProviderName: provider, ClientId: 'client1' }],
      Roles: { authenticated: role },
    };
    await create(
      AUTH_RESOURCE_TYPES.identityPool,
      { ...base, RoleMappings: { web: { Type: 'Token', AmbiguousRoleResolution: 'Deny', IdentityProvider: `${provider}:client1` } } },
      'Ip1',
    );
    await create(
      AUTH_RESOURCE_TYPES.identityPool,
      { ...base, RoleMappings: { [`${provider}:client1`]: { Type: 'Token', AmbiguousRoleResolution: 'AuthenticatedRole' } } },
      'Ip2',
    );
    await assert.rejects(
      create(
        AUTH_RESOURCE_TYPES.identityPool,
        { ...base, RoleMappings: { web: { Type: 'Token', AmbiguousRoleResolution: 'AuthenticatedRole', IdentityProvider: `${provider}:client9` } } },
        'Ip3',
      ),
      /RoleMappings\.web: .*client9 is not one of the pool's CognitoIdentityProviders/,
    );
    await assert.rejects(
      create(AUTH_RESOURCE_TYPES.identityPool, { ...base, RoleMappings: { web: { Type: 'Token', IdentityProvider: `${provider}:client1` } } }, 'Ip4'),
      /AmbiguousRoleResolution/,
    );
    await assert.rejects(
      create(
        AUTH_RESOURCE_TYPES.identityPool,
        { ...base, RoleMappings: { web: { Type: 'Rules', AmbiguousRoleResolution: 'Deny', IdentityProvider: `${provider}:client1` } } },
        'Ip5',
      ),
      /RulesConfiguration/,
    );
    await assert.rejects(
      create(
        AUTH_RESOURCE_TYPES.identityPool,
        {
          ...base,
          RoleMappings: {
            web: {
              Type: 'Rules',
              AmbiguousRoleResolution: 'Deny',
              IdentityProvider: `${provider}:client1`,
              RulesConfiguration: { Rules: [{ Claim: 'email', MatchType: 'Regex', Value: 'x', RoleARN: role }] },
            },
          },
        },
        'Ip6',
      ),
      /MatchType/,
    );
  });
});
