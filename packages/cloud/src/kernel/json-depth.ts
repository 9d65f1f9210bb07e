/**
 * Whether `text` (JSON, or not) opens more than `max` arrays and objects inside one another, strings skipped: one
 * pass over the text, before JSON.parse, whose cost grows with nesting far more than with bytes.
 */
export function jsonDepthOver(text: string, max: number): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      // A string: to its closing quote, escapes skipped.
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 92) i++;
        else if (d === 34) break;
      }
    } else if (c === 91 || c === 123) {
      if (++depth > max) return true;
    } else if (c === 93 || c === 125) depth--;
  }
  return false;
}
