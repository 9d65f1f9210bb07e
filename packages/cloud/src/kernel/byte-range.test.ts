import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseByteRange } from './byte-range.js';

describe('parseByteRange', () => {
  it('parses single byte ranges and declines the rest', () => {
    assert.deepEqual(parseByteRange('bytes=0-9', 100), { start: 0, end: 9 });
    assert.deepEqual(parseByteRange('bytes=90-', 100), { start: 90, end: 99 });
    assert.deepEqual(parseByteRange('bytes=-10', 100), { start: 90, end: 99 });
    assert.deepEqual(parseByteRange('bytes=-500', 100), { start: 0, end: 99 });
    assert.deepEqual(parseByteRange('bytes=95-200', 100), { start: 95, end: 99 });
    assert.equal(parseByteRange(undefined, 100), undefined);
    assert.equal(parseByteRange('bytes=0-1,5-6', 100), undefined);
    assert.equal(parseByteRange('bytes=9-2', 100), undefined);
    assert.equal(parseByteRange('items=0-1', 100), undefined);
  });

  it('answers unsatisfiable past the end, for empty bodies and for a zero suffix', () => {
    assert.equal(parseByteRange('bytes=100-', 100), 'unsatisfiable');
    assert.equal(parseByteRange('bytes=-10', 0), 'unsatisfiable');
    assert.equal(parseByteRange('bytes=0-', 0), 'unsatisfiable');
    assert.equal(parseByteRange('bytes=-0', 100), 'unsatisfiable');
  });
});
