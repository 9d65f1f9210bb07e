import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { XmlError, xmlToJson } from './xml-to-json.js';

void describe("XML answers of @http fields, as AppSync's $utils.xml.toJsonString converts them", () => {
  void it("AppSync's documented example: elements become keys, numbers numbers", () => {
    const xml = '<?xml version="1.0" encoding="UTF-8"?>\n<posts>\n<post>\n  <id>1</id>\n  <title>Getting started with GraphQL</title>\n</post>\n</posts>';
    assert.deepEqual(xmlToJson(xml), { posts: { post: { id: 1, title: 'Getting started with GraphQL' } } });
  });

  void it('a repeated element becomes a list; empty elements null; entities and CDATA are text; attributes and comments left out', () => {
    const xml = '<posts><!-- two --><post id="7"><title>a &amp; b</title></post><post><title><![CDATA[<c>]]></title><tags/></post></posts>';
    assert.deepEqual(xmlToJson(xml), { posts: { post: [{ title: 'a & b' }, { title: '<c>', tags: null }] } });
  });

  void it('a document that is not well formed is an error; __proto__ is an ordinary key', () => {
    assert.throws(() => xmlToJson('<a><b></a>'), XmlError);
    assert.throws(() => xmlToJson('<a>'), XmlError);
    assert.throws(() => xmlToJson('plain'), XmlError);
    const parsed = xmlToJson('<__proto__><x>1</x></__proto__>');
    assert.deepEqual(Object.keys(parsed), ['__proto__']);
    assert.equal(({} as { x?: unknown }).x, undefined);
  });

  void it('deep nesting is refused without using the call stack', () => {
    assert.throws(() => xmlToJson('<a>'.repeat(5000) + '</a>'.repeat(5000)), /nested deeper/);
  });
});
