#!/usr/bin/env node
// Bundles the two bins after `tsc -b` (part of `npm run build`), so that starting them loads one module
// instead of hundreds (docs/benchmarks.md, "Start-up"):
// - the cloud (packages/cloud/dist/bundle/forte-cloud.js): all of it, @forte/protocol and the packages it
//   uses included, except better-sqlite3 (a native addon) and ws's optional native helpers;
// - the CLI (packages/cli/dist/forte.bundle.js): only its own modules. Packages stay outside, so plugins,
//   found and imported at run time, share one @forte/protocol (its classes, its zod) with the CLI.
// Each bin (src/bin.ts) runs its bundle unless a later `tsc -b` made it stale. The bundles sit at the depth
// of the modules they replace (dist/kernel/ for the cloud, dist/ for the CLI), so what those modules read
// relative to themselves (their package.json) is the same file; the version check below makes sure.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;

// CommonJS packages inside an ESM bundle call require() for node's modules: give them a real one.
const banner = { js: "import { createRequire as __forteCreateRequire } from 'node:module';\nconst require = __forteCreateRequire(import.meta.url);" };
// Whitespace and syntax minified (a quarter less source for node to decode and V8 to scan at every start);
// names are kept, so stack traces still name functions.
const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  banner,
  logLevel: 'warning',
  legalComments: 'none',
  minifyWhitespace: true,
  minifySyntax: true,
};

// Files tsc does not emit: the function runtime's bootstrap runs as a script of its own in each function's
// process (under the function's Node.js), so it sits in dist beside the runtime's modules, where both the
// modules and the cloud's bundle find it.
copyFileSync(join(root, 'packages/cloud/src/services/lambda/runtime/bootstrap.cjs'), join(root, 'packages/cloud/dist/services/lambda/runtime/bootstrap.cjs'));
rmSync(join(root, 'packages/cloud/dist/bundle'), { recursive: true, force: true }); // and its code cache
// `import { z } from 'zod'` is a namespace, so a bundler keeps all of it, `z.locales` with some 40 languages
// (a sixth of the cloud's bundle). The cloud uses none but English, zod's default: only it is kept.
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]/.test(args.importer) ? { path: join(dirname(args.importer), '../locales/en.js'), namespace: 'zod-locales' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'zod-locales' }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(args.path)};`,
      resolveDir: dirname(args.path),
    }));
  },
};

// graphql-js is needed once an API is deployed or served, not to start: the cloud's `import ... from 'graphql'`
// get a module whose exports are getters that load graphql-js on first use (then plain values). Its names are
// the installed graphql's, read here.
const graphqlNames = Object.keys(createRequire(join(root, 'packages/cloud/package.json'))('graphql'));
const lazyGraphql = {
  name: 'lazy-graphql',
  setup(b) {
    b.onResolve({ filter: /^graphql$/ }, (args) => (args.namespace === 'lazy-graphql' ? undefined : { path: 'graphql', namespace: 'lazy-graphql' }));
    b.onLoad({ filter: /.*/, namespace: 'lazy-graphql' }, () => ({
      resolveDir: join(root, 'packages/cloud'),
      loader: 'js',
      contents: `const names = ${JSON.stringify(graphqlNames)};
let graphql;
const load = () => {
  if (!graphql) {
    graphql = require('graphql');
    for (const name of names) Object.defineProperty(exports, name, { value: graphql[name], enumerable: true });
  }
  return graphql;
};
for (const name of names) Object.defineProperty(exports, name, { get: () => load()[name], enumerable: true, configurable: true });
`,
    }));
  },
};

// nodemailer (a sixth of the bundle) is imported with the first message, and the S3 SDK (as large as the rest of
// the bundle) only by a cloud whose blobs are on S3 (--blobs s3://…), and selfsigned only to make the HTTPS certificate
// of a first start: left out of the bundle, so a start
// does not read them, and required from the packages' node_modules then. Not as a kept `import()`, which a
// vm.Script cannot run without a loader: through a module of the bundle that requires it.
const REQUIRED_AT_RUN_TIME = /^(nodemailer|@aws-sdk\/client-s3|selfsigned)$/;
const requiredAtRunTime = {
  name: 'required-at-run-time',
  setup(b) {
    b.onResolve({ filter: REQUIRED_AT_RUN_TIME }, (args) =>
      args.namespace === 'run-time-require' ? { path: args.path, external: true } : { path: args.path, namespace: 'run-time-require' },
    );
    b.onLoad({ filter: /.*/, namespace: 'run-time-require' }, (args) => ({
      resolveDir: join(root, 'packages/cloud'),
      loader: 'js',
      contents: `module.exports = require(${JSON.stringify(args.path)});`,
    }));
  },
};

// In the cloud's bundle, @forte/protocol's modules, not dist/main.js (a loader of its own bundle).
const protocolModules = {
  name: 'protocol-modules',
  setup(b) {
    b.onResolve({ filter: /^@forte\/protocol$/ }, () => ({ path: join(root, 'packages/protocol/dist/index.js') }));
  },
};

await build({
  ...common,
  plugins: [zodEnglishOnly, lazyGraphql, requiredAtRunTime, protocolModules],
  // CommonJS, one file: packages/cloud/src/bin.ts runs it through vm.Script with a V8 code cache beside it
  // (runWithCodeCache, @forte/protocol/run-with-code-cache), which Node 20 offers for scripts, not for ES modules.
  format: 'cjs',
  banner: {},
  entryPoints: [join(root, 'packages/cloud/src/run-cloud.ts')],
  outfile: join(root, 'packages/cloud/dist/bundle/forte-cloud.cjs'),
  external: ['better-sqlite3', 'bufferutil', 'utf-8-validate'],
  // graphql-js checks every instanceOf for a second copy of itself unless NODE_ENV is production: a
  // bundle holds one copy, and the check costs about 2% of a GraphQL list request. Nothing else in the
  // cloud reads NODE_ENV. import.meta.url (the modules' package.json lookup) is the bundle's URL, which the
  // runner passes in: the bundle sits at the depth of the modules it replaces.
  define: { 'process.env.NODE_ENV': '"production"', 'import.meta.url': '__forteBundleUrl' },
  tsconfig: join(root, 'packages/cloud/tsconfig.json'),
});
// @forte/protocol with zod, one CommonJS file run with a V8 code cache (runWithCodeCache). In node,
// `import '@forte/protocol'` loads dist/main.js (its package.json's "exports"), which tsc writes as a re-export of
// the package's modules and which is replaced here by an ES module that runs this bundle and exports its names:
// the CLI and the plugins it imports at run time (they import @forte/protocol too) load one file instead of a
// hundred modules, and share one copy of its classes. Its zod is a second copy where a plugin imports zod
// itself; zod's global configuration and `instanceof` are shared between copies.
const protocolDist = join(root, 'packages/protocol/dist');
await build({
  ...common,
  plugins: [zodEnglishOnly],
  format: 'cjs',
  banner: {},
  entryPoints: [join(root, 'packages/protocol/src/index.ts')],
  outfile: join(protocolDist, 'protocol.bundle.cjs'),
  tsconfig: join(root, 'packages/protocol/tsconfig.json'),
});
rmSync(join(protocolDist, 'protocol.bundle.cjs.cache'), { force: true });
const protocolNames = Object.keys(createRequire(import.meta.url)(join(protocolDist, 'protocol.bundle.cjs')));
writeFileSync(
  join(protocolDist, 'main.js'),
  `// Written by scripts/bundle-bins.mjs over what tsc wrote for src/main.ts: the exports of the bundle, or of the
// modules tsc wrote when a later \`tsc -b\` made the bundle stale (its .tsbuildinfo is newer; a name added since
// the bundle is then missing until \`npm run build\`).
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runWithCodeCache } from './run-with-code-cache.js';
const mtime = (path) => statSync(new URL(path, import.meta.url), { throwIfNoEntry: false })?.mtimeMs;
const bundled = mtime('./protocol.bundle.cjs');
const fresh = bundled !== undefined && bundled >= (mtime('./.tsbuildinfo') ?? 0);
const m = fresh ? runWithCodeCache(fileURLToPath(new URL('./protocol.bundle.cjs', import.meta.url))) : await import('./index.js');
export const { ${protocolNames.join(', ')} } = m;
`,
);

await build({
  ...common,
  entryPoints: [join(root, 'packages/cli/src/run-cli.ts')],
  outfile: join(root, 'packages/cli/dist/forte.bundle.js'),
  packages: 'external',
  tsconfig: join(root, 'packages/cli/tsconfig.json'),
});

// Each bin answers --version with its package's version: the bundle found its package.json, and runs.
for (const [pkg, bin] of [
  ['cloud', 'dist/bin.js'],
  ['cli', 'dist/bin.js'],
]) {
  const dir = join(root, 'packages', pkg);
  const expected = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version;
  const r = spawnSync(process.execPath, [join(dir, bin), '--version'], {
    encoding: 'utf8',
    env: { ...process.env, FORTE_HOME: join(root, '.forte-test', 'bundle-check') },
  });
  if (r.status !== 0 || r.stdout.trim() !== expected) {
    throw new Error(`packages/${pkg}/${bin} --version answered ${JSON.stringify(r.stdout.trim())} (exit ${r.status}), not ${expected}:\n${r.stderr}`);
  }
}
// The CLI's check above wrote the protocol bundle's code cache: the first real command writes a fuller one.
rmSync(join(protocolDist, 'protocol.bundle.cjs.cache'), { force: true });
