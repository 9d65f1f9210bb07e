import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Amplify } from 'aws-amplify';
import { generateClient } from 'aws-amplify/api';
import { type ForteRun, initProject, removeProject, runForte } from './forte-runner.js';

/** A schema of GraphQL Transformer v1, as projects made before Amplify CLI 7 hold them. */
const V1_SCHEMA = `# A blog: v1 keys and connections
type Blog @model {
  id: ID!
  name: String!
  posts: [Post] @connection(keyName: "byBlog", fields: ["id"])
}

type Post @model @key(name: "byBlog", fields: ["blogID", "title"], queryField: "postsByBlog") {
  id: ID!
  title: String!
  blogID: ID!
  blog: Blog @connection(fields: ["blogID"])
}
`;

interface GraphQLClient {
  graphql(options: { query: string; variables?: Record<string, unknown> }): Promise<{ data: Record<string, any> }>;
}

void describe('forte migrate api: a GraphQL Transformer v1 project is refused with the fix, migrated, pushed and reverted (built binary, local cloud)', () => {
  let work: string;
  let home: string;
  let root: string;
  const forte = (args: string[], stdin?: string): Promise<ForteRun> => runForte(args, { cwd: root, home, ...(stdin === undefined ? {} : { stdin }) });
  const apiDir = (...path: string[]): string => join(root, 'amplify', 'backend', 'api', 'blog', ...path);
  const cliJsonFile = (): string => join(root, 'amplify', 'cli.json');
  const transformer = (): Record<string, unknown> =>
    (JSON.parse(readFileSync(cliJsonFile(), 'utf8')) as { features: { graphqltransformer: Record<string, unknown> } }).features.graphqltransformer;
  const meta = (): string => readFileSync(join(root, 'amplify', 'backend', 'amplify-meta.json'), 'utf8');

  before(async () => {
    ({ work, home, root } = await initProject('forte-api-migrate-', 'migrateapp'));
    const add = await forte(
      ['add', 'api', '--headless'],
      JSON.stringify({
        version: 1,
        serviceConfiguration: {
          serviceName: 'AppSync',
          apiName: 'blog',
          transformSchema: 'type Todo @model @auth(rules: [{allow: public}]) { id: ID! }',
          defaultAuthType: { mode: 'API_KEY', expirationTime: 7 },
        },
      }),
    );
    assert.equal(add.code, 0, add.stderr + add.stdout);
    // The project as Amplify left it before the v2 transformer: a v1 schema and transformerversion 1.
    writeFileSync(apiDir('schema.graphql'), V1_SCHEMA);
    const cli = JSON.parse(readFileSync(cliJsonFile(), 'utf8')) as { features: { graphqltransformer: Record<string, unknown> } };
    cli.features.graphqltransformer['transformerversion'] = 1;
    cli.features.graphqltransformer['useexperimentalpipelinedtransformer'] = false;
    writeFileSync(cliJsonFile(), JSON.stringify(cli, null, 2));
  });
  after(() => removeProject({ work, home }));

  void it('push refuses the v1 schema where it uses v1 directives, and says to run forte migrate api; nothing is deployed', async () => {
    const before = meta();
    const push = await forte(['push', '--yes']);
    assert.equal(push.code, 1, push.stdout);
    assert.ok(push.stderr.includes('amplify/backend/api/blog/schema.graphql:5:17 Blog.posts: unknown directive "@connection"'), push.stderr);
    assert.match(push.stderr, /@connection, @key are directives of GraphQL Transformer v1.*run `forte migrate api`/s);
    assert.doesNotMatch(push.stdout, /_COMPLETE|_IN_PROGRESS/);
    assert.equal(meta(), before);
  });

  void it('a schema Amplify cannot migrate automatically is refused by name, and nothing is changed', async () => {
    const blocked = V1_SCHEMA.replace('blog: Blog @connection(fields: ["blogID"])', 'blog: Blog @connection(name: "BlogPosts")');
    writeFileSync(apiDir('schema.graphql'), blocked);
    const migrate = await forte(['migrate', 'api']);
    assert.equal(migrate.code, 1, migrate.stdout);
    assert.match(migrate.stderr, /schema\.graphql:12:14 Post\.blog: @connection\(name\) is the oldest form of @connection/);
    assert.equal(readFileSync(apiDir('schema.graphql'), 'utf8'), blocked);
    assert.equal(existsSync(apiDir('.migration-backup')), false);
    assert.equal(transformer()['transformerversion'], 1);

    // A schema that does not parse, or a @key naming no field: said where, and nothing changed.
    writeFileSync(apiDir('schema.graphql'), V1_SCHEMA.replace('name: String!', 'name: String! @connection('));
    const unparsed = await forte(['migrate', 'api']);
    assert.equal(unparsed.code, 1, unparsed.stdout);
    assert.match(
      unparsed.stderr,
      /amplify\/backend\/api\/blog\/schema\.graphql:5:17: Syntax Error: Expected Name, found "@" \(nothing was changed\)\.\n.*Fix the schema/,
    );
    assert.doesNotMatch(unparsed.stderr, /unexpected error/);
    writeFileSync(apiDir('schema.graphql'), V1_SCHEMA.replace('fields: ["blogID", "title"]', 'fields: ["blogId", "title"]'));
    const badKey = await forte(['migrate', 'api']);
    assert.equal(badKey.code, 1, badKey.stdout);
    assert.match(badKey.stderr, /schema\.graphql:8:18 Post: @key names the field "blogId", which Post does not have \(nothing was changed\)/);
    assert.equal(existsSync(apiDir('.migration-backup')), false);
    writeFileSync(apiDir('schema.graphql'), V1_SCHEMA);
  });

  void it('forte migrate api rewrites the schema for v2, keeps the original and sets cli.json; a second run has nothing to do', async () => {
    const migrate = await forte(['migrate', 'api']);
    assert.equal(migrate.code, 0, migrate.stderr + migrate.stdout);
    assert.match(migrate.stdout, /Migrated the schema of blog to GraphQL Transformer v2/);
    assert.match(migrate.stdout, /The migrated schema compiles/);
    assert.match(migrate.stdout + migrate.stderr, /no comments: copy the ones you need from amplify\/backend\/api\/blog\/\.migration-backup/);
    const schema = readFileSync(apiDir('schema.graphql'), 'utf8');
    assert.match(schema, /type Blog @model @auth\(rules: \[\{allow: public\}\]\)/);
    assert.match(schema, /posts: \[Post\] @hasMany\(indexName: "byBlog", fields: \["id"\]\)/);
    assert.match(schema, /blogID: ID! @index\(name: "byBlog", queryField: "postsByBlog", sortKeyFields: \["title"\]\)/);
    assert.match(schema, /blog: Blog @belongsTo\(fields: \["blogID"\]\)/);
    assert.equal(readFileSync(apiDir('.migration-backup', 'schema.graphql'), 'utf8'), V1_SCHEMA);
    assert.equal(transformer()['transformerversion'], 2);
    assert.equal(transformer()['useexperimentalpipelinedtransformer'], true);

    const again = await forte(['migrate', 'api']);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /already for GraphQL Transformer v2: nothing to migrate/);
  });

  void it('the migrated API pushes and answers the v1 queries through aws-amplify: the index query and both sides of the connection', async () => {
    const push = await forte(['push', '--yes']);
    assert.equal(push.code, 0, push.stderr + push.stdout);
    const output = (JSON.parse(meta()) as { api: { blog: { output: { GraphQLAPIEndpointOutput: string; GraphQLAPIKeyOutput: string } } } }).api.blog.output;
    Amplify.configure({
      API: { GraphQL: { endpoint: output.GraphQLAPIEndpointOutput, region: 'us-east-1', defaultAuthMode: 'apiKey', apiKey: output.GraphQLAPIKeyOutput } },
    });
    const api = generateClient() as unknown as GraphQLClient;
    const blog = (await api.graphql({ query: 'mutation { createBlog(input: {name: "Notes"}) { id } }' })).data.createBlog as { id: string };
    for (const title of ['b-second', 'a-first'])
      await api.graphql({
        query: 'mutation ($t: String!, $b: ID!) { createPost(input: {title: $t, blogID: $b}) { id } }',
        variables: { t: title, b: blog.id },
      });
    const byBlog = await api.graphql({ query: 'query ($b: ID!) { postsByBlog(blogID: $b) { items { title blog { name } } } }', variables: { b: blog.id } });
    assert.deepEqual(byBlog.data.postsByBlog.items, [
      { title: 'a-first', blog: { name: 'Notes' } },
      { title: 'b-second', blog: { name: 'Notes' } },
    ]);
    const withPosts = await api.graphql({ query: 'query ($id: ID!) { getBlog(id: $id) { posts { items { title } } } }', variables: { id: blog.id } });
    assert.deepEqual(
      (withPosts.data.getBlog.posts.items as { title: string }[]).map((p) => p.title),
      ['a-first', 'b-second'],
    );
  });

  void it('forte migrate api --revert puts back the v1 schema and cli.json, once confirmed', async () => {
    const revert = await forte(['migrate', 'api', '--revert', '--yes']);
    assert.equal(revert.code, 0, revert.stderr + revert.stdout);
    assert.equal(readFileSync(apiDir('schema.graphql'), 'utf8'), V1_SCHEMA);
    assert.equal(transformer()['transformerversion'], 1);
    assert.equal(transformer()['useexperimentalpipelinedtransformer'], false);
    assert.equal(existsSync(apiDir('.migration-backup')), false);
    assert.equal(existsSync(apiDir('.migration-config-backup')), false);
    const nothing = await forte(['migrate', 'api', '--revert', '--yes']);
    assert.equal(nothing.code, 1);
    assert.match(nothing.stderr, /There is no schema backup at amplify\/backend\/api\/blog\/\.migration-backup/);
  });

  void it('forte init of a fresh clone of the v1 project says to run forte migrate api first', async () => {
    for (const file of ['local-env-info.json', 'local-aws-info.json']) rmSync(join(root, 'amplify', '.config', file), { force: true });
    const init = await forte(['init', '--amplify', '{"envName":"clone"}', '--yes']);
    assert.equal(init.code, 0, init.stderr + init.stdout);
    assert.match(init.stdout, /The project migrateapp is attached/);
    assert.match(
      init.stdout + init.stderr,
      /The GraphQL API blog is written for GraphQL Transformer v1; Forte compiles v2 schemas: run `forte migrate api` before `forte push`/,
    );
  });
});
