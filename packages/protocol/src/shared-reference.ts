/**
 * Test support, kept out of the package's index (no client bundle carries it): where the shared reference
 * files are (Amplify's own outputs and the schema corpus, kept outside the repository), and what a test
 * that compares against them does when they are missing. It lives here because every package's tests may
 * import `@forte/protocol`, so each suite follows the one rule below.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The shared folder was found: `dir` holds the path asked for. */
export interface SharedReferenceFound {
  dir: string;
  skip?: undefined;
}

/** The shared folder is missing outside CI: the suite skips, saying why. */
export interface SharedReferenceMissing {
  dir?: undefined;
  skip: string;
}

/** Whether the tests run in CI: `CI` set to anything but empty, `0` or `false`, as CI services set it. */
export const runsInCi = (env: NodeJS.ProcessEnv = process.env): boolean => {
  const value = env.CI?.trim().toLowerCase();
  return value !== undefined && value !== '' && value !== '0' && value !== 'false';
};

/** The shared folder holding every path of `needs`: `FORTE_SHARED_DIR`, else a `shared/` beside this checkout or a folder above it. */
function locate(needs: readonly string[], env: NodeJS.ProcessEnv): { dir?: string; reason: string } {
  const holds = (dir: string): boolean => needs.every((path) => existsSync(join(dir, path)));
  const fromEnv = env.FORTE_SHARED_DIR;
  if (fromEnv) return holds(fromEnv) ? { dir: fromEnv, reason: '' } : { reason: `FORTE_SHARED_DIR=${fromEnv} lacks ${needs.join(' or ')}` };
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    if (holds(join(dir, 'shared'))) return { dir: join(dir, 'shared'), reason: '' };
    if (dirname(dir) === dir) break;
  }
  return {
    reason: `no shared folder with ${needs.join(' and ')} beside the repository or above it (set FORTE_SHARED_DIR to the folder holding reference/ and corpus/)`,
  };
}

/**
 * The shared folder (the one holding `reference/` and `corpus/`) for a suite that compares against
 * `needs`, paths inside it. When it is missing, in CI this throws, failing the suite: a comparison that
 * skips there would pass having checked nothing. Elsewhere it prints the reason and answers it as `skip`.
 */
export function sharedReference(what: string, needs: readonly string[], env: NodeJS.ProcessEnv = process.env): SharedReferenceFound | SharedReferenceMissing {
  const found = locate(needs, env);
  if (found.dir !== undefined) return { dir: found.dir };
  if (runsInCi(env)) throw new Error(`${what}: ${found.reason}; CI is set, so a missing reference fails the suite instead of skipping it.`);
  console.log(`# skipped: ${what}: ${found.reason}`);
  return { skip: found.reason };
}
