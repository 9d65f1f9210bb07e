import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isForteError } from '@forte/protocol';
import { MAX_NESTING_LEVELS, normalizeItem } from './attribute-values.js';

/** An item whose `doc` is a scalar inside `maps` nested maps. */
function nested(maps: number): Record<string, unknown> {
  let value: unknown = { S: 'leaf' };
  for (let i = 0; i < maps; i++) value = { M: { a: value } };
  return { id: { S: 'x' }, doc: value };
}
const tooDeep = (error: unknown): boolean =>
  isForteError(error) && error.code === 'ValidationException' && /^Nesting Levels have exceeded supported limits/.test(error.message);

void describe('attribute value nesting', () => {
  void it('stores 32 levels, as DynamoDB does, and refuses 33', () => {
    assert.equal(MAX_NESTING_LEVELS, 32);
    assert.ok(normalizeItem(nested(31)));
    assert.throws(() => normalizeItem(nested(32)), tooDeep);
    let list: unknown = { N: '1' };
    for (let i = 0; i < 32; i++) list = { L: [list] };
    assert.throws(() => normalizeItem({ doc: list }), tooDeep);
  });

  void it('refuses a value nested 20,000 levels with a ValidationException, not a stack overflow', () => {
    assert.throws(() => normalizeItem(nested(20_000)), tooDeep);
  });
});
