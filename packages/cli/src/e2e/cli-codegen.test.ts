import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { Amplify } from 'aws-amplify';
import { generateClient } from 'aws-amplify/api';
import { parseAmplifyConfig } from 'aws-amplify/utils';
import { type ForteRun, initProject, removeProject, runForte, runForteInTerminal } from './forte-runner.js';

void describe('forte codegen: add, regenerate, models, remove (built binary)', () => {
  let work: string;
  let home: string;
  let root: string;
  const forte = (args: string[]): Promise<ForteRun> => runForte(args, { cwd: root, home });
  const file = (path: string): string => readFileSync(join(root, path), 'utf8');
  const apiName = (): string => Object.keys((JSON.parse(file('amplify/backend/backend-config.json')) as { api: Record<string, unknown> }).api)[0]!;

  before(async () => {
    ({ work, home, root } = await initProject('forte-codegen-', 'cgapp'));
    const add = await forte(['add', 'api', '--yes']);
    assert.equal(add.code, 0, add.stderr);
  });
  after(() => removeProject({ work, home }));

  void it('`forte codegen add` needs the compiled schema and names the commands that write it', async () => {
    const refused = await forte(['codegen', 'add', '--yes']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /amplify\/backend\/api\/cgapp\/build\/schema\.graphql does not exist/);
    assert.match(refused.stderr, /forte api gql-compile.*forte push/);
    const alone = await forte(['codegen']);
    assert.equal(alone.code, 1);
    assert.match(alone.stderr, /Code generation is not configured/);
    assert.equal(existsSync(join(root, '.graphqlconfig.yml')), false);
  });

  void it("asks Amplify's questions in a terminal, generates TypeScript; `forte codegen` alone regenerates", async () => {
    const compile = await forte(['api', 'gql-compile']);
    assert.equal(compile.code, 0, compile.stderr);
    const { code, screen } = await runForteInTerminal(['codegen', 'add'], { cwd: root, home }, [
      [/Choose the code generation language target/, '\x1b[B\r'],
      [/Enter the file name pattern of graphql queries, mutations and subscriptions/, '\r'],
      [/Do you want to generate\/update all possible GraphQL operations/, '\r'],
      [/Enter maximum statement depth/, '\r'],
      [/Enter the file name for the generated code/, '\r'],
      [/Do you want to generate code for your newly created GraphQL API/, '\r'],
    ]);
    assert.equal(code, 0, screen);
    assert.match(file('.graphqlconfig.yml'), /codeGenTarget: typescript\n\s+generatedFileName: src\/API\.ts\n\s+docsFilePath: src\/graphql\n/);
    assert.match(file('src/graphql/mutations.ts'), /export const createTodo = \/\* GraphQL \*\/ `mutation CreateTodo\(/);
    assert.match(file('src/API.ts'), /export type CreateTodoMutation = \{/);

    rmSync(join(root, 'src/graphql'), { recursive: true });
    rmSync(join(root, 'src/API.ts'));
    const regenerated = await forte(['codegen']);
    assert.equal(regenerated.code, 0, regenerated.stderr);
    assert.deepEqual(readdirSync(join(root, 'src/graphql')).sort(), ['mutations.ts', 'queries.ts', 'subscriptions.ts']);
    assert.match(file('src/API.ts'), /export type GetTodoQuery = \{/);
    // Verb and noun in either order, and Amplify's aliases.
    const statements = await forte(['statement', 'codegen', '--maxDepth', '1']);
    assert.equal(statements.code, 0, statements.stderr);
    assert.match(statements.stdout, /Generated GraphQL operations successfully and saved at src\/graphql/);
  });

  void it('JavaScript statements from `codegen configure` drive aws-amplify against the pushed API', async () => {
    const { code, screen } = await runForteInTerminal(['codegen', 'configure'], { cwd: root, home }, [
      [/Choose the code generation language target/, '\x1b[A\r'],
      [/Enter the file name pattern of graphql queries, mutations and subscriptions/, '\r'],
      [/Enter maximum statement depth/, '\r'],
    ]);
    assert.equal(code, 0, screen);
    assert.match(file('.graphqlconfig.yml'), /includes:\n\s+- src\/graphql\/\*\*\/\*\.js\n/);
    // The push regenerates the statements from the schema it deploys, as Amplify's does.
    const schemaFile = join(root, 'amplify', 'backend', 'api', apiName(), 'schema.graphql');
    writeFileSync(schemaFile, `${readFileSync(schemaFile, 'utf8')}\ntype Tag @model @auth(rules: [{ allow: public }]) { id: ID! label: String! }\n`);
    assert.doesNotMatch(file('src/graphql/mutations.js'), /createTag/);
    const push = await forte(['push', '--yes']);
    assert.equal(push.code, 0, push.stderr + push.stdout);
    assert.match(file('src/graphql/mutations.js'), /export const createTag = /);

    Amplify.configure(parseAmplifyConfig(JSON.parse(file('amplify_outputs.json')) as Record<string, unknown>));
    writeFileSync(join(root, 'package.json'), '{"type":"module"}');
    const mutations = (await import(pathToFileURL(join(root, 'src/graphql/mutations.js')).href)) as Record<string, string>;
    const queries = (await import(pathToFileURL(join(root, 'src/graphql/queries.js')).href)) as Record<string, string>;
    const client = generateClient() as unknown as {
      graphql(options: { query: string; variables?: Record<string, unknown> }): Promise<{ data: Record<string, any> }>;
    };
    const created = await client.graphql({
      query: mutations['createTodo']!,
      variables: { input: { name: 'from codegen', description: 'generated statements' } },
    });
    assert.equal(created.data['createTodo'].name, 'from codegen');
    assert.equal(created.data['createTodo'].__typename, 'Todo');
    const fetched = await client.graphql({ query: queries['getTodo']!, variables: { id: created.data['createTodo'].id } });
    assert.equal(fetched.data['getTodo'].description, 'generated statements');
    const listed = await client.graphql({ query: queries['listTodos']! });
    assert.deepEqual(
      listed.data['listTodos'].items.map((t: { name: string }) => t.name),
      ['from codegen'],
    );
  });

  void it('`forte codegen models` writes src/models, `--target introspection` the model introspection, and `remove` drops the entry', async () => {
    const models = await forte(['codegen', 'models']);
    assert.equal(models.code, 0, models.stderr);
    assert.match(file('src/models/index.js'), /initSchema\(schema\)/);
    const introspection = await forte(['codegen', 'models', '--target', 'introspection']);
    assert.equal(introspection.code, 0, introspection.stderr);
    const json = JSON.parse(file('src/models/model-introspection.json')) as { version: number; models: Record<string, unknown> };
    assert.equal(json.version, 1);
    assert.deepEqual(Object.keys(json.models), ['Todo', 'Tag']);
    // The real Amplify codegen and the transformer's build output agree (amplify_outputs.json carries the latter).
    assert.deepEqual(JSON.parse(file('amplify/backend/api/cgapp/build/model-introspection.json')), json);

    const removed = await forte(['codegen', 'remove', '--yes']);
    assert.equal(removed.code, 0, removed.stderr);
    assert.doesNotMatch(file('.graphqlconfig.yml'), /cgapp/);
    const after = await forte(['codegen']);
    assert.equal(after.code, 1);
    assert.match(after.stderr, /not configured/);
  });
});
