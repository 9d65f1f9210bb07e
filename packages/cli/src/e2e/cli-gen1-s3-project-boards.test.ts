/**
 * The corpus app project-boards (../shared/corpus/gen1-projects) attached with `forte init` and pushed whole: auth,
 * its AppSync API, its function and its S3 bucket; a teammate's clone then joins the deployed environment. A file of
 * its own so each end-to-end file stays within the test timeout. Fails in CI when the corpus is missing.
 */
import assert from 'node:assert/strict';
import { cpSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describeCorpusBucketPush } from './gen1-bucket-push.js';
import { runForte } from './forte-runner.js';

const readJson = (path: string): any => JSON.parse(readFileSync(path, 'utf8'));

describeCorpusBucketPush('project-boards', 's369f8ff1c', {
  frontend: '{"frontend":"javascript"}',
  afterPush: {
    what: "auth, api and its function push for real; getRandomQuote answers through the real function; a teammate's clone joins",
    check: async ({ work, home, root, meta }) => {
      const api = meta.api.projectboards.output;
      assert.ok(meta.auth.projectboards54040ecc.output.UserPoolId, 'the auth stack deployed from cli-inputs.json');
      const create = await fetch(api.GraphQLAPIEndpointOutput, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': api.GraphQLAPIKeyOutput },
        body: JSON.stringify({ query: '{ listProjects { items { id title } } }' }),
      });
      assert.equal(create.status, 200);
      assert.deepEqual(await create.json(), { data: { listProjects: { items: [] } } });
      // The schema's @function query runs the project's own function (nodejs22.x, its yarn.lock built with npm
      // where yarn is missing, as Amplify does) in the cloud's Lambda runtime.
      const quoted = await fetch(api.GraphQLAPIEndpointOutput, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': api.GraphQLAPIKeyOutput },
        body: JSON.stringify({ query: '{ getRandomQuote { message quote author timestamp totalQuotes } }' }),
      });
      const answer = (await quoted.json()) as { data?: { getRandomQuote?: Record<string, unknown> }; errors?: unknown };
      assert.equal(answer.errors, undefined, JSON.stringify(answer.errors));
      const quote = answer.data?.getRandomQuote;
      assert.equal(quote?.message, 'Quote generated successfully! 🎯');
      assert.equal(quote?.totalQuotes, 14);
      assert.ok(typeof quote?.quote === 'string' && quote.quote.length > 0 && typeof quote.author === 'string');
      assert.ok(!Number.isNaN(Date.parse(String(quote?.timestamp))));
      assert.equal(meta.function.quotegenerator.output.Name, 'quotegenerator-main');
      assert.ok(statSync(join(root, 'amplify/#current-cloud-backend')).isDirectory());

      // A teammate clones the repository as pushed: init joins the deployed environment, nothing left to push.
      const teammate = join(work, 'boards-teammate');
      const local = /\.config[\\/]local-|amplify-meta\.json$|#current-cloud-backend/;
      cpSync(root, teammate, { recursive: true, filter: (path) => !local.test(path) });
      const joined = await runForte(['init', '--amplify', '{"envName":"main"}', '--yes'], { cwd: teammate, home });
      assert.equal(joined.code, 0, joined.stderr);
      assert.equal(
        readJson(join(teammate, 'amplify/backend/amplify-meta.json')).api.projectboards.output.GraphQLAPIEndpointOutput,
        api.GraphQLAPIEndpointOutput,
      );
      const status = await runForte(['status'], { cwd: teammate, home });
      assert.equal(status.code, 0, status.stderr);
      assert.match(status.stdout, /projectboards54040ecc\s*│ No Change/);
      assert.match(status.stdout, /projectboards\s*│ No Change/);
      assert.match(status.stdout, /quotegenerator\s*│ No Change/);
      assert.match(status.stdout, /s369f8ff1c\s*│ No Change/);
    },
  },
});
