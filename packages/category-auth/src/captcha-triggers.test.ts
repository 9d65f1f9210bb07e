import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { createFakePluginContext } from '@forte/testing';
import { moduleSource } from './auth-triggers.js';
import { executeCommand } from './index.js';

type Handler = (event: any) => Promise<any>;

void describe("the captcha sign-in modules (Amplify's MFA w/ Captcha)", () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'forte-auth-captcha-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));
  /** A module's handler as a function runs it: its source (CommonJS) in a file of its own. */
  const handlerOf = (module: string): Handler => {
    const file = join(root, `${module}.cjs`);
    writeFileSync(file, moduleSource(module));
    return (createRequire(import.meta.url)(file) as { handler: Handler }).handler;
  };

  void it('the walkthrough offers them for the three challenge triggers and asks for the reCAPTCHA secret of captcha-verify', async () => {
    const calls: { functionName: string; modules: string[]; environment: unknown; files: Record<string, string> }[] = [];
    const fake = createFakePluginContext(root, {
      plugin: 'auth',
      command: 'add',
      answers: {
        'default authentication and security configuration': 'manual',
        'Do you want to configure Lambda Triggers for Cognito?': true,
        'Which triggers do you want to enable': 'DefineAuthChallenge, CreateAuthChallenge, VerifyAuthChallengeResponse',
        'for Define Auth Challenge': 'captcha-define-challenge',
        'for Create Auth Challenge': 'captcha-create-challenge',
        'for Verify Auth Challenge Response': 'captcha-verify',
        'reCaptcha secret key': 'the-secret',
      },
    });
    const ctx = {
      ...fake.ctx,
      invokePluginMethod: async <T>(_category: string, _method: string, args: unknown[]): Promise<T> => {
        calls.push(args[0] as (typeof calls)[number]);
        return undefined as T;
      },
    };
    await executeCommand(ctx);
    const offered = (trigger: string): string => fake.asked.find((q) => q.includes(`for ${trigger}?`)) ?? '';
    assert.match(offered('Define Auth Challenge'), /captcha-define-challenge \(MFA w\/ Captcha \(Definition\)\)/);
    assert.match(offered('Create Auth Challenge'), /captcha-create-challenge \(MFA w\/ Captcha \(Creation\)\)/);
    assert.match(offered('Verify Auth Challenge Response'), /captcha-verify \(MFA w\/ Captcha \(Verification\)\)/);
    assert.ok(fake.asked.includes('Enter the Google reCaptcha secret key:'));
    assert.deepEqual(
      calls.map((c) => [c.modules, c.environment, Object.keys(c.files).sort()]),
      [
        [['captcha-define-challenge'], {}, ['captcha-define-challenge.js', 'index.js']],
        [['captcha-create-challenge'], {}, ['captcha-create-challenge.js', 'index.js']],
        [['captcha-verify'], { RECAPTCHASECRET: 'the-secret' }, ['captcha-verify.js', 'index.js']],
      ],
    );
  });

  void it('define: password, then the captcha, then tokens; create asks for the captcha after the password', async () => {
    const define = handlerOf('captcha-define-challenge');
    const step = async (session: { challengeName: string; challengeResult: boolean }[]) => (await define({ request: { session }, response: {} })).response;
    assert.equal((await step([{ challengeName: 'SRP_A', challengeResult: true }])).challengeName, 'PASSWORD_VERIFIER');
    const afterPassword = [
      { challengeName: 'SRP_A', challengeResult: true },
      { challengeName: 'PASSWORD_VERIFIER', challengeResult: true },
    ];
    assert.deepEqual(await step(afterPassword), { issueTokens: false, failAuthentication: false, challengeName: 'CUSTOM_CHALLENGE' });
    assert.deepEqual(await step([...afterPassword, { challengeName: 'CUSTOM_CHALLENGE', challengeResult: true }]), {
      issueTokens: true,
      failAuthentication: false,
    });
    assert.deepEqual(await step([...afterPassword, { challengeName: 'CUSTOM_CHALLENGE', challengeResult: false }]), {
      issueTokens: false,
      failAuthentication: true,
    });
    assert.equal(
      (
        await step([
          { challengeName: 'SRP_A', challengeResult: true },
          { challengeName: 'PASSWORD_VERIFIER', challengeResult: false },
        ])
      ).failAuthentication,
      true,
    );

    const created = await handlerOf('captcha-create-challenge')({ request: { challengeName: 'CUSTOM_CHALLENGE', session: afterPassword }, response: {} });
    assert.deepEqual(created.response, {
      publicChallengeParameters: { trigger: 'true' },
      privateChallengeParameters: { answer: '' },
      challengeMetadata: 'CAPTCHA_CHALLENGE',
    });
  });

  void it('verify: the token is checked with the siteverify API (secret and response, form-encoded); a refused token fails the sign-in', async () => {
    const received: URLSearchParams[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        const form = new URLSearchParams(body);
        received.push(form);
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ success: form.get('response') === 'good-token' }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    process.env['RECAPTCHASECRET'] = 'the-secret';
    process.env['RECAPTCHAVERIFYURL'] = `http://127.0.0.1:${port}/recaptcha/api/siteverify`;
    try {
      const verify = handlerOf('captcha-verify');
      const ok = await verify({ request: { challengeAnswer: 'good-token' }, response: {} });
      assert.equal(ok.response.answerCorrect, true);
      await assert.rejects(verify({ request: { challengeAnswer: 'forged' }, response: {} }), /CAPTCHA verification error/);
      assert.deepEqual(
        received.map((f) => [f.get('secret'), f.get('response')]),
        [
          ['the-secret', 'good-token'],
          ['the-secret', 'forged'],
        ],
      );
    } finally {
      delete process.env['RECAPTCHASECRET'];
      delete process.env['RECAPTCHAVERIFYURL'];
      server.close();
    }
  });
});
