// Builds src/ into dist/: assets get content-hashed names (served with immutable caching),
// index.html is rewritten to point at them (served with no-cache).
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('.', import.meta.url).pathname;
const src = join(root, 'src');
const dist = join(root, 'dist');
rmSync(dist, { recursive: true, force: true });
mkdirSync(join(dist, 'assets'), { recursive: true });

let html = readFileSync(join(src, 'index.html'), 'utf8');
for (const name of readdirSync(src)) {
  // aws-exports.js is Forte's generated client config: an app that uses it imports it in its bundle.
  if (name === 'index.html' || name === 'aws-exports.js') continue;
  const body = readFileSync(join(src, name));
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 10);
  const dot = name.lastIndexOf('.');
  const hashed = `${name.slice(0, dot)}.${hash}${name.slice(dot)}`;
  writeFileSync(join(dist, 'assets', hashed), body);
  html = html.replaceAll(`"./${name}"`, `"/assets/${hashed}"`);
}
html = html.replace('__BUILT_AT__', new Date().toISOString());
writeFileSync(join(dist, 'index.html'), html);
console.log(`built ${readdirSync(join(dist, 'assets')).length + 1} files into dist/`);
