import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isUserError } from '@forte/protocol';
import { authTemplate, defaultCognitoConfig } from './index.js';
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
    ])
      assert.match(moduleSource(module), /exports\.handler/, module);
    assert.match(moduleSource('trigger-index'), /process\.env\.MODULES/);
  });
});
