import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { closestWord, didYouMean } from './did-you-mean.js';

void describe('closestWord', () => {
  void it('finds what a typo meant, and nothing for a word that is not close to any', () => {
    assert.equal(closestWord('pussh', ['push', 'pull', 'publish']), 'push');
    assert.equal(closestWord('yess', ['yes', 'help', 'headless']), 'yes');
    assert.equal(closestWord('ad', ['add', 'update', 'remove']), 'add');
    assert.equal(closestWord('psuh', ['push', 'pull']), 'push', 'two letters swapped are one edit');
    assert.equal(closestWord('STATUS', ['status']), 'status');
    assert.equal(closestWord('frobnicate', ['push', 'status', 'init']), undefined);
    assert.equal(closestWord('xy', ['push']), undefined);
  });
  void it('says it as a sentence, or says nothing', () => {
    assert.equal(
      didYouMean('yess', ['yes'], (f) => `--${f}`),
      ' Did you mean "--yes"?',
    );
    assert.equal(didYouMean('zzz', ['yes']), '');
  });
});
