import { relative } from 'node:path';
import type { SchemaError } from '@forte/graphql-transformer';

/** The schema files as the transformer saw them: joined with a newline, in this order. */
export interface SchemaFiles {
  files: string[];
  lineCounts: number[];
}

/** The file holding a line of the joined schema, and the line in that file. */
function fileLine(schema: SchemaFiles, line: number): { file: string; line: number } | undefined {
  let first = 1;
  for (const [i, file] of schema.files.entries()) {
    const count = schema.lineCounts[i] ?? 0;
    if (line < first + count) return { file, line: line - first + 1 };
    first += count;
  }
  return undefined;
}

/**
 * Every problem of a refused schema on its own line, as `file:line:column message` (relative to the project
 * root, so editors and terminals can open it); a problem without a line names the file (or the schema folder).
 */
export function schemaErrorMessage(error: SchemaError, schema: SchemaFiles, root: string, dir: string): string {
  const whole = schema.files.length === 1 ? relative(root, schema.files[0] ?? dir) : `${relative(root, dir)}/schema`;
  return error.errors
    .map((e) => {
      const at = e.line === undefined ? undefined : fileLine(schema, e.line);
      return at ? `${relative(root, at.file)}:${at.line}:${e.column ?? 1} ${e.message}` : `${whole}: ${e.message}`;
    })
    .join('\n');
}
