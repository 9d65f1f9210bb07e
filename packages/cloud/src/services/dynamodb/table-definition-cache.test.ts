import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TableDefinition } from './table-definition.js';
import { createTableDefinitionCache } from './table-definition-cache.js';

const definition = (id: string): TableDefinition => ({ id }) as unknown as TableDefinition;

test('a definition is read once, and read again after any change of tables', async () => {
  const cache = createTableDefinitionCache();
  let reads = 0;
  const read = (id: string) => async () => (reads++, definition(id));
  assert.equal((await cache.get('T', read('v1')))?.id, 'v1');
  assert.equal((await cache.get('T', read('unused')))?.id, 'v1');
  assert.equal(reads, 1);
  await cache.change(async () => {
    // Inside a change (an uncommitted transaction) reads go to SQL and are not kept.
    assert.equal((await cache.get('T', read('v2')))?.id, 'v2');
    assert.equal(cache.size(), 0);
  });
  assert.equal((await cache.get('T', read('v2')))?.id, 'v2');
  assert.equal(reads, 3);
  await assert.rejects(cache.change(async () => Promise.reject(new Error('rolled back'))));
  assert.equal(cache.size(), 0, 'a rolled back change empties the cache too');
  assert.equal(await cache.get('missing', async () => undefined), undefined);
  assert.equal(cache.size(), 0, 'a missing table is not remembered');
});

test('a read that started before a change and ends after it is not kept', async () => {
  const cache = createTableDefinitionCache();
  let finish!: (d: TableDefinition) => void;
  const slow = cache.get('T', () => new Promise((resolve) => (finish = resolve)));
  await cache.change(async () => undefined);
  finish(definition('old'));
  assert.equal((await slow)?.id, 'old');
  assert.equal(cache.size(), 0);
  assert.equal((await cache.get('T', async () => definition('new')))?.id, 'new');
});
