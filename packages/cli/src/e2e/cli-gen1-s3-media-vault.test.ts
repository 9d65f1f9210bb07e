/**
 * The corpus app media-vault with its bucket, pushed whole: auth with its user pool groups (Admin, Basic) and their
 * roles, the API, three functions and the S3 bucket whose group policies name those roles. Its pool signs in with
 * Facebook and Google through the hosted UI: their credentials are given to `init --categories` as a teammate does
 * after cloning (the repository never holds them), and the push creates both providers, their secrets sent as NoEcho
 * parameters that the push's output, the cloud's answers and its logs never show.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CognitoIdentityProviderClient, DescribeIdentityProviderCommand, DescribeUserPoolClientCommand } from '@aws-sdk/client-cognito-identity-provider';
import { describeCorpusBucketPush } from './gen1-bucket-push.js';
import { runForte } from './forte-runner.js';

const FACEBOOK_SECRET = 'fb-vault-secret-7d1e90';
const GOOGLE_SECRET = 'google-vault-secret-52ab3c';

describeCorpusBucketPush('media-vault', 'mediavault', {
  categories: {
    auth: {
      facebookAppIdUserPool: 'fb-vault-app',
      facebookAppSecretUserPool: FACEBOOK_SECRET,
      googleAppIdUserPool: 'google-vault-client',
      googleAppSecretUserPool: GOOGLE_SECRET,
    },
  },
  afterPush: {
    what: 'its hosted UI has its domain, the OAuth settings Amplify wrote, and the Facebook and Google providers, their secrets shown nowhere',
    check: async ({ meta, home, root, pushOutput }) => {
      const output = (meta as { auth: Record<string, { output: Record<string, string> }> }).auth.mediavault1f08412d!.output;
      assert.equal(output.HostedUIDomain, 'mediavault1f08412d-1f08412d-main');
      assert.deepEqual(JSON.parse(output.OAuthMetadata!).CallbackURLs, ['https://main.mediavault.amplifyapp.com/']);
      assert.match(output.HostedUIAddress!, /^127\.0\.0\.1:\d+\/hosted-ui\/mediavault1f08412d-1f08412d-main$/);

      const cloud = JSON.parse(readFileSync(join(home, 'cloud', 'cloud.json'), 'utf8')) as { url: string };
      const keys = JSON.parse(readFileSync(join(home, 'cloud', 'admin-credentials.json'), 'utf8')) as { accessKeyId: string; secretAccessKey: string };
      const idp = new CognitoIdentityProviderClient({ endpoint: `${cloud.url}/cognito-idp/`, region: 'us-east-1', credentials: keys, maxAttempts: 1 });
      const answered: unknown[] = [];
      for (const [name, clientId, scopes] of [
        ['Facebook', 'fb-vault-app', 'email,public_profile'],
        ['Google', 'google-vault-client', 'openid email profile'],
      ] as const) {
        const { IdentityProvider } = await idp.send(new DescribeIdentityProviderCommand({ UserPoolId: output.UserPoolId, ProviderName: name }));
        answered.push(IdentityProvider);
        assert.equal(IdentityProvider?.ProviderType, name);
        assert.equal(IdentityProvider?.ProviderDetails?.['client_id'], clientId);
        assert.equal(IdentityProvider?.ProviderDetails?.['authorize_scopes'], scopes);
        assert.equal(IdentityProvider?.ProviderDetails?.['client_secret'], undefined, 'the secret is not answered');
      }
      const { UserPoolClient } = await idp.send(new DescribeUserPoolClientCommand({ UserPoolId: output.UserPoolId, ClientId: output.AppClientIDWeb }));
      assert.deepEqual(UserPoolClient?.SupportedIdentityProviders, ['COGNITO', 'Facebook', 'Google']);

      const logs = join(home, 'cloud', 'logs');
      const logText = existsSync(logs)
        ? readdirSync(logs)
            .map((f) => readFileSync(join(logs, f), 'utf8'))
            .join('')
        : '';
      assert.ok(logText.length > 0, 'the cloud logged');
      // The deployment's templates and their diff, as the cloud answers them (GetDeploymentTemplates, DescribeTemplateDiff).
      const status = await runForte(['status', '-v'], { cwd: root, home });
      assert.equal(status.code, 0, status.stderr);
      // The cloud's database (the change set's parameters, the deployed properties, the provider's own row) holds them sealed only.
      const dataDir = join(home, 'cloud');
      const database = readdirSync(dataDir)
        .filter((f) => f.startsWith('forte.db'))
        .map((f) => readFileSync(join(dataDir, f)).toString('latin1'))
        .join('');
      assert.ok(database.length > 0, 'the cloud keeps a database there');
      for (const secret of [FACEBOOK_SECRET, GOOGLE_SECRET]) {
        assert.ok(!database.includes(secret), "the cloud's database does not keep it in clear");
        assert.ok(!pushOutput.includes(secret), 'the push does not print it');
        assert.ok(!(status.stdout + status.stderr).includes(secret), '`forte status -v` does not show it');
        assert.ok(!JSON.stringify(answered).includes(secret), 'DescribeIdentityProvider does not answer it');
        assert.ok(!logText.includes(secret), "the cloud's logs do not have it");
      }
    },
  },
});
