#!/usr/bin/env node
// Builds the walkthrough app into dist/: one bundle for the browser (React, aws-amplify, the Authenticator)
// plus index.html. `--watch` rebuilds on change (the project's StartCommand).
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = dirname(fileURLToPath(import.meta.url));
if (!existsSync(join(root, 'amplify_outputs.json'))) {
  console.error("amplify_outputs.json is missing: run `forte push` first (it writes the backend's endpoints there).");
  process.exit(1);
}
mkdirSync(join(root, 'dist'), { recursive: true });
copyFileSync(join(root, 'src/index.html'), join(root, 'dist/index.html'));

const options = {
  entryPoints: [join(root, 'src/main.jsx')],
  outdir: join(root, 'dist'),
  entryNames: 'app',
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  jsx: 'automatic',
  minify: !process.argv.includes('--watch'),
  sourcemap: process.argv.includes('--watch'),
  define: { 'process.env.NODE_ENV': process.argv.includes('--watch') ? '"development"' : '"production"' },
  logLevel: 'warning',
};

if (process.argv.includes('--watch')) {
  const context = await esbuild.context(options);
  await context.watch();
  console.log('Watching src/ (dist/ is rebuilt on change).');
} else {
  await esbuild.build(options);
  console.log('Built dist/.');
}
