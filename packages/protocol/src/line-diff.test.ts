import assert from 'node:assert/strict';
import { test } from 'node:test';
import { diffLines } from './line-diff.js';

const schema = (fields: string[]): string => ['type Query {', '  todos: [Todo]', '}', '', 'type Todo {', ...fields.map((f) => `  ${f}`), '}', ''].join('\n');

test('equal texts: no lines', () => {
  assert.deepEqual(diffLines('a\nb', 'a\nb'), []);
});

test('a dropped field is one removed line with two lines of context', () => {
  const fields = Array.from({ length: 40 }, (_, i) => `field${i}: String`);
  const before = schema(fields);
  const after = schema(fields.filter((f) => f !== 'field20: String'));
  assert.deepEqual(diffLines(before, after), [
    '@@ -24,5 +24,4 @@',
    '    field18: String',
    '    field19: String',
    '-   field20: String',
    '    field21: String',
    '    field22: String',
  ]);
});

test('changes far apart are separate hunks; close ones share one', () => {
  const before = Array.from({ length: 30 }, (_, i) => `line ${i}`).join('\n');
  const after = before.replace('line 3\n', 'line three\n').replace('line 5\n', 'line five\n').replace('line 25\n', '');
  assert.deepEqual(diffLines(before, after), [
    '@@ -2,7 +2,7 @@',
    '  line 1',
    '  line 2',
    '- line 3',
    '+ line three',
    '  line 4',
    '- line 5',
    '+ line five',
    '  line 6',
    '  line 7',
    '@@ -24,5 +24,4 @@',
    '  line 23',
    '  line 24',
    '- line 25',
    '  line 26',
    '  line 27',
  ]);
});

test('added lines at the start and at the end', () => {
  assert.deepEqual(diffLines('b\nc', 'a\nb\nc\nd'), ['@@ -1,2 +1,4 @@', '+ a', '  b', '  c', '+ d']);
  assert.deepEqual(diffLines('', 'x'), ['@@ -1,1 +1,1 @@', '- ', '+ x']);
});

test('two long texts rewritten throughout: every old line removed, every new one added, without the quadratic table', () => {
  // Every other line is shared: a full line diff would keep those 1,500 as context; past the bound the changed
  // region (all but the common first line) is shown replaced whole: 2,999 lines removed, 2,999 added.
  const before = Array.from({ length: 3000 }, (_, i) => (i % 2 ? `old ${i}` : `same ${i}`)).join('\n');
  const after = Array.from({ length: 3000 }, (_, i) => (i % 2 ? `new ${i}` : `same ${i}`)).join('\n');
  const lines = diffLines(before, after);
  assert.equal(lines.filter((l) => l.startsWith('-')).length, 2999);
  assert.equal(lines.filter((l) => l.startsWith('+')).length, 2999);
});
