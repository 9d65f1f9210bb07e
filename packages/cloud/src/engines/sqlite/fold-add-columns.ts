import { quotedEnd } from '../dialect/sql-statements.js';

/**
 * Folds `ALTER TABLE t ADD COLUMN c` into the `CREATE TABLE t (...)` that a batch of migrations runs before it.
 *
 * On a new database every migration runs, and SQLite reads its whole schema again after each ADD COLUMN: with some
 * two hundred tables and indexes, a cloud's first start spent more on its two dozen ADD COLUMNs than on creating
 * everything else. Folded, the table is created with the column, as ADD COLUMN would have left it (the column comes
 * after the others, before the table's constraints, which are not columns). Only where nothing between the CREATE
 * and the ALTER could see the difference: every statement between them must be a CREATE TABLE, CREATE INDEX or
 * another ADD COLUMN. Anything this does not understand (a trigger, a quoted name, an unbalanced text) leaves the
 * statements as they were.
 */
export function foldAddColumns(statements: readonly string[]): string[] {
  const out = [...statements];
  const created = new Map<string, number>(); // table name → index in out of its CREATE TABLE, while foldable
  for (let i = 0; i < out.length; i++) {
    const statement = out[i]!;
    const create = /^\s*CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*\(/i.exec(statement);
    if (create) {
      created.set(create[1]!.toLowerCase(), i);
      continue;
    }
    if (/^\s*CREATE\s+(?:UNIQUE\s+)?INDEX\b/i.test(statement)) continue;
    const add = /^\s*ALTER\s+TABLE\s+([A-Za-z_][A-Za-z0-9_]*)\s+ADD\s+(?:COLUMN\s+)?([\s\S]+?)\s*$/i.exec(statement);
    const at = add ? created.get(add[1]!.toLowerCase()) : undefined;
    if (add && at !== undefined) {
      const folded = withColumn(out[at]!, add[2]!);
      if (folded !== undefined) {
        out[at] = folded;
        out.splice(i, 1);
        i -= 1;
        continue;
      }
    }
    if (add) continue; // an ADD COLUMN to a table made earlier: changes no other table's definition
    // Anything else (data written, a table dropped or renamed, a trigger) may depend on the order: fold no further.
    created.clear();
  }
  return out;
}

/** `create` with `column` added as its last column, or undefined when its text is not understood. */
function withColumn(create: string, column: string): string | undefined {
  const open = create.indexOf('(');
  const items: number[] = []; // where each top-level item of the column list starts
  let depth = 0;
  let close = -1;
  for (let i = open; i < create.length && close < 0; i++) {
    const c = create[i]!;
    const quoted = quotedEnd(create, i);
    if (quoted !== undefined) {
      if (quoted < 0) return undefined;
      i = quoted;
    } else if (create.startsWith('--', i) || create.startsWith('/*', i)) return undefined;
    else if (c === '(') {
      depth += 1;
      if (depth === 1) items.push(i + 1);
    } else if (c === ')') {
      depth -= 1;
      if (depth === 0) close = i;
    } else if (c === ',' && depth === 1) items.push(i + 1);
  }
  if (close < 0) return undefined;
  const constraint = items.find((start) => /^\s*(?:CONSTRAINT|PRIMARY\s+KEY|UNIQUE|CHECK|FOREIGN\s+KEY)\b/i.test(create.slice(start, close)));
  if (constraint === undefined) return `${create.slice(0, close).trimEnd()},\n  ${column}\n${create.slice(close)}`;
  // Before the first table constraint: `..., <column>, PRIMARY KEY (...)`.
  const comma = create.lastIndexOf(',', constraint);
  return `${create.slice(0, comma)},\n  ${column}${create.slice(comma)}`;
}
