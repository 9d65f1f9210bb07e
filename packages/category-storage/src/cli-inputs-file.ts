import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import { UserError, type Project } from '@forte/protocol';
import { CATEGORY, writeJson } from './ddb-inputs.js';

/** `amplify/backend/storage/<resourceName>/cli-inputs.json`. */
export const cliInputsPath = (project: Project, resourceName: string): string => join(project.resourceDir(CATEGORY, resourceName), 'cli-inputs.json');

/** What a kind of storage resource's cli-inputs.json holds, for the messages that name its problems. */
export interface CliInputsKind<T> {
  schema: z.ZodType<T>;
  /** What the file defines: `bucket`, `table`. */
  noun: string;
  /** What a valid file is: `content storage definition`. */
  valid: string;
  /** How to fix an invalid file (Amplify's schema and its fields). */
  fix: string;
  /** What the schema cannot check, one line each. */
  problems?: (inputs: T) => string[];
}

/** Reads and checks a storage resource's cli-inputs.json, naming the file and each problem. */
export function readCliInputs<T>(project: Project, resourceName: string, kind: CliInputsKind<T>): T {
  const file = cliInputsPath(project, resourceName);
  const relative = `amplify/backend/${CATEGORY}/${resourceName}/cli-inputs.json`;
  if (!existsSync(file)) {
    throw new UserError(
      `${relative} is missing: storage ${resourceName} has no ${kind.noun} definition.`,
      'Restore it from version control, or remove the resource (`forte remove storage`) and add it again.',
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UserError(`${relative} is not valid JSON: ${(error as Error).message}`, 'Fix the file and run the command again.', { cause: error });
  }
  const parsed = kind.schema.safeParse(json);
  const problems = parsed.success ? (kind.problems?.(parsed.data) ?? []) : parsed.error.issues.map((i) => `${i.path.join('.') || '(file)'}: ${i.message}`);
  if (!parsed.success || problems.length > 0) throw new UserError(`${relative} is not a valid ${kind.valid}: ${problems.join('; ')}.`, kind.fix);
  return parsed.data;
}

/**
 * Writes cli-inputs.json as Amplify does: two-space indents, no final newline; an existing file keeps its key order
 * (Amplify writes back the object it read), new keys follow in `order`, then the other `known` keys.
 */
export function writeCliInputs<K extends string>(
  project: Project,
  resourceName: string,
  inputs: Partial<Record<K, unknown>>,
  known: readonly K[],
  order: readonly K[] = known,
): void {
  const file = cliInputsPath(project, resourceName);
  let existing: string[] = [];
  try {
    existing = existsSync(file) ? Object.keys(JSON.parse(readFileSync(file, 'utf8')) as object) : [];
  } catch {
    existing = [];
  }
  const isKnown = (k: string): k is K => (known as readonly string[]).includes(k);
  const keys = [
    ...existing.filter(isKnown),
    ...order.filter((k) => !existing.includes(k)),
    ...known.filter((k) => !existing.includes(k) && !order.includes(k)),
  ];
  const ordered: Record<string, unknown> = {};
  for (const key of keys) if (inputs[key] !== undefined) ordered[key] = inputs[key];
  writeJson(file, ordered);
}
