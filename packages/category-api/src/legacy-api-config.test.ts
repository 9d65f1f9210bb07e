import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readApiConfig, resolverConfig } from './api-resource.js';

void describe('readApiConfig: a GraphQL API made before Amplify CLI 7 (no cli-inputs.json)', () => {
  const RESOLVER_CONFIG = {
    project: { ConflictHandler: 'AUTOMERGE', ConflictDetection: 'VERSION' },
    models: { Note: { ConflictHandler: 'LAMBDA', ConflictDetection: 'VERSION', LambdaConflictHandler: { name: 'resolver-${env}' } } },
  };
  const withApi = <T>(authConfig: unknown, read: (dir: string) => T, resolver?: unknown): T => {
    const backend = mkdtempSync(join(tmpdir(), 'forte-legacy-api-'));
    try {
      const dir = join(backend, 'api', 'oldapi');
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(backend, 'backend-config.json'), JSON.stringify({ api: { oldapi: { service: 'AppSync', output: { authConfig } } } }));
      writeFileSync(join(dir, 'transform.conf.json'), JSON.stringify({ Version: 5, ...(resolver ? { ResolverConfig: resolver } : {}) }));
      return read(dir);
    } finally {
      rmSync(backend, { recursive: true, force: true });
    }
  };

  void it("reads the modes from backend-config.json's authConfig and conflict resolution from transform.conf.json", () => {
    const config = withApi(
      {
        defaultAuthentication: { authenticationType: 'API_KEY', apiKeyConfig: { apiKeyExpirationDays: 30, description: 'web' } },
        additionalAuthenticationProviders: [
          { authenticationType: 'AMAZON_COGNITO_USER_POOLS', userPoolConfig: { userPoolId: 'autholdapp1a2b' } },
          { authenticationType: 'OPENID_CONNECT', openIDConnectConfig: { name: 'idp', issuerUrl: 'https://idp.example.com', clientId: 'c1', iatTTL: 60 } },
          { authenticationType: 'AWS_IAM' },
        ],
      },
      readApiConfig,
      RESOLVER_CONFIG,
    );
    assert.equal(config.apiName, 'oldapi');
    assert.deepEqual(config.defaultAuthType, { mode: 'API_KEY', expirationTime: 30, keyDescription: 'web' });
    assert.deepEqual(config.additionalAuthTypes, [
      { mode: 'AMAZON_COGNITO_USER_POOLS', cognitoUserPoolId: 'autholdapp1a2b' },
      { mode: 'OPENID_CONNECT', openIDProviderName: 'idp', openIDIssuerURL: 'https://idp.example.com', openIDClientID: 'c1', openIDIatTTL: '60' },
      { mode: 'AWS_IAM' },
    ]);
    // Saved again (forte update api), transform.conf.json keeps the same ResolverConfig.
    assert.deepEqual(resolverConfig(config), RESOLVER_CONFIG);
  });

  void it('without an authConfig for the API, says cli-inputs.json is missing', () => {
    assert.throws(() => withApi(undefined, readApiConfig), /cli-inputs\.json is missing/);
    assert.throws(
      () => withApi({ defaultAuthentication: { authenticationType: 'NOPE' } }, readApiConfig),
      /backend-config\.json \(api\.oldapi\.output\.authConfig/,
    );
  });
});
