import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { boundedMemo } from './bounded-memo.js';

void describe('boundedMemo', () => {
  void it('makes each key once while it is kept, and never keeps more than its limit', () => {
    const made: string[] = [];
    const memo = boundedMemo(3, (key) => {
      made.push(key);
      return { key };
    });
    const a = memo.get('a');
    assert.equal(memo.get('a'), a);
    for (const key of ['b', 'c', 'd', 'e']) memo.get(key);
    assert.equal(memo.size, 3);
    // The first made went first: a and b were made again, c was still kept.
    memo.get('c');
    memo.get('a');
    assert.deepEqual(made, ['a', 'b', 'c', 'd', 'e', 'a']);
    assert.notEqual(memo.get('a'), a);
    for (let i = 0; i < 10_000; i++) memo.get(`shape ${i}`);
    assert.equal(memo.size, 3);
  });

  void it('refuses a limit below one', () => {
    assert.throws(() => boundedMemo(0, (k) => k), /limit must be at least 1/);
  });
});
