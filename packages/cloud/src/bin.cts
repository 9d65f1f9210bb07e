#!/usr/bin/env node
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runWithCodeCache } from '@forte/protocol/run-with-code-cache';

// The collector lets the heap grow to 3× what it kept at the last full collection before the next (V8 chooses
// between 1.1× and 4× itself, and chose about 2.6× for the cloud). V8 counts the memory outside the heap that has
// been allocated since the last full collection against that limit, and every chunk of an upload is a 64 KiB
// buffer outside the heap until a scavenge frees it: with V8's own choice, after any burst of small requests
// (which sets the limit from a heap full of their garbage), concurrent large uploads kept the limit crossed and
// ran some ten full collections a second (docs/benchmarks.md, Storage, 2026-12-07). An operator's own
// --heap-growing-percent wins.
if (!process.execArgv.some((arg) => /^--heap[-_]growing[-_]percent/.test(arg))) setFlagsFromString('--heap-growing-percent=200');

// The cloud's S3 blob engine (a cluster's) uses an AWS SDK client, which warns on Node.js 20 that SDK releases of
// 2027 will need Node.js 22: Forte pins its SDK releases, so that notice is not the operator's to act on.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// The cloud's bin (package.json "bin", and what the CLI starts). CommonJS: an ES module entry would start node's
// ES module loader first, a twentieth of a start. dist/bin.js, an ES module, runs this file too.
//
// `npm run build` bundles the cloud into one file (scripts/bundle-bins.mjs): loading one module instead of
// some 500 (the cloud's, zod, jose, nodemailer, graphql...) is most of a cold start. A `tsc -b` after it
// makes the bundle stale (this package's or @forte/protocol's .tsbuildinfo is newer: the bundle holds both),
// and then the modules tsc wrote run instead. The bundle is CommonJS, run with a V8 code cache.
const mtime = (path: string): number | undefined => statSync(join(__dirname, path), { throwIfNoEntry: false })?.mtimeMs;
const bundled = mtime('bundle/forte-cloud.cjs');
const built = Math.max(mtime('.tsbuildinfo') ?? 0, mtime('../../protocol/dist/.tsbuildinfo') ?? 0);
if (bundled !== undefined && bundled >= built) runWithCodeCache(join(__dirname, 'bundle/forte-cloud.cjs'), { afterHook: true });
else void import('./run-cloud.js');
