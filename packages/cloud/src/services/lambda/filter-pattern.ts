/**
 * CloudWatch Logs' filter patterns for unstructured messages: terms that must all appear (case-sensitive),
 * `"quoted phrases"`, `-term` for terms that must not, and `?term ?other` for any of several. JSON and
 * space-delimited patterns (`{ $.x = 1 }`, `[a, b]`) are matched as text.
 */
export function matchesFilterPattern(pattern: string, message: string): boolean {
  const terms = [...pattern.matchAll(/([?-]?)(?:"((?:[^"\\]|\\.)*)"|(\S+))/g)].map((m) => ({
    prefix: m[1] ?? '',
    text: (m[2] ?? m[3] ?? '').replace(/\\(.)/g, '$1'),
  }));
  if (terms.length === 0) return true;
  const anyOf = terms.filter((t) => t.prefix === '?');
  if (anyOf.length > 0) return anyOf.some((t) => message.includes(t.text));
  return terms.every((t) => (t.prefix === '-' ? !message.includes(t.text) : message.includes(t.text)));
}
