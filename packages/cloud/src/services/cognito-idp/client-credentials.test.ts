import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CognitoIdentityProviderClient,
  CreateResourceServerCommand,
  CreateUserPoolClientCommand,
  DeleteResourceServerCommand,
  DescribeResourceServerCommand,
  ListResourceServersCommand,
  UpdateResourceServerCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { AUTH_RESOURCE_TYPES } from '@forte/protocol';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import type { ResourceContext } from '../../kernel/types.js';
import { createCloud, type Cloud } from '../../server.js';
import { RESOURCE_SERVER_TYPE } from './resource-servers.js';

const API = 'https://api.example.com/orders';

describe('resource servers and the client_credentials grant', () => {
  let dir = '';
  let cloud: Cloud;
  let admin: CognitoIdentityProviderClient;
  let poolId = '';
  let base = '';
  let machineId = '';
  let machineSecret = '';

  const context = (logicalId: string): ResourceContext => ({
    appId: 'm2m',
    appSlug: 'm2m',
    envName: 'dev',
    stackName: 's',
    logicalId,
    region: 'us-east-1',
    accountId: cloud.kernel.config.accountId,
    log: cloud.kernel.log,
  });
  const handler = (type: string) => cloud.kernel.resourceHandler(type)!;
  const token = (form: Record<string, string>, auth?: { id: string; secret: string }): Promise<Response> =>
    fetch(`${base}/oauth2/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...(auth ? { authorization: `Basic ${Buffer.from(`${auth.id}:${auth.secret}`).toString('base64')}` } : {}),
      },
      body: new URLSearchParams(form),
    });
  const machineClient = (props: Record<string, unknown>) =>
    handler(AUTH_RESOURCE_TYPES.userPoolClient).create(
      {
        UserPoolId: poolId,
        ClientName: 'machine',
        GenerateSecret: true,
        AllowedOAuthFlowsUserPoolClient: true,
        AllowedOAuthFlows: ['client_credentials'],
        AllowedOAuthScopes: [`${API}/orders.read`, `${API}/orders.write`],
        ...props,
      },
      context(`Machine${Math.random().toString(36).slice(2, 8)}`),
    );

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'forte-client-credentials-'));
    cloud = await createCloud({ dataDir: dir, port: 0, logLevel: 'warn', logStream: { write: () => undefined } });
    poolId = (await handler(AUTH_RESOURCE_TYPES.userPool).create({ PoolName: 'M2M' }, context('UserPool'))).physicalId;
    await handler(AUTH_RESOURCE_TYPES.userPoolDomain).create({ UserPoolId: poolId, Domain: 'm2m-dev' }, context('UserPoolDomain'));
    base = `${cloud.url}/hosted-ui/m2m-dev`;
    admin = new CognitoIdentityProviderClient({
      region: 'us-east-1',
      endpoint: `${cloud.url}/cognito-idp/`,
      credentials: cloud.adminCredentials,
      maxAttempts: 1,
    });
    // The resource server as a template declares it (AWS::Cognito::UserPoolResourceServer); its Ref is the identifier.
    const server = await handler(RESOURCE_SERVER_TYPE).create(
      {
        UserPoolId: poolId,
        Identifier: API,
        Name: 'Orders API',
        Scopes: [
          { ScopeName: 'orders.read', ScopeDescription: 'Read orders' },
          { ScopeName: 'orders.write', ScopeDescription: 'Change orders' },
        ],
      },
      context('OrdersApi'),
    );
    assert.equal(server.physicalId, API);
    const machine = await machineClient({});
    machineId = machine.physicalId;
    machineSecret = String(machine.attributes.ClientSecret);
  });
  after(async () => {
    admin.destroy();
    await cloud.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('manages resource servers through the API: create, describe, list, update, delete, and refuses bad ones', async () => {
    const created = await admin.send(
      new CreateResourceServerCommand({
        UserPoolId: poolId,
        Identifier: 'reports',
        Name: 'Reports',
        Scopes: [{ ScopeName: 'read', ScopeDescription: 'Read' }],
      }),
    );
    assert.deepEqual(created.ResourceServer, {
      UserPoolId: poolId,
      Identifier: 'reports',
      Name: 'Reports',
      Scopes: [{ ScopeName: 'read', ScopeDescription: 'Read' }],
    });
    assert.equal((await admin.send(new DescribeResourceServerCommand({ UserPoolId: poolId, Identifier: 'reports' }))).ResourceServer?.Name, 'Reports');
    const first = await admin.send(new ListResourceServersCommand({ UserPoolId: poolId, MaxResults: 1 }));
    assert.equal(first.ResourceServers?.length, 1);
    const second = await admin.send(new ListResourceServersCommand({ UserPoolId: poolId, MaxResults: 1, NextToken: first.NextToken }));
    assert.deepEqual([first.ResourceServers?.[0]?.Identifier, second.ResourceServers?.[0]?.Identifier], [API, 'reports']);
    assert.equal(second.NextToken, undefined);
    const updated = await admin.send(new UpdateResourceServerCommand({ UserPoolId: poolId, Identifier: 'reports', Name: 'Reports v2' }));
    assert.deepEqual(updated.ResourceServer, { UserPoolId: poolId, Identifier: 'reports', Name: 'Reports v2' }, 'scopes left out are removed');
    await assert.rejects(
      admin.send(
        new CreateResourceServerCommand({ UserPoolId: poolId, Identifier: 'bad', Name: 'Bad', Scopes: [{ ScopeName: 'a/b', ScopeDescription: 'x' }] }),
      ),
      (e: Error) => e.name === 'InvalidParameterException' && /ScopeName a\/b/.test(e.message),
    );
    await assert.rejects(
      admin.send(new CreateResourceServerCommand({ UserPoolId: poolId, Identifier: 'reports', Name: 'Again' })),
      (e: Error) => e.name === 'InvalidParameterException' && /already exists/.test(e.message),
    );
    await admin.send(new DeleteResourceServerCommand({ UserPoolId: poolId, Identifier: 'reports' }));
    await assert.rejects(
      admin.send(new DescribeResourceServerCommand({ UserPoolId: poolId, Identifier: 'reports' })),
      (e: Error) => e.name === 'ResourceNotFoundException',
    );
  });

  it('issues a machine access token with the scopes asked for, signed by the pool and verifiable with its JWKS; no ID or refresh token', async () => {
    const answer = await token({ grant_type: 'client_credentials', scope: `${API}/orders.read` }, { id: machineId, secret: machineSecret });
    assert.equal(answer.status, 200);
    const body = (await answer.json()) as Record<string, unknown>;
    assert.deepEqual(Object.keys(body).sort(), ['access_token', 'expires_in', 'token_type']);
    assert.equal(body.token_type, 'Bearer');
    assert.equal(body.expires_in, 3600);
    // What a resource server does with it: verify against the pool's published keys and check the scope.
    const issuer = `${cloud.url}/${poolId}`;
    const { payload } = await jwtVerify(String(body.access_token), createRemoteJWKSet(new URL(`${issuer}/.well-known/jwks.json`)), { issuer });
    assert.equal(payload.sub, machineId);
    assert.equal(payload.client_id, machineId);
    assert.equal(payload.token_use, 'access');
    assert.equal(payload.scope, `${API}/orders.read`);
    assert.equal(payload.version, 2);
    assert.equal(payload.username, undefined, 'no user');

    // No scope asked: every scope the client is granted; the secret in the form works as well as in the header.
    const all = await token({ grant_type: 'client_credentials', client_id: machineId, client_secret: machineSecret });
    assert.equal(all.status, 200);
    assert.equal(decodeJwt(String(((await all.json()) as Record<string, unknown>).access_token)).scope, `${API}/orders.read ${API}/orders.write`);
  });

  it('refuses a wrong secret, a scope the client is not granted, and a client without the flow', async () => {
    const wrong = await token({ grant_type: 'client_credentials' }, { id: machineId, secret: 'not-the-secret' });
    assert.equal(wrong.status, 401);
    assert.equal(((await wrong.json()) as Record<string, unknown>).error, 'invalid_client');
    const scope = await token({ grant_type: 'client_credentials', scope: `${API}/orders.delete` }, { id: machineId, secret: machineSecret });
    assert.equal(scope.status, 400);
    const refusal = (await scope.json()) as Record<string, unknown>;
    assert.equal(refusal.error, 'invalid_scope');
    assert.equal(refusal.error_description, `${API}/orders.delete is not allowed for this app client.`);
    const web = await handler(AUTH_RESOURCE_TYPES.userPoolClient).create(
      {
        UserPoolId: poolId,
        ClientName: 'web',
        GenerateSecret: true,
        AllowedOAuthFlowsUserPoolClient: true,
        AllowedOAuthFlows: ['code'],
        AllowedOAuthScopes: ['openid', `${API}/orders.read`],
        CallbackURLs: ['http://localhost:3000/'],
      },
      context('Web'),
    );
    const flow = await token({ grant_type: 'client_credentials' }, { id: web.physicalId, secret: String(web.attributes.ClientSecret) });
    assert.equal(flow.status, 400);
    assert.equal(((await flow.json()) as Record<string, unknown>).error, 'unauthorized_client');
  });

  it('refuses clients Cognito refuses: unknown custom scopes, standard scopes or no secret with client_credentials, the flow with others', async () => {
    const refused = async (props: Record<string, unknown>, pattern: RegExp): Promise<void> => {
      await assert.rejects(machineClient(props), (e: Error) => pattern.test(e.message), JSON.stringify(props));
    };
    await refused({ AllowedOAuthScopes: [`${API}/orders.delete`] }, /orders\.delete is not a scope of this pool .*create the resource server first/);
    await refused({ AllowedOAuthScopes: ['openid', `${API}/orders.read`] }, /custom scopes only .*not openid/);
    await refused({ GenerateSecret: false }, /client_credentials needs a client secret: set GenerateSecret/);
    await refused({ AllowedOAuthFlows: ['client_credentials', 'code'], CallbackURLs: ['http://localhost:3000/'] }, /cannot be combined with code or implicit/);
    // Through the API as well.
    await assert.rejects(
      admin.send(
        new CreateUserPoolClientCommand({
          UserPoolId: poolId,
          ClientName: 'api-machine',
          AllowedOAuthFlowsUserPoolClient: true,
          AllowedOAuthFlows: ['client_credentials'],
          AllowedOAuthScopes: [`${API}/orders.read`],
        }),
      ),
      /client secret/,
    );
  });

  it('a scope whose resource server is gone is no longer granted', async () => {
    await handler(RESOURCE_SERVER_TYPE).create(
      { UserPoolId: poolId, Identifier: 'temp', Name: 'Temp', Scopes: [{ ScopeName: 'use', ScopeDescription: 'Use' }] },
      context('Temp'),
    );
    const client = await machineClient({ AllowedOAuthScopes: ['temp/use'] });
    const auth = { id: client.physicalId, secret: String(client.attributes.ClientSecret) };
    assert.equal((await token({ grant_type: 'client_credentials' }, auth)).status, 200);
    await handler(RESOURCE_SERVER_TYPE).delete('temp', { UserPoolId: poolId }, context('Temp'));
    const gone = await token({ grant_type: 'client_credentials' }, auth);
    assert.equal(gone.status, 400);
    assert.equal(((await gone.json()) as Record<string, unknown>).error, 'invalid_scope');
  });
});
