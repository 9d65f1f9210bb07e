/**
 * The analysis of `@searchable` text fields, close to OpenSearch's `standard` analyzer: words split on
 * Unicode word boundaries (letters, marks, digits and connector punctuation, with inner apostrophes kept),
 * each Han, Hiragana or Katakana character a word of its own, and every word lower-cased.
 */
const IDEOGRAPH = String.raw`\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}`;
const WORD_CHAR = String.raw`(?![${IDEOGRAPH}])[\p{L}\p{M}\p{N}\p{Pc}]`;
const TOKEN = new RegExp(String.raw`[${IDEOGRAPH}]|(?:${WORD_CHAR})+(?:['\u2019](?:${WORD_CHAR})+)*`, 'gu');

/** The lower-cased words of `text`, in order. */
export function analyze(text: string): string[] {
  return Array.from(text.matchAll(TOKEN), (m) => m[0].toLowerCase());
}
