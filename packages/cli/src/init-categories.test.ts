import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isUserError } from '@forte/protocol';
import { categoryInputs } from './init-categories.js';

const backendConfig = {
  auth: {
    app1f08412d: { service: 'Cognito', providerPlugin: 'awscloudformation' },
    userPoolGroups: { service: 'Cognito-UserPool-Groups', providerPlugin: 'awscloudformation' },
    shared: { service: 'Cognito', serviceType: 'imported' },
  },
};

void describe("categoryInputs (Amplify's headless --categories at init)", () => {
  void it('turns the user pool social keys into one hostedUIProviderCreds secret of the Cognito resource, other keys into env parameters', () => {
    const inputs = categoryInputs(
      {
        auth: {
          googleAppIdUserPool: 'g-id',
          googleAppSecretUserPool: 'g-secret',
          signinwithappleClientIdUserPool: 'com.example.app',
          signinwithappleTeamIdUserPool: 'TEAM',
          signinwithappleKeyIdUserPool: 'KEY',
          signinwithapplePrivateKeyUserPool: '-----BEGIN PRIVATE KEY-----',
          facebookAppId: 'identity-pool-fb',
        },
      },
      backendConfig,
    );
    assert.deepEqual(inputs.parameters, { auth: { app1f08412d: { facebookAppId: 'identity-pool-fb' } } });
    assert.deepEqual(Object.keys(inputs.secrets['auth'] ?? {}), ['app1f08412d'], 'not the groups resource, not an imported pool');
    assert.deepEqual(JSON.parse(inputs.secrets['auth']?.['app1f08412d']?.['hostedUIProviderCreds'] ?? ''), [
      { ProviderName: 'Google', client_id: 'g-id', client_secret: 'g-secret' },
      { ProviderName: 'SignInWithApple', client_id: 'com.example.app', team_id: 'TEAM', key_id: 'KEY', private_key: '-----BEGIN PRIVATE KEY-----' },
    ]);
  });

  void it('refuses values that are not strings, other categories, and auth values for a project without auth, naming the problem', () => {
    const refuses = (categories: Record<string, unknown>, config: Record<string, Record<string, unknown>>, pattern: RegExp) =>
      assert.throws(
        () => categoryInputs(categories, config),
        (e: unknown) => isUserError(e) && pattern.test(e.message),
      );
    refuses({ auth: { googleAppIdUserPool: 42 } }, backendConfig, /--categories\.auth\.googleAppIdUserPool must be a string/);
    refuses({ auth: ['x'] }, backendConfig, /--categories\.auth must be a JSON object/);
    refuses({ function: { x: 'y' } }, backendConfig, /--categories gives values for function/);
    refuses({ auth: { googleAppIdUserPool: 'g' } }, {}, /this project has no auth resource/);
    assert.deepEqual(categoryInputs(undefined, backendConfig), { parameters: {}, secrets: {} });
  });
});
