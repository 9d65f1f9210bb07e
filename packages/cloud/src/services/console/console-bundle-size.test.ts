import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

// The console's first load is the JavaScript its index.html loads: its compressed size is kept under budget,
// so the console stays quick to open over a slow link. Reads the files `npm run build` put in dist/console/.
const dir = fileURLToPath(new URL('../../console/', import.meta.url));
const BUDGET = 300 * 1024;

void describe('the built web console', () => {
  it('loads less than 300 KB of gzip-compressed JavaScript', () => {
    assert.ok(existsSync(`${dir}index.html`), `no console at ${dir}: run \`npm run build\``);
    const html = readFileSync(`${dir}index.html`, 'utf8');
    const scripts = [...html.matchAll(/<(?:script[^>]*\ssrc|link[^>]*rel="modulepreload"[^>]*\shref)="\/_forte\/console\/([^"]+\.js)"/g)].map((m) => m[1]!);
    assert.ok(scripts.length > 0, `index.html loads no script:\n${html}`);
    const sizes = scripts.map((path) => ({ path, gzip: gzipSync(readFileSync(`${dir}${path}`), { level: 9 }).length }));
    const total = sizes.reduce((sum, s) => sum + s.gzip, 0);
    console.log(`console first-load JavaScript: ${sizes.map((s) => `${s.path} ${s.gzip} B`).join(', ')}; total ${total} B gzip`);
    assert.ok(total < BUDGET, `the console's first load is ${total} bytes of gzip-compressed JavaScript, over the ${BUDGET} budget`);
  });
});
