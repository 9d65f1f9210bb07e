import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type ForteRun, initProject, removeProject, runForte } from './forte-runner.js';

const SCHEMA = 'type Post @model {\n  id: ID!\n  title: String!\n}\n';

const ADD_API_REQUEST = {
  version: 1,
  serviceConfiguration: { serviceName: 'AppSync', apiName: 'blog', transformSchema: SCHEMA, defaultAuthType: { mode: 'API_KEY', expirationTime: 7 } },
};

void describe('forte api gql-compile refuses a schema the cloud would refuse, where the user wrote it (built binary)', () => {
  let work: string;
  let home: string;
  let root: string;
  const forte = (args: string[], stdin?: string): Promise<ForteRun> => runForte(args, { cwd: root, home, ...(stdin === undefined ? {} : { stdin }) });
  const apiDir = (...path: string[]): string => join(root, 'amplify', 'backend', 'api', 'blog', ...path);
  const meta = (): string => readFileSync(join(root, 'amplify', 'backend', 'amplify-meta.json'), 'utf8');

  before(async () => {
    ({ work, home, root } = await initProject('forte-api-schema-', 'schemaapp'));
    const add = await forte(['add', 'api', '--headless'], JSON.stringify(ADD_API_REQUEST));
    assert.equal(add.code, 0, add.stderr + add.stdout);
  });
  after(() => removeProject({ work, home }));

  void it('an unknown type: one error at its file, line and column, and nothing written or deployed', async () => {
    writeFileSync(apiDir('schema.graphql'), SCHEMA.replace('title: String!', 'title: Strin!'));
    const metaBefore = meta();
    const compile = await forte(['api', 'gql-compile']);
    assert.equal(compile.code, 1, compile.stdout);
    assert.ok(
      compile.stderr.includes('amplify/backend/api/blog/schema.graphql:3:10 Post.title: unknown type "Strin" (did you mean "String"?)'),
      compile.stderr,
    );
    assert.equal(compile.stderr.match(/unknown type/g)?.length, 1, compile.stderr);
    assert.doesNotMatch(compile.stderr, /StrinInput|CreatePostInput/);
    assert.equal(existsSync(apiDir('build')), false, 'nothing was built');

    const push = await forte(['push', '--yes']);
    assert.equal(push.code, 1, push.stdout);
    assert.ok(push.stderr.includes('amplify/backend/api/blog/schema.graphql:3:10 Post.title: unknown type "Strin" (did you mean "String"?)'), push.stderr);
    assert.doesNotMatch(push.stdout, /_COMPLETE|_IN_PROGRESS/, 'no stack event: nothing was deployed');
    assert.equal(meta(), metaBefore);
    assert.equal(existsSync(apiDir('build')), false);
  });

  void it('a directive repeated where it is not repeatable', async () => {
    writeFileSync(apiDir('schema.graphql'), SCHEMA.replace('@model', '@model @model'));
    const compile = await forte(['api', 'gql-compile']);
    assert.equal(compile.code, 1, compile.stdout);
    assert.ok(
      compile.stderr.includes('amplify/backend/api/blog/schema.graphql:1:18 Post: the directive "@model" can only be used once at this location'),
      compile.stderr,
    );
    assert.equal(existsSync(apiDir('build')), false);
  });

  void it('the schema fixed, it compiles', async () => {
    writeFileSync(apiDir('schema.graphql'), SCHEMA);
    const compile = await forte(['api', 'gql-compile']);
    assert.equal(compile.code, 0, compile.stderr);
    assert.match(readFileSync(apiDir('build', 'schema.graphql'), 'utf8'), /title: String!/);
  });
});
