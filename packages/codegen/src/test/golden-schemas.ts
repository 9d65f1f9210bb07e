/**
 * Test support: the reference schemas of the shared folder (found with `@forte/protocol/shared-reference`):
 * Amplify's input schemas and the compiled schemas its transformer writes to build/schema.graphql.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface GoldenCase {
  /** The schema.graphql the user writes. */
  input: string;
  /** The compiled schema (build/schema.graphql). */
  compiled: string;
}

export function readGoldenCase(dir: string, name: string): GoldenCase {
  return { input: readFileSync(join(dir, 'input', `${name}.graphql`), 'utf8'), compiled: readFileSync(join(dir, 'output', `${name}.graphql`), 'utf8') };
}
