/**
 * The output schema against the real Amplify transformer's output: the five reference cases and every
 * schema of the corpus, with and without conflict resolution. Each case is one test, named after it;
 * a failure shows a compact diff of the definitions that differ.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isSchemaError, transform } from './index.js';
import type { AppSyncAuthConfiguration, ResolverConfig } from './index.js';
import { sharedReference } from '@forte/protocol/shared-reference';
import { readJson, schemaDiff } from './test/shared.js';

const shared = sharedReference('the reference outputs', ['reference/graphql-golden', 'corpus']);
const CONFLICT_RESOLUTION: ResolverConfig = { project: { ConflictDetection: 'VERSION', ConflictHandler: 'AUTOMERGE' } };

interface Case {
  name: string;
  schema: string;
  golden: string;
  auth: string;
  resolverConfig?: ResolverConfig;
}

const cases = (dir: string): Case[] => {
  const ref = join(dir, 'reference/graphql-golden');
  const out: Case[] = [
    ['todo', 'todo.auth.json'],
    ['sandbox-todo', 'apikey.auth.json'],
    ['blog', 'apikey.auth.json'],
    ['indexed', 'apikey.auth.json'],
    ['auth-rules', 'auth-rules.auth.json'],
  ].map(([name, auth]) => ({
    name: `reference ${name!}`,
    schema: join(ref, 'input', `${name!}.graphql`),
    golden: join(ref, 'output', `${name!}.graphql`),
    auth: auth!,
  }));
  const corpus = join(dir, 'corpus');
  const readme = readFileSync(join(corpus, 'README.md'), 'utf8');
  for (const m of readme.matchAll(/^\| (\S+\.graphql) \| (\S+\.auth\.json) \|/gm)) {
    const [, file, auth] = m as unknown as [string, string, string];
    out.push({ name: `corpus ${file}`, schema: join(corpus, 'gen1-schemas', file), golden: join(corpus, 'gen1-golden', file), auth });
    out.push({
      name: `corpus ${file} (conflict resolution)`,
      schema: join(corpus, 'gen1-schemas', file),
      golden: join(corpus, 'gen1-golden/conflict-resolution', file),
      auth,
      resolverConfig: CONFLICT_RESOLUTION,
    });
  }
  return out;
};

describe('output schema equals the Amplify transformer output', () => {
  if (shared.dir === undefined) {
    it('reference outputs', { skip: shared.skip }, () => {});
    return;
  }
  const dir = shared.dir;
  for (const c of cases(dir)) {
    it(c.name, () => {
      const authConfig = readJson<AppSyncAuthConfiguration>(join(dir, 'reference/graphql-golden/input', c.auth));
      const schema = readFileSync(c.schema, 'utf8');
      const run = () => transform({ schema, authConfig, ...(c.resolverConfig ? { resolverConfig: c.resolverConfig } : {}) });
      if (!existsSync(c.golden)) {
        // The real transformer refuses this schema in this mode (the corpus README says why).
        assert.throws(run, (e: unknown) => isSchemaError(e));
        return;
      }
      const diff = schemaDiff(readFileSync(c.golden, 'utf8'), run().schema);
      assert.equal(diff, '', `${c.name} differs from the reference (- expected, + ours):\n${diff}`);
    });
  }

  it('refuses blip-prod with conflict resolution, naming the models that refer to each other', () => {
    const file = join(dir, 'corpus/gen1-schemas/rjm13__blip-prod__blipprod.graphql');
    const authConfig = readJson<AppSyncAuthConfiguration>(join(dir, 'reference/graphql-golden/input/todo.auth.json'));
    assert.throws(
      () => transform({ schema: readFileSync(file, 'utf8'), authConfig, resolverConfig: CONFLICT_RESOLUTION }),
      (e: unknown) => isSchemaError(e) && /User and Story cannot refer to each other/.test(e.message) && e.directive === 'hasMany',
    );
  });
});
