import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withoutTrailing } from './without-trailing.js';

void describe('withoutTrailing', () => {
  void it('drops the run of one character at the end, promptly however long the runs inside', () => {
    assert.equal(withoutTrailing('http://127.0.0.1:20002/us-east-1_abc///', '/'), 'http://127.0.0.1:20002/us-east-1_abc');
    assert.equal(withoutTrailing('///', '/'), '');
    assert.equal(withoutTrailing('no-slash', '/'), 'no-slash');
    assert.equal(withoutTrailing('15000', '0'), '15');
    const started = performance.now();
    assert.equal(withoutTrailing(`${'/'.repeat(200_000)}a`, '/'), `${'/'.repeat(200_000)}a`);
    assert.equal(withoutTrailing(`1${'0'.repeat(200_000)}1`, '0'), `1${'0'.repeat(200_000)}1`);
    assert.ok(performance.now() - started < 1000, `took ${Math.round(performance.now() - started)} ms`);
  });
});
