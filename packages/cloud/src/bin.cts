#!/usr/bin/env node
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runWithCodeCache } from '@forte/protocol/run-with-code-cache';

// `npm run build` bundles the cloud into one file (scripts/bundle-bins.mjs): loading one module instead of
// some 500 (the cloud's, zod, jose, nodemailer, graphql...) is most of a cold start. A `tsc -b` after it
// makes the bundle stale (this package's or @forte/protocol's .tsbuildinfo is newer: the bundle holds both),
// and then the modules tsc wrote run instead. The bundle is CommonJS, run with a V8 code cache.
const mtime = (path: string): number | undefined => statSync(new URL(path, import.meta.url), { throwIfNoEntry: false })?.mtimeMs;
const bundled = mtime('./bundle/forte-cloud.cjs');
const built = Math.max(mtime('./.tsbuildinfo') ?? 0, mtime('../../protocol/dist/.tsbuildinfo') ?? 0);
if (bundled !== undefined && bundled >= built) runWithCodeCache(fileURLToPath(new URL('./bundle/forte-cloud.cjs', import.meta.url)), { afterHook: true });
else await import('./run-cloud.js');
