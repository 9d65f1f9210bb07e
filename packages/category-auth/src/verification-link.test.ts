import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { RESOURCE_TYPES } from '@forte/protocol';
import { createFakePluginContext } from '@forte/testing';
import { authTemplate, build, defaultCognitoConfig, executeCommand, executeHeadlessCommand } from './index.js';
import { AUTH_TRIGGERS, moduleSource, settingProblem } from './auth-triggers.js';
import { writeVerificationPage } from './verification-page.js';

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

void describe('verification-link in a headless AddAuthRequest', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'forte-auth-verification-link-headless-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const add = async (settings: Record<string, string>): Promise<unknown[]> => {
    const calls: unknown[] = [];
    const fake = createFakePluginContext(root, { plugin: 'auth', command: 'add', headless: true });
    const ctx = {
      ...fake.ctx,
      invokePluginMethod: async <T>(_category: string, _method: string, args: unknown[]): Promise<T> => {
        calls.push(args[0]);
        return undefined as T;
      },
    };
    await executeHeadlessCommand(ctx, {
      version: 2,
      resourceName: 'hlauth',
      serviceConfiguration: {
        serviceName: 'Cognito',
        includeIdentityPool: false,
        userPoolConfiguration: {
          signinMethod: 'EMAIL',
          requiredSignupAttributes: ['EMAIL'],
          triggers: { CustomMessage: ['verification-link'] },
          triggerSettings: { CustomMessage: settings },
        },
      },
    });
    return calls;
  };

  void it('refuses a redirect that is not an http(s) URL, a missing setting, and RESOURCENAME (not a setting the user gives)', async () => {
    const base = { REDIRECTURL: 'https://app.example/', EMAILSUBJECT: 'Confirm', EMAILMESSAGE: 'Open:' };
    await assert.rejects(add({ ...base, REDIRECTURL: 'app.example' }), /triggerSettings\.CustomMessage\.REDIRECTURL must be an http\(s\) URL/);
    await assert.rejects(add({ REDIRECTURL: 'https://app.example/', EMAILSUBJECT: 'Confirm' }), /triggerSettings\.CustomMessage\.EMAILMESSAGE is required/);
    await assert.rejects(add({ ...base, RESOURCENAME: 'x' }), /RESOURCENAME is not a setting/);
    const [call] = await add(base);
    assert.deepEqual((call as { environment: unknown }).environment, { RESOURCENAME: 'hlauthCustomMessage', ...base });
  });
});

void describe('an auth resource with verification-link as a Gen 1 project cloned from AWS holds it', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'forte-auth-verification-link-gen1-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  void it("builds its bucket from verificationBucketName and its assets/ as they are (triggers as a JSON string), warning that Amplify's files address AWS", async () => {
    const dir = join(root, 'amplify/backend/auth/gen1auth1a2b3c4d');
    const fn = join(root, 'amplify/backend/function/gen1auth1a2b3c4dCustomMessage/src');
    mkdirSync(join(dir, 'assets'), { recursive: true });
    mkdirSync(fn, { recursive: true });
    const cognitoConfig = {
      ...defaultCognitoConfig('gen1', 'gen1auth1a2b3c4d'),
      triggers: '{"CustomMessage":["verification-link"]}',
      verificationBucketName: 'gen1auth1a2b3c4dverificationbucket',
    };
    writeFileSync(join(dir, 'cli-inputs.json'), JSON.stringify({ version: '1', cognitoConfig }));
    // The shape of Amplify's page and module: an SDK from AWS's CDN, a link to S3's website host on AWS.
    writeFileSync(join(dir, 'assets/index.html'), '<script src="https://sdk.amazonaws.com/js/aws-sdk.min.js"></script><script src="./verify.js"></script>');
    writeFileSync(join(dir, 'assets/verify.js'), 'new AWS.CognitoIdentityServiceProvider({ region }).confirmSignUp(params, done);');
    writeFileSync(join(dir, 'assets/spinner.js'), 'function Spinner() {}');
    writeFileSync(join(dir, 'assets/style.css'), 'body { margin: 0 }');
    writeFileSync(join(fn, 'verification-link.js'), 'const url = `http://${bucket}.s3-website-${region}.amazonaws.com`;');

    const fake = createFakePluginContext(root, { plugin: 'auth' });
    const built = await build(fake.ctx, { category: 'auth', resourceName: 'gen1auth1a2b3c4d', service: 'Cognito', dir });
    const bucket = built.template.Resources.CustomMessageConfirmationBucket!.Properties as { BucketName: unknown };
    assert.deepEqual(bucket.BucketName, { 'Fn::Join': ['-', ['gen1auth1a2b3c4dverificationbucket', { Ref: 'env' }]] });
    const page = built.template.Resources.CustomMessageConfirmationPage!.Properties as { Objects: Array<{ Key: string; ContentType: string }> };
    assert.deepEqual(
      page.Objects.map((o) => [o.Key, o.ContentType]),
      [
        ['index.html', 'text/html; charset=utf-8'],
        ['spinner.js', 'text/javascript; charset=utf-8'],
        ['style.css', 'text/css; charset=utf-8'],
        ['verify.js', 'text/javascript; charset=utf-8'],
      ],
    );
    const warning = fake.printed.find((line) => line.includes('address AWS'));
    assert.ok(warning, fake.printed.join('\n'));
    assert.match(warning, /verification-link\.js, index\.html, verify\.js address AWS/);

    // Forte's own files (the user deleted Amplify's and ran update auth) do not warn; a missing page is refused.
    rmSync(join(dir, 'assets'), { recursive: true });
    const quiet = createFakePluginContext(root, { plugin: 'auth' });
    await assert.rejects(build(quiet.ctx, { category: 'auth', resourceName: 'gen1auth1a2b3c4d', service: 'Cognito', dir }), /confirmation page .* is missing/);
    writeVerificationPage(dir);
    writeFileSync(join(fn, 'verification-link.js'), moduleSource('verification-link'));
    await build(quiet.ctx, { category: 'auth', resourceName: 'gen1auth1a2b3c4d', service: 'Cognito', dir });
    assert.deepEqual(
      quiet.printed.filter((line) => line.includes('address AWS')),
      [],
    );
  });
});
