/**
 * CloudWatch Logs' filter patterns for unstructured messages: terms that must all appear (case-sensitive),
 * `"quoted phrases"`, `-term` for terms that must not, and `?term ?other` for any of several. JSON and
 * space-delimited patterns (`{ $.x = 1 }`, `[a, b]`) are matched as text.
 *
 * Answers a matcher, read once for every message of a call; a term written twice is looked for once.
 */
export function compileFilterPattern(pattern: string): (message: string) => boolean {
  const terms = [...pattern.matchAll(/([?-]?)(?:"((?:[^"\\]|\\.)*)"|(\S+))/g)].map((m) => ({
    prefix: m[1] ?? '',
    text: (m[2] ?? m[3] ?? '').replace(/\\(.)/g, '$1'),
  }));
  const distinct = (prefix: (p: string) => boolean): string[] => [...new Set(terms.filter((t) => prefix(t.prefix)).map((t) => t.text))];
  const anyOf = distinct((p) => p === '?');
  if (anyOf.length > 0) return (message) => anyOf.some((t) => message.includes(t));
  const required = distinct((p) => p === '');
  const excluded = distinct((p) => p === '-');
  return (message) => required.every((t) => message.includes(t)) && !excluded.some((t) => message.includes(t));
}
