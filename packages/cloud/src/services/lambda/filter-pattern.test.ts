import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileFilterPattern } from './filter-pattern.js';

const matchesFilterPattern = (pattern: string, message: string): boolean => compileFilterPattern(pattern)(message);

void describe('CloudWatch filter patterns on text', () => {
  void it('matches all terms, quoted phrases, excluded and optional terms', () => {
    assert.ok(matchesFilterPattern('ERROR timeout', 'ERROR: a timeout happened'));
    assert.ok(!matchesFilterPattern('ERROR timeout', 'ERROR: it failed'));
    assert.ok(matchesFilterPattern('"a timeout"', 'ERROR: a timeout happened'));
    assert.ok(!matchesFilterPattern('"timeout a"', 'ERROR: a timeout happened'));
    assert.ok(matchesFilterPattern('ERROR -retry', 'ERROR once'));
    assert.ok(!matchesFilterPattern('ERROR -retry', 'ERROR, will retry'));
    assert.ok(matchesFilterPattern('?WARN ?ERROR', 'a WARN line'));
    assert.ok(!matchesFilterPattern('?WARN ?ERROR', 'an INFO line'));
    assert.ok(matchesFilterPattern('', 'anything'));
  });
});
