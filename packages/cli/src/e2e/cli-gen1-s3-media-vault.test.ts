/**
 * The corpus app media-vault with its bucket, pushed whole: auth with its user pool groups (Admin, Basic) and their
 * roles, the API, three functions and the S3 bucket whose group policies name those roles. Its pool signs in with
 * Facebook and Google through the hosted UI: Forte deploys the hosted UI but refuses the providers until
 * federation lands, so the clone is pushed as that refusal tells a user to (authProvidersUserPool [] in the pool's
 * cli-inputs.json), keeping the hosted UI for the pool's own users.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeCorpusBucketPush } from './gen1-bucket-push.js';

describeCorpusBucketPush('media-vault', 'mediavault', {
  prepare: (root) => {
    const file = join(root, 'amplify/backend/auth/mediavault1f08412d/cli-inputs.json');
    const inputs = JSON.parse(readFileSync(file, 'utf8')) as { cognitoConfig: Record<string, unknown> };
    inputs.cognitoConfig.authProvidersUserPool = [];
    writeFileSync(file, JSON.stringify(inputs, null, 2));
  },
  afterPush: {
    what: 'its hosted UI has its domain and the OAuth settings Amplify wrote',
    check: async ({ meta }) => {
      const output = (meta as { auth: Record<string, { output: Record<string, string> }> }).auth.mediavault1f08412d!.output;
      assert.equal(output.HostedUIDomain, 'mediavault1f08412d-1f08412d-main');
      assert.deepEqual(JSON.parse(output.OAuthMetadata!).CallbackURLs, ['https://main.mediavault.amplifyapp.com/']);
      assert.match(output.HostedUIAddress!, /^127\.0\.0\.1:\d+\/hosted-ui\/mediavault1f08412d-1f08412d-main$/);
    },
  },
});
