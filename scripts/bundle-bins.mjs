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

// Packages a start does not need, loaded on first use instead (each is in the bundle, but its top level runs only
// then): graphql-js, needed once an API is deployed or served; the SAML stack (node-saml with its XML signature,
// XPath and XML libraries), needed by a pool with a SAML identity provider; xmldom, to read SAML metadata; the
// NATS client, needed by a cloud started with --bus nats://…. The cloud's `import ... from '<package>'` get a
// module whose exports are getters that load the package (then plain values). The names are the installed
// package's, read here. A module's top level must not read them (a constant made of one): the check at the end
// of this script fails the build when a start loads one of them.
const LAZY_PACKAGES = ['graphql', '@node-saml/node-saml', '@xmldom/xmldom', '@nats-io/transport-node'];
const cloudRequire = createRequire(join(root, 'packages/cloud/package.json'));
const lazyNames = Object.fromEntries(LAZY_PACKAGES.map((name) => [name, Object.keys(cloudRequire(name))]));
const lazyPackages = {
  name: 'lazy-packages',
  setup(b) {
    const filter = new RegExp(`^(${LAZY_PACKAGES.map((name) => name.replace(/[/.]/g, '\\$&')).join('|')})$`);
    b.onResolve({ filter }, (args) => (args.namespace === 'lazy-packages' ? undefined : { path: args.path, namespace: 'lazy-packages' }));
    b.onLoad({ filter: /.*/, namespace: 'lazy-packages' }, (args) => ({
      resolveDir: join(root, 'packages/cloud'),
      loader: 'js',
      contents: `const names = ${JSON.stringify(lazyNames[args.path])};
let loaded;
const load = () => {
  if (!loaded) {
    loaded = require(${JSON.stringify(args.path)});
    globalThis[Symbol.for('forte.lazyLoaded')]?.(${JSON.stringify(args.path)});
    for (const name of names) Object.defineProperty(exports, name, { value: loaded[name], enumerable: true });
  }
  return loaded;
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
  plugins: [zodEnglishOnly, lazyPackages, requiredAtRunTime, protocolModules],
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
import { runWithCodeCache } from './run-with-code-cache.cjs';
const mtime = (path) => statSync(new URL(path, import.meta.url), { throwIfNoEntry: false })?.mtimeMs;
const bundled = mtime('./protocol.bundle.cjs');
const fresh = bundled !== undefined && bundled >= (mtime('./.tsbuildinfo') ?? 0);
const m = fresh ? runWithCodeCache(fileURLToPath(new URL('./protocol.bundle.cjs', import.meta.url))) : await import('./index.js');
export const { ${protocolNames.join(', ')} } = m;
`,
);
// The database a new embedded one starts from, beside the bundle (engines/open-sql-store.ts): what this build's
// migrations make. Made after the protocol's main.js above: the script imports @forte/protocol, and a name added
// to it since the last build must be there.
{
  const made = spawnSync(process.execPath, [join(root, 'scripts/make-new-database.mjs'), join(root, 'packages/cloud/dist/bundle/new-database.db')], {
    encoding: 'utf8',
  });
  if (made.status !== 0) throw new Error(`scripts/make-new-database.mjs failed:\n${made.stderr}`);
}

await build({
  ...common,
  entryPoints: [join(root, 'packages/cli/src/run-cli.ts')],
  outfile: join(root, 'packages/cli/dist/forte.bundle.js'),
  packages: 'external',
  tsconfig: join(root, 'packages/cli/tsconfig.json'),
});

// Each bin answers --version with its package's version: the bundle found its package.json, and runs.
for (const [pkg, bin] of [
  ['cloud', 'dist/bin.cjs'],
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
// The bundles run through runWithCodeCache are ASCII, which it reads as a one-byte string: a single character
// beyond ASCII (esbuild escapes them, except in String.raw templates) makes V8 hold the whole bundle as a two-byte
// string, and the cloud's cold start a tenth slower. Fails the build, naming where.
for (const file of [join(root, 'packages/cloud/dist/bundle/forte-cloud.cjs'), join(protocolDist, 'protocol.bundle.cjs')]) {
  const text = readFileSync(file, 'latin1');
  const at = text.search(/[^\x00-\x7f]/);
  if (at >= 0) {
    const context = readFileSync(file)
      .subarray(Math.max(0, at - 60), at + 60)
      .toString('utf8');
    throw new Error(`${file} is not ASCII at byte ${at}: …${context}… (write the character as an escape, e.g. \\u2019, in the source)`);
  }
}
// What the cloud's bundle loads on first use must not be loaded by a start: its modules' top level (which
// `--version` runs in full) reads no export of a lazy package (a constant made of one loads it all: graphql-js was
// a tenth of a cold start) and requires none of the packages left out of the bundle. Fails the build, naming what
// was loaded.
{
  const bundle = join(root, 'packages/cloud/dist/bundle/forte-cloud.cjs');
  const probe = spawnSync(
    process.execPath,
    [
      '-e',
      `const loaded = [];
globalThis[Symbol.for('forte.lazyLoaded')] = (name) => loaded.push(name);
globalThis.__forteBundleUrl = require('node:url').pathToFileURL(${JSON.stringify(bundle)}).href;
process.argv = [process.argv[0], 'forte-cloud', '--version'];
process.on('exit', () => {
  const packages = Object.keys(require.cache).map((file) => file.split('/node_modules/').slice(1).pop()?.split('/')).filter(Boolean);
  const required = packages.map((parts) => parts.slice(0, parts[0].startsWith('@') ? 2 : 1).join('/')).filter((name) => ${REQUIRED_AT_RUN_TIME}.test(name));
  if (loaded.length + required.length > 0) {
    console.error('loaded at start: ' + [...new Set([...loaded, ...required])].join(', '));
    process.exitCode = 3;
  }
});
require(${JSON.stringify(bundle)});`,
    ],
    { encoding: 'utf8', env: { ...process.env, FORTE_HOME: join(root, '.forte-test', 'bundle-check') } },
  );
  if (probe.status !== 0) throw new Error(`the cloud's bundle loads at start what it should load on first use:\n${probe.stderr}`);
}
// The CLI's check above wrote the protocol bundle's code cache: the first real command writes a fuller one.
rmSync(join(protocolDist, 'protocol.bundle.cjs.cache'), { force: true });
