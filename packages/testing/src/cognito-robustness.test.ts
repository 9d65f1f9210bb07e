import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ResourceContext } from '@forte/cloud';
import { AUTH_RESOURCE_TYPES } from '@forte/protocol';
import { Amplify } from 'aws-amplify';
import {
  confirmSignUp,
  confirmUserAttribute,
  fetchAuthSession,
  fetchUserAttributes,
  getCurrentUser,
  resetPassword,
  sendUserAttributeVerificationCode,
  signIn,
  signOut,
  signUp,
  updateUserAttributes,
} from 'aws-amplify/auth';
import { startTestCloud, type TestCloud } from './index.js';
import { mailboxMessages } from './user-pool-codes.js';

// The user pool as the auth category creates it for email sign-in: case-insensitive, and a new email
// waits for its code. Exercised through the unmodified aws-amplify v6.
let cloud: TestCloud;
const PASSWORD = 'Passw0rd!';

const ctx = (logicalId: string): ResourceContext => ({
  appId: 'robust',
  appSlug: 'robust',
  envName: 'dev',
  stackName: 'amplify-robust-dev-auth',
  logicalId,
  region: 'us-east-1',
  accountId: cloud.kernel.config.accountId,
  log: cloud.kernel.log,
});

async function latestCode(to: string): Promise<string> {
  const code = (await mailboxMessages(cloud, to))[0]?.code;
  assert.ok(code, `a code was mailed to ${to}`);
  return code;
}

before(async () => {
  cloud = await startTestCloud({ logLevel: 'warn' });
  const pool = await cloud.kernel.resourceHandler(AUTH_RESOURCE_TYPES.userPool)!.create(
    {
      PoolName: 'robust',
      UsernameAttributes: ['email'],
      AutoVerifiedAttributes: ['email'],
      RequiredAttributes: ['email'],
      UsernameCaseSensitive: false,
      UserAttributeUpdateSettings: { AttributesRequireVerificationBeforeUpdate: ['email'] },
    },
    ctx('UserPool'),
  );
  const client = await cloud.kernel
    .resourceHandler(AUTH_RESOURCE_TYPES.userPoolClient)!
    .create(
      { UserPoolId: pool.physicalId, ClientName: 'web', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] },
      ctx('UserPoolClientWeb'),
    );
  Amplify.configure({
    Auth: {
      Cognito: { userPoolId: pool.physicalId, userPoolClientId: client.physicalId, userPoolEndpoint: `${cloud.url}/cognito-idp/`, loginWith: { email: true } },
    },
  });
});
after(() => cloud.close());

void describe('user pool robustness through aws-amplify v6', () => {
  void it('signs in with the email in another case (SRP), and refuses the same email in another case at sign-up', async () => {
    const up = await signUp({ username: 'Grace@Example.com', password: PASSWORD, options: { userAttributes: { email: 'Grace@Example.com' } } });
    await assert.rejects(
      signUp({ username: 'grace@example.com', password: PASSWORD, options: { userAttributes: { email: 'grace@example.com' } } }),
      (e: Error) => e.name === 'UsernameExistsException',
    );
    await confirmSignUp({ username: 'GRACE@example.com', confirmationCode: await latestCode('Grace@Example.com') });
    assert.equal((await signIn({ username: 'grace@example.com', password: PASSWORD })).isSignedIn, true);
    assert.equal((await getCurrentUser()).userId, up.userId);
    await signOut();
  });

  void it('a new email waits for its code: updateUserAttributes, then confirmUserAttribute', async () => {
    await signUp({ username: 'heidi@example.com', password: PASSWORD, options: { userAttributes: { email: 'heidi@example.com' } } });
    await confirmSignUp({ username: 'heidi@example.com', confirmationCode: await latestCode('heidi@example.com') });
    await signIn({ username: 'heidi@example.com', password: PASSWORD });

    const updated = await updateUserAttributes({ userAttributes: { email: 'heidi.new@example.com' } });
    assert.equal(updated.email?.nextStep.updateAttributeStep, 'CONFIRM_ATTRIBUTE_WITH_CODE');
    assert.equal(updated.email?.nextStep.codeDeliveryDetails?.destination, 'h***@example.com');
    const during = await fetchUserAttributes();
    assert.deepEqual([during.email, during.email_verified], ['heidi@example.com', 'true'], 'the verified email stays until the new one is confirmed');
    assert.equal((await fetchAuthSession({ forceRefresh: true })).tokens?.idToken?.payload.email, 'heidi@example.com');

    const resent = await sendUserAttributeVerificationCode({ userAttributeKey: 'email' });
    assert.equal(resent.destination, 'h***@example.com');
    await confirmUserAttribute({ userAttributeKey: 'email', confirmationCode: await latestCode('heidi.new@example.com') });
    const after = await fetchUserAttributes();
    assert.deepEqual([after.email, after.email_verified], ['heidi.new@example.com', 'true']);
    await signOut();
    assert.equal((await signIn({ username: 'heidi.new@example.com', password: PASSWORD })).isSignedIn, true);
    await signOut();
  });

  void it('resetPassword for an unknown email answers like a known one and sends nothing', async () => {
    const known = await resetPassword({ username: 'heidi.new@example.com' });
    const unknown = await resetPassword({ username: 'nobody@example.com' });
    assert.equal(unknown.nextStep.resetPasswordStep, 'CONFIRM_RESET_PASSWORD_WITH_CODE');
    assert.deepEqual(Object.keys(unknown.nextStep.codeDeliveryDetails).sort(), Object.keys(known.nextStep.codeDeliveryDetails).sort());
    assert.equal(unknown.nextStep.codeDeliveryDetails.destination, 'n***@example.com');
    assert.deepEqual(await mailboxMessages(cloud, 'nobody@example.com'), []);
  });
});
