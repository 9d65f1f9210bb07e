import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { isUserError, type AmplifyMeta } from '@forte/protocol';
import { environmentSecretStore, storeDeploymentSecrets } from './deployment-secrets.js';

void describe("a plugin's deployment secrets (ctx.deploymentSecrets: $FORTE_HOME/deployment-secrets.json)", () => {
  let home: string;
  let previous: string | undefined;
  const file = (): any => JSON.parse(readFileSync(join(home, 'deployment-secrets.json'), 'utf8'));
  const project = (envName: string, meta: AmplifyMeta) => () => ({ envName, readMeta: () => meta });
  const deployed: AmplifyMeta = {
    providers: {
      awscloudformation: {
        Region: 'us-east-1',
        DeploymentBucketName: 'amplify-app-dev-1-deployment',
        AmplifyAppId: 'app',
        StackName: 'amplify-app-dev-1',
        StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/amplify-app-dev-1/5f1e-77',
      },
    },
  };

  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'forte-secrets-'));
    previous = process.env['FORTE_HOME'];
    process.env['FORTE_HOME'] = home;
  });
  afterEach(() => {
    if (previous === undefined) delete process.env['FORTE_HOME'];
    else process.env['FORTE_HOME'] = previous;
    rmSync(home, { recursive: true, force: true });
  });

  void it("keeps the environment's values by root stack id (as init --categories does), readable by its owner only; undefined removes them", () => {
    // Another app's secrets, stored by headless init, stay as they are.
    storeDeploymentSecrets({ rootStackId: 'other-app', envName: 'dev', values: { auth: { a: { hostedUIProviderCreds: '[]' } } } });
    const store = environmentSecretStore(project('dev', deployed));
    store.write('auth', 'shop', { hostedUIProviderCreds: '[{"ProviderName":"Google","client_id":"g","client_secret":"s"}]' });
    assert.deepEqual(file().appSecrets[1], {
      rootStackId: '5f1e-77',
      environments: { dev: { auth: { shop: { hostedUIProviderCreds: '[{"ProviderName":"Google","client_id":"g","client_secret":"s"}]' } } } },
    });
    assert.equal(statSync(join(home, 'deployment-secrets.json')).mode & 0o777, 0o600);
    assert.deepEqual(store.read('auth', 'shop'), { hostedUIProviderCreds: '[{"ProviderName":"Google","client_id":"g","client_secret":"s"}]' });
    assert.deepEqual(environmentSecretStore(project('prod', deployed)).read('auth', 'shop'), {}, 'another environment has its own');

    store.write('auth', 'shop', { hostedUIProviderCreds: undefined });
    assert.deepEqual(store.read('auth', 'shop'), {});
    assert.deepEqual(file().appSecrets, [{ rootStackId: 'other-app', environments: { dev: { auth: { a: { hostedUIProviderCreds: '[]' } } } } }]);
  });

  void it('refuses an environment without a root stack, naming the fix', () => {
    const store = environmentSecretStore(project('dev', {}));
    assert.throws(
      () => store.write('auth', 'shop', { hostedUIProviderCreds: '[]' }),
      (e: unknown) => isUserError(e) && /environment dev has no root stack/.test(e.message),
    );
  });
});
