import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isUserError } from '@forte/protocol';
import { GRAPHQL_CONFIG_FILE, putProject, readGraphqlConfig, writeGraphqlConfig } from './graphql-config.js';

void describe('.graphqlconfig.yml', () => {
  const withFile = (text: string, check: (root: string) => void): void => {
    const root = mkdtempSync(join(tmpdir(), 'forte-graphqlconfig-'));
    try {
      writeFileSync(join(root, GRAPHQL_CONFIG_FILE), text);
      check(root);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  };

  void it('reads a hand-edited file (comments, both list styles, quotes, nulls) and keeps keys it does not know when it saves', () => {
    const text = [
      '# codegen settings',
      'projects:',
      '  myapi:   # the API',
      '    schemaPath: amplify/backend/api/myapi/build/schema.graphql',
      '    includes:',
      '    - src/graphql/**/*.js',
      '    excludes: [./amplify/**, "src/API.ts"]',
      '    extensions:',
      '      amplify:',
      '        codeGenTarget: javascript',
      "        generatedFileName: ''",
      "        docsFilePath: 'src/graphql'",
      '        apiId: null',
      '        maxDepth: 2',
      '  other:',
      '    schemaPath: schema.graphql',
      'extensions:',
      '  amplify:',
      '    version: 3',
      '  mine: kept',
    ].join('\n');
    withFile(text, (root) => {
      const config = readGraphqlConfig(root);
      assert.deepEqual(
        config.projects.map((p) => [p.projectName, p.includes, p.excludes, p.amplifyExtension.maxDepth, p.amplifyExtension.apiId]),
        [['myapi', ['src/graphql/**/*.js'], ['./amplify/**', 'src/API.ts'], 2, null]],
      );
      putProject(config, { ...config.projects[0]!, amplifyExtension: { ...config.projects[0]!.amplifyExtension, maxDepth: 3 } });
      writeGraphqlConfig(config);
      const saved = readFileSync(join(root, GRAPHQL_CONFIG_FILE), 'utf8');
      assert.match(saved, /maxDepth: 3/);
      assert.match(saved, /mine: kept/);
      assert.match(saved, /other:\n {4}schemaPath: schema.graphql/);
      assert.equal(readGraphqlConfig(root).projects[0]?.amplifyExtension.maxDepth, 3);
    });
  });

  void it('names the file and the line of what it cannot read, and how to fix it', () => {
    withFile('projects:\n  a: [x, y\n', (root) => {
      assert.throws(
        () => readGraphqlConfig(root),
        (e: unknown) => isUserError(e) && /\.graphqlconfig\.yml: .*line/.test(e.message) && /forte codegen add/.test(e.resolution),
      );
    });
    withFile('# only a comment\n', (root) => assert.deepEqual(readGraphqlConfig(root).projects, []));
    withFile('- a list\n', (root) => assert.throws(() => readGraphqlConfig(root), /is not a mapping/));
  });
});
