import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildSchema, parse } from 'graphql';
import { createDocumentCache } from './document-cache.js';

const schemaA = buildSchema('type Query { a: String }');
const schemaB = buildSchema('type Query { a: String }');

test('documents are remembered per schema object, least recently used dropped first', () => {
  const cache = createDocumentCache({ maxEntries: 2 });
  const one = parse('{ a }');
  cache.set(schemaA, '{ a }', one);
  assert.equal(cache.get(schemaA, '{ a }'), one);
  assert.equal(cache.get(schemaB, '{ a }'), undefined, 'another schema, even with the same SDL, starts empty');
  assert.equal(cache.get(schemaA, '{a}'), undefined, 'only the exact text is a hit');

  cache.set(schemaA, '{ b: a }', parse('{ b: a }'));
  assert.ok(cache.get(schemaA, '{ a }'), 'a hit makes it the most recently used');
  cache.set(schemaA, '{ c: a }', parse('{ c: a }'));
  assert.equal(cache.size(schemaA), 2);
  assert.equal(cache.get(schemaA, '{ b: a }'), undefined, 'the least recently used went');
  assert.ok(cache.get(schemaA, '{ a }'));
});

test('the query text held per schema is bounded, and a text over the bound is not remembered', () => {
  const cache = createDocumentCache({ maxEntries: 100, maxCharacters: 20 });
  const long = `{ ${'a '.repeat(10)}}`;
  cache.set(schemaA, long, parse(long));
  assert.equal(cache.size(schemaA), 0);
  for (const alias of ['p', 'q', 'r']) cache.set(schemaA, `{ ${alias}: a }`, parse(`{ ${alias}: a }`));
  // Each text is 8 characters: two fit in 20.
  assert.equal(cache.size(schemaA), 2);
  assert.equal(cache.get(schemaA, '{ p: a }'), undefined);
  assert.ok(cache.get(schemaA, '{ r: a }'));
  cache.set(schemaA, '{ r: a }', parse('{ r: a }'));
  assert.equal(cache.size(schemaA), 2, 'setting a text again does not count it twice');
  assert.ok(cache.get(schemaA, '{ q: a }'));
});
