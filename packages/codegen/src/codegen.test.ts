import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, it } from 'node:test';
import ts from 'typescript';
import { isUserError } from '@forte/protocol';
import { sharedReference } from '@forte/protocol/shared-reference';
import { createFakePluginContext } from '@forte/testing';
import { QUESTIONS } from './codegen-questions.js';
import { GRAPHQL_CONFIG_FILE } from './graphql-config.js';
import * as plugin from './index.js';
import { readGoldenCase, type GoldenCase } from './test/golden-schemas.js';
import { parse as parseYaml } from 'yaml';

const shared = sharedReference('codegen tests', ['reference/graphql-golden']);
const golden = { dir: shared.dir === undefined ? undefined : join(shared.dir, 'reference/graphql-golden') };
const skip = shared.skip ?? false;

const API = 'notes';
const userError =
  (pattern: RegExp, resolution?: RegExp) =>
  (e: unknown): boolean => {
    assert.ok(isUserError(e), `expected a UserError, got ${String(e)}`);
    assert.match(e.message, pattern);
    if (resolution) assert.match(e.resolution, resolution);
    return true;
  };

void describe('forte codegen', { skip }, () => {
  let root: string;
  let sandboxTodo: GoldenCase;
  let blog: GoldenCase;
  const file = (path: string): string => readFileSync(join(root, path), 'utf8');
  const apiDir = join('amplify', 'backend', 'api', API);
  let projectConfig: Record<string, unknown> = {};
  const run = async (
    command: string | undefined,
    options: { yes?: boolean; answers?: Record<string, string | boolean>; flags?: Record<string, string | boolean> } = {},
  ): Promise<ReturnType<typeof createFakePluginContext>> => {
    const { flags, ...rest } = options;
    const fake = createFakePluginContext(root, { plugin: 'codegen', ...(command ? { command } : {}), ...rest });
    Object.assign(fake.ctx.input.options, flags);
    Object.assign(fake.project.config, projectConfig);
    await plugin.executeCommand(fake.ctx);
    return fake;
  };
  const withApi = (schema: GoldenCase, options: { compiled?: boolean } = {}): void => {
    mkdirSync(join(root, apiDir, 'build'), { recursive: true });
    writeFileSync(
      join(root, 'amplify/backend/backend-config.json'),
      JSON.stringify({ api: { [API]: { service: 'AppSync', providerPlugin: 'awscloudformation', dependsOn: [] } } }),
    );
    writeFileSync(join(root, apiDir, 'schema.graphql'), schema.input);
    if (options.compiled !== false) writeFileSync(join(root, apiDir, 'build/schema.graphql'), schema.compiled);
  };
  const config = (): any => parseYaml(file(GRAPHQL_CONFIG_FILE));

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'forte-codegen-'));
    projectConfig = {};
    sandboxTodo = readGoldenCase(golden.dir!, 'sandbox-todo');
    blog = readGoldenCase(golden.dir!, 'blog');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  void it('refuses to start without an API or without its compiled schema, naming the commands that fix it', async () => {
    await assert.rejects(run('add', { yes: true }), userError(/no GraphQL APIs/, /forte add api/));
    withApi(sandboxTodo, { compiled: false });
    await assert.rejects(run('add', { yes: true }), userError(/build\/schema\.graphql does not exist/, /forte api gql-compile.*forte push/));
    assert.equal(existsSync(join(root, GRAPHQL_CONFIG_FILE)), false);
    await assert.rejects(run(undefined), userError(/not configured/, /forte codegen add/));
    await assert.rejects(run('remove', { yes: true }), userError(/not configured/));
  });

  void it("`codegen add --yes` asks Amplify's questions, writes .graphqlconfig.yml in Amplify's shape and the JavaScript statements", async () => {
    withApi(sandboxTodo);
    const { asked, printed } = await run('add', { yes: true });
    assert.deepEqual(asked, [QUESTIONS.target, QUESTIONS.includePattern, QUESTIONS.generateDocs, QUESTIONS.maxDepth]);
    assert.deepEqual(config(), {
      projects: {
        [API]: {
          schemaPath: `amplify/backend/api/${API}/build/schema.graphql`,
          includes: ['src/graphql/**/*.js'],
          excludes: ['./amplify/**'],
          extensions: {
            amplify: { codeGenTarget: 'javascript', generatedFileName: '', docsFilePath: 'src/graphql', region: 'us-east-1', apiId: null, maxDepth: 2 },
          },
        },
      },
      extensions: { amplify: { version: 3 } },
    });
    assert.match(
      file(GRAPHQL_CONFIG_FILE),
      /^projects:\n {2}notes:\n {4}schemaPath: amplify\/backend\/api\/notes\/build\/schema\.graphql\n {4}includes:\n {6}- src\/graphql\/\*\*\/\*\.js\n/,
    );
    assert.match(file(GRAPHQL_CONFIG_FILE), /generatedFileName: ''\n/);
    assert.deepEqual(readdirSync(join(root, 'src/graphql')).sort(), ['mutations.js', 'queries.js', 'subscriptions.js']);
    assert.equal(existsSync(join(root, 'src/API.ts')), false);

    // The statements are real ES modules holding the operations of the compiled schema.
    writeFileSync(join(root, 'package.json'), '{"type":"module"}');
    const mutations = (await import(pathToFileURL(join(root, 'src/graphql/mutations.js')).href)) as Record<string, string>;
    const queries = (await import(pathToFileURL(join(root, 'src/graphql/queries.js')).href)) as Record<string, string>;
    const subscriptions = (await import(pathToFileURL(join(root, 'src/graphql/subscriptions.js')).href)) as Record<string, string>;
    assert.deepEqual(Object.keys(mutations).sort(), ['createTodo', 'deleteTodo', 'updateTodo']);
    assert.match(
      mutations['createTodo']!,
      /mutation CreateTodo\(\s*\$input: CreateTodoInput!\s*\$condition: ModelTodoConditionInput\s*\) \{\s*createTodo\(input: \$input, condition: \$condition\) \{\s*id\s+name\s+description\s+createdAt\s+updatedAt\s+__typename/,
    );
    assert.deepEqual(Object.keys(queries).sort(), ['getTodo', 'listTodos']);
    assert.deepEqual(Object.keys(subscriptions).sort(), ['onCreateTodo', 'onDeleteTodo', 'onUpdateTodo']);
    assert.ok(printed.some((line) => line === 'Generated GraphQL operations successfully and saved at src/graphql'));

    await assert.rejects(run('add', { yes: true }), userError(/only one GraphQL API/, /forte codegen configure/));
  });

  void it('TypeScript: the statements are typed by src/API.ts, and both compile (a wrong variable does not)', async () => {
    withApi(sandboxTodo);
    const { asked, printed } = await run('add', { answers: { [QUESTIONS.target]: 'typescript', [QUESTIONS.maxDepth]: '3' } });
    assert.deepEqual(asked, [
      QUESTIONS.target,
      QUESTIONS.includePattern,
      QUESTIONS.generateDocs,
      QUESTIONS.maxDepth,
      QUESTIONS.typesFile,
      QUESTIONS.generateTypes,
    ]);
    const project = config().projects[API];
    assert.deepEqual(project.includes, ['src/graphql/**/*.ts']);
    assert.deepEqual(project.extensions.amplify, {
      codeGenTarget: 'typescript',
      generatedFileName: 'src/API.ts',
      docsFilePath: 'src/graphql',
      region: 'us-east-1',
      apiId: null,
      maxDepth: 3,
    });
    assert.match(file('src/graphql/mutations.ts'), /import \* as APITypes from "\.\.\/API";/);
    assert.match(file('src/graphql/mutations.ts'), /export const createTodo = \/\* GraphQL \*\/ `mutation CreateTodo\(/);
    assert.match(file('src/API.ts'), /export type CreateTodoInput = \{\s*id\?: string \| null,\s*name: string,\s*description\?: string \| null,\s*\};/);
    assert.match(file('src/API.ts'), /export type CreateTodoMutation = \{/);
    assert.ok(printed.includes('Code generated successfully and saved in file src/API.ts'));

    const good =
      'import { createTodo } from "./graphql/mutations";\nimport type { CreateTodoMutationVariables } from "./API";\nconst v: CreateTodoMutationVariables = { input: { name: "a" } };\nexport const q: string = createTodo;\nexport { v };\n';
    assert.deepEqual(typeErrors(root, good), []);
    const bad = good.replace('{ name: "a" }', '{ title: "a" }');
    assert.match(typeErrors(root, bad).join('\n'), /title/);
  });

  void it('`codegen` and `codegen statements --maxDepth` regenerate from the config after the schema changed', async () => {
    withApi(sandboxTodo);
    await run('add', { yes: true });
    withApi(blog);
    await run(undefined);
    const depth2 = file('src/graphql/queries.js');
    assert.match(depth2, /export const getBlog = /);
    assert.match(depth2, /posts \{\s*nextToken/);
    assert.doesNotMatch(depth2, /posts \{\s*items/);
    assert.doesNotMatch(depth2, /getTodo/);
    await run('statements', { flags: { maxDepth: '3' } });
    assert.match(file('src/graphql/queries.js'), /posts \{\s*items \{\s*id\s+title/);
    await assert.rejects(run('statements', { flags: { maxDepth: '0' } }), userError(/--maxDepth/));
    // The depth given on the command line is not saved.
    assert.equal(config().projects[API].extensions.amplify.maxDepth, 2);
  });

  void it('`codegen configure` switches the language, excludes the types file and regenerates; `codegen types` needs statements', async () => {
    withApi(sandboxTodo);
    await run('add', { yes: true });
    await run('configure', { answers: { [QUESTIONS.target]: 'typescript' } });
    const project = config().projects[API];
    assert.deepEqual(project.includes, ['src/graphql/**/*.ts']);
    assert.deepEqual(project.excludes, ['./amplify/**', 'src/API.ts']);
    assert.equal(project.extensions.amplify.codeGenTarget, 'typescript');
    assert.equal(project.extensions.amplify.generatedFileName, 'src/API.ts');
    assert.match(file('src/graphql/queries.ts'), /export const getTodo/);
    assert.match(file('src/API.ts'), /export type GetTodoQuery = \{/);

    rmSync(join(root, 'src'), { recursive: true });
    await assert.rejects(run('types'), userError(/No GraphQL statements match src\/graphql\/\*\*\/\*\.ts/, /forte codegen statements/));
    await run('statements');
    assert.equal(existsSync(join(root, 'src/API.ts')), false);
    await run('types');
    assert.match(file('src/API.ts'), /export type ListTodosQuery = \{/);
  });

  void it("`codegen remove` drops only the API's entry; the generated files and other graphql-config projects stay", async () => {
    withApi(sandboxTodo);
    await run('add', { yes: true });
    writeFileSync(
      join(root, GRAPHQL_CONFIG_FILE),
      `${file(GRAPHQL_CONFIG_FILE)}# kept by hand\n`.replace('projects:\n', 'projects:\n  other:\n    schemaPath: other.graphql # not an Amplify project\n'),
    );
    const { printed } = await run('remove', { yes: true });
    assert.deepEqual(config(), { projects: { other: { schemaPath: 'other.graphql' } }, extensions: { amplify: { version: 3 } } });
    assert.ok(existsSync(join(root, 'src/graphql/queries.js')));
    assert.ok(printed.some((line) => line.includes('Removed notes')));
    await assert.rejects(run(undefined), userError(/not configured/));
  });

  void it('an Amplify config pointing at the introspection schema.json is switched to the compiled schema', async () => {
    withApi(sandboxTodo);
    writeFileSync(
      join(root, GRAPHQL_CONFIG_FILE),
      [
        'projects:',
        `  ${API}:`,
        '    schemaPath: src/graphql/schema.json',
        '    includes: [src/graphql/**/*.js]',
        '    excludes: [./amplify/**]',
        '    extensions:',
        '      amplify:',
        '        codeGenTarget: javascript',
        "        generatedFileName: ''",
        '        docsFilePath: src/graphql',
        '        maxDepth: 2',
        'extensions:',
        '  amplify:',
        '    version: 3',
        '',
      ].join('\n'),
    );
    await run(undefined);
    assert.equal(config().projects[API].schemaPath, `amplify/backend/api/${API}/build/schema.graphql`);
    assert.match(file('src/graphql/mutations.js'), /export const createTodo/);
  });

  void it("`codegen models` writes DataStore models to <SourceDir>/models; `--target introspection` equals Amplify's model-introspection.json", async () => {
    withApi(sandboxTodo);
    const { printed } = await run('models');
    assert.deepEqual(readdirSync(join(root, 'src/models')).sort(), ['index.d.ts', 'index.js', 'schema.d.ts', 'schema.js']);
    assert.match(file('src/models/index.js'), /const \{ Todo \} = initSchema\(schema\);/);
    assert.match(file('src/models/index.d.ts'), /export declare const Todo: \(new \(init: ModelInit<Todo>\) => Todo\)/);
    assert.equal(file('.eslintignore'), 'src/models\n');
    assert.ok(printed.includes('Successfully generated models. Generated models can be found in src/models'));

    writeFileSync(join(root, apiDir, 'schema.graphql'), readFileSync(join(golden.dir!, 'model-introspection.example.input.graphql'), 'utf8'));
    await run('models', { flags: { target: 'introspection', 'output-dir': 'src/introspection' } });
    const expected = JSON.parse(readFileSync(join(golden.dir!, 'model-introspection.example.json'), 'utf8'));
    assert.deepEqual(JSON.parse(file('src/introspection/model-introspection.json')), expected);
    await run('model-introspection');
    assert.deepEqual(JSON.parse(file('src/models/model-introspection.json')), expected);

    await assert.rejects(run('models', { flags: { target: 'cobol' } }), userError(/cannot be generated for cobol/, /--target/));
    rmSync(join(root, apiDir, 'schema.graphql'));
    await assert.rejects(run('models'), userError(/No GraphQL schema found/));
  });

  void it("Angular apps get Angular services; the models follow the frontend's SourceDir; other frontends are refused", async () => {
    withApi(sandboxTodo);
    projectConfig = { javascript: { framework: 'angular', config: { SourceDir: 'app/src' } } };
    const { asked } = await run('add', { yes: true });
    assert.ok(asked.includes(QUESTIONS.typesFile));
    const project = config().projects[API];
    assert.deepEqual(project.includes, ['src/graphql/**/*.graphql']);
    assert.equal(project.extensions.amplify.codeGenTarget, 'angular');
    assert.match(file('src/graphql/mutations.graphql'), /mutation CreateTodo\(/);
    assert.match(file('src/app/API.service.ts'), /@Injectable\(\{\s*providedIn: "root"\s*\}\)/);
    await run('models');
    assert.ok(existsSync(join(root, 'app/src/models/index.js')));

    rmSync(join(root, GRAPHQL_CONFIG_FILE));
    projectConfig = { frontend: 'android' };
    await assert.rejects(run('add', { yes: true }), userError(/frontend android is not supported/));
  });

  void it("after the first push of an API: Amplify's questions, in its order; --yes generates with the defaults; --codegen answers; later pushes regenerate", async () => {
    withApi(sandboxTodo);
    const api = { category: 'api', resourceName: API, service: 'AppSync', dir: join(root, apiDir) };
    const afterPush = async (
      options: { yes?: boolean; answers?: Record<string, string | boolean>; flags?: Record<string, string> },
      pushed: { created?: (typeof api)[]; updated?: (typeof api)[] },
    ) => {
      const fake = createFakePluginContext(root, {
        plugin: 'codegen',
        ...(options.yes ? { yes: true } : {}),
        ...(options.answers ? { answers: options.answers } : {}),
      });
      Object.assign(fake.ctx.input.options, options.flags);
      await plugin.handlePostPush(fake.ctx, { created: pushed.created ?? [], updated: pushed.updated ?? [] });
      return fake;
    };
    const declined = await afterPush({ answers: { [QUESTIONS.generateTypes]: false } }, { created: [api] });
    assert.deepEqual(declined.asked, [QUESTIONS.generateTypes]);
    assert.equal(existsSync(join(root, GRAPHQL_CONFIG_FILE)), false);

    const asked = await afterPush({ answers: { [QUESTIONS.target]: 'typescript', [QUESTIONS.maxDepth]: '3' } }, { created: [api] });
    assert.deepEqual(asked.asked, [
      QUESTIONS.generateTypes,
      QUESTIONS.target,
      QUESTIONS.includePattern,
      QUESTIONS.generateDocs,
      QUESTIONS.maxDepth,
      QUESTIONS.typesFile,
    ]);
    assert.equal(config().projects[API].extensions.amplify.codeGenTarget, 'typescript');
    assert.equal(config().projects[API].extensions.amplify.maxDepth, 3);
    assert.match(file('src/graphql/queries.ts'), /export const getTodo = /);
    assert.match(file('src/API.ts'), /export type GetTodoQuery = \{/);

    rmSync(join(root, 'src'), { recursive: true });
    const later = await afterPush({ yes: true }, { updated: [api] });
    assert.deepEqual(later.asked, [], 'configured: a later push regenerates without asking');
    assert.ok(existsSync(join(root, 'src/API.ts')));
    await afterPush({ yes: true }, {});
    rmSync(join(root, GRAPHQL_CONFIG_FILE));
    await afterPush({ yes: true }, { updated: [api] });
    assert.equal(existsSync(join(root, GRAPHQL_CONFIG_FILE)), false, 'only a newly created API gets the questions');

    rmSync(join(root, 'src'), { recursive: true });
    await afterPush({ yes: true }, { created: [api] });
    assert.equal(config().projects[API].extensions.amplify.codeGenTarget, 'javascript', "--yes: Amplify's headless defaults");
    assert.match(file('src/graphql/mutations.js'), /export const createTodo = /);

    rmSync(join(root, GRAPHQL_CONFIG_FILE));
    await afterPush(
      {
        flags: {
          codegen:
            '{"generateCode":true,"codeLanguage":"typescript","fileNamePattern":"lib/gql/**/*.ts","generatedFileName":"lib/API.ts","generateDocs":true,"maxDepth":1}',
        },
      },
      { created: [api] },
    );
    assert.deepEqual(config().projects[API].includes, ['lib/gql/**/*.ts']);
    assert.ok(existsSync(join(root, 'lib/gql/queries.ts')) && existsSync(join(root, 'lib/API.ts')));
    rmSync(join(root, GRAPHQL_CONFIG_FILE));
    const off = await afterPush({ yes: true, flags: { codegen: '{"generateCode":false}' } }, { created: [api] });
    assert.deepEqual(off.asked, []);
    assert.equal(existsSync(join(root, GRAPHQL_CONFIG_FILE)), false);
    await assert.rejects(
      afterPush({ flags: { codegen: '{"codeLanguage":"swift"}' } }, { created: [api] }),
      userError(/codeLanguage "swift" is not one of javascript, typescript, flow/),
    );
  });

  void it('answers `forte codegen help` and refuses unknown commands', async () => {
    const { printed } = await run('help');
    assert.match(printed.join('\n'), /model-introspection/);
    await assert.rejects(run('generate'), userError(/codegen has no command generate/));
  });
});

/** TypeScript errors of `main.ts` (written into `root/src`) compiled strictly with the generated files. */
function typeErrors(root: string, main: string): string[] {
  const mainFile = join(root, 'src', 'main.ts');
  writeFileSync(mainFile, main);
  const program = ts.createProgram([mainFile], {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    lib: ['lib.es2022.d.ts'],
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    types: [],
  });
  return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}
