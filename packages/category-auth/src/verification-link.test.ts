import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { RESOURCE_TYPES } from '@forte/protocol';
import { createFakePluginContext } from '@forte/testing';
import { authTemplate, build, defaultCognitoConfig, executeCommand } from './index.js';
import { AUTH_TRIGGERS, moduleSource, settingProblem } from './auth-triggers.js';

const config = (triggers: unknown, extra: Record<string, unknown> = {}) => ({ ...defaultCognitoConfig('app', 'AppAuth1'), triggers, ...extra });
const PAGE = [{ Key: 'index.html', Body: '<p>page</p>', ContentType: 'text/html; charset=utf-8' }];

void describe('the CustomMessage verification-link module in the auth template', () => {
  void it("adds Amplify's confirmation bucket (a website, <verificationBucketName>-<env>) and the page written into it by the push", () => {
    const t = authTemplate(config({ CustomMessage: ['verification-link'] }, { verificationBucketName: 'appauth1verificationbucket' }), {
      verificationPage: PAGE,
    });
    assert.deepEqual(t.Resources.CustomMessageConfirmationBucket, {
      Type: 'AWS::S3::Bucket',
      Properties: {
        BucketName: { 'Fn::Join': ['-', ['appauth1verificationbucket', { Ref: 'env' }]] },
        AccessControl: 'Private',
        WebsiteConfiguration: { IndexDocument: 'index.html', ErrorDocument: 'index.html' },
        CorsConfiguration: {
          CorsRules: [{ AllowedHeaders: ['Authorization', 'Content-Length'], AllowedMethods: ['GET'], AllowedOrigins: ['*'], MaxAge: 3000 }],
        },
      },
    });
    assert.deepEqual(t.Resources.CustomMessageConfirmationPage, {
      Type: RESOURCE_TYPES.bucketObjects,
      Properties: { Bucket: { Ref: 'CustomMessageConfirmationBucket' }, Objects: PAGE },
    });
    assert.deepEqual((t.Resources.UserPool!.Properties as { LambdaConfig: unknown }).LambdaConfig, {
      CustomMessage: { Ref: 'functionAppAuth1CustomMessageArn' },
    });
    // Without the module (a custom CustomMessage), no bucket.
    assert.equal(authTemplate(config({ CustomMessage: ['custom'] })).Resources.CustomMessageConfirmationBucket, undefined);
  });

  void it('ships the module: CustomMessage_SignUp only, the link to the bucket website with data and code, the subject and message from its settings', async () => {
    const source = moduleSource('verification-link');
    const module: { exports: { handler?: (event: unknown) => Promise<any> } } = { exports: {} };
    new Function('module', 'exports', source)(module, module.exports);
    const saved = { ...process.env };
    Object.assign(process.env, {
      RESOURCENAME: 'AppAuth1CustomMessage',
      ENV: 'dev',
      AWS_ENDPOINT_URL: 'http://127.0.0.1:20002',
      REDIRECTURL: 'https://app.example/welcome/',
      EMAILSUBJECT: 'Confirm',
      EMAILMESSAGE: 'Open this:',
    });
    try {
      const event = (triggerSource: string) => ({
        triggerSource,
        region: 'us-east-1',
        userName: 'u-1',
        callerContext: { clientId: 'client1' },
        request: { codeParameter: '{####}' },
        response: { emailMessage: null, emailSubject: null, smsMessage: null },
      });
      const out = await module.exports.handler!(event('CustomMessage_SignUp'));
      assert.equal(out.response.emailSubject, 'Confirm');
      // Cognito puts the code where `{####}` stands (so it is the query's last parameter, never a fragment).
      const text = (out.response.emailMessage as string).replace('{####}', '123456');
      const link = new URL(/(http:\/\/\S+)/.exec(text)![1]!);
      assert.equal(link.origin, 'http://appauth1verificationbucket-dev.s3-website.localhost:20002');
      assert.equal(link.searchParams.get('code'), '123456');
      assert.deepEqual(JSON.parse(Buffer.from(link.searchParams.get('data')!, 'base64').toString('utf8')), {
        userName: 'u-1',
        redirectUrl: 'https://app.example/welcome/?username=u-1',
        region: 'us-east-1',
        clientId: 'client1',
      });
      assert.match(out.response.emailMessage as string, /^Open this: http/);
      const reset = await module.exports.handler!(event('CustomMessage_ForgotPassword'));
      assert.equal(reset.response.emailMessage, null);
    } finally {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
    }
  });
});

void describe('choosing the verification-link module (add / update auth)', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'forte-auth-verification-link-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const run = async (command: 'add' | 'update', answers: Record<string, string | boolean | (string | boolean)[]>) => {
    const calls: { method: string; args: unknown[] }[] = [];
    const fake = createFakePluginContext(root, { plugin: 'auth', command, answers });
    const ctx = {
      ...fake.ctx,
      invokePluginMethod: async <T>(_category: string, method: string, args: unknown[]): Promise<T> => {
        calls.push({ method, args });
        return undefined as T;
      },
    };
    await executeCommand(ctx);
    return { calls, asked: fake.asked };
  };

  void it('asks the redirect URL (an http(s) URL), the subject and the message; writes verificationBucketName and the page; drops both with the module', async () => {
    const added = await run('add', {
      'default authentication and security configuration': 'manual',
      'Do you want to configure Lambda Triggers for Cognito?': true,
      'Which triggers do you want to enable': 'CustomMessage',
      'for Custom Message': 'verification-link',
      'redirected to upon account confirmation': 'https://app.example/welcome',
      'subject for your custom account confirmation email': 'Confirm your account',
      'body text for your custom account confirmation email': 'Click the link:',
    });
    const auth = Object.keys(JSON.parse(readFileSync(join(root, 'amplify/backend/backend-config.json'), 'utf8')).auth)[0]!;
    const request = added.calls[0]!.args[0] as { functionName: string; modules: string[]; files: Record<string, string>; environment: unknown };
    assert.equal(request.functionName, `${auth}CustomMessage`);
    assert.deepEqual(request.modules, ['verification-link']);
    assert.match(request.files['verification-link.js']!, /s3-website/);
    assert.deepEqual(request.environment, {
      RESOURCENAME: `${auth}CustomMessage`,
      REDIRECTURL: 'https://app.example/welcome',
      EMAILSUBJECT: 'Confirm your account',
      EMAILMESSAGE: 'Click the link:',
    });
    const redirect = AUTH_TRIGGERS.CustomMessage.modules['verification-link'].env[1];
    assert.match(settingProblem(redirect, 'not a url') ?? '', /REDIRECTURL must be an http\(s\) URL/);
    assert.equal(settingProblem(redirect, 'http://localhost:3000/'), undefined);
    const dir = join(root, 'amplify/backend/auth', auth);
    const inputs = () => JSON.parse(readFileSync(join(dir, 'cli-inputs.json'), 'utf8')).cognitoConfig;
    assert.equal(inputs().verificationBucketName, `${auth.toLowerCase()}verificationbucket`);
    assert.ok(existsSync(join(dir, 'assets/index.html')) && existsSync(join(dir, 'assets/verify.js')));

    // The push builds the page from assets/ as the user left it.
    writeFileSync(join(dir, 'assets/index.html'), '<p>edited</p>');
    const fake = createFakePluginContext(root, { plugin: 'auth' });
    const built = await build(fake.ctx, { category: 'auth', resourceName: auth, service: 'Cognito', dir });
    const page = built.template.Resources.CustomMessageConfirmationPage!.Properties as { Objects: Array<{ Key: string; Body: string }> };
    assert.deepEqual(
      page.Objects.map((o) => o.Key),
      ['index.html', 'style.css', 'verify.js'],
    );
    assert.equal(page.Objects[0]!.Body, '<p>edited</p>');

    await run('update', { 'Which triggers do you want to enable': 'PreSignup', 'for Pre Sign-up': 'custom' });
    assert.equal(inputs().verificationBucketName, undefined);
    assert.equal(
      (await build(fake.ctx, { category: 'auth', resourceName: auth, service: 'Cognito', dir })).template.Resources.CustomMessageConfirmationBucket,
      undefined,
    );
  });
});
