import type { SqlStore } from '../types.js';

/** Member names `jsonMemberText` writes into SQL: letters, digits, _ and : (Cognito's `custom:name`). */
const MEMBER_NAME = /^[A-Za-z0-9_:]+$/;

/**
 * SQL for the text of one top-level member of a JSON object kept in a TEXT column, NULL when the member
 * is missing: SQLite's `json_extract(column, '$.member')`, PostgreSQL's `(column::jsonb ->> 'member')` compared
 * by bytes.
 * The same call gives the same text each time, so an index made with it in a migration serves the
 * queries made with it. The member's name is written into the SQL, so only plain names are accepted.
 */
export function jsonMemberText(dialect: SqlStore['dialect'], column: string, member: string): string {
  if (!MEMBER_NAME.test(member)) throw new Error(`"${member}" is not a JSON member name that may be written into SQL`);
  // COLLATE "C" as the migrations' text columns: compared and ordered by bytes, lower() folding A-Z only, as SQLite.
  if (dialect === 'postgres') return `((${column}::jsonb ->> '${member}') COLLATE "C")`;
  // A name SQLite's path grammar reads bare keeps the path of the indexes made before this helper.
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(member) ? `json_extract(${column}, '$.${member}')` : `json_extract(${column}, '$."${member}"')`;
}

/**
 * SQL for "the number of a DynamoDB-JSON attribute of `column` is at least ?": the column holds
 * `{"<attribute>": {"N": "<digits>"}, ...}`. `sql` has two placeholders, bound to `path(attribute)` (any name: it is
 * a parameter, never SQL text) and the lower bound. An item without the attribute, or whose attribute is not a
 * number, does not match.
 */
export function jsonNumberAtLeast(dialect: SqlStore['dialect'], column: string): { sql: string; path(attribute: string): string } {
  if (dialect === 'postgres') return { sql: `((${column}::jsonb -> ?) ->> 'N')::numeric >= ?`, path: (attribute) => attribute };
  return { sql: `CAST(json_extract(${column}, ?) AS REAL) >= ?`, path: (attribute) => `$.${JSON.stringify(attribute)}.N` };
}
