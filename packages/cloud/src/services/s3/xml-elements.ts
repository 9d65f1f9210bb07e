/**
 * The contents of each `<tag>` element directly or deeper inside `xml`, in order (a self-closing one is empty).
 * Found with `indexOf` only, so a hostile document costs time linear in its size: a lazy regular expression such as
 * /<Object>([\s\S]*?)<\/Object>/g scans to the end of the document from every opening tag that has no closing one
 * (16,000 of them in 128 KB held the event loop 0.3 s, and a body may hold 2 MB). An element opened and never
 * closed throws `malformed()`.
 */
export function xmlElements(xml: string, tag: string, malformed: () => Error): string[] {
  const found: string[] = [];
  const closing = `</${tag}>`;
  let at = 0;
  for (;;) {
    const open = xml.indexOf(`<${tag}`, at);
    if (open < 0) return found;
    const next = xml[open + tag.length + 1];
    if (next !== '>' && next !== '/' && next !== ' ' && next !== '\t' && next !== '\n' && next !== '\r') {
      at = open + 1;
      continue;
    }
    const end = xml.indexOf('>', open);
    if (end < 0) throw malformed();
    if (xml[end - 1] === '/') {
      found.push('');
      at = end + 1;
      continue;
    }
    const close = xml.indexOf(closing, end + 1);
    if (close < 0) throw malformed();
    found.push(xml.slice(end + 1, close));
    at = close + closing.length;
  }
}
