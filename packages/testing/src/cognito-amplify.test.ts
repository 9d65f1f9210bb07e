import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { verifyIdentityToken, type ResourceContext } from '@forte/cloud';
import { AUTH_RESOURCE_TYPES } from '@forte/protocol';
import { Amplify } from 'aws-amplify';
import {
  confirmResetPassword,
  confirmSignIn,
  confirmSignUp,
  confirmUserAttribute,
  deleteUser,
  fetchAuthSession,
  fetchMFAPreference,
  fetchUserAttributes,
  getCurrentUser,
  resendSignUpCode,
  resetPassword,
  setUpTOTP,
  signIn,
  signOut,
  signUp,
  updateMFAPreference,
  updatePassword,
  updateUserAttributes,
  verifyTOTPSetup,
} from 'aws-amplify/auth';
import { AdminCreateUserCommand, CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { startTestCloud, type TestCloud } from './index.js';
import { mailboxMessages, totpCode } from './user-pool-codes.js';

let cloud: TestCloud;
let userPoolId = '';
const PASSWORD = 'Passw0rd!';
const EMAIL = 'carol@example.com';

const ctx = (logicalId: string): ResourceContext => ({
  appId: 'app1',
  appSlug: 'app1',
  envName: 'dev',
  stackName: 'amplify-app1-dev-auth',
  logicalId,
  region: 'us-east-1',
  accountId: cloud.kernel.config.accountId,
  log: cloud.kernel.log,
});

async function latestCode(to: string): Promise<string> {
  const code = (await mailboxMessages(cloud, to, 1))[0]?.code;
  assert.ok(code, `a code was mailed to ${to}`);
  return code;
}

before(async () => {
  cloud = await startTestCloud({ logLevel: 'info' });
  const pool = await cloud.kernel.resourceHandler(AUTH_RESOURCE_TYPES.userPool)!.create(
    {
      PoolName: 'amplify',
      UsernameAttributes: ['email'],
      AutoVerifiedAttributes: ['email'],
      RequiredAttributes: ['email'],
      MfaConfiguration: 'OPTIONAL',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
    },
    ctx('UserPool'),
  );
  userPoolId = pool.physicalId;
  const client = await cloud.kernel
    .resourceHandler(AUTH_RESOURCE_TYPES.userPoolClient)!
    .create(
      { UserPoolId: userPoolId, ClientName: 'web', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] },
      ctx('UserPoolClientWeb'),
    );
  Amplify.configure({
    Auth: { Cognito: { userPoolId, userPoolClientId: client.physicalId, userPoolEndpoint: `${cloud.url}/cognito-idp/`, loginWith: { email: true } } },
  });
});
after(() => cloud.close());

void describe('user pools through the unmodified aws-amplify v6', () => {
  void it('signUp, confirmSignUp with the mailed code, SRP signIn, session, attributes, signOut, USER_PASSWORD_AUTH', async () => {
    const up = await signUp({ username: EMAIL, password: PASSWORD, options: { userAttributes: { email: EMAIL } } });
    assert.equal(up.nextStep.signUpStep, 'CONFIRM_SIGN_UP');
    assert.ok(up.userId);
    const confirmed = await confirmSignUp({ username: EMAIL, confirmationCode: await latestCode(EMAIL) });
    assert.equal(confirmed.isSignUpComplete, true);

    const srp = await signIn({ username: EMAIL, password: PASSWORD });
    assert.equal(srp.isSignedIn, true, JSON.stringify(srp.nextStep));
    const current = await getCurrentUser();
    assert.equal(current.userId, up.userId);
    assert.equal(current.username, up.userId, 'email pools keep the sub as the username');
    const session = await fetchAuthSession();
    assert.equal(session.tokens?.idToken?.payload.email, EMAIL);
    assert.equal(session.tokens?.accessToken.payload.token_use, 'access');
    const attributes = await fetchUserAttributes();
    assert.equal(attributes.email, EMAIL);
    assert.equal(attributes.email_verified, 'true');
    await signOut();
    assert.equal((await fetchAuthSession()).tokens, undefined);

    await assert.rejects(signIn({ username: EMAIL, password: 'Wrong0000!' }), (error: Error) => error.name === 'NotAuthorizedException');
    const plain = await signIn({ username: EMAIL, password: PASSWORD, options: { authFlowType: 'USER_PASSWORD_AUTH' } });
    assert.equal(plain.isSignedIn, true);
    assert.equal((await getCurrentUser()).userId, up.userId);
    const { tokens } = await fetchAuthSession();
    await signOut();
    // signOut revoked the refresh token (the access token carries origin_jti): its ID token no longer verifies.
    assert.equal(await verifyIdentityToken(cloud.kernel, `cognito-idp.us-east-1.amazonaws.com/${userPoolId}`, tokens!.idToken!.toString()), undefined);
    const logs = cloud.logs().join('');
    assert.ok(!logs.includes(PASSWORD), 'no password in the logs');
    assert.ok(!logs.includes(tokens!.accessToken.toString()), 'no token in the logs');
  });
});

void describe('account management through aws-amplify v6', () => {
  void it('resend code, attribute verification, password reset and change, TOTP sign-in, refresh, global sign-out, deleteUser', async () => {
    const email = 'dave@example.com';
    await signUp({ username: email, password: PASSWORD, options: { userAttributes: { email } } });
    const first = await latestCode(email);
    const resent = await resendSignUpCode({ username: email });
    assert.equal(resent.destination?.endsWith('@example.com'), true);
    const second = await latestCode(email);
    if (second !== first) await assert.rejects(confirmSignUp({ username: email, confirmationCode: first }), (e: Error) => e.name === 'CodeMismatchException');
    await confirmSignUp({ username: email, confirmationCode: second });

    await resetPassword({ username: email });
    await confirmResetPassword({ username: email, confirmationCode: await latestCode(email), newPassword: 'Res3tPassword!' });
    assert.equal((await signIn({ username: email, password: 'Res3tPassword!' })).isSignedIn, true);
    await updatePassword({ oldPassword: 'Res3tPassword!', newPassword: PASSWORD });

    const updated = await updateUserAttributes({ userAttributes: { email: 'dave2@example.com', name: 'Dave' } });
    assert.equal(updated.email?.nextStep.updateAttributeStep, 'CONFIRM_ATTRIBUTE_WITH_CODE');
    assert.equal(updated.name?.nextStep.updateAttributeStep, 'DONE');
    await confirmUserAttribute({ userAttributeKey: 'email', confirmationCode: await latestCode('dave2@example.com') });
    const attributes = await fetchUserAttributes();
    assert.equal(attributes.email, 'dave2@example.com');
    assert.equal(attributes.email_verified, 'true');

    const setup = await setUpTOTP();
    await verifyTOTPSetup({ code: totpCode(setup.sharedSecret) });
    await updateMFAPreference({ totp: 'PREFERRED' });
    assert.equal((await fetchMFAPreference()).preferred, 'TOTP');
    await signOut();
    const challenged = await signIn({ username: 'dave2@example.com', password: PASSWORD });
    assert.equal(challenged.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_TOTP_CODE');
    const done = await confirmSignIn({ challengeResponse: totpCode(setup.sharedSecret) });
    assert.equal(done.isSignedIn, true);

    const before = await fetchAuthSession();
    const refreshed = await fetchAuthSession({ forceRefresh: true });
    assert.notEqual(refreshed.tokens?.accessToken.toString(), before.tokens?.accessToken.toString(), 'new tokens after refresh');
    assert.equal(refreshed.tokens?.idToken?.payload.email, 'dave2@example.com');

    await signOut({ global: true });
    assert.equal(
      await verifyIdentityToken(cloud.kernel, `cognito-idp.us-east-1.amazonaws.com/${userPoolId}`, refreshed.tokens!.idToken!.toString()),
      undefined,
    );

    const again = await signIn({ username: 'dave2@example.com', password: PASSWORD });
    assert.equal(again.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_TOTP_CODE');
    // A TOTP code works once: the next step's code (within the allowed drift) signs in again.
    await confirmSignIn({ challengeResponse: totpCode(setup.sharedSecret, Date.now() + 30_000) });
    await deleteUser();
    await assert.rejects(signIn({ username: 'dave2@example.com', password: PASSWORD }), (e: Error) => e.name === 'NotAuthorizedException');
  });

  void it('NEW_PASSWORD_REQUIRED after AdminCreateUser', async () => {
    const admin = new CognitoIdentityProviderClient({
      endpoint: `${cloud.url}/cognito-idp/`,
      region: 'us-east-1',
      credentials: cloud.credentials,
      maxAttempts: 1,
    });
    try {
      await admin.send(new AdminCreateUserCommand({ UserPoolId: userPoolId, Username: 'erin@example.com', TemporaryPassword: 'Temp0rary!' }));
    } finally {
      admin.destroy();
    }
    const step = await signIn({ username: 'erin@example.com', password: 'Temp0rary!' });
    assert.equal(step.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED');
    const done = await confirmSignIn({ challengeResponse: 'Perm4nent!' });
    assert.equal(done.isSignedIn, true);
    await signOut();
    assert.equal((await signIn({ username: 'erin@example.com', password: 'Perm4nent!' })).isSignedIn, true);
    await signOut();
  });

  void it('refreshes tokens once they expire', async () => {
    // Two-second tokens are already expired for the client (it allows five seconds of skew), so every
    // fetchAuthSession refreshes through GetTokensFromRefreshToken.
    const shortLived = await cloud.kernel.resourceHandler(AUTH_RESOURCE_TYPES.userPoolClient)!.create(
      {
        UserPoolId: userPoolId,
        ClientName: 'short',
        ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
        AccessTokenValidity: 2,
        IdTokenValidity: 2,
        TokenValidityUnits: { AccessToken: 'seconds', IdToken: 'seconds' },
      },
      ctx('ShortClient'),
    );
    Amplify.configure({
      Auth: { Cognito: { userPoolId, userPoolClientId: shortLived.physicalId, userPoolEndpoint: `${cloud.url}/cognito-idp/`, loginWith: { email: true } } },
    });
    assert.equal((await signIn({ username: 'erin@example.com', password: 'Perm4nent!' })).isSignedIn, true);
    const first = (await fetchAuthSession()).tokens!;
    const second = (await fetchAuthSession()).tokens!;
    assert.notEqual(second.accessToken.payload.jti, first.accessToken.payload.jti, 'a fresh access token');
    assert.equal(second.accessToken.payload.origin_jti, first.accessToken.payload.origin_jti, 'from the same sign-in');
    assert.equal(second.idToken?.payload.email, 'erin@example.com');
    assert.equal(Number(second.accessToken.payload.exp) - Number(second.accessToken.payload.iat), 2);
    await signOut();
  });
});
