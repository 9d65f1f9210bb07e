import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { isUserError } from '@forte/protocol';
import { createFakePluginContext } from '@forte/testing';
import { authTemplate, defaultCognitoConfig, executeCommand } from './index.js';
import { moduleSource, triggersOf } from './auth-triggers.js';

const config = (triggers: unknown) => ({ ...defaultCognitoConfig('app', 'appauth'), triggers });

void describe('the auth template with Lambda triggers', () => {
  void it("wires each trigger as Amplify does: LambdaConfig, Cognito's invoke permission, add-to-group's policy on the pool", () => {
    const t = authTemplate(config({ PreSignup: ['email-filter-denylist'], PostConfirmation: ['add-to-group'], PreTokenGeneration: ['alter-claims'] }));
    const pool = t.Resources.UserPool!.Properties as { LambdaConfig: Record<string, unknown> };
    assert.deepEqual(pool.LambdaConfig, {
      PreSignUp: { Ref: 'functionappauthPreSignupArn' },
      PostConfirmation: { Ref: 'functionappauthPostConfirmationArn' },
      PreTokenGeneration: { Ref: 'functionappauthPreTokenGenerationArn' },
    });
    assert.deepEqual(t.Parameters!.functionappauthPreSignupName, { Type: 'String', Default: 'functionappauthPreSignupName' });
    assert.deepEqual(t.Resources.UserPoolPreSignupLambdaInvokePermission, {
      Type: 'AWS::Lambda::Permission',
      Properties: {
        Action: 'lambda:InvokeFunction',
        FunctionName: { Ref: 'functionappauthPreSignupName' },
        Principal: 'cognito-idp.amazonaws.com',
        SourceArn: { 'Fn::GetAtt': ['UserPool', 'Arn'] },
      },
    });
    const policy = t.Resources.PostConfirmationAddToGroupCognito!.Properties as { PolicyDocument: { Statement: { Action: string[]; Resource: unknown }[] } };
    assert.deepEqual(policy.PolicyDocument.Statement[0]!.Action, ['cognito-idp:AdminAddUserToGroup', 'cognito-idp:GetGroup', 'cognito-idp:CreateGroup']);
    assert.deepEqual(policy.PolicyDocument.Statement[0]!.Resource, { 'Fn::GetAtt': ['UserPool', 'Arn'] });
    assert.equal(t.Resources.PreSignupAddToGroupCognito, undefined);
  });

  void it('reads the triggers of a project Amplify wrote (also as a JSON string, with modules Forte does not ship) and refuses unknown triggers', () => {
    assert.deepEqual(triggersOf(config('{"VerifyAuthChallengeResponse":["captcha-verify"]}'), 'cli-inputs.json'), {
      VerifyAuthChallengeResponse: ['captcha-verify'],
    });
    const t = authTemplate(config({ VerifyAuthChallengeResponse: ['captcha-verify'] }));
    assert.deepEqual((t.Resources.UserPool!.Properties as { LambdaConfig: unknown }).LambdaConfig, {
      VerifyAuthChallengeResponse: { Ref: 'functionappauthVerifyAuthChallengeResponseArn' },
    });
    assert.equal((authTemplate(config({})).Resources.UserPool!.Properties as { LambdaConfig?: unknown }).LambdaConfig, undefined);
    assert.throws(
      () => triggersOf(config({ PreSignUpp: ['custom'] }), 'cli-inputs.json'),
      (e: unknown) => isUserError(e) && /PreSignUpp is not a Cognito trigger/.test(e.message),
    );
  });

  void it('ships every built-in module it offers, and the dispatcher that reads MODULES', () => {
    for (const module of [
      'trigger-index',
      'custom',
      'email-filter-allowlist',
      'email-filter-denylist',
      'add-to-group',
      'alter-claims',
      'boilerplate-define-challenge',
      'boilerplate-create-challenge',
      'boilerplate-verify',
      'captcha-define-challenge',
      'captcha-create-challenge',
      'captcha-verify',
    ])
      assert.match(moduleSource(module), /exports\.handler/, module);
    assert.match(moduleSource('trigger-index'), /process\.env\.MODULES/);
  });
});

void describe('the trigger questions of add and update auth', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'forte-auth-triggers-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const run = async (command: 'add' | 'update', answers: Record<string, string | boolean | (string | boolean)[]>) => {
    const calls: { method: string; args: unknown[] }[] = [];
    const fake = createFakePluginContext(root, { plugin: 'auth', command, answers });
    const ctx = {
      ...fake.ctx,
      invokePluginMethod: async <T>(category: string, method: string, args: unknown[]): Promise<T> => {
        assert.equal(category, 'function');
        calls.push({ method, args });
        return undefined as T;
      },
    };
    await executeCommand(ctx);
    return { calls, asked: fake.asked };
  };

  void it('add: creates each trigger function through the function category with its modules, files and settings; update removes a deselected one', async () => {
    const added = await run('add', {
      'default authentication and security configuration': 'manual',
      'Do you want to configure Lambda Triggers for Cognito?': true,
      'Which triggers do you want to enable': 'PreSignup, PostConfirmation',
      'for Pre Sign-up': 'email-filter-allowlist, custom',
      'allowed email domains': 'example.com, example.org',
      'for Post Confirmation': 'add-to-group',
      'group to which users will be added': 'members',
    });
    const backend = JSON.parse(readFileSync(join(root, 'amplify/backend/backend-config.json'), 'utf8'));
    const auth = Object.keys(backend.auth)[0]!;
    assert.deepEqual(
      added.calls.map((c) => c.method),
      ['addTriggerFunction', 'addTriggerFunction'],
    );
    const pre = added.calls[0]!.args[0] as {
      functionName: string;
      modules: string[];
      files: Record<string, string>;
      environment: unknown;
      parentResource: string;
    };
    assert.equal(pre.functionName, `${auth}PreSignup`);
    assert.equal(pre.parentResource, auth);
    assert.deepEqual(pre.modules, ['email-filter-allowlist', 'custom']);
    assert.deepEqual(Object.keys(pre.files).sort(), ['custom.js', 'email-filter-allowlist.js', 'index.js']);
    assert.deepEqual(pre.environment, { DOMAINALLOWLIST: 'example.com, example.org' });
    assert.deepEqual((added.calls[1]!.args[0] as { environment: unknown }).environment, { GROUP: 'members' });
    const inputs = JSON.parse(readFileSync(join(root, `amplify/backend/auth/${auth}/cli-inputs.json`), 'utf8')).cognitoConfig;
    assert.deepEqual(inputs.triggers, { PreSignup: ['email-filter-allowlist', 'custom'], PostConfirmation: ['add-to-group'] });
    assert.deepEqual(
      backend.auth[auth].dependsOn.map((d: { resourceName: string }) => d.resourceName),
      [`${auth}PreSignup`, `${auth}PostConfirmation`],
    );

    const updated = await run('update', { 'Which triggers do you want to enable': 'PreSignup', 'allowed email domains': 'example.com' });
    assert.deepEqual(
      updated.calls.map((c) => [c.method, c.method === 'removeTriggerFunction' ? c.args[0] : (c.args[0] as { functionName: string }).functionName]),
      [
        ['addTriggerFunction', `${auth}PreSignup`],
        ['removeTriggerFunction', `${auth}PostConfirmation`],
      ],
    );
    assert.ok(
      updated.asked.some((q) => q.includes('for Pre Sign-up')),
      'the modules are asked again, the current ones as default',
    );
    const after = JSON.parse(readFileSync(join(root, 'amplify/backend/backend-config.json'), 'utf8')).auth[auth];
    assert.deepEqual(
      after.dependsOn.map((d: { resourceName: string }) => d.resourceName),
      [`${auth}PreSignup`],
    );
  });
});
