/**
 * The corpus app media-vault with its bucket, pushed whole: auth with its user pool groups (Admin, Basic) and their
 * roles, the API, three functions and the S3 bucket whose group policies name those roles. Its pool signs in with
 * Facebook and Google through the hosted UI, which Forte refuses until sign-in providers land: the clone is pushed as
 * that refusal tells a user to (hostedUI and thirdPartyAuth false in the pool's cli-inputs.json).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeCorpusBucketPush } from './gen1-bucket-push.js';

describeCorpusBucketPush('media-vault', 'mediavault', {
  prepare: (root) => {
    const file = join(root, 'amplify/backend/auth/mediavault1f08412d/cli-inputs.json');
    const inputs = JSON.parse(readFileSync(file, 'utf8')) as { cognitoConfig: Record<string, unknown> };
    inputs.cognitoConfig.hostedUI = false;
    inputs.cognitoConfig.thirdPartyAuth = false;
    writeFileSync(file, JSON.stringify(inputs, null, 2));
  },
});
