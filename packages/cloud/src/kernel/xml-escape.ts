/**
 * Characters XML 1.0 cannot carry at all, not even as a character reference: C0 controls other than tab,
 * LF and CR, lone surrogates, U+FFFE and U+FFFF.
 */
const XML_INVALID = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const ESCAPED = /[&<>"'\r]|[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** Whether the text has a character XML 1.0 cannot carry (such text only survives an S3 listing with `encoding-type=url`). */
export function hasXmlInvalidCharacter(value: string): boolean {
  return XML_INVALID.test(value);
}

/**
 * Escapes text for an XML element or attribute value. CR becomes `&#13;` (a parser would turn a raw one into
 * LF); a character XML 1.0 cannot carry becomes U+FFFD, so the document stays well-formed whatever text a
 * caller sent (error messages echo keys; the S3 service refuses such keys at upload).
 */
export function xmlEscape(value: string): string {
  return value.replace(ESCAPED, (c) => XML_ENTITIES[c] ?? '\uFFFD');
}

const XML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;', '\r': '&#13;' };
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Decodes the five named entities and numeric character references of XML text. */
export function xmlUnescape(value: string): string {
  return value.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (whole, ref: string) => {
    if (ref.startsWith('#x')) return safeCodePoint(parseInt(ref.slice(2), 16)) ?? whole;
    if (ref.startsWith('#')) return safeCodePoint(parseInt(ref.slice(1), 10)) ?? whole;
    return NAMED[ref] ?? whole;
  });
}

function safeCodePoint(code: number): string | undefined {
  return Number.isInteger(code) && code >= 0 && code <= 0x10ffff ? String.fromCodePoint(code) : undefined;
}
