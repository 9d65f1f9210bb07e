/**
 * `text` without the run of `char` (one UTF-16 unit) at its end, by a scan: a regular expression such as /0+$/ or
 * /\/+$/ is tried from the start of every run of that character, which takes quadratic time on a crafted value.
 */
export function withoutTrailing(text: string, char: string): string {
  const code = char.charCodeAt(0);
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === code) end -= 1;
  return text.slice(0, end);
}
