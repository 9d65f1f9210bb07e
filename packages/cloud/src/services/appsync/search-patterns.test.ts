import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileRegexp, compileWildcard } from './search-patterns.js';
import { analyze } from './search-tokenizer.js';

void describe('search patterns and analysis', () => {
  void it('matches wildcards whole and case-sensitively, in linear time even for adversarial patterns', () => {
    assert.equal(compileWildcard('an*l?')('animals'), true);
    assert.equal(compileWildcard('an*l?')('Animals'), false);
    assert.equal(compileWildcard('a\\*b')('a*b'), true);
    assert.equal(compileWildcard('a\\*b')('axb'), false);
    assert.equal(compileWildcard('*')(''), true);
    const started = Date.now();
    assert.equal(compileWildcard('*a*a*a*a*a*a*a*a*a*a*b')('a'.repeat(256)), false);
    assert.ok(Date.now() - started < 50);
    // Read once per filter, whatever its length: a megabyte of pattern matches nothing (no value holds more than
    // 256 characters), a megabyte of stars everything.
    const long = Date.now();
    const nothing = compileWildcard(`${'ab?'.repeat(350_000)}*`);
    const everything = compileWildcard('*'.repeat(1_000_000));
    for (let i = 0; i < 1000; i++) {
      assert.equal(nothing('ab'.repeat(100)), false);
      assert.equal(everything(`value ${i}`), true);
    }
    assert.ok(Date.now() - long < 1000, `took ${Date.now() - long} ms`);
    assert.equal(compileWildcard(`${'a'.repeat(255)}*`)('a'.repeat(256)), true, 'a pattern of 255 characters still matches');
  });

  void it('translates Lucene regexps anchored, and refuses unsafe or unsupported ones', () => {
    assert.equal(compileRegexp('f', 'Fill.r note 0[1-2]').test('Filler note 02'), true);
    assert.equal(compileRegexp('f', 'note').test('Filler note'), false, 'anchored at both ends');
    assert.equal(compileRegexp('f', '"a.b"c{2}').test('a.bcc'), true);
    assert.equal(compileRegexp('f', '\\d+').test('ddd'), true, 'an escape is the literal character, as in Lucene');
    assert.equal(compileRegexp('f', '$^').test('$^'), true);
    assert.equal(compileRegexp('f', '.{0,99}x.*y.+').test('axbyc'), true, 'three repetitions of variable length are accepted');
    assert.equal(compileRegexp('f', 'a{2,3}b{2,3}c{2}d?e?f?g*').test('aabbbccg'), true, 'repetitions of one step or none are not counted');
    for (const [pattern, why] of [
      ['(a+)+b', /nested quantifiers/],
      ['(a|aa)*', /nested quantifiers/],
      ['((a*))*', /nested quantifiers/],
      ['a**', /nested quantifiers/],
      ['a*b*c*d*', /more than 3 repetitions of variable length/],
      // Bounded ones count too: four of these over a 256-character value took 1 s, five a minute and a half.
      ['.{0,99}.{0,99}.{0,99}.{0,99}b', /more than 3 repetitions of variable length/],
      ['a*.{2,9}b+c{1,}', /more than 3 repetitions of variable length/],
      ['a{1,1000}', /count is over 100/],
      ['a~b', /operator "~"/],
      ['(ab', /not closed/],
      ['[ab', /not closed/],
      ['*a', /nothing to repeat/],
      ['x'.repeat(201), /longer than 200/],
    ] as const) {
      assert.throws(
        () => compileRegexp('title', pattern),
        (e: Error) => e.message.startsWith('regexp on title is refused: ') && why.test(e.message),
        pattern,
      );
    }
  });

  void it('analyses text like the standard analyzer: Unicode words, lower case, ideographs one by one', () => {
    assert.deepEqual(analyze("The QUICK brown-fox, isn't it? Résumé_v2 42"), ['the', 'quick', 'brown', 'fox', "isn't", 'it', 'résumé_v2', '42']);
    assert.deepEqual(analyze('東京タワー and Ελλάδα'), ['東', '京', 'タ', 'ワ', 'ー', 'and', 'ελλάδα']);
    // A typographic apostrophe (U+2019) inside a word keeps it whole, as the straight one does.
    assert.deepEqual(analyze('It’s Ana’s, ’quoted’'), ['it’s', 'ana’s', 'quoted']);
  });
});
