#!/usr/bin/env node
// Builds the web console (packages/console, React with Vite) after `tsc -b` type-checked it (part of
// `npm run build`), and copies the files into packages/cloud/dist/console/, which the cloud serves at
// /_forte/console/ (services/console). Each text file gets .gz and .br copies beside it, made once here, so
// the cloud answers compressed without compressing per request. The cloud never imports the console package.
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { build } from 'vite';

const root = new URL('..', import.meta.url).pathname;
const consoleDir = join(root, 'packages/console');
const out = join(root, 'packages/cloud/dist/console');

await build({ root: consoleDir, configFile: join(consoleDir, 'vite.config.ts'), logLevel: 'warn' });
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
cpSync(join(consoleDir, 'dist'), out, { recursive: true });

const compressible = /\.(html|js|css|svg|json|txt)$/;
const compress = (dir) => {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) compress(path);
    else if (compressible.test(name)) {
      const body = readFileSync(path);
      writeFileSync(`${path}.gz`, gzipSync(body, { level: 9 }));
      writeFileSync(
        `${path}.br`,
        brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: body.length } }),
      );
    }
  }
};
compress(out);
