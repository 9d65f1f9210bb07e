#!/usr/bin/env node
import { statSync } from 'node:fs';

// The AWS SDK clients the CLI uses (function invoke, logs, secrets) warn on Node.js 20 that SDK releases of 2027
// will need Node.js 22. Forte pins its SDK releases and says in package.json which Node.js it runs on, so that
// notice is not the user's to act on; the CLI's processes (and what they start) do not print it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// `npm run build` bundles the CLI's own modules into one file (scripts/bundle-bins.mjs; packages stay
// outside it, so plugins share @forte/protocol with it). A `tsc -b` after it makes the bundle stale
// (.tsbuildinfo is newer), and then the modules tsc wrote run instead.
const mtime = (path: string): number | undefined => statSync(new URL(path, import.meta.url), { throwIfNoEntry: false })?.mtimeMs;
const bundled = mtime('./forte.bundle.js');
const built = mtime('./.tsbuildinfo');
const { runCli } = (await import(
  bundled !== undefined && (built === undefined || bundled >= built) ? './forte.bundle.js' : './run-cli.js'
)) as typeof import('./run-cli.js');
process.exitCode = await runCli(process.argv.slice(2));
