/**
 * Test support: the reference schemas of the shared folder (kept outside the repository): Amplify's input
 * schemas and the compiled schemas its transformer writes to build/schema.graphql.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** `graphql-golden/`: under `FORTE_SHARED_DIR`, a `shared/` beside the repository or above it, or `/work/shared`. */
export function findGoldenDir(): { dir?: string; reason: string } {
  const fromEnv = process.env['FORTE_SHARED_DIR'];
  const golden = (shared: string): string => join(shared, 'reference', 'graphql-golden');
  if (fromEnv) return existsSync(golden(fromEnv)) ? { dir: golden(fromEnv), reason: '' } : { reason: `FORTE_SHARED_DIR=${fromEnv} has no reference/graphql-golden/ folder` };
  for (let dir = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..'); ; dir = dirname(dir)) {
    if (existsSync(golden(join(dir, 'shared')))) return { dir: golden(join(dir, 'shared')), reason: '' };
    if (dirname(dir) === dir) break;
  }
  if (existsSync(golden('/work/shared'))) return { dir: golden('/work/shared'), reason: '' };
  return { reason: 'no shared reference folder found (set FORTE_SHARED_DIR to the folder holding reference/graphql-golden/)' };
}

export interface GoldenCase {
  /** The schema.graphql the user writes. */
  input: string;
  /** The compiled schema (build/schema.graphql). */
  compiled: string;
}

export function readGoldenCase(dir: string, name: string): GoldenCase {
  return { input: readFileSync(join(dir, 'input', `${name}.graphql`), 'utf8'), compiled: readFileSync(join(dir, 'output', `${name}.graphql`), 'utf8') };
}
