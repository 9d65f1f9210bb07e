import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import {
  AdminConfirmSignUpCommand,
  AdminGetUserCommand,
  AssociateSoftwareTokenCommand,
  ChangePasswordCommand,
  CognitoIdentityProviderClient,
  ConfirmForgotPasswordCommand,
  ConfirmSignUpCommand,
  ForgotPasswordCommand,
  GetUserAttributeVerificationCodeCommand,
  InitiateAuthCommand,
  ResendConfirmationCodeCommand,
  RespondToAuthChallengeCommand,
  SetUserMFAPreferenceCommand,
  SignUpCommand,
  UpdateUserAttributesCommand,
  VerifySoftwareTokenCommand,
  VerifyUserAttributeCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import type { CognitoLimitSettings, ResourceContext } from '@forte/cloud';
import { AUTH_RESOURCE_TYPES } from '@forte/protocol';
import { makeTempDir, startTestCloud, type TestCloud } from './index.js';
import { mailboxMessages, totpCode } from './user-pool-codes.js';

// Attacks on the user pools' six-digit codes and passwords, through the AWS SDK against a real cloud:
// each test is an attack that succeeded before the limits existed.

const PASSWORD = 'Passw0rd!';
const NEW_PASSWORD = 'N3wPassword!';

/** A cloud with one user pool (email sign-in, optional TOTP MFA), an unsigned SDK client and an admin one. */
interface Target {
  cloud: TestCloud;
  clientId: string;
  poolId: string;
  anonymous: CognitoIdentityProviderClient;
  admin: CognitoIdentityProviderClient;
  close(): Promise<void>;
}

async function deploy(options: { cognitoLimits?: CognitoLimitSettings; dataDir?: string; pool?: { poolId: string; clientId: string } } = {}): Promise<Target> {
  const cloud = await startTestCloud({
    ...(options.cognitoLimits ? { cognitoLimits: options.cognitoLimits } : {}),
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
  });
  let ids = options.pool;
  if (!ids) {
    const ctx = (logicalId: string): ResourceContext => ({
      appId: 'sec',
      appSlug: 'sec',
      envName: 'dev',
      stackName: 'amplify-sec-dev-auth',
      logicalId,
      region: 'us-east-1',
      accountId: cloud.kernel.config.accountId,
      log: cloud.kernel.log,
    });
    const pool = await cloud.kernel.resourceHandler(AUTH_RESOURCE_TYPES.userPool)!.create(
      {
        PoolName: 'sec',
        UsernameAttributes: ['email'],
        AutoVerifiedAttributes: ['email'],
        RequiredAttributes: ['email'],
        UsernameCaseSensitive: false,
        MfaConfiguration: 'OPTIONAL',
        EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
      },
      ctx('UserPool'),
    );
    const client = await cloud.kernel
      .resourceHandler(AUTH_RESOURCE_TYPES.userPoolClient)!
      .create(
        { UserPoolId: pool.physicalId, ClientName: 'web', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] },
        ctx('UserPoolClientWeb'),
      );
    ids = { poolId: pool.physicalId, clientId: client.physicalId };
  }
  // One attempt per call: the SDK would otherwise retry throttling errors itself.
  const common = { region: 'us-east-1', endpoint: `${cloud.url}/cognito-idp/`, maxAttempts: 1 };
  const anonymous = new CognitoIdentityProviderClient({ ...common, credentials: { accessKeyId: 'unused', secretAccessKey: 'unused' } });
  const admin = new CognitoIdentityProviderClient({ ...common, credentials: cloud.credentials });
  return {
    cloud,
    ...ids,
    anonymous,
    admin,
    async close() {
      anonymous.destroy();
      admin.destroy();
      await cloud.close();
    },
  };
}

async function latestCode(cloud: TestCloud, to: string): Promise<string> {
  const code = (await mailboxMessages(cloud, to))[0]?.code;
  assert.ok(code, `a code was mailed to ${to}`);
  return code;
}

/** A six-digit code that is not `real`. */
const wrong = (real: string, n: number): string => String((Number(real) + n) % 1_000_000).padStart(6, '0');

/** 'ok', or the name of the error the call failed with. */
async function outcome(call: Promise<unknown>): Promise<string> {
  try {
    await call;
    return 'ok';
  } catch (error) {
    return (error as Error).name;
  }
}

function operations(t: Target) {
  const { anonymous, admin, clientId, poolId } = t;
  return {
    signUp: (email: string) =>
      anonymous.send(new SignUpCommand({ ClientId: clientId, Username: email, Password: PASSWORD, UserAttributes: [{ Name: 'email', Value: email }] })),
    async signUpConfirmed(email: string): Promise<void> {
      await this.signUp(email);
      await admin.send(new AdminConfirmSignUpCommand({ UserPoolId: poolId, Username: email }));
    },
    confirmSignUp: (email: string, code: string) => anonymous.send(new ConfirmSignUpCommand({ ClientId: clientId, Username: email, ConfirmationCode: code })),
    resend: (email: string) => anonymous.send(new ResendConfirmationCodeCommand({ ClientId: clientId, Username: email })),
    forgot: (email: string) => anonymous.send(new ForgotPasswordCommand({ ClientId: clientId, Username: email })),
    confirmForgot: (email: string, code: string) =>
      anonymous.send(new ConfirmForgotPasswordCommand({ ClientId: clientId, Username: email, ConfirmationCode: code, Password: NEW_PASSWORD })),
    signIn: (email: string, password = PASSWORD) =>
      anonymous.send(new InitiateAuthCommand({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: clientId, AuthParameters: { USERNAME: email, PASSWORD: password } })),
    async accessToken(email: string): Promise<string> {
      const token = (await this.signIn(email)).AuthenticationResult?.AccessToken;
      assert.ok(token, `${email} signed in`);
      return token;
    },
    /** Turns TOTP MFA on for a signed-in user; answers the secret. */
    async enableTotp(accessToken: string): Promise<string> {
      const { SecretCode } = await anonymous.send(new AssociateSoftwareTokenCommand({ AccessToken: accessToken }));
      await anonymous.send(new VerifySoftwareTokenCommand({ AccessToken: accessToken, UserCode: totpCode(SecretCode!) }));
      await anonymous.send(new SetUserMFAPreferenceCommand({ AccessToken: accessToken, SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true } }));
      return SecretCode!;
    },
    answerTotp: (session: string | undefined, code: string) =>
      anonymous.send(
        new RespondToAuthChallengeCommand({
          ClientId: clientId,
          ChallengeName: 'SOFTWARE_TOKEN_MFA',
          Session: session,
          ChallengeResponses: { USERNAME: 'x', SOFTWARE_TOKEN_MFA_CODE: code },
        }),
      ),
    changePassword: (accessToken: string, previous: string) =>
      anonymous.send(new ChangePasswordCommand({ AccessToken: accessToken, PreviousPassword: previous, ProposedPassword: NEW_PASSWORD })),
  };
}

/** A cloud for one describe block: deployed before its tests, closed after them; `t` and `op` once deployed. */
function deployForSuite(options: Parameters<typeof deploy>[0] = {}): { t: Target; op: ReturnType<typeof operations> } {
  const suite = {} as { t: Target; op: ReturnType<typeof operations> };
  before(async () => {
    suite.t = await deploy(options);
    suite.op = operations(suite.t);
  });
  after(() => suite.t.close());
  return suite;
}

const times = <T>(n: number, value: T): T[] => Array.from({ length: n }, () => value);

void describe('one-time codes and passwords under attack, with the default limits', () => {
  const s = deployForSuite();

  void it('ForgotPassword and five wrong guesses, thirty times over: five guesses in all, five codes sent, then even the right code is refused', async () => {
    const email = 'victim@example.com';
    await s.op.signUpConfirmed(email);
    const sends: string[] = [];
    const guesses: string[] = [];
    for (let round = 0; round < 30; round++) {
      sends.push(await outcome(s.op.forgot(email)));
      const real = await latestCode(s.t.cloud, email);
      for (let guess = 1; guess <= 5; guess++) guesses.push(await outcome(s.op.confirmForgot(email, wrong(real, round * 5 + guess))));
    }
    assert.deepEqual(sends, [...times(5, 'ok'), ...times(25, 'LimitExceededException')], 'five codes per user per hour');
    assert.deepEqual(guesses.slice(0, 5), [...times(4, 'CodeMismatchException'), 'LimitExceededException'], 'the fifth wrong code locks');
    assert.deepEqual(guesses.slice(5), times(145, 'LimitExceededException'), 'a new code does not start the count over');
    const real = await latestCode(s.t.cloud, email);
    await assert.rejects(
      s.op.confirmForgot(email, real),
      (e: Error) => e.name === 'LimitExceededException' && e.message === 'Attempt limit exceeded, please try after some time.',
    );
    // Nothing was changed: the old password still signs in, the one the attacker chose does not.
    assert.equal(await outcome(s.op.signIn(email)), 'ok');
    assert.equal(await outcome(s.op.signIn(email, NEW_PASSWORD)), 'NotAuthorizedException');
    const logs = s.t.cloud.logs().join('\n');
    for (const secret of [real, wrong(real, 1), PASSWORD, NEW_PASSWORD]) assert.ok(!logs.includes(secret), 'no code or password in the logs');
    assert.equal(s.t.cloud.logs().filter((line) => line.includes('too many failed attempts: locked')).length, 1, 'one warning when the lock started');
  });

  void it('ResendConfirmationCode and ConfirmSignUp likewise: the count spans codes, resends stop at five', async () => {
    const email = 'newbie@example.com';
    await s.op.signUp(email);
    const first = await latestCode(s.t.cloud, email);
    const answers: string[] = [];
    for (let n = 1; n <= 3; n++) answers.push(await outcome(s.op.confirmSignUp(email, wrong(first, n))));
    answers.push(await outcome(s.op.resend(email)));
    const second = await latestCode(s.t.cloud, email);
    for (let n = 1; n <= 2; n++) answers.push(await outcome(s.op.confirmSignUp(email, wrong(second, n))));
    answers.push(await outcome(s.op.confirmSignUp(email, second)));
    assert.deepEqual(answers, [...times(3, 'CodeMismatchException'), 'ok', 'CodeMismatchException', 'LimitExceededException', 'LimitExceededException']);
    const resends: string[] = [];
    for (let n = 0; n < 5; n++) resends.push(await outcome(s.op.resend(email)));
    assert.deepEqual(resends, [...times(4, 'ok'), 'LimitExceededException']);
    assert.equal((await s.t.admin.send(new AdminGetUserCommand({ UserPoolId: s.t.poolId, Username: email }))).UserStatus, 'UNCONFIRMED');
  });

  void it('a user who does not exist is throttled exactly like one who does', async () => {
    await s.op.signUpConfirmed('known@example.com');
    const script = async (email: string): Promise<string[]> => {
      const answers: string[] = [];
      for (let n = 0; n < 6; n++) answers.push(await outcome(s.op.forgot(email)));
      for (let n = 0; n < 7; n++) answers.push(await outcome(s.op.confirmForgot(email, wrong(await latestCode(s.t.cloud, 'known@example.com'), 1))));
      return answers;
    };
    const known = await script('known@example.com');
    const unknown = await script('Ghost@Example.com');
    assert.deepEqual(unknown, known);
    assert.deepEqual(known, [...times(5, 'ok'), 'LimitExceededException', ...times(4, 'CodeMismatchException'), ...times(3, 'LimitExceededException')]);
    assert.equal(await outcome(s.op.forgot('ghost@example.com')), 'LimitExceededException', 'any case of the same name is the same count');
  });

  void it('the real user with the right code gets in before any lock, and a success starts the count over', async () => {
    const email = 'real@example.com';
    await s.op.signUpConfirmed(email);
    await s.op.forgot(email);
    const code = await latestCode(s.t.cloud, email);
    for (let n = 1; n <= 4; n++) await assert.rejects(s.op.confirmForgot(email, wrong(code, n)), (e: Error) => e.name === 'CodeMismatchException');
    await s.op.confirmForgot(email, code);
    assert.equal(await outcome(s.op.signIn(email, NEW_PASSWORD)), 'ok');
    await s.op.forgot(email);
    const next = await latestCode(s.t.cloud, email);
    for (let n = 1; n <= 4; n++) await assert.rejects(s.op.confirmForgot(email, wrong(next, n)), (e: Error) => e.name === 'CodeMismatchException');
    await s.op.confirmForgot(email, next);
  });

  void it('attribute codes count with the others: VerifyUserAttribute locks, GetUserAttributeVerificationCode stops at five', async () => {
    const email = 'attr@example.com';
    await s.op.signUpConfirmed(email);
    const token = await s.op.accessToken(email);
    const send = () => s.t.anonymous.send(new GetUserAttributeVerificationCodeCommand({ AccessToken: token, AttributeName: 'email' }));
    const verify = (code: string) => s.t.anonymous.send(new VerifyUserAttributeCommand({ AccessToken: token, AttributeName: 'email', Code: code }));
    await send();
    const code = await latestCode(s.t.cloud, email);
    const answers: string[] = [];
    for (let n = 1; n <= 5; n++) answers.push(await outcome(verify(wrong(code, n))));
    answers.push(await outcome(verify(code)));
    assert.deepEqual(answers, [...times(4, 'CodeMismatchException'), ...times(2, 'LimitExceededException')]);
    const sends: string[] = [];
    for (let n = 0; n < 5; n++) sends.push(await outcome(send()));
    assert.deepEqual(sends, [...times(4, 'ok'), 'LimitExceededException']);
  });

  void it('UpdateUserAttributes: codes sent to new addresses count with the others, and a refused change writes nothing', async () => {
    const email = 'mover@example.com';
    await s.op.signUpConfirmed(email);
    const token = await s.op.accessToken(email);
    const move = (n: number) =>
      s.t.anonymous.send(new UpdateUserAttributesCommand({ AccessToken: token, UserAttributes: [{ Name: 'email', Value: `mover-${n}@example.com` }] }));
    const sends: string[] = [];
    for (let n = 0; n < 6; n++) sends.push(await outcome(move(n)));
    assert.deepEqual(sends, [...times(5, 'ok'), 'LimitExceededException']);
    assert.equal((await mailboxMessages(s.t.cloud, 'mover-5@example.com')).length, 0, 'nothing was sent past the limit');
  });

  void it('ChangePassword with a stolen access token: five wrong previous passwords, then refused even with the right one, and sign-in locked too', async () => {
    const email = 'stolen@example.com';
    await s.op.signUpConfirmed(email);
    const token = await s.op.accessToken(email);
    const answers: string[] = [];
    for (let n = 1; n <= 5; n++) answers.push(await outcome(s.op.changePassword(token, `Wrong${n}000!`)));
    answers.push(await outcome(s.op.changePassword(token, PASSWORD)));
    assert.deepEqual(answers, [...times(5, 'NotAuthorizedException'), 'LimitExceededException']);
    await assert.rejects(s.op.signIn(email), (e: Error) => e.name === 'NotAuthorizedException' && e.message === 'Password attempts exceeded');
  });

  void it('MFA codes: five wrong TOTP codes lock the sign-in, whatever the password', async () => {
    const email = 'mfa@example.com';
    await s.op.signUpConfirmed(email);
    const secret = await s.op.enableTotp(await s.op.accessToken(email));
    const answers: string[] = [];
    for (let n = 1; n <= 5; n++) {
      const challenge = await s.op.signIn(email);
      assert.equal(challenge.ChallengeName, 'SOFTWARE_TOKEN_MFA');
      answers.push(await outcome(s.op.answerTotp(challenge.Session, totpCode(secret, Date.now() + (10 + n) * 60_000))));
    }
    assert.deepEqual(answers, times(5, 'CodeMismatchException'));
    await assert.rejects(s.op.signIn(email), (e: Error) => e.name === 'NotAuthorizedException' && e.message === 'Password attempts exceeded');
  });
});

void describe('a burst of concurrent guesses', () => {
  const s = deployForSuite();

  void it('fifty guesses sent at once: at most five are checked, the rest refused, and the right code after them too', async () => {
    const email = 'burst@example.com';
    await s.op.signUpConfirmed(email);
    await s.op.forgot(email);
    const code = await latestCode(s.t.cloud, email);
    const answers = await Promise.all(Array.from({ length: 50 }, (_, n) => outcome(s.op.confirmForgot(email, wrong(code, n + 1)))));
    const checked = answers.filter((a) => a === 'CodeMismatchException').length;
    assert.ok(checked <= 5, `${checked} wrong codes were checked`);
    assert.equal(answers.filter((a) => a === 'LimitExceededException').length, 50 - checked);
    assert.equal(await outcome(s.op.confirmForgot(email, code)), 'LimitExceededException');
  });
});

void describe('a burst of concurrent password guesses', () => {
  const s = deployForSuite();

  void it('fifty wrong passwords sent at once: at most five are checked, the rest refused as attempts exceeded', async () => {
    const email = 'password-burst@example.com';
    await s.op.signUpConfirmed(email);
    const messages = await Promise.all(
      Array.from({ length: 50 }, async (_, n) => {
        try {
          await s.op.signIn(email, `Wr0ng-${n}!`);
          return 'ok';
        } catch (error) {
          return (error as Error).message;
        }
      }),
    );
    const checked = messages.filter((m) => m === 'Incorrect username or password.').length;
    assert.ok(checked <= 5, `${checked} wrong passwords were checked`);
    assert.equal(messages.filter((m) => m === 'Password attempts exceeded').length, 50 - checked);
  });
});

void describe('limits from the settings', () => {
  const s = deployForSuite({ cognitoLimits: { codeAttempts: { perUser: 3, lockSeconds: 1 }, mailbox: { perRecipient: 3 }, signIns: { perUser: 2 } } });

  void it('a lock ends after lockSeconds: then the right code works', async () => {
    const email = 'late@example.com';
    await s.op.signUp(email);
    const code = await latestCode(s.t.cloud, email);
    const answers: string[] = [];
    for (let n = 1; n <= 3; n++) answers.push(await outcome(s.op.confirmSignUp(email, wrong(code, n))));
    answers.push(await outcome(s.op.confirmSignUp(email, code)));
    assert.deepEqual(answers, ['CodeMismatchException', 'CodeMismatchException', 'LimitExceededException', 'LimitExceededException']);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await s.op.confirmSignUp(email, code);
    assert.equal(await outcome(s.op.signIn(email)), 'ok');
  });

  void it('failed sign-ins stop at their setting', async () => {
    const email = 'guessed@example.com';
    await s.op.signUpConfirmed(email);
    const answers: string[] = [];
    for (let n = 1; n <= 2; n++) answers.push(await outcome(s.op.signIn(email, `Wrong${n}000!`)));
    assert.deepEqual(answers, times(2, 'NotAuthorizedException'));
    await assert.rejects(s.op.signIn(email), (e: Error) => e.message === 'Password attempts exceeded');
  });

  void it('the mailbox keeps the newest messages of a recipient only', async () => {
    const email = 'mailbox@example.com';
    await s.op.signUp(email);
    for (let n = 0; n < 4; n++) await s.op.resend(email);
    const kept = await mailboxMessages(s.t.cloud, email);
    assert.equal(kept.length, 3);
    await s.op.confirmSignUp(email, kept[0]!.code!);
  });
});

void describe('limits per client address', () => {
  const s = deployForSuite({ cognitoLimits: { codeAttempts: { perUser: 3, perAddress: 6 }, signUps: { perAddress: 3 } } });

  void it('sign-ups from one address stop at the limit, whatever the name', async () => {
    const answers: string[] = [];
    for (const name of ['a1', 'a2', 'a3', 'a4', 'a1']) answers.push(await outcome(s.op.signUp(`${name}@example.com`)));
    assert.deepEqual(answers, [...times(3, 'ok'), ...times(2, 'TooManyRequestsException')]);
  });

  void it('wrong codes for different users add up per address: then every user is refused there, even with the right code', async () => {
    const answers: string[] = [];
    for (const name of ['a1', 'a2', 'a3']) {
      const code = await latestCode(s.t.cloud, `${name}@example.com`);
      for (let n = 1; n <= 2; n++) answers.push(await outcome(s.op.confirmSignUp(`${name}@example.com`, wrong(code, n))));
    }
    assert.deepEqual(answers, [...times(5, 'CodeMismatchException'), 'TooManyRequestsException']);
    await assert.rejects(
      s.op.confirmSignUp('a1@example.com', await latestCode(s.t.cloud, 'a1@example.com')),
      (e: Error) => e.name === 'TooManyRequestsException',
    );
  });
});

void describe('counts and locks survive a restart of the cloud', () => {
  let dataDir = '';
  before(async () => {
    dataDir = await makeTempDir('forte-security-codes');
  });
  after(() => rm(dataDir, { recursive: true, force: true }));

  void it('a locked reset code, ChangePassword, TOTP and password sign-in stay locked, and the codes sent stay counted', async () => {
    // Six failed sign-ins lock sign-in here, so the five failures of ChangePassword and TOTP leave it open.
    const cognitoLimits = { signIns: { perUser: 6 } };
    const first = await deploy({ dataDir, cognitoLimits });
    const pool = { poolId: first.poolId, clientId: first.clientId };
    let secret = '';
    try {
      const op = operations(first);
      await op.signUpConfirmed('reset@example.com');
      for (let n = 0; n < 5; n++) await op.forgot('reset@example.com');
      const code = await latestCode(first.cloud, 'reset@example.com');
      for (let n = 1; n <= 5; n++) await op.confirmForgot('reset@example.com', wrong(code, n)).catch(() => undefined);

      await op.signUpConfirmed('change@example.com');
      const token = await op.accessToken('change@example.com');
      for (let n = 1; n <= 5; n++) await assert.rejects(op.changePassword(token, `Wrong${n}000!`));

      await op.signUpConfirmed('totp@example.com');
      secret = await op.enableTotp(await op.accessToken('totp@example.com'));
      for (let n = 1; n <= 5; n++) {
        const challenge = await op.signIn('totp@example.com');
        await assert.rejects(op.answerTotp(challenge.Session, totpCode(secret, Date.now() + (10 + n) * 60_000)));
      }

      await op.signUpConfirmed('signin@example.com');
      for (let n = 1; n <= 6; n++)
        await assert.rejects(op.signIn('signin@example.com', `Wrong${n}000!`), (e: Error) => e.message === 'Incorrect username or password.');
    } finally {
      await first.close();
    }

    const second = await deploy({ dataDir, pool, cognitoLimits });
    try {
      const op = operations(second);
      assert.equal(await outcome(op.forgot('reset@example.com')), 'LimitExceededException', 'the five codes sent are still counted');
      assert.equal(await outcome(op.confirmForgot('reset@example.com', await latestCode(second.cloud, 'reset@example.com'))), 'LimitExceededException');
      await assert.rejects(op.signIn('signin@example.com'), (e: Error) => e.message === 'Password attempts exceeded');
      const token = await op.accessToken('change@example.com');
      assert.equal(await outcome(op.changePassword(token, PASSWORD)), 'LimitExceededException');
      const challenge = await op.signIn('totp@example.com');
      assert.equal(challenge.ChallengeName, 'SOFTWARE_TOKEN_MFA');
      await assert.rejects(
        op.answerTotp(challenge.Session, totpCode(secret)),
        (e: Error) => e.name === 'NotAuthorizedException' && e.message === 'Password attempts exceeded',
      );
    } finally {
      await second.close();
    }
  });
});
