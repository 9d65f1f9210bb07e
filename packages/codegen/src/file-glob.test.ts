import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { globMatcher, globParent, matchFiles } from './file-glob.js';

void describe('file-glob', () => {
  void it('matches **, *, ? and {a,b} on / separated paths', () => {
    const matches = globMatcher(['./src/graphql/**/*.{js,ts}']);
    assert.ok(matches('src/graphql/queries.js'));
    assert.ok(matches('src/graphql/nested/deep/queries.ts'));
    assert.ok(!matches('src/graphql/queries.graphql'));
    assert.ok(!matches('src/graphqlx/queries.js'));
    assert.ok(!matches('lib/src/graphql/queries.js'));
    assert.ok(globMatcher(['src/?.js'])('src/a.js'));
    assert.ok(!globMatcher(['src/*.js'])('src/a/b.js'));
    assert.ok(globMatcher(['./amplify/**'])('amplify/backend/api/x/schema.graphql'));
    assert.ok(!globMatcher([])('src/a.js'));
  });

  void it('finds the fixed folder of a pattern', () => {
    assert.equal(globParent('src/graphql/**/*.js'), 'src/graphql');
    assert.equal(globParent('./src/graphql/*.ts'), 'src/graphql');
    assert.equal(globParent('src/graphql/queries.js'), 'src/graphql');
    assert.equal(globParent('**/*.graphql'), '.');
    assert.equal(globParent('queries.graphql'), '.');
  });

  void it('lists matching files minus the excluded ones, never looking into node_modules', () => {
    const root = mkdtempSync(join(tmpdir(), 'forte-glob-'));
    try {
      for (const file of [
        'src/graphql/queries.js',
        'src/graphql/sub/more.js',
        'src/graphql/skip.js',
        'src/API.ts',
        'node_modules/x/src/graphql/q.js',
        'amplify/backend/q.js',
      ]) {
        mkdirSync(dirname(join(root, file)), { recursive: true });
        writeFileSync(join(root, file), '');
      }
      assert.deepEqual(matchFiles(root, ['src/graphql/**/*.js'], ['src/graphql/skip.js']), ['src/graphql/queries.js', 'src/graphql/sub/more.js']);
      assert.deepEqual(matchFiles(root, ['**/*.js'], ['./amplify/**']), ['src/graphql/queries.js', 'src/graphql/skip.js', 'src/graphql/sub/more.js']);
      assert.deepEqual(matchFiles(root, ['missing/**/*.js'], []), []);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
