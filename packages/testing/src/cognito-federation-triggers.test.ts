import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createHash, randomBytes } from 'node:crypto';
import { AUTH_RESOURCE_TYPES } from '@forte/protocol';
import { AdminGetUserCommand, CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { decodeJwt } from 'jose';
import { deployFunction, resourceContext, startLambdaCloud, type TestCloud } from './index.js';
import { startLocalOidcProvider, type LocalOidcProvider } from './local-oidc-provider.js';

const CALLBACK = 'http://localhost:3000/';
const inline = (body: string): Record<string, string> => ({ 'index.js': `exports.handler = async (event) => {\n${body}\n};` });

void describe('user pool triggers of a federated sign-in', () => {
  let cloud: TestCloud;
  let provider: LocalOidcProvider;
  let cognito: CognitoIdentityProviderClient;
  let poolId = '';
  let clientId = '';
  let base = '';

  before(async () => {
    cloud = await startLambdaCloud({ cognitoLimits: { triggers: { timeoutSeconds: 30 } } });
    provider = await startLocalOidcProvider({ clientId: 'corp' });
    const handler = (type: string) => cloud.kernel.resourceHandler(type)!;
    // PreSignUp refuses one domain; PostConfirmation fails for one user (so the test sees it ran, and with what);
    // PreTokenGeneration writes the trigger source it was given into the ID token.
    const preSignUp = await deployFunction(cloud, {
      name: 'fedpresignup',
      files: inline(
        `if (event.request.userAttributes.email.endsWith('@blocked.example')) throw new Error(event.triggerSource + ' refused ' + event.userName); return event;`,
      ),
    });
    const postConfirmation = await deployFunction(cloud, {
      name: 'fedpostconfirmation',
      files: inline(
        `if (event.request.userAttributes.email === 'post@fail.example') throw new Error(event.triggerSource + ' ran for ' + event.userName); return event;`,
      ),
    });
    const preToken = await deployFunction(cloud, {
      name: 'fedpretoken',
      files: inline(`event.response = { claimsOverrideDetails: { claimsToAddOrOverride: { source: event.triggerSource } } }; return event;`),
    });
    const pool = {
      PoolName: 'fedtriggers',
      UsernameCaseSensitive: false,
      LambdaConfig: { PreSignUp: preSignUp, PostConfirmation: postConfirmation, PreTokenGeneration: preToken },
    };
    poolId = (await handler(AUTH_RESOURCE_TYPES.userPool).create(pool, resourceContext(cloud, 'UserPool'))).physicalId;
    await handler(AUTH_RESOURCE_TYPES.userPoolIdentityProvider).create(
      {
        UserPoolId: poolId,
        ProviderName: 'Corp',
        ProviderType: 'OIDC',
        ProviderDetails: {
          client_id: provider.clientId,
          client_secret: provider.clientSecret,
          authorize_scopes: 'openid email',
          attributes_request_method: 'GET',
          oidc_issuer: provider.issuer,
        },
        AttributeMapping: { email: 'email' },
      },
      resourceContext(cloud, 'Corp'),
    );
    clientId = (
      await handler(AUTH_RESOURCE_TYPES.userPoolClient).create(
        {
          UserPoolId: poolId,
          ClientName: 'web',
          AllowedOAuthFlowsUserPoolClient: true,
          AllowedOAuthFlows: ['code'],
          AllowedOAuthScopes: ['openid', 'email'],
          CallbackURLs: [CALLBACK],
          SupportedIdentityProviders: ['Corp'],
        },
        resourceContext(cloud, 'Web'),
      )
    ).physicalId;
    await handler(AUTH_RESOURCE_TYPES.userPoolDomain).create({ UserPoolId: poolId, Domain: 'fedtriggers' }, resourceContext(cloud, 'Domain'));
    base = `${cloud.url}/hosted-ui/fedtriggers`;
    cognito = new CognitoIdentityProviderClient({ region: 'us-east-1', endpoint: `${cloud.url}/cognito-idp/`, credentials: cloud.credentials, maxAttempts: 1 });
  });
  after(async () => {
    cognito?.destroy();
    await cloud?.close();
    await provider?.close();
  });

  /** Through the provider and back to the app: where the browser lands. */
  const federate = async (challenge: string): Promise<URL> => {
    let url = `${base}/oauth2/authorize?${new URLSearchParams({ client_id: clientId, redirect_uri: CALLBACK, response_type: 'code', identity_provider: 'Corp', code_challenge: challenge, code_challenge_method: 'S256' }).toString()}`;
    for (let hop = 0; hop < 4; hop++) {
      const response = await fetch(url, { redirect: 'manual' });
      assert.equal(response.status, 302, await response.text());
      url = new URL(response.headers.get('location')!, url).toString();
      if (url.startsWith(CALLBACK)) return new URL(url);
    }
    throw new Error('too many redirects');
  };
  const pkce = (): { verifier: string; challenge: string } => {
    const verifier = randomBytes(48).toString('base64url');
    return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
  };

  void it('PreSignUp_ExternalProvider may refuse (no user); PostConfirmation_ConfirmSignUp runs for a new user; PreTokenGeneration is HostedAuth', async () => {
    provider.user = { sub: 'x1', email: 'eve@blocked.example' };
    let back = await federate(pkce().challenge);
    assert.equal(back.searchParams.get('code'), null);
    assert.match(back.searchParams.get('error_description') ?? '', /PreSignUp_ExternalProvider refused Corp_x1/);
    await assert.rejects(cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'Corp_x1' })), { name: 'UserNotFoundException' });

    provider.user = { sub: 'x2', email: 'post@fail.example' };
    back = await federate(pkce().challenge);
    assert.match(back.searchParams.get('error_description') ?? '', /PostConfirmation_ConfirmSignUp ran for Corp_x2/);

    provider.user = { sub: 'x3', email: 'ok@example.com' };
    const { verifier, challenge } = pkce();
    back = await federate(challenge);
    const response = await fetch(`${base}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        client_id: clientId,
        code: back.searchParams.get('code') ?? '',
        redirect_uri: CALLBACK,
        code_verifier: verifier,
      }),
    });
    assert.equal(response.status, 200);
    const id = decodeJwt(((await response.json()) as { id_token: string }).id_token);
    assert.equal(id['cognito:username'], 'Corp_x3');
    assert.equal(id.source, 'TokenGeneration_HostedAuth');
  });
});
