/**
 * The corpus app backend-only with its bucket. Its schema's @function names `quotegenerator-${env}` while its function
 * is `quotegeneratorbe`: Amplify deploys that and fails when the field is queried; Forte refuses the schema at push.
 */
import { describeCorpusBucketPush } from './gen1-bucket-push.js';

describeCorpusBucketPush('backend-only', 's3c31471c3', {
  knownFailure: /Query\.getRandomQuote calls @function "quotegenerator-main", which does not exist in this environment/,
});
