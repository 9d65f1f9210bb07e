import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { signIn, signUp } from 'aws-amplify/auth';
import { chromium } from 'playwright-core';
import { configureAmplifyFrom } from './amplify-app.js';
import { CHROMIUM, CHROMIUM_ARGS, missingBrowser } from './example-app.js';
import { runForteInTerminal, useProject } from './forte-runner.js';

const REDIRECT = 'http://welcome.example.test/after-confirm';

/** Email sign-in whose sign-up email carries Amplify's account confirmation link (CustomMessage verification-link). */
const ADD_AUTH_REQUEST = {
  version: 2,
  resourceName: 'linkauth',
  serviceConfiguration: {
    serviceName: 'Cognito',
    includeIdentityPool: false,
    userPoolConfiguration: {
      signinMethod: 'EMAIL',
      requiredSignupAttributes: ['EMAIL'],
      triggers: { CustomMessage: ['verification-link'] },
      triggerSettings: {
        CustomMessage: {
          REDIRECTURL: REDIRECT,
          EMAILSUBJECT: 'Confirm your Linkapp account',
          EMAILMESSAGE: 'Welcome! Open this link to confirm your account:',
        },
      },
    },
  },
};

const PASSWORD = 'Passw0rd!';
const skip = missingBrowser('the verification-link page in a browser');

void describe(
  'CustomMessage verification-link: add auth → push → sign-up → the emailed link confirms the user and redirects (built binary, local cloud, Chromium)',
  { skip },
  () => {
    const project = useProject('forte-auth-verification-link-', 'linkapp');
    const { forte, readJson } = project;

    void it('writes the module, its settings and the confirmation page; the push serves the page; a wrong code is refused on the page, the right one confirms and redirects', async () => {
      const add = await forte(['add', 'auth', '--headless'], JSON.stringify(ADD_AUTH_REQUEST));
      assert.equal(add.code, 0, add.stderr + add.stdout);
      const inputs = readJson('amplify/backend/auth/linkauth/cli-inputs.json').cognitoConfig;
      assert.deepEqual(inputs.triggers, { CustomMessage: ['verification-link'] });
      assert.equal(inputs.verificationBucketName, 'linkauthverificationbucket');
      assert.deepEqual(readJson('amplify/backend/function/linkauthCustomMessage/parameters.json'), {
        modules: 'verification-link',
        resourceName: 'linkauthCustomMessage',
        RESOURCENAME: 'linkauthCustomMessage',
        REDIRECTURL: REDIRECT,
        EMAILSUBJECT: 'Confirm your Linkapp account',
        EMAILMESSAGE: 'Welcome! Open this link to confirm your account:',
      });
      for (const file of ['function/linkauthCustomMessage/src/verification-link.js', 'auth/linkauth/assets/index.html', 'auth/linkauth/assets/verify.js'])
        assert.ok(existsSync(join(project.root, 'amplify/backend', file)), file);

      const push = await forte(['push', '--yes']);
      assert.equal(push.code, 0, push.stderr + push.stdout);
      configureAmplifyFrom(project.root);
      const email = 'ann@example.com';
      await signUp({ username: email, password: PASSWORD, options: { userAttributes: { email } } });
      assert.equal((await signIn({ username: email, password: PASSWORD })).nextStep.signInStep, 'CONFIRM_SIGN_UP');

      const mailbox = await forte(['mailbox', '--json', '--to', email]);
      assert.equal(mailbox.code, 0, mailbox.stderr);
      const message = (JSON.parse(mailbox.stdout) as Array<{ subject?: string; body: string; code?: string }>)[0];
      assert.ok(message, mailbox.stdout);
      assert.equal(message.subject, 'Confirm your Linkapp account');
      assert.match(
        message.body,
        /^Welcome! Open this link to confirm your account: http:\/\/linkauthverificationbucket-dev\.s3-website\.localhost:\d+\/\?data=/,
      );
      const link = new URL(/(http:\/\/\S+)/.exec(message.body)![1]!);
      assert.equal(link.searchParams.get('code'), message.code);

      const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
      try {
        const page = await browser.newPage();
        // The app's own page, where the confirmed user lands.
        await page.route('http://welcome.example.test/**', (route) => route.fulfill({ contentType: 'text/html', body: '<h1>Welcome back</h1>' }));

        const wrong = new URL(link);
        wrong.searchParams.set('code', message.code === '000000' ? '111111' : '000000');
        await page.goto(wrong.href);
        await page.waitForFunction("document.body.className === 'failed'", undefined, { timeout: 15_000 });
        assert.match((await page.textContent('#title')) ?? '', /no longer valid/);
        assert.ok(page.url().startsWith(wrong.origin), page.url());
        assert.equal((await signIn({ username: email, password: PASSWORD })).nextStep.signInStep, 'CONFIRM_SIGN_UP');

        await page.goto(link.href);
        await page.waitForURL(/welcome\.example\.test/, { timeout: 15_000 });
        // The pool's user name, as Cognito hands it to the trigger: with email sign-in, the user's generated id.
        assert.match(page.url(), new RegExp(`^${REDIRECT}/\\?username=[0-9a-f-]{36}$`));
        assert.equal(await page.textContent('h1'), 'Welcome back');

        // The link again: the user is told, and not sent anywhere (a link naming a confirmed user could carry any address).
        await page.goto(link.href);
        await page.waitForFunction("document.getElementById('title').textContent.includes('already confirmed')", undefined, { timeout: 15_000 });
        assert.ok(page.url().startsWith(link.origin), page.url());
      } finally {
        await browser.close();
      }
      assert.equal((await signIn({ username: email, password: PASSWORD })).nextStep.signInStep, 'DONE');
    });
  },
);

void describe('removing the verification-link module (built binary, local cloud)', () => {
  const project = useProject('forte-auth-verification-link-remove-', 'linkapp');
  const { forte } = project;

  void it('drops the function, the confirmation bucket and its page at the next push', async () => {
    const add = await forte(['add', 'auth', '--headless'], JSON.stringify(ADD_AUTH_REQUEST));
    assert.equal(add.code, 0, add.stderr + add.stdout);
    const first = await forte(['push', '--yes']);
    assert.equal(first.code, 0, first.stderr + first.stdout);
    const update = await forte(
      ['update', 'auth', '--headless'],
      JSON.stringify({ version: 2, serviceModification: { serviceName: 'Cognito', userPoolModification: { triggers: {} } } }),
    );
    assert.equal(update.code, 0, update.stderr + update.stdout);
    const { port } = new URL(project.readJson('amplify/backend/amplify-meta.json').auth.linkauth.output.ProviderURL as string);
    assert.equal((await websiteStatus(port)).status, 200);
    const push = await forte(['push', '--yes']);
    assert.equal(push.code, 0, push.stderr + push.stdout);
    assert.equal(project.readJson('amplify/backend/backend-config.json').function?.linkauthCustomMessage, undefined);
    const gone = await websiteStatus(port);
    assert.deepEqual([gone.status, /NoSuchBucket/.test(gone.body)], [404, true]);
  });
});

/** GET / of the confirmation bucket's website host on the local cloud. */
function websiteStatus(port: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ hostname: '127.0.0.1', port, path: '/', headers: { host: `linkauthverificationbucket-dev.s3-website.localhost:${port}` } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

void describe('the verification-link module in the add auth walkthrough (built binary, terminal)', () => {
  const project = useProject('forte-auth-verification-link-walkthrough-', 'walkapp');

  void it("offers it for Custom Message with Amplify's name and asks Amplify's three questions", async () => {
    const { code, screen } = await runForteInTerminal(['add', 'auth'], { cwd: project.root, home: project.home, columns: 500 }, [
      [/Do you want to use the default authentication and security configuration/, '\r'],
      [/How do you want users to be able to sign in/, '\r'],
      [/Do you want to configure advanced settings/, 'y\r'],
      [/What attributes are required for signing up/, '\r'],
      [/Do you want to add User Pool Groups/, '\r'],
      [/Do you want to configure Lambda Triggers for Cognito/, 'y\r'],
      [/Which triggers do you want to enable for Cognito/, 'CustomMessage\r'],
      [
        /What functionality do you want to use for Custom Message\? \(comma-separated: verification-link \(Send Account Confirmation Link w\/ Redirect\), custom/,
        'verification-link\r',
      ],
      [/Enter the URL that your users will be redirected to upon account confirmation/, 'https://walk.example/hello\r'],
      [/Enter the subject for your custom account confirmation email/, 'Hello\r'],
      [/this will appear before the link URL/, 'Confirm here:\r'],
    ]);
    assert.equal(code, 0, screen);
    const auth = Object.keys(project.readJson('amplify/backend/backend-config.json').auth)[0]!;
    assert.deepEqual(project.readJson(`amplify/backend/function/${auth}CustomMessage/parameters.json`), {
      modules: 'verification-link',
      resourceName: `${auth}CustomMessage`,
      RESOURCENAME: `${auth}CustomMessage`,
      REDIRECTURL: 'https://walk.example/hello',
      EMAILSUBJECT: 'Hello',
      EMAILMESSAGE: 'Confirm here:',
    });
    assert.equal(
      project.readJson(`amplify/backend/auth/${auth}/cli-inputs.json`).cognitoConfig.verificationBucketName,
      `${auth.toLowerCase()}verificationbucket`,
    );
    assert.ok(existsSync(join(project.root, `amplify/backend/auth/${auth}/assets/index.html`)));
  });
});
