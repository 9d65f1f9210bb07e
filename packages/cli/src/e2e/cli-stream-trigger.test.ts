import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { type ForteRun, initProject, removeProject, runForte } from './forte-runner.js';

const SCHEMA = `type Post @model @auth(rules: [{ allow: public }]) {
  id: ID!
  title: String!
}
`;

void describe('a stream trigger of an @model table: add api + add function (trigger template) → push → mutation → the function gets the record (built binary, local cloud)', () => {
  let work: string;
  let home: string;
  let root: string;
  const forte = (args: string[], stdin?: string): Promise<ForteRun> => runForte(args, { cwd: root, home, ...(stdin === undefined ? {} : { stdin }) });

  before(async () => {
    ({ work, home, root } = await initProject('forte-stream-trigger-', 'streamapp'));
  });
  after(() => removeProject({ work, home }));

  void it("delivers each GraphQL write of the model to the trigger, as Amplify's template logs it", async () => {
    const api = await forte(
      ['add', 'api', '--headless'],
      JSON.stringify({
        version: 1,
        serviceConfiguration: { serviceName: 'AppSync', apiName: 'blog', transformSchema: SCHEMA, defaultAuthType: { mode: 'API_KEY', expirationTime: 7 } },
      }),
    );
    assert.equal(api.code, 0, api.stderr);
    const fn = await forte(
      ['add', 'function', '--headless'],
      JSON.stringify({ name: 'onpost', template: 'trigger', trigger: { type: 'dynamodb-model', models: ['Post'] } }),
    );
    assert.equal(fn.code, 0, fn.stderr);
    const push = await forte(['push', '--yes']);
    assert.equal(push.code, 0, push.stderr + push.stdout);
    assert.match(push.stdout, /CREATE_COMPLETE\s+AWS::Lambda::EventSourceMapping\b/);

    const meta = JSON.parse(readFileSync(join(root, 'amplify/backend/amplify-meta.json'), 'utf8'));
    const { GraphQLAPIEndpointOutput: endpoint, GraphQLAPIKeyOutput: apiKey } = meta.api.blog.output as {
      GraphQLAPIEndpointOutput: string;
      GraphQLAPIKeyOutput: string;
    };
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
      body: JSON.stringify({
        query: 'mutation ($input: CreatePostInput!) { createPost(input: $input) { id } }',
        variables: { input: { title: 'streams reach functions' } },
      }),
    });
    const created = (await response.json()) as { data?: { createPost: { id: string } }; errors?: unknown };
    assert.equal(created.errors, undefined, JSON.stringify(created.errors));

    // The template logs eventID, eventName and the record's `dynamodb` part.
    const deadline = Date.now() + 90_000;
    let logs: ForteRun;
    for (;;) {
      logs = await forte(['function', 'logs', 'onpost', '--since', '10m']);
      if (logs.code === 0 && logs.stdout.includes('streams reach functions')) break;
      assert.ok(Date.now() < deadline, `the trigger logged the record: ${logs.stdout}${logs.stderr}`);
      await sleep(1000);
    }
    assert.match(logs.stdout, /\bINSERT\b/);
    assert.match(logs.stdout, new RegExp(`DynamoDB Record: .*"Keys":\\{"id":\\{"S":"${created.data!.createPost.id}"\\}\\}`));
    assert.match(logs.stdout, /"StreamViewType":"NEW_AND_OLD_IMAGES"/);
  });
});
