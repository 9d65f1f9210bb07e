import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  AdminConfirmSignUpCommand,
  AdminGetUserCommand,
  AdminResetUserPasswordCommand,
  AdminUpdateUserAttributesCommand,
  AssociateSoftwareTokenCommand,
  CognitoIdentityProviderClient,
  ConfirmForgotPasswordCommand,
  ConfirmSignUpCommand,
  ForgotPasswordCommand,
  GetUserAttributeVerificationCodeCommand,
  GetUserCommand,
  InitiateAuthCommand,
  ResendConfirmationCodeCommand,
  RespondToAuthChallengeCommand,
  SignUpCommand,
  UpdateUserAttributesCommand,
  VerifySoftwareTokenCommand,
  VerifyUserAttributeCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import {
  AUTH_RESOURCE_TYPES,
  MAILBOX_API_PATH,
  SIGNING_SERVICE,
  type MailboxMessage,
  type UserPoolClientProperties,
  type UserPoolProperties,
  isForteError,
} from '@forte/protocol';
import { decodeJwt } from 'jose';
import { createSqliteStore } from '../../engines/sqlite/sqlite-store.js';
import type { ResourceContext } from '../../kernel/types.js';
import { createCloud, type Cloud } from '../../server.js';
import { createChallengeSessions, SESSION_TTL_MS } from './challenge-sessions.js';
import { cognitoIdpMigrations } from './migrations.js';
import { poolNameOf } from './password-setting.js';
import { SRP_G, SRP_K, SRP_N, claimSignature, hkdfKey, modPow, srpTimestamp, srpU, srpX } from './srp-math.js';
import { totpCode } from './totp.js';

const PASSWORD = 'Passw0rd!';

async function rejects(promise: Promise<unknown>, name: string, message?: RegExp): Promise<void> {
  await assert.rejects(promise, (error: Error) => {
    assert.equal(error.name, name, error.message);
    if (message) assert.match(error.message, message);
    return true;
  });
}

/** A cloud on `dir` with SDK clients: `admin` signs with the admin keys, `anonymous` makes the unsigned calls. */
async function open(dir: string) {
  const cloud = await createCloud({ dataDir: dir, port: 0, logLevel: 'warn', logStream: { write: () => undefined } });
  const common = { region: 'us-east-1', endpoint: `${cloud.url}/cognito-idp/`, maxAttempts: 1 };
  const admin = new CognitoIdentityProviderClient({ ...common, credentials: cloud.adminCredentials });
  const anonymous = new CognitoIdentityProviderClient({ ...common, credentials: { accessKeyId: 'unused', secretAccessKey: 'unused' } });
  return {
    cloud,
    admin,
    anonymous,
    async close() {
      admin.destroy();
      anonymous.destroy();
      await cloud.close();
    },
  };
}

function context(cloud: Cloud, logicalId: string): ResourceContext {
  return {
    appId: 'robust',
    appSlug: 'robust',
    envName: 'dev',
    stackName: 's',
    logicalId,
    region: 'us-east-1',
    accountId: cloud.kernel.config.accountId,
    log: cloud.kernel.log,
  };
}

/** A pool and an app client made through the resource handlers, as a push makes them. */
async function makePool(
  cloud: Cloud,
  name: string,
  props: Omit<UserPoolProperties, 'PoolName'>,
  client: Partial<UserPoolClientProperties> = {},
): Promise<{ poolId: string; clientId: string }> {
  const poolId = (await cloud.kernel.resourceHandler(AUTH_RESOURCE_TYPES.userPool)!.create({ PoolName: name, ...props }, context(cloud, `Pool${name}`)))
    .physicalId;
  const clientId = (
    await cloud.kernel.resourceHandler(AUTH_RESOURCE_TYPES.userPoolClient)!.create(
      {
        UserPoolId: poolId,
        ClientName: 'web',
        ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
        ...client,
      },
      context(cloud, `Client${name}`),
    )
  ).physicalId;
  return { poolId, clientId };
}

async function mailbox(cloud: Cloud, to: string): Promise<MailboxMessage[]> {
  const url = new URL(MAILBOX_API_PATH, cloud.url);
  const body = JSON.stringify({ to });
  const signer = new SignatureV4({ service: SIGNING_SERVICE, region: 'us-east-1', credentials: cloud.adminCredentials, sha256: Hash.bind(null, 'sha256') });
  const signed = await signer.sign({
    method: 'POST',
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path: url.pathname,
    headers: { host: url.host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'ForteMailbox.ListMessages' },
    body,
  });
  return ((await (await fetch(url, { method: 'POST', headers: signed.headers, body })).json()) as { messages: MailboxMessage[] }).messages;
}

/** The client half of USER_SRP_AUTH: the PASSWORD_VERIFIER answer to a challenge, from the password. */
function passwordClaim(poolId: string, a: bigint, challenge: Record<string, string>, password: string): Record<string, string> {
  const poolName = poolNameOf(poolId);
  const userId = challenge.USER_ID_FOR_SRP!;
  const A = modPow(SRP_G, a, SRP_N);
  const B = BigInt(`0x${challenge.SRP_B!}`);
  const u = srpU(A, B);
  const x = srpX(challenge.SALT!, poolName, userId, password);
  const base = (((B - SRP_K * modPow(SRP_G, x, SRP_N)) % SRP_N) + SRP_N) % SRP_N;
  const S = modPow(base, a + u * x, SRP_N);
  const timestamp = srpTimestamp(new Date());
  const signature = claimSignature(hkdfKey(S, u), poolName, userId, challenge.SECRET_BLOCK!, timestamp).toString('base64');
  return { USERNAME: userId, PASSWORD_CLAIM_SECRET_BLOCK: challenge.SECRET_BLOCK!, PASSWORD_CLAIM_SIGNATURE: signature, TIMESTAMP: timestamp };
}

describe('pending sign-in steps', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'forte-cognito-restart-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('an SRP sign-in and an MFA setup started before a restart finish after it, once', async () => {
    const first = await open(dir);
    const { poolId, clientId } = await makePool(first.cloud, 'Restart', {});
    const mfa = await makePool(first.cloud, 'RestartMfa', { MfaConfiguration: 'ON', EnabledMfas: ['SOFTWARE_TOKEN_MFA'] });
    for (const [pool, client] of [
      [poolId, clientId],
      [mfa.poolId, mfa.clientId],
    ] as const) {
      await first.anonymous.send(new SignUpCommand({ ClientId: client, Username: 'erin', Password: PASSWORD }));
      await first.admin.send(new AdminConfirmSignUpCommand({ UserPoolId: pool, Username: 'erin' }));
    }
    const a = BigInt(`0x${randomBytes(128).toString('hex')}`);
    const started = await first.anonymous.send(
      new InitiateAuthCommand({
        AuthFlow: 'USER_SRP_AUTH',
        ClientId: clientId,
        AuthParameters: { USERNAME: 'erin', SRP_A: modPow(SRP_G, a, SRP_N).toString(16) },
      }),
    );
    assert.equal(started.ChallengeName, 'PASSWORD_VERIFIER');
    const setup = await first.anonymous.send(
      new InitiateAuthCommand({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: mfa.clientId, AuthParameters: { USERNAME: 'erin', PASSWORD } }),
    );
    assert.equal(setup.ChallengeName, 'MFA_SETUP');
    const associated = await first.anonymous.send(new AssociateSoftwareTokenCommand({ Session: setup.Session }));
    await first.close();

    const second = await open(dir);
    try {
      // Only hashes of the session strings are on disk.
      const rows = JSON.stringify(await second.cloud.kernel.sql.all('SELECT * FROM cognito_challenge_sessions'));
      assert.ok(!rows.includes(started.ChallengeParameters!.SECRET_BLOCK!) && !rows.includes(associated.Session!));

      const answer = passwordClaim(poolId, a, started.ChallengeParameters!, PASSWORD);
      const done = await second.anonymous.send(
        new RespondToAuthChallengeCommand({ ClientId: clientId, ChallengeName: 'PASSWORD_VERIFIER', ChallengeResponses: answer }),
      );
      assert.equal(decodeJwt(done.AuthenticationResult!.AccessToken!).username, 'erin');
      await rejects(
        second.anonymous.send(new RespondToAuthChallengeCommand({ ClientId: clientId, ChallengeName: 'PASSWORD_VERIFIER', ChallengeResponses: answer })),
        'NotAuthorizedException',
        /session/,
      );

      // The TOTP secret handed out before the restart is the one the setup completes with.
      const verified = await second.anonymous.send(
        new VerifySoftwareTokenCommand({ Session: associated.Session, UserCode: totpCode(associated.SecretCode!, Date.now()) }),
      );
      const signedIn = await second.anonymous.send(
        new RespondToAuthChallengeCommand({
          ClientId: mfa.clientId,
          ChallengeName: 'MFA_SETUP',
          Session: verified.Session,
          ChallengeResponses: { USERNAME: 'erin' },
        }),
      );
      assert.ok(signedIn.AuthenticationResult?.IdToken);
    } finally {
      await second.close();
    }
  });

  it('are single use, bound to their client, expire after three minutes, and capped in number', async () => {
    const sql = createSqliteStore(':memory:');
    try {
      await sql.migrate('cognito-idp', cognitoIdpMigrations(sql.dialect));
      let now = 1_000_000;
      const sessions = createChallengeSessions(sql, { maxSessions: 3, now: () => now });
      const step = { poolId: 'p', clientId: 'c1', username: 'u', challenge: 'SMS_MFA' };
      const denied = async (promise: Promise<unknown>): Promise<void> => {
        await assert.rejects(promise, (e: unknown) => isForteError(e) && e.code === 'NotAuthorizedException' && /Invalid session/.test(e.message));
      };

      const once = await sessions.create(step);
      assert.equal((await sessions.take(once, 'c1')).username, 'u');
      await denied(sessions.take(once, 'c1'));

      const bound = await sessions.create(step);
      await denied(sessions.take(bound, 'c2'));
      await denied(sessions.take(bound, 'c1')); // a wrong answer used it up

      const expiring = await sessions.create(step);
      now += SESSION_TTL_MS + 1;
      await denied(sessions.take(expiring, 'c1'));

      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        ids.push(await sessions.create(step));
        now += 1;
      }
      const count = await sql.get<{ n: number }>('SELECT COUNT(*) AS n FROM cognito_challenge_sessions');
      assert.equal(count?.n, 3, 'the oldest went first');
      await denied(sessions.take(ids[0], 'c1'));
      assert.equal((await sessions.take(ids[4], 'c1')).challenge, 'SMS_MFA');
      now += SESSION_TTL_MS + 1;
      await sessions.create(step);
      assert.equal((await sql.get<{ n: number }>('SELECT COUNT(*) AS n FROM cognito_challenge_sessions'))?.n, 1, 'expired rows are deleted on the next write');
    } finally {
      await sql.close();
    }
  });
});

describe('user pool behaviour', () => {
  let dir = '';
  let env: Awaited<ReturnType<typeof open>>;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'forte-cognito-robust-'));
    env = await open(dir);
  });
  after(async () => {
    await env.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('answers a body that is not a JSON object with an error naming it', async () => {
    const { cloud } = env;
    const call = async (body: string) => {
      const res = await fetch(`${cloud.url}/cognito-idp/`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSCognitoIdentityProviderService.GetUser' },
        body,
      });
      return { status: res.status, body: (await res.json()) as { __type: string; message: string } };
    };
    for (const body of ['[]', '"token"', 'null', '42']) {
      assert.deepEqual(
        await call(body),
        { status: 400, body: { __type: 'InvalidParameterException', message: 'request: the body must be a JSON object.' } },
        body,
      );
    }
    assert.equal((await call('{"AccessToken":')).body.__type, 'SerializationException');
    assert.deepEqual((await call('{}')).body, { __type: 'InvalidParameterException', message: 'AccessToken is required.' });
  });

  it('UsernameCaseSensitive false matches usernames and aliases in any case; true keeps them apart', async () => {
    const { admin, anonymous, cloud } = env;
    const loose = await makePool(cloud, 'Loose', { UsernameCaseSensitive: false, AliasAttributes: ['email'] });
    await anonymous.send(
      new SignUpCommand({ ClientId: loose.clientId, Username: 'Alice', Password: PASSWORD, UserAttributes: [{ Name: 'email', Value: 'Alice@Example.com' }] }),
    );
    await rejects(anonymous.send(new SignUpCommand({ ClientId: loose.clientId, Username: 'alice', Password: PASSWORD })), 'UsernameExistsException');
    await admin.send(new AdminConfirmSignUpCommand({ UserPoolId: loose.poolId, Username: 'ALICE' }));
    const got = await admin.send(new AdminGetUserCommand({ UserPoolId: loose.poolId, Username: 'aLiCe' }));
    assert.equal(got.Username, 'Alice', 'the username keeps the case it was given');
    const signedIn = await anonymous.send(
      new InitiateAuthCommand({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: loose.clientId, AuthParameters: { USERNAME: 'aLICE', PASSWORD } }),
    );
    assert.equal(decodeJwt(signedIn.AuthenticationResult!.AccessToken!).username, 'Alice');
    // SRP signs the stored username (USER_ID_FOR_SRP), so any typed case works there too.
    const a = BigInt(`0x${randomBytes(128).toString('hex')}`);
    const srp = await anonymous.send(
      new InitiateAuthCommand({
        AuthFlow: 'USER_SRP_AUTH',
        ClientId: loose.clientId,
        AuthParameters: { USERNAME: 'alice', SRP_A: modPow(SRP_G, a, SRP_N).toString(16) },
      }),
    );
    assert.equal(srp.ChallengeParameters?.USER_ID_FOR_SRP, 'Alice');
    // SRP_A is a number of the 3072-bit group, kept with the session anybody may open: not a longer one.
    await assert.rejects(
      anonymous.send(
        new InitiateAuthCommand({ AuthFlow: 'USER_SRP_AUTH', ClientId: loose.clientId, AuthParameters: { USERNAME: 'alice', SRP_A: 'f'.repeat(100_000) } }),
      ),
      (e: Error) => e.name === 'InvalidParameterException' && /3072-bit SRP group/.test(e.message),
    );
    const srpDone = await anonymous.send(
      new RespondToAuthChallengeCommand({
        ClientId: loose.clientId,
        ChallengeName: 'PASSWORD_VERIFIER',
        ChallengeResponses: passwordClaim(loose.poolId, a, srp.ChallengeParameters!, PASSWORD),
      }),
    );
    assert.ok(srpDone.AuthenticationResult?.AccessToken);
    // The email alias counts once verified, in any case; another user may not take it in another case.
    await admin.send(
      new AdminUpdateUserAttributesCommand({ UserPoolId: loose.poolId, Username: 'alice', UserAttributes: [{ Name: 'email_verified', Value: 'true' }] }),
    );
    const viaEmail = await anonymous.send(
      new InitiateAuthCommand({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: loose.clientId, AuthParameters: { USERNAME: 'alice@example.COM', PASSWORD } }),
    );
    assert.equal(decodeJwt(viaEmail.AuthenticationResult!.AccessToken!).username, 'Alice');
    await anonymous.send(new SignUpCommand({ ClientId: loose.clientId, Username: 'bob', Password: PASSWORD }));
    await rejects(
      admin.send(
        new AdminUpdateUserAttributesCommand({ UserPoolId: loose.poolId, Username: 'Bob', UserAttributes: [{ Name: 'email', Value: 'ALICE@example.com' }] }),
      ),
      'AliasExistsException',
    );

    const byEmail = await makePool(cloud, 'LooseEmail', { UsernameCaseSensitive: false, UsernameAttributes: ['email'] });
    await anonymous.send(new SignUpCommand({ ClientId: byEmail.clientId, Username: 'Carol@Example.com', Password: PASSWORD }));
    await rejects(
      anonymous.send(new SignUpCommand({ ClientId: byEmail.clientId, Username: 'carol@example.com', Password: PASSWORD })),
      'UsernameExistsException',
    );
    await admin.send(new AdminConfirmSignUpCommand({ UserPoolId: byEmail.poolId, Username: 'CAROL@example.com' }));
    assert.ok(
      (
        await anonymous.send(
          new InitiateAuthCommand({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: byEmail.clientId, AuthParameters: { USERNAME: 'carol@EXAMPLE.com', PASSWORD } }),
        )
      ).AuthenticationResult,
    );

    const strict = await makePool(cloud, 'Strict', { UsernameCaseSensitive: true });
    await anonymous.send(new SignUpCommand({ ClientId: strict.clientId, Username: 'Alice', Password: PASSWORD }));
    await anonymous.send(new SignUpCommand({ ClientId: strict.clientId, Username: 'alice', Password: 'Other0000!' }));
    for (const name of ['Alice', 'alice']) await admin.send(new AdminConfirmSignUpCommand({ UserPoolId: strict.poolId, Username: name }));
    await rejects(
      anonymous.send(new InitiateAuthCommand({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: strict.clientId, AuthParameters: { USERNAME: 'ALICE', PASSWORD } })),
      'NotAuthorizedException',
    );
    const lower = await anonymous.send(
      new InitiateAuthCommand({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: strict.clientId, AuthParameters: { USERNAME: 'alice', PASSWORD: 'Other0000!' } }),
    );
    assert.equal(decodeJwt(lower.AuthenticationResult!.AccessToken!).username, 'alice');

    // The rule is fixed when the pool is created.
    const handler = cloud.kernel.resourceHandler(AUTH_RESOURCE_TYPES.userPool)!;
    await assert.rejects(
      handler.update(strict.poolId, { PoolName: 'Strict', UsernameCaseSensitive: false }, {}, context(cloud, 'PoolStrict')),
      /UsernameCaseSensitive: cannot change/,
    );
  });

  it('does not reveal unknown users to unsigned calls, unless the client is LEGACY', async () => {
    const { admin, anonymous, cloud } = env;
    const hidden = await makePool(cloud, 'Hidden', { UsernameAttributes: ['email'], AutoVerifiedAttributes: ['email'] });
    await anonymous.send(new SignUpCommand({ ClientId: hidden.clientId, Username: 'dora@example.com', Password: PASSWORD }));
    await admin.send(new AdminConfirmSignUpCommand({ UserPoolId: hidden.poolId, Username: 'dora@example.com' }));
    const known = await anonymous.send(new ForgotPasswordCommand({ ClientId: hidden.clientId, Username: 'dora@example.com' }));
    const unknown = await anonymous.send(new ForgotPasswordCommand({ ClientId: hidden.clientId, Username: 'nobody@example.com' }));
    assert.deepEqual(Object.keys(unknown.CodeDeliveryDetails!).sort(), Object.keys(known.CodeDeliveryDetails!).sort());
    assert.deepEqual(unknown.CodeDeliveryDetails, { Destination: 'n***@example.com', DeliveryMedium: 'EMAIL', AttributeName: 'email' });
    const resent = await anonymous.send(new ResendConfirmationCodeCommand({ ClientId: hidden.clientId, Username: 'nobody@example.com' }));
    assert.equal(resent.CodeDeliveryDetails?.DeliveryMedium, 'EMAIL');
    assert.deepEqual(await mailbox(cloud, 'nobody@example.com'), [], 'nothing is sent');
    await rejects(
      anonymous.send(
        new ConfirmForgotPasswordCommand({ ClientId: hidden.clientId, Username: 'nobody@example.com', ConfirmationCode: '123456', Password: PASSWORD }),
      ),
      'CodeMismatchException',
    );
    await rejects(
      anonymous.send(new ConfirmSignUpCommand({ ClientId: hidden.clientId, Username: 'nobody@example.com', ConfirmationCode: '123456' })),
      'CodeMismatchException',
    );
    await rejects(
      anonymous.send(
        new InitiateAuthCommand({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: hidden.clientId, AuthParameters: { USERNAME: 'nobody@example.com', PASSWORD } }),
      ),
      'NotAuthorizedException',
    );
    // Admins are signed and may know.
    await rejects(admin.send(new AdminResetUserPasswordCommand({ UserPoolId: hidden.poolId, Username: 'nobody@example.com' })), 'UserNotFoundException');

    // A plain username gets a plausible destination, the same every time.
    const named = await makePool(cloud, 'HiddenNames', {});
    const twice = await Promise.all([0, 1].map(() => anonymous.send(new ForgotPasswordCommand({ ClientId: named.clientId, Username: 'ghost' }))));
    const [one, two] = twice.map((answer) => answer.CodeDeliveryDetails);
    assert.match(one?.Destination ?? '', /^[a-z]\*\*\*@[a-z.]+$/);
    assert.deepEqual(one, two);

    const legacy = await makePool(cloud, 'Legacy', { UsernameAttributes: ['email'] }, { PreventUserExistenceErrors: 'LEGACY' });
    const client = legacy.clientId;
    await rejects(anonymous.send(new ForgotPasswordCommand({ ClientId: client, Username: 'nobody@example.com' })), 'UserNotFoundException');
    await rejects(anonymous.send(new ResendConfirmationCodeCommand({ ClientId: client, Username: 'nobody@example.com' })), 'UserNotFoundException');
    await rejects(
      anonymous.send(new ConfirmForgotPasswordCommand({ ClientId: client, Username: 'nobody@example.com', ConfirmationCode: '123456', Password: PASSWORD })),
      'UserNotFoundException',
    );
    await rejects(
      anonymous.send(new ConfirmSignUpCommand({ ClientId: client, Username: 'nobody@example.com', ConfirmationCode: '123456' })),
      'UserNotFoundException',
    );
    await rejects(
      anonymous.send(
        new InitiateAuthCommand({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: client, AuthParameters: { USERNAME: 'nobody@example.com', PASSWORD } }),
      ),
      'NotAuthorizedException',
    );
  });

  it('AttributesRequireVerificationBeforeUpdate keeps the verified email until the new one is confirmed', async () => {
    const { admin, anonymous, cloud } = env;
    const pool = await makePool(cloud, 'Verify', {
      UsernameAttributes: ['email'],
      AutoVerifiedAttributes: ['email'],
      UserAttributeUpdateSettings: { AttributesRequireVerificationBeforeUpdate: ['email'] },
    });
    const signIn = (email: string) =>
      anonymous.send(new InitiateAuthCommand({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: pool.clientId, AuthParameters: { USERNAME: email, PASSWORD } }));
    await anonymous.send(new SignUpCommand({ ClientId: pool.clientId, Username: 'eve@example.com', Password: PASSWORD }));
    await anonymous.send(
      new ConfirmSignUpCommand({ ClientId: pool.clientId, Username: 'eve@example.com', ConfirmationCode: (await mailbox(cloud, 'eve@example.com'))[0]!.code! }),
    );
    const access = (await signIn('eve@example.com')).AuthenticationResult!.AccessToken!;
    const emailOf = async (token: string) => {
      const attributes = (await anonymous.send(new GetUserCommand({ AccessToken: token }))).UserAttributes ?? [];
      return [attributes.find((a) => a.Name === 'email')?.Value, attributes.find((a) => a.Name === 'email_verified')?.Value];
    };

    const updated = await anonymous.send(
      new UpdateUserAttributesCommand({ AccessToken: access, UserAttributes: [{ Name: 'email', Value: 'eve.new@example.com' }] }),
    );
    assert.deepEqual(updated.CodeDeliveryDetailsList, [{ Destination: 'e***@example.com', DeliveryMedium: 'EMAIL', AttributeName: 'email' }]);
    assert.deepEqual(await emailOf(access), ['eve@example.com', 'true'], 'the old verified email stays');
    const during = (await signIn('eve@example.com')).AuthenticationResult!;
    assert.equal(decodeJwt(during.IdToken!).email, 'eve@example.com');
    await rejects(signIn('eve.new@example.com'), 'NotAuthorizedException');

    // Asking again sends a new code to the new address; the first code is gone.
    const firstCode = (await mailbox(cloud, 'eve.new@example.com'))[0]!.code!;
    await anonymous.send(new GetUserAttributeVerificationCodeCommand({ AccessToken: access, AttributeName: 'email' }));
    const code = (await mailbox(cloud, 'eve.new@example.com'))[0]!.code!;
    if (code !== firstCode)
      await rejects(anonymous.send(new VerifyUserAttributeCommand({ AccessToken: access, AttributeName: 'email', Code: firstCode })), 'CodeMismatchException');
    await anonymous.send(new VerifyUserAttributeCommand({ AccessToken: access, AttributeName: 'email', Code: code }));
    assert.deepEqual(await emailOf(access), ['eve.new@example.com', 'true']);
    assert.ok((await signIn('eve.new@example.com')).AuthenticationResult);
    await rejects(signIn('eve@example.com'), 'NotAuthorizedException');

    // AdminUpdateUserAttributes waits too, unless it marks the new value verified itself.
    await admin.send(
      new AdminUpdateUserAttributesCommand({
        UserPoolId: pool.poolId,
        Username: 'eve.new@example.com',
        UserAttributes: [{ Name: 'email', Value: 'eve3@example.com' }],
      }),
    );
    assert.deepEqual(await emailOf(access), ['eve.new@example.com', 'true']);
    assert.equal((await mailbox(cloud, 'eve3@example.com'))[0]?.purpose, 'VerifyAttribute');
    await admin.send(
      new AdminUpdateUserAttributesCommand({
        UserPoolId: pool.poolId,
        Username: 'eve.new@example.com',
        UserAttributes: [
          { Name: 'email', Value: 'eve4@example.com' },
          { Name: 'email_verified', Value: 'true' },
        ],
      }),
    );
    assert.deepEqual(await emailOf(access), ['eve4@example.com', 'true']);

    // Without the setting the new value applies at once, unverified.
    const plain = await makePool(cloud, 'NoVerify', { UsernameAttributes: ['email'], AutoVerifiedAttributes: ['email'] });
    await anonymous.send(new SignUpCommand({ ClientId: plain.clientId, Username: 'finn@example.com', Password: PASSWORD }));
    await admin.send(
      new AdminUpdateUserAttributesCommand({
        UserPoolId: plain.poolId,
        Username: 'finn@example.com',
        UserAttributes: [{ Name: 'email_verified', Value: 'true' }],
      }),
    );
    await admin.send(new AdminConfirmSignUpCommand({ UserPoolId: plain.poolId, Username: 'finn@example.com' }));
    const finn = (
      await anonymous.send(
        new InitiateAuthCommand({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: plain.clientId, AuthParameters: { USERNAME: 'finn@example.com', PASSWORD } }),
      )
    ).AuthenticationResult!.AccessToken!;
    await anonymous.send(new UpdateUserAttributesCommand({ AccessToken: finn, UserAttributes: [{ Name: 'email', Value: 'finn2@example.com' }] }));
    assert.deepEqual(await emailOf(finn), ['finn2@example.com', 'false']);
  });
});
