import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AdminCreateUserCommand, AdminSetUserPasswordCommand, CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import type { ResourceContext } from '@forte/cloud';
import { AUTH_RESOURCE_TYPES } from '@forte/protocol';
import { PROXY_TEST_ADDRESS, proxyAddressSkipReason, requestFrom, startTestCloud, type TestCloud } from './index.js';

// Sign-in limits per client address behind a load balancer: the balancer (PROXY_TEST_ADDRESS, trusted) forwards
// many clients, each counted on its own; a client that reaches the cloud directly (127.0.0.1) cannot escape its
// count by writing X-Forwarded-For.

const PASSWORD = 'Correct-Horse-9';
let cloud: TestCloud;
let clientId = '';

before(async () => {
  cloud = await startTestCloud({ trustedProxies: [PROXY_TEST_ADDRESS], cognitoLimits: { signIns: { perUser: 100, perAddress: 3 } } });
  const ctx = (logicalId: string): ResourceContext => ({
    appId: 'xff',
    appSlug: 'xff',
    envName: 'dev',
    stackName: 'amplify-xff-dev-auth',
    logicalId,
    region: 'us-east-1',
    accountId: cloud.kernel.config.accountId,
    log: cloud.kernel.log,
  });
  const pool = await cloud.kernel.resourceHandler(AUTH_RESOURCE_TYPES.userPool)!.create({ PoolName: 'users' }, ctx('UserPool'));
  const client = await cloud.kernel
    .resourceHandler(AUTH_RESOURCE_TYPES.userPoolClient)!
    .create({ UserPoolId: pool.physicalId, ClientName: 'web', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH'] }, ctx('UserPoolClientWeb'));
  clientId = client.physicalId;
  const admin = new CognitoIdentityProviderClient({
    endpoint: `${cloud.url}/cognito-idp/`,
    region: 'us-east-1',
    credentials: cloud.credentials,
    maxAttempts: 1,
  });
  await admin.send(new AdminCreateUserCommand({ UserPoolId: pool.physicalId, Username: 'alice', MessageAction: 'SUPPRESS' }));
  await admin.send(new AdminSetUserPasswordCommand({ UserPoolId: pool.physicalId, Username: 'alice', Password: PASSWORD, Permanent: true }));
  admin.destroy();
});
after(() => cloud.close());

/** InitiateAuth as alice, from `from` (undefined: an ordinary client at 127.0.0.1), with an X-Forwarded-For: the error's name, or 'ok'. */
async function signIn(password: string, forwardedFor: string, from?: string): Promise<string> {
  const options = {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': 'AWSCognitoIdentityProviderService.InitiateAuth',
      'x-forwarded-for': forwardedFor,
    },
    body: JSON.stringify({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: clientId, AuthParameters: { USERNAME: 'alice', PASSWORD: password } }),
  };
  const url = `${cloud.url}/cognito-idp/`;
  const { status, body } = from
    ? await requestFrom(from, url, options)
    : await fetch(url, options).then(async (res) => ({ status: res.status, body: await res.text() }));
  return status === 200 ? 'ok' : String((JSON.parse(body) as { __type?: string }).__type);
}

void describe('sign-in limits per client address', () => {
  void it("count a direct client's failures against its socket's address, whatever X-Forwarded-For it writes", async () => {
    const answers: string[] = [];
    for (const spoofed of ['198.51.100.1', '198.51.100.2', '198.51.100.3', '198.51.100.4']) answers.push(await signIn('wrong', spoofed));
    assert.deepEqual(answers, ['NotAuthorizedException', 'NotAuthorizedException', 'NotAuthorizedException', 'TooManyRequestsException']);
    assert.equal(await signIn(PASSWORD, '203.0.113.50'), 'TooManyRequestsException', 'a new claimed address is still the same client');
  });

  void it('count each client a trusted balancer forwards for on its own', async (t) => {
    const skip = await proxyAddressSkipReason(cloud.port);
    if (skip) return void t.skip(skip);
    const first: string[] = [];
    for (let n = 0; n < 4; n++) first.push(await signIn('wrong', '198.51.100.10', PROXY_TEST_ADDRESS));
    assert.deepEqual(first, ['NotAuthorizedException', 'NotAuthorizedException', 'NotAuthorizedException', 'TooManyRequestsException']);
    // Another client behind the same balancer is neither locked out by the first nor by the direct client above.
    assert.equal(await signIn('wrong', '198.51.100.11', PROXY_TEST_ADDRESS), 'NotAuthorizedException');
    assert.equal(await signIn(PASSWORD, '198.51.100.11', PROXY_TEST_ADDRESS), 'ok');
    // The client is the right-most address the balancer did not add itself: what the first client claims does not move it.
    assert.equal(await signIn(PASSWORD, '198.51.100.11, 198.51.100.10', PROXY_TEST_ADDRESS), 'TooManyRequestsException');
    assert.equal(await signIn(PASSWORD, '198.51.100.10, 198.51.100.12', PROXY_TEST_ADDRESS), 'ok');
    const lines = cloud.logs().map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.ok(
      lines.some((line) => line.msg === 'request' && line.client === '198.51.100.12'),
      'the access log names the forwarded client',
    );
  });
});
