#!/usr/bin/env node
// Checks the import rules of docs/architecture.md §3 on the TypeScript sources and package manifests.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

// `--root DIR` checks another tree (the script's own tests use fixture trees).
const rootArg = process.argv.indexOf('--root');
const root = rootArg > 0 ? process.argv[rootArg + 1] : new URL('..', import.meta.url).pathname;

/** package → internal packages it may import (statically). Tests may also import @forte/testing. */
const ALLOWED = {
  protocol: [],
  'graphql-transformer': ['protocol'],
  cli: ['protocol'], // plugins are loaded through discovery only; the cloud is started through its bin
  'category-auth': ['protocol'],
  'category-api': ['protocol', 'graphql-transformer'],
  'category-function': ['protocol'],
  'category-storage': ['protocol'],
  'category-analytics': ['protocol'],
  'category-custom': ['protocol'],
  'category-hosting': ['protocol'],
  'provider-cloud': ['protocol'],
  'frontend-javascript': ['protocol'],
  codegen: ['protocol'],
  cloud: ['protocol'],
  amplify: ['protocol'],
  console: ['protocol'],
  testing: ['protocol', 'cloud', 'graphql-transformer'],
};
/**
 * package → internal packages its tests (and its `src/e2e/` helpers) may import besides @forte/testing:
 * the CLI's end-to-end suites configure aws-amplify with @forte/amplify, as an app does.
 */
const TEST_ALLOWED = { cli: ['amplify'] };
const SERVER_ONLY_LIBS = { cloud: [], amplify: ['better-sqlite3', 'pg'], console: ['better-sqlite3', 'pg'] };

const problems = [];
const importRe = /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)/g;

const walk = (dir, out) => {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else if (/\.(ts|tsx|mts|cts)$/.test(name) && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
};

for (const pkg of readdirSync(join(root, 'packages'))) {
  const src = join(root, 'packages', pkg, 'src');
  try {
    statSync(src);
  } catch {
    continue;
  }
  const allowed = ALLOWED[pkg];
  if (!allowed) {
    problems.push(`packages/${pkg}: not in the import table of scripts/check-imports.mjs (add it, and to docs/architecture.md)`);
    continue;
  }
  for (const file of walk(src, [])) {
    const text = readFileSync(file, 'utf8');
    // Test code: test files, `src/e2e/` helpers and `*.test-helper.ts` files (which only test code may import).
    const isTest = file.endsWith('.test.ts') || /[\\/]src[\\/]e2e[\\/]/.test(file) || file.endsWith('.test-helper.ts');
    for (const m of text.matchAll(importRe)) {
      const spec = m[1] ?? m[2] ?? m[3];
      const rel = relative(root, file);
      const internal = /^@forte\/([^/]+)/.exec(spec);
      if (internal) {
        const target = internal[1];
        if (target === pkg) continue;
        if (isTest && (target === 'testing' || (TEST_ALLOWED[pkg] ?? []).includes(target))) continue;
        if (!allowed.includes(target)) problems.push(`${rel}: imports @forte/${target}, which ${pkg} may not import`);
      }
      if (!isTest && /^\.\.?\/.*\.test-helper\.js$/.test(spec)) problems.push(`${rel}: imports the test helper ${spec}`);
      for (const lib of SERVER_ONLY_LIBS[pkg] ?? []) if (spec === lib) problems.push(`${rel}: imports ${lib} in a client package`);
      if (pkg === 'cloud') {
        // A service never imports another service; only server.ts names the engines.
        const svc = /services\/([^/]+)\//.exec(rel);
        if (svc && /\.\.\/(?:\.\.\/)?services\/|^\.\.\/([a-z0-9-]+)\//.test(spec)) {
          const other = /services\/([^/]+)\//.exec(spec) ?? /^\.\.\/([a-z0-9-]+)\//.exec(spec);
          if (other && other[1] !== svc[1] && !['kernel', 'engines'].includes(other[1])) problems.push(`${rel}: service ${svc[1]} imports service ${other[1]}`);
        }
        if ((spec === 'better-sqlite3' || spec === 'pg') && !rel.includes('/engines/')) problems.push(`${rel}: names ${spec} outside src/engines`);
        if (/engines\/(sqlite|postgres|fs-blobs|s3-blobs)\//.test(spec) && !isTest && !/src\/(server|bin)\.ts$|\/engines\//.test(rel))
          problems.push(`${rel}: names an engine implementation; only src/server.ts picks engines`);
      }
    }
  }
}
if (problems.length) {
  console.error(`import rules broken (docs/architecture.md §3):\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log('import rules: ok');
