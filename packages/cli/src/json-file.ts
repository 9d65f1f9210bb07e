import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { UserError } from '@forte/protocol';

/**
 * Reads and validates a JSON file. Malformed JSON or a shape error is a UserError naming the file and
 * the problem; a missing file gives `undefined` (callers decide whether that is an error).
 */
/** What readJsonFile needs of a schema (a zod schema from @forte/protocol fits). */
export interface Schema<T> {
  safeParse(data: unknown): { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } };
}

export function readJsonFile<T>(path: string, schema: Schema<T>, root?: string): T | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const shown = root ? relative(root, path) : path;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new UserError(
      `${shown} is not valid JSON: ${(error as Error).message}`,
      `Fix the JSON in ${shown} (or restore it from version control), then run the command again.`,
    );
  }
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? ` at ${issue.path.map(String).join('.')}` : '';
    throw new UserError(`${shown} has an invalid shape${where}: ${issue?.message ?? 'unknown problem'}`, `Fix ${shown}, then run the command again.`);
  }
  return parsed.data;
}

/** Writes JSON (2-space indent) through a temporary file, so a crash never leaves half a file. */
export function writeJsonFile(path: string, data: unknown, mode?: number): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(data, null, 2)}\n`, mode === undefined ? {} : { mode });
  renameSync(tmp, path);
}
