import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readAuthInputs } from './auth-inputs.js';
import { readCognitoConfig } from './auth-resource.js';

void describe('readAuthInputs: an auth resource made before Amplify CLI 7 (parameters.json, no cli-inputs.json)', () => {
  const inFolder = <T>(files: Record<string, unknown>, read: (dir: string) => T): T => {
    const dir = mkdtempSync(join(tmpdir(), 'forte-auth-inputs-'));
    try {
      for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
      return read(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  const PARAMETERS = {
    resourceName: 'oldapp1a2b3c4d',
    serviceName: 'Cognito',
    authSelections: 'identityPoolAndUserPool',
    userPoolName: 'oldapp_userpool_1a2b3c4d',
    identityPoolName: 'oldapp_identitypool_1a2b3c4d',
    allowUnauthenticatedIdentities: true,
    usernameAttributes: ['email'],
    requiredAttributes: ['email'],
    autoVerifiedAttributes: ['email'],
    passwordPolicyMinLength: 12,
    passwordPolicyCharacters: ['Requires Numbers'],
    mfaConfiguration: 'OFF',
    triggers: '{"PostConfirmation":["add-to-group"]}',
    // Keys of the old template's parameters that Amplify's migration leaves behind.
    dependsOn: [{ category: 'function', resourceName: 'oldappPostConfirmation', attributes: ['Arn', 'Name'] }],
    authTriggerConnections: '["{\\"triggerType\\":\\"PostConfirmation\\",\\"lambdaFunctionName\\":\\"oldappPostConfirmation\\"}"]',
    permissions: [],
    breakCircularDependency: true,
    hostedUIProviderCreds: '[]',
  };

  void it('carries the keys Amplify migrates, with triggers parsed, and validates them as cli-inputs.json', () => {
    const inputs = inFolder({ 'parameters.json': PARAMETERS }, readAuthInputs);
    assert.equal(inputs.legacy, true);
    assert.match(inputs.file, /parameters\.json$/);
    const config = inputs.cognitoConfig as Record<string, unknown>;
    assert.deepEqual(config['triggers'], { PostConfirmation: ['add-to-group'] });
    for (const left of ['dependsOn', 'authTriggerConnections', 'permissions', 'breakCircularDependency', 'hostedUIProviderCreds'])
      assert.equal(left in config, false, left);
    const parsed = inFolder({ 'parameters.json': PARAMETERS }, readCognitoConfig);
    assert.equal(parsed.passwordPolicyMinLength, 12);
    assert.equal(parsed.allowUnauthenticatedIdentities, true);
    assert.deepEqual(parsed.usernameAttributes, ['email']);
  });

  void it('cli-inputs.json wins when both are there', () => {
    const inputs = inFolder(
      { 'parameters.json': PARAMETERS, 'cli-inputs.json': { version: '1', cognitoConfig: { ...PARAMETERS, triggers: {}, passwordPolicyMinLength: 8 } } },
      readAuthInputs,
    );
    assert.equal(inputs.legacy, false);
    assert.equal((inputs.cognitoConfig as { passwordPolicyMinLength: number }).passwordPolicyMinLength, 8);
  });

  void it('refuses what cannot be read, naming the file', () => {
    assert.throws(() => inFolder({}, readAuthInputs), /cli-inputs\.json is missing/);
    assert.throws(() => inFolder({ 'parameters.json': '{' }, readAuthInputs), /parameters\.json is not valid JSON/);
    assert.throws(
      () => inFolder({ 'parameters.json': { ...PARAMETERS, triggers: '{PostConfirmation' } }, readAuthInputs),
      /parameters\.json: triggers is not a JSON string/,
    );
    assert.throws(
      () => inFolder({ 'parameters.json': { ...PARAMETERS, passwordPolicyMinLength: 3 } }, readCognitoConfig),
      /parameters\.json is not a valid auth configuration: cognitoConfig\.passwordPolicyMinLength/,
    );
  });
});
