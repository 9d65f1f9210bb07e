/**
 * Where a quoted text or name that opens at `sql[i]` ends (`'…'`, `"…"`, `` `…` ``, `[…]`): the index of its closing
 * character, -1 when it is not closed, undefined when `sql[i]` opens none.
 */
export function quotedEnd(sql: string, i: number): number | undefined {
  const c = sql[i];
  if (c !== "'" && c !== '"' && c !== '`' && c !== '[') return undefined;
  return sql.indexOf(c === '[' ? ']' : c, i + 1);
}

/**
 * A migration's statements (each engine runs them its own way: PostgreSQL one at a time, each translated; SQLite
 * folds some together), split at the semicolons that end them, not those in quotes or comments, each trimmed.
 * Undefined for what it does not take apart: a trigger (its body holds semicolons of its own) or an unclosed
 * quote or comment.
 */
export function splitStatements(sql: string): string[] | undefined {
  if (/\bCREATE\s+(?:TEMP(?:ORARY)?\s+)?TRIGGER\b/i.test(sql)) return undefined;
  const statements: string[] = [];
  let start = 0;
  for (let i = 0; i < sql.length; i++) {
    const quoted = quotedEnd(sql, i);
    if (quoted !== undefined) {
      if (quoted < 0) return undefined;
      i = quoted;
    } else if (sql.startsWith('--', i)) {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? sql.length : end;
    } else if (sql.startsWith('/*', i)) {
      const end = sql.indexOf('*/', i + 2);
      if (end < 0) return undefined;
      i = end + 1;
    } else if (sql[i] === ';') {
      statements.push(sql.slice(start, i).trim());
      start = i + 1;
    }
  }
  statements.push(sql.slice(start).trim());
  return statements.filter((s) => s !== '');
}
