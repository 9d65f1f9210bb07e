import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hasXmlInvalidCharacter, xmlEscape, xmlUnescape } from './xml-escape.js';

void describe('xmlEscape', () => {
  void it('escapes markup, keeps CR through a parser, and never emits a character XML 1.0 forbids', () => {
    assert.equal(xmlEscape(`a&b<c>d"e'f`), 'a&amp;b&lt;c&gt;d&quot;e&apos;f');
    assert.equal(xmlEscape('line\r\nnext\tcol'), 'line&#13;\nnext\tcol');
    assert.equal(xmlEscape('nul\u0000bell\u0007ff\uFFFF lone\uD800'), 'nul\uFFFDbell\uFFFDff\uFFFD lone\uFFFD');
    assert.equal(xmlEscape('emoji \u{1F600} é'), 'emoji \u{1F600} é');
    assert.equal(xmlUnescape(xmlEscape('line\r\n&')), 'line\r\n&');
  });

  void it('tells text XML 1.0 cannot carry', () => {
    assert.equal(hasXmlInvalidCharacter('a\u0000b'), true);
    assert.equal(hasXmlInvalidCharacter('a\u001Fb'), true);
    assert.equal(hasXmlInvalidCharacter('tab\tlf\ncr\r \u{1F600}'), false);
  });
});
